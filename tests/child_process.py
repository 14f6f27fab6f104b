"""Test servers run as child processes that print one JSON line when ready (the local sandbox,
the OpenID provider): wait for that line, and stop them with a signal."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
from typing import IO, Any

STOP_TIMEOUT_S = 15.0


def ready_line(
    process: subprocess.Popen[bytes], log: IO[bytes], timeout: float, error: type[Exception]
) -> dict[str, Any]:
    """The parsed JSON line; ``error`` with the child's log if none came within ``timeout``."""
    assert process.stdout is not None
    stdout = process.stdout
    lines: list[bytes] = []
    reader = threading.Thread(target=lambda: lines.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if not lines or not lines[0].strip():
        process.kill()
        process.wait()
        stdout.close()
        log.seek(0)
        text = log.read().decode("utf-8", "replace")
        log.close()
        raise error(f"{process.args!r} printed no JSON line:\n{text}")
    return dict(json.loads(lines[0]))


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
