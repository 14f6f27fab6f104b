"""The test servers' start-up helper: a silent child is started once more, an exiting one is not,
and no pipe to a discarded child is left open."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import child_process
import pytest


class StartError(Exception):
    pass


def _script(tmp_path: Path, body: str) -> list[str]:
    script = tmp_path / "child.py"
    script.write_text(body)
    return [sys.executable, str(script), str(tmp_path / "count")]


# Counts its starts in a file; silent on the first, ready on the second.
SILENT_ONCE = """
import json, pathlib, sys, time
count = pathlib.Path(sys.argv[1])
n = int(count.read_text()) + 1 if count.exists() else 1
count.write_text(str(n))
if n == 1:
    time.sleep(60)
print(json.dumps({"start": n}), flush=True)
sys.stdin.read()
"""


def test_a_child_silent_past_the_timeout_is_started_once_more(tmp_path: Path) -> None:
    command = _script(tmp_path, SILENT_ONCE)
    process, log, raw = child_process.start(command, 1.0, StartError, stdin=subprocess.PIPE)
    try:
        assert raw == {"start": 2}
    finally:
        child_process.stop(process)
        log.close()
    gc.collect()  # a pipe of the discarded first child left open would warn here (an error)


def test_a_child_silent_twice_says_where_it_stood(tmp_path: Path) -> None:
    command = _script(tmp_path, "import time; time.sleep(60)")
    with pytest.raises(StartError) as raised:
        child_process.start(command, 0.5, StartError, stdin=subprocess.PIPE)
    message = str(raised.value)
    assert message.count("silent for 0.5 s (state ") == 2, message
    assert "s of CPU" in message
    gc.collect()


def test_a_child_that_exits_is_not_started_again(tmp_path: Path) -> None:
    body = (
        "import pathlib, sys\n"
        "count = pathlib.Path(sys.argv[1])\n"
        "count.write_text(count.read_text() + 'x' if count.exists() else 'x')\n"
        "print('bad argument', file=sys.stderr)\n"
        "sys.exit(2)\n"
    )
    command = _script(tmp_path, body)
    with pytest.raises(StartError, match=r"exited \(2\) with no JSON line:\nbad argument"):
        child_process.start(command, 5.0, StartError)
    assert (tmp_path / "count").read_text() == "x"


def test_a_child_whose_first_line_is_not_json_is_stopped_and_says_so(tmp_path: Path) -> None:
    command = _script(tmp_path, "import time; print('warming up', flush=True); time.sleep(60)")
    with pytest.raises(StartError) as raised:
        child_process.start(command, 5.0, StartError, stdin=subprocess.PIPE)
    assert str(raised.value).endswith("printed b'warming up\\n', not its JSON line")
    gc.collect()  # its pipes closed: an open one would warn here (an error)
