"""The app's logging: stderr and a rotating file a user can hand over, both redacted, plus the last
warnings and errors kept in memory for the diagnostic summary.

    logs.configure(log_dir, verbose=args.verbose)   # at start-up, once
    logs.log_folder()                                # where the file is (None: no file)
    logs.recent_problems()                           # the last warnings/errors, redacted

Every handler carries ``redact.RedactingFilter``, so tokens, secrets, e-mails and phone numbers
never reach the file, the terminal or the summary. Imports nothing of the app's layers.
"""

from __future__ import annotations

import collections
import logging
import logging.handlers
import sys
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from photon_desktop import redact

LOG_FILE = "photon-desktop.log"
MAX_BYTES = 2_000_000
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
RECENT = 20  # warnings and errors kept for the diagnostic summary
# httpx and httpcore log full URLs (with codes in callbacks) at INFO; qasync logs, at DEBUG, the
# arguments of every call handed to a thread (whatever data that is) and every socket event.
QUIET = ("httpx", "httpcore", "qasync")


@dataclass(frozen=True, slots=True)
class Problem:
    """One warning or error as the summary shows it (message already redacted)."""

    at: datetime
    level: str
    logger: str
    message: str

    def line(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S}Z {self.level} {self.logger}: {self.message}"


class RecentProblems(logging.Handler):
    """Keeps the last ``capacity`` WARNING-or-worse records (redacted by its filter)."""

    def __init__(self, capacity: int = RECENT) -> None:
        super().__init__(logging.WARNING)
        self._items: collections.deque[Problem] = collections.deque(maxlen=capacity)
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().splitlines()[0][:300] if record.getMessage() else ""
        problem = Problem(
            at=datetime.fromtimestamp(record.created, UTC),
            level=record.levelname,
            logger=record.name,
            message=message,
        )
        with self._guard:
            self._items.append(problem)

    def items(self) -> tuple[Problem, ...]:
        with self._guard:
            return tuple(self._items)


def configure(log_dir: Path | None, *, verbose: bool = False) -> None:
    """stderr, a rotating file in ``log_dir`` (none when None) and the recent-problems buffer,
    all redacted; ``verbose`` logs DEBUG instead of INFO. Calling again changes only the level."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    handlers: list[logging.Handler] = []
    if not any(type(h) is logging.StreamHandler for h in root.handlers):
        handlers.append(logging.StreamHandler(sys.stderr))
    if log_dir is not None and _file_handler() is None:
        log_dir.mkdir(parents=True, exist_ok=True)
        handlers.append(
            logging.handlers.RotatingFileHandler(
                log_dir / LOG_FILE, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
            )
        )
    fmt = logging.Formatter(FORMAT)
    for handler in handlers:
        handler.setFormatter(fmt)
        root.addHandler(handler)
    collect_problems()
    redact.install(root.handlers)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)


def collect_problems() -> RecentProblems:
    """The recent-problems handler on the root logger (added, redacted, on first call)."""
    root = logging.getLogger()
    found = next((h for h in root.handlers if isinstance(h, RecentProblems)), None)
    if found is None:
        found = RecentProblems()
        root.addHandler(found)
        redact.install([found])
    return found


def recent_problems() -> tuple[Problem, ...]:
    return collect_problems().items()


def _file_handler() -> logging.handlers.RotatingFileHandler | None:
    return next(
        (
            h
            for h in logging.getLogger().handlers
            if isinstance(h, logging.handlers.RotatingFileHandler)
        ),
        None,
    )


def log_folder() -> Path | None:
    """The folder of the log file being written, or None when logging has no file."""
    handler = _file_handler()
    return Path(handler.baseFilename).parent if handler is not None else None


def level_name() -> str:
    return logging.getLevelName(logging.getLogger().level)
