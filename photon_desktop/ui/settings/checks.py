"""What Settings accepts in each field, and how a test's outcome is explained: pure functions,
so they are tested without a window."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from photon_desktop import errors
from photon_desktop.domain.web_addresses import is_loopback
from photon_desktop.services.credentials import EnvironmentKind, TokenInfo, check_client_secret
from photon_desktop.ui.common.formatting import fmt_until

# RFC 6749 App. A.1: client-id = *VSCHAR (printable ASCII); an ID with spaces at its ends is a
# copy-and-paste slip, so those are trimmed before checking.
_CLIENT_ID = re.compile(r"^[\x20-\x7e]{1,255}$")
_ORG_ID = re.compile(r"^org_[A-Za-z0-9]{4,64}$")
PORT_MIN, PORT_MAX = 1024, 65535


def check_client_id(text: str, *, required: bool) -> str | None:
    """None when ``text`` is a client ID OAuth allows (e.g. ``backend-m2m``), else what to fix."""
    text = text.strip()
    if not text:
        return "Enter the client ID from the Photon dashboard." if required else None
    if not _CLIENT_ID.match(text):
        return (
            "A client ID is made of printable characters (letters, digits, punctuation), "
            "copied from the provider's dashboard; it cannot contain line breaks or symbols "
            "outside plain ASCII."
        )
    return None


def check_org_id(text: str) -> str | None:
    text = text.strip()
    if text and not _ORG_ID.match(text):
        return "An organization ID starts with “org_” followed by letters and digits."
    return None


def check_url(text: str, *, required: bool, what: str) -> str | None:
    """https only, except plain http to this computer (a local sandbox)."""
    text = text.strip()
    if not text:
        return f"Enter the {what}." if required else None
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        parts.port  # noqa: B018 -- raises ValueError on a malformed port
    except ValueError:
        return f"The {what} is not a valid address."
    if " " in text or not host:
        return f"The {what} must be a full address such as https://auth.example.com/."
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and is_loopback(host):
        return None
    if parts.scheme == "http":
        return f"The {what} must use https:// (plain http is only allowed for this computer)."
    return f"The {what} must start with https://."


def parse_ports(text: str) -> tuple[tuple[int, ...], str | None]:
    """Ports from "8765, 8766 9000"; an error when any is not a number in 1024-65535."""
    tokens = [t for t in re.split(r"[,\s;]+", text.strip()) if t]
    if not tokens:
        return (), "List at least one port, e.g. 8765, 8766."
    ports: list[int] = []
    for token in tokens:
        if not (token.isascii() and token.isdigit()) or not PORT_MIN <= int(token) <= PORT_MAX:
            return (), f"“{token}” is not a port number between {PORT_MIN} and {PORT_MAX}."
        if int(token) not in ports:
            ports.append(int(token))
    return tuple(ports), None


def describe_error(error: BaseException) -> tuple[str, str]:
    """A heading and the sentence to show for a failed test.

    The auth layer's errors already say what to do (``str(error)``); the heading names the kind
    of problem so a clinic admin knows where to look before reading on.
    """
    if isinstance(error, errors.CredentialsRejected):
        return "Photon refused these credentials", str(error)
    if isinstance(error, errors.OfflineError):
        return "Photon could not be reached", str(error)
    if isinstance(error, errors.ConfigurationError):
        return "The environment settings look wrong", str(error)
    if isinstance(error, errors.RateLimited):
        return "Photon asked to slow down", str(error)
    if isinstance(error, errors.PhotonError):
        return "The test did not succeed", str(error)
    return "Unexpected error while testing", f"{type(error).__name__}. See the log for details."


def describe_grant(env_name: str, info: TokenInfo) -> str:
    """What a successful test shows: what Photon granted, and for how long."""
    until = datetime.now(UTC) + timedelta(seconds=info.expires_in)
    scopes = (
        ", ".join(sorted(info.scopes)) or "none"
        if info.permissions_known
        else "could not be read from the token; Photon decides what it allows"
    )
    return (
        f"Connected to {env_name}.\nGranted permissions: {scopes}\n"
        f"Token valid for {duration(info.expires_in)} (until {fmt_until(until)})."
    )


def duration(seconds: int) -> str:
    """3600 → "1 h", 5400 → "1 h 30 min", 90 → "1 min", 45 → "45 s"."""
    if seconds >= 3600:
        hours, rest = divmod(seconds, 3600)
        return f"{hours} h {rest // 60} min" if rest >= 60 else f"{hours} h"
    if seconds >= 60:
        return f"{seconds // 60} min"
    return f"{seconds} s"


def form_problems(
    kind: EnvironmentKind,
    running_issuer: str,
    values: Mapping[str, str],
    *,
    need_secret: bool,
    fixed_ports: bool,
) -> dict[str, str | None]:
    """Each checked field's problem (None when fine), by field name, in the order the form
    shows them; ``values`` are the stripped texts, and
    ``running_issuer`` the address of the bundled sandbox ("" while it is not running)."""
    local = kind is EnvironmentKind.LOCAL
    custom = kind is EnvironmentKind.CUSTOM
    urls_required = custom or (
        local and any(values[k] for k in ("issuer", "audience", "graphql_url"))
    )
    problems: dict[str, str | None] = {
        "client_id": check_client_id(values["client_id"], required=need_secret),
        "client_secret": check_client_secret(values["client_secret"], required=need_secret),
        "native_client_id": check_client_id(values["native_client_id"], required=False),
        "organization_id": check_org_id(values["organization_id"]),
    }
    if custom or local:
        problems["issuer"] = check_url(
            values["issuer"], required=urls_required, what="sign-in address"
        )
        problems["audience"] = check_url(
            values["audience"],
            required=urls_required and not values["resource"],
            what="API audience",
        )
        problems["resource"] = check_url(values["resource"], required=False, what="API resource")
        problems["graphql_url"] = check_url(
            values["graphql_url"], required=urls_required, what="GraphQL address"
        )
    if need_secret and local and not urls_required and not running_issuer:
        # The bundled sandbox is not running: nothing to test against.
        problems["issuer"] = (
            "The local sandbox is not running. Use “Try the local sandbox” on the welcome "
            "page, or enter the addresses of a running photon-sandbox."
        )
    if fixed_ports:
        problems["ports"] = parse_ports(values["ports"])[1]
    if values["client_secret"] and not values["client_id"]:
        problems["client_id"] = "Enter the client ID that goes with this secret."
    return problems
