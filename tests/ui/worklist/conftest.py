"""Order-update UI tests reuse the watcher fakes, the recording notification port and the
sandbox workspace helper from their own folders."""

from __future__ import annotations

import sys
from pathlib import Path

_TESTS = Path(__file__).resolve().parents[2]
for _folder in (_TESTS / "services", _TESTS / "notifications", _TESTS / "ui" / "records"):
    if str(_folder) not in sys.path:
        sys.path.append(str(_folder))
