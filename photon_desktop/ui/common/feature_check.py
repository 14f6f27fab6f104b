"""A cheaper form of PySide6's ``__feature__`` check, which otherwise keeps every module's source.

Once PySide6 is imported, every module imported after it is asked whether it uses PySide6 (to
switch ``snake_case``/``true_property`` per module): ``shibokensupport.feature._mod_uses_pyside``
reads the module's source with ``inspect.getsource``, and ``linecache`` then keeps that text for
the life of the process. The window now shows before the app's layers are imported, so that was
~380 files and ~6 MB held for nothing. ``install()`` answers the same question by reading the
file's bytes without keeping them; anything that is not a plain ``.py`` file goes to PySide6's
own check. This patches a private function: ``tests/app/test_startup_imports.py`` fails if it goes.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

FEATURE_MODULE = "shibokensupport.feature"


def install() -> bool:
    """Replace the check (after PySide6 is imported); False if this PySide6 has no such check."""
    feature = sys.modules.get(FEATURE_MODULE)
    upstream: Any = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or upstream is None or getattr(upstream, "_cheap", False):
        return upstream is not None and getattr(upstream, "_cheap", False)

    def uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return bool(upstream(module))
        try:
            with open(path, "rb") as source:
                return b"PySide6" in source.read()
        except OSError:
            return bool(upstream(module))

    uses_pyside._cheap = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = uses_pyside  # type: ignore[attr-defined]
    return True
