"""Puts tests/auth on sys.path so the end-to-end tests share its keyring fakes."""

from __future__ import annotations

import sys
from pathlib import Path

_AUTH = str(Path(__file__).resolve().parents[1] / "auth")
if _AUTH not in sys.path:
    sys.path.append(_AUTH)
