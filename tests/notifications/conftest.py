from __future__ import annotations

import sys
from pathlib import Path

# The order fakes live beside the watcher tests.
_SERVICES = str(Path(__file__).resolve().parents[1] / "services")
if _SERVICES not in sys.path:
    sys.path.append(_SERVICES)
