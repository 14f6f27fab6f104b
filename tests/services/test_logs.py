"""The log a user hands over: a rotating file, redacted like every handler, DEBUG only with
--verbose, and the last problems kept (redacted) for the diagnostic summary."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

import pytest

from photon_desktop import logs

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"


def test_file_is_redacted_and_debug_needs_verbose(
    tmp_path: Path, root_logging: logging.Logger
) -> None:
    logs.configure(tmp_path, verbose=False)
    log = logging.getLogger("photon_desktop.test")
    log.debug("quiet detail")
    log.warning("token %s for ann@clinic.example, refresh_token=r-secret-42", JWT)
    assert logs.log_folder() == tmp_path
    text = (tmp_path / logs.LOG_FILE).read_text("utf-8")
    assert "quiet detail" not in text
    assert "token *** for ***, refresh_token=***" in text
    assert JWT not in text and "r-secret-42" not in text
    problem = logs.recent_problems()[-1]
    assert problem.message == "token *** for ***, refresh_token=***"
    assert problem.level == "WARNING"

    logs.configure(tmp_path, verbose=True)  # --verbose: same file, DEBUG now
    log.debug("loud detail")
    assert "loud detail" in (tmp_path / logs.LOG_FILE).read_text("utf-8")
    assert logs.level_name() == "DEBUG"
    rotating = logging.handlers.RotatingFileHandler
    assert sum(isinstance(h, rotating) for h in root_logging.handlers) == 1


def test_the_file_rotates(
    tmp_path: Path, root_logging: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logs, "MAX_BYTES", 4_000)
    logs.configure(tmp_path)
    log = logging.getLogger("photon_desktop.test")
    for n in range(400):
        log.info("line %d of a long enough message to fill the file quickly", n)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == [logs.LOG_FILE, *(f"{logs.LOG_FILE}.{i}" for i in range(1, logs.BACKUPS + 1))]
    assert all(p.stat().st_size <= 4_000 for p in tmp_path.iterdir())
    assert "line 399 " in (tmp_path / logs.LOG_FILE).read_text("utf-8")


def test_recent_problems_keep_only_the_last_warnings_and_errors(
    root_logging: logging.Logger,
) -> None:
    root_logging.setLevel(logging.INFO)
    logs.collect_problems()
    log = logging.getLogger("photon_desktop.test")
    log.info("not a problem")
    for n in range(logs.RECENT + 5):
        log.error("problem %d", n)
    problems = logs.recent_problems()
    assert len(problems) == logs.RECENT
    assert problems[-1].message == f"problem {logs.RECENT + 4}"
    assert all(p.message != "not a problem" for p in problems)


def test_verbose_keeps_out_what_libraries_log_with_their_arguments(
    tmp_path: Path, root_logging: logging.Logger
) -> None:
    """qasync logs, at DEBUG, each call handed to a thread with its arguments (a file's whole
    text, a patient's record); httpx logs URLs. Even --verbose keeps them out."""
    logs.configure(tmp_path, verbose=True)
    logging.getLogger("qasync.QThreadExecutor").debug("Submitting callback (Ann Okafor, 1990)")
    logging.getLogger("httpx").info("HTTP Request: GET http://127.0.0.1/callback?code=c-1")
    logging.getLogger("photon_desktop.test").debug("app detail")
    text = (tmp_path / logs.LOG_FILE).read_text("utf-8")
    assert "app detail" in text
    assert "Okafor" not in text and "callback" not in text
