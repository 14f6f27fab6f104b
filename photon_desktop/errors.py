"""Every error the app shows a person, drawn once.

    PhotonError                 message: what a clinic user reads and can act on
    ├── OfflineError            Photon (or the proxy) cannot be reached, or timed out
    ├── ConfigurationError      the environment's settings are wrong (bad URL, unknown audience)
    ├── CredentialsRejected     the token endpoint refused the client ID/secret
    ├── SignInRequired          the session ended (refresh refused, second 401): sign in again
    ├── PermissionMissing       the token lacks a permission; .permission names it
    ├── InvalidInput            the server refused input; .fields maps field -> message
    ├── NotFound                the record does not exist (or is not visible to this org)
    ├── StateConflict           the record's state rules the change out (already cancelled)
    ├── RateLimited             too many requests; .retry_after seconds (or None)
    ├── ServerError             Photon answered 5xx; .status
    ├── ResponseError           the answer was malformed (bad JSON, missing fields)
    ├── WriteOutcomeUnknown     a write's answer was lost and whether it happened is unknown
    ├── SignInError             the browser sign-in failed (denied, timed out, bad callback)
    └── KeyringUnavailable      no secure store: secrets live for this session only

Layers raise these; views render ``str(error)``. Nothing above the API layer sees httpx errors.
"""

from __future__ import annotations


class PhotonError(Exception):
    """Base class: ``str(error)`` is a sentence a clinic user can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class OfflineError(PhotonError):
    """Photon could not be reached (DNS, refused, proxy, TLS) or did not answer in time."""


class ConfigurationError(PhotonError):
    """The environment is misconfigured: a bad URL, an unknown audience, a missing client ID."""


class CredentialsRejected(PhotonError):
    """The token endpoint refused the organization's client ID or secret."""


class SignInRequired(PhotonError):
    """The session can no longer be used; the user must sign in (or re-enter credentials)."""


class PermissionMissing(PhotonError):
    """The current token lacks ``permission`` for the operation."""

    def __init__(self, message: str, permission: str | None = None) -> None:
        super().__init__(message)
        self.permission = permission


class InvalidInput(PhotonError):
    """The server refused the input; ``fields`` maps an input field name to its problem."""

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields: dict[str, str] = dict(fields or {})


class NotFound(PhotonError):
    """The record does not exist or is not visible to this organization."""


class StateConflict(PhotonError):
    """The record's state rules the change out: already cancelled, or past the point of change."""


class RateLimited(PhotonError):
    """Too many requests; ``retry_after`` is the server's wait in seconds, when given."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServerError(PhotonError):
    """Photon answered with a server error (5xx)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ResponseError(PhotonError):
    """The answer could not be understood (malformed JSON, missing or mistyped fields)."""


class WriteOutcomeUnknown(PhotonError):
    """A write was sent but its answer was lost, and checking did not settle whether it happened."""


class SignInError(PhotonError):
    """The browser sign-in did not complete (denied, cancelled, timed out, bad callback)."""


class KeyringUnavailable(PhotonError):
    """No usable secure store (no Secret Service, locked, or only a plaintext backend)."""


def untrusted_certificate(host: str, error: BaseException) -> ConfigurationError | None:
    """What to tell the user when ``error`` (a failed connection to ``host``, as httpx raises
    it) came from a certificate this computer does not trust; None for any other failure.

    Retrying cannot help and "check your connection" misleads: the usual cause in a clinic is a
    network that inspects secure traffic with its own certificate authority.
    """
    import ssl  # with the first failed connection, not with this module (imported before Qt)

    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:  # httpx wraps httpcore wraps ssl
        seen.add(id(cause))
        if isinstance(cause, ssl.SSLCertVerificationError):
            why = cause.verify_message or "certificate verify failed"
            return ConfigurationError(
                f"The secure connection to {host} was refused: its certificate is not trusted "
                f"on this computer ({why}). If your network inspects secure connections (a "
                "company proxy or firewall), ask your IT team to add its certificate to this "
                "computer's trusted certificates (or set SSL_CERT_FILE to it); otherwise check "
                "the address."
            )
        cause = cause.__cause__ or cause.__context__
    return None
