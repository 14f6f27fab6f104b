"""Test servers run as child processes that print one JSON line when ready (the local sandbox,
the OpenID provider): start them, wait for that line, and stop them with a signal."""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO, Any

STOP_TIMEOUT_S = 15.0


def start(
    command: list[str], timeout: float, error: type[Exception], **popen: Any
) -> tuple[subprocess.Popen[bytes], IO[bytes], dict[str, Any]]:
    """Start ``command`` (stdout piped, stderr to a temporary file) and wait for its JSON line.

    A child that stays silent past ``timeout`` is started once more: on a loaded 2-core CI
    machine a child once sat for 30 s before its first line while the same start takes 0.3 s
    everywhere else. A child that exits without the line is not retried (a bad argument, a
    crash), and a second silent start raises ``error`` with both attempts' state and logs.
    """
    stalls: list[str] = []
    for _attempt in range(2):
        log = tempfile.TemporaryFile()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, **popen)
        line, state = _first_line(process, timeout)
        if line.strip():
            try:
                return process, log, dict(json.loads(line))
            except ValueError:
                _discard(process)  # not the ready line: a child talking of something else
                log.close()
                raise error(f"{command!r} printed {line[:200]!r}, not its JSON line") from None
        _discard(process)
        log.seek(0)
        text = log.read().decode("utf-8", "replace")
        log.close()
        if state is None:  # it exited: starting it again would fail the same way
            raise error(f"{command!r} exited ({process.returncode}) with no JSON line:\n{text}")
        stalls.append(f"silent for {timeout:g} s ({state}); its log:\n{text}")
        print(f"{command[:2]!r} {stalls[-1]}", file=sys.stderr)
    raise error(f"{command!r} printed no JSON line:\n" + "\n".join(stalls))


def _first_line(process: subprocess.Popen[bytes], timeout: float) -> tuple[bytes, str | None]:
    """The first stdout line (b"" if none), and if the child is still running, its state."""
    assert process.stdout is not None
    stdout = process.stdout
    lines: list[bytes] = []
    reader = threading.Thread(target=lambda: lines.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if lines and lines[0].strip():
        return lines[0], None
    if lines:  # end of output: it is exiting (poll() may not see it yet), not silent
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=STOP_TIMEOUT_S)
        return b"", None
    return b"", None if process.poll() is not None else _state(process.pid)


def _state(pid: int) -> str:
    """Where a silent child stands: its scheduler state, the CPU it used, and the load."""
    proc = Path(f"/proc/{pid}")
    try:
        fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        ticks = 100  # USER_HZ on Linux
        cpu = (int(fields[11]) + int(fields[12])) / ticks
        wchan = (proc / "wchan").read_text() or "-"
        load = Path("/proc/loadavg").read_text().split()[:3]
    except (OSError, IndexError, ValueError) as gone:
        return f"state unknown: {gone}"
    return f"state {fields[0]}, {cpu:.2f} s of CPU, waiting in {wchan}, load {' '.join(load)}"


def _discard(process: subprocess.Popen[bytes]) -> None:
    """Kill the child and close every pipe to it (an unclosed pipe warns in a later test)."""
    process.kill()
    process.wait()
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            stream.close()


def stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> int:
    """Signal the process and wait for it (killing it if it lingers); the exit code."""
    if process.poll() is None:
        process.send_signal(sig)
    try:
        return process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise
    finally:
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()
