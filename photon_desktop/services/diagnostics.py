"""The diagnostic summary a user pastes into a support request: versions, environment, how they
are signed in, where secrets are kept, the log level and folder, and the last warnings and errors.

It names no token, secret or patient: the session contributes only its kind and the keyring
backend, the problems come already redacted from ``logs``, and the whole text passes
``redact.redact_text`` once more (tokens, secrets, e-mails, phones, the session's known secrets).
"""

from __future__ import annotations

import platform
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from photon_desktop import __version__, logs
from photon_desktop.api.request_log import RequestLogEntry
from photon_desktop.auth.session import Session
from photon_desktop.auth.tokens import TokenKind
from photon_desktop.redact import redact_text

__all__ = ["collect_problems", "log_folder", "summary"]

FAILED_CALLS = 10

_SIGN_IN = {
    TokenKind.NONE: "not signed in",
    TokenKind.M2M: "M2M (client credentials)",
    TokenKind.USER: "user (browser sign-in)",
}


def collect_problems() -> None:
    """Keep the last warnings and errors for the summary (idempotent)."""
    logs.collect_problems()


def log_folder() -> Path | None:
    """The folder the log file is written to (None when logging writes no file)."""
    return logs.log_folder()


def summary(
    session: Session | None,
    toolkit: Mapping[str, str],
    calls: Sequence[RequestLogEntry] = (),
) -> str:
    """The summary as plain text; ``toolkit`` holds the UI's versions (Qt, PySide6), ``calls``
    the session's request log (its failed calls are listed: operation, status, error kind)."""
    lines = [
        "Photon Desktop diagnostic summary",
        f"App version: {__version__}",
        f"Python: {platform.python_version()} ({sys.implementation.name})",
        *(f"{name}: {version}" for name, version in toolkit.items()),
        f"System: {platform.system()} {platform.release()} ({platform.machine()})",
    ]
    if session is None:
        lines.append("Environment: none chosen")
    else:
        env = session.environment
        lines += [
            f"Environment: {env.name} ({env.key})",
            f"GraphQL endpoint: {env.graphql_url}",
            f"Sign-in: {_SIGN_IN[session.kind]}",
            f"Refresh token held: {'yes' if session.has_refresh_token else 'no'}",
            f"Keyring backend: {session.keyring_backend}",
        ]
    folder = logs.log_folder()
    lines += [
        f"Log level: {logs.level_name()}",
        f"Log folder: {folder if folder is not None else 'no log file'}",
    ]
    failed = [c for c in calls if c.error_kind or c.error][-FAILED_CALLS:]
    lines.append(f"Last failed API calls ({len(failed)}):")
    lines += [
        f"  {c.at:%Y-%m-%d %H:%M:%S} {c.operation} attempt {c.attempt}: "
        f"HTTP {c.status if c.status is not None else '-'} {c.error_kind or ''} {c.error or ''}"
        for c in failed
    ] or ["  none"]
    problems = logs.recent_problems()
    lines.append(f"Last warnings and errors ({len(problems)}):")
    lines += [f"  {p.line()}" for p in problems] or ["  none"]
    return redact_text("\n".join(lines))
