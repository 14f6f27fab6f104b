"""Keep tokens, secrets and patient details out of logs and the request log.

Two tools:

* ``redact_variables`` masks GraphQL variables by default-deny: ids, paging and enum-like fields
  stay readable for support; every other string (names, dates of birth, phones, e-mails,
  addresses, free text, search terms) becomes ``"***"``.
* ``RedactingFilter`` is a ``logging.Filter`` that rewrites each record's message (and formatted
  traceback) so bearer tokens, JWTs, secrets in ``key=value`` / JSON form, OAuth codes, e-mail
  addresses and phone numbers never reach a handler. ``install()`` attaches it at start-up.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any

MASK = "***"

# Variable names whose values are safe to show support staff: ids, paging, states and units.
_SAFE_KEYS = frozenset(
    {
        "id",
        "after",
        "state",
        "type",
        "fulfillment",
        "radius",
        "dispenseQuantity",
        "dispenseUnit",
        "fillsAllowed",
        "refillsAllowed",
        "daysSupply",
        "dispenseAsWritten",
        "diagnoses",
        "active",
    }
)


# Objects whose every string is personal (patient names, addresses), whatever the key inside.
_PERSONAL_OBJECTS = frozenset({"name", "address"})


# A clinic's own id for a record (often a patient's medical record number): patient detail.
_CLINIC_IDS = frozenset({"externalId", "external_id"})


def _is_safe_key(key: str) -> bool:
    if key in _CLINIC_IDS:
        return False
    return key in _SAFE_KEYS or key.endswith(("Id", "Ids", "_id"))


def redact_variables(variables: Mapping[str, Any] | None) -> dict[str, Any]:
    """A copy of ``variables`` fit for the request log (default-deny for strings)."""
    if not variables:
        return {}
    return {key: _redact_value(key, value) for key, value in variables.items()}


def _redact_value(key: str, value: Any, personal: bool = False) -> Any:
    personal = personal or key in _PERSONAL_OBJECTS
    if isinstance(value, Mapping):
        return {k: _redact_value(k, v, personal) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(key, v, personal) for v in value]
    if value is None or isinstance(value, bool):
        return value
    if _is_safe_key(key) and not personal:
        return value
    if isinstance(value, int | float) and key not in {"latitude", "longitude"}:
        return value
    return MASK


# ------------------------------------------------------------------ free text (log messages)

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Authorization headers and bearer tokens.
    (re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]+"), r"\1 " + MASK),
    # JWTs anywhere (three base64url parts, header starts with eyJ).
    (re.compile(r"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*"), MASK),
    # HTTP Basic credentials (base64 of client_id:client_secret) after an Authorization key.
    (
        re.compile(r"""(?i)(\bauthorization\b\\?["']?\s*[:=]\s*\\?["']?basic\s+)[^"'&\s,}\\]+"""),
        r"\1" + MASK,
    ),
    # key=value or "key": "value" forms of secrets and OAuth values, also camelCase keys
    # (clientSecret, refreshToken) and JSON quoted inside JSON (\"refresh_token\": \"...\").
    (
        re.compile(
            r"""(?ix)
            (\\?["']?\b(?:client_?secret|secret|access_?token|refresh_?token|id_?token|token|
                       password|code|code_?verifier|authorization|admin_?key|api_?key)\b\\?["']?
             \s*[:=]\s*\\?["']?)
            ([^"'&\s,}\\]+)
            """
        ),
        r"\1" + MASK,
    ),
    # ('refresh_token', '...') pairs: form fields as a list of tuples.
    (
        re.compile(
            r"""(?ix)
            (["'](?:client_?secret|access_?token|refresh_?token|id_?token|code|code_?verifier)
             ["']\s*,\s*["'])
            [^"']+
            """
        ),
        r"\1" + MASK,
    ),
    # E-mail addresses.
    (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"), MASK),
    # Phone numbers: +1 202-555-0102, (202) 555 0102, 2025550102.
    (re.compile(r"(?<![\w-])\+?1?[\s.-]?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?![\w-])"), MASK),
)

_known_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def add_secret(value: str | None) -> None:
    """Mask ``value`` wherever it appears in later log records (client secrets, tokens, names)."""
    if value and len(value) >= 4:
        with _secrets_lock:
            _known_secrets.add(value)


_GRAPHQL_VALUES = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|"(?:[^"\\\n]|\\.)*"|#[^\n]*')


def redact_graphql(document: str) -> str:
    """A GraphQL document with its string literals and comments masked: what a query asks stays
    readable, a value typed into it (``patients(filter: {name: "…"})``) does not."""
    return _GRAPHQL_VALUES.sub(
        lambda m: "# " + MASK if m.group(0).startswith("#") else f'"{MASK}"', document
    )


def redact_text(text: str) -> str:
    """``text`` with secrets, tokens and contact details replaced by ``***``."""
    with _secrets_lock:
        secrets = sorted(_known_secrets, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites every record so no handler ever formats a secret or patient detail."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = f"{record.msg!r} {record.args!r}"
        record.msg = redact_text(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True


def install(handlers: Iterable[logging.Handler] | None = None) -> RedactingFilter:
    """Attach one ``RedactingFilter`` to ``handlers`` (default: the root logger's handlers).

    Filters on handlers (not loggers) see records propagated from every module's logger.
    Call after logging is configured; installing twice does not add a second filter.
    """
    targets = list(handlers) if handlers is not None else list(logging.getLogger().handlers)
    existing = next((f for h in targets for f in h.filters if isinstance(f, RedactingFilter)), None)
    redactor = existing or RedactingFilter()
    for handler in targets:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(redactor)
    return redactor
