"""What the API layer needs from a sign-in: a current access token, and a renewal after a 401."""

from __future__ import annotations

from typing import Protocol


class TokenSource(Protocol):
    """Hands out access tokens; implemented by ``auth.session.Session``.

    ``generation`` changes on every sign-in and sign-out, so a request started under an older
    session can tell that its token must not be reused.
    """

    @property
    def generation(self) -> int: ...

    async def access_token(self) -> str:
        """A valid access token, renewed ahead of expiry (single-flight).

        Raises ``SignInRequired`` when there is no session, ``OfflineError`` /
        ``CredentialsRejected`` / ``RateLimited`` when the token endpoint fails.
        """
        ...

    async def renew(self, rejected: str) -> str:
        """After a 401 with ``rejected``: a fresh token (refresh once, single-flight).

        If another caller already replaced ``rejected``, returns the current token without a new
        request. Raises ``SignInRequired`` when renewal is impossible (and ends the session).
        """
        ...
