"""PySide6's private ``__feature__`` check is still there to patch, and the patched one answers as
PySide6's own does without leaving the module's source in ``linecache``."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def _run(code: str) -> object:
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    return json.loads(result.stdout.splitlines()[-1])


def test_the_private_check_exists_and_the_cheap_one_agrees_without_keeping_sources() -> None:
    code = """
import json, linecache, sys
import PySide6.QtCore
feature = sys.modules["shibokensupport.feature"]
upstream = feature._mod_uses_pyside
from photon_desktop.ui.common import feature_check
import photon_desktop.ui.pages as qt_module, photon_desktop.domain.durations as plain
linecache.clearcache()
installed = feature_check.install()
cheap = feature._mod_uses_pyside
answers = [cheap(qt_module), cheap(plain), cheap(sys)]
kept = [m.__file__ in linecache.cache for m in (qt_module, plain)]
expected = [upstream(qt_module), upstream(plain), upstream(sys)]
again = feature_check.install()
print(json.dumps([installed, cheap is not upstream, again, answers, expected, kept]))
"""
    installed, replaced, again, answers, expected, kept = _run(code)
    assert installed and replaced and again  # a second install keeps the first
    assert answers == expected == [True, False, False]
    assert kept == [False, False]
