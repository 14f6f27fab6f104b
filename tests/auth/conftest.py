"""Fixtures for the auth tests: ``arun`` runs a coroutine on a qasync loop."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
