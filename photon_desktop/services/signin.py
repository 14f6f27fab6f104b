"""What the sign-in window and status bar ask of a session, so no view drives the auth layer.

``SignInService`` wraps one environment's ``Session``: its state (who, which permissions, until
when, which organization), the browser sign-in, the switch to another organization and the
sign-out with its honest result. ``Session`` and ``TokenKind``
are re-exported for views that only read a session's state.
"""

from __future__ import annotations

from collections.abc import Callable

from photon_desktop.auth.environments import Environment
from photon_desktop.auth.session import Session
from photon_desktop.auth.tokens import M2M_IDENTITY, TokenKind

__all__ = ["M2M_IDENTITY", "Session", "SignInService", "TokenKind"]


class SignInService:
    """The browser sign-in and sign-out of one environment's session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def environment(self) -> Environment:
        return self.session.environment

    def subscribe(self, callback: Callable[[], object]) -> Callable[[], None]:
        """Call ``callback()`` on every change; returns a function that unsubscribes."""
        self.session.changed.connect(callback)
        return lambda: self.session.changed.disconnect(callback)

    @property
    def signed_in(self) -> bool:
        return self.session.signed_in

    @property
    def identity(self) -> str | None:
        return self.session.identity

    @property
    def permissions(self) -> frozenset[str]:
        return self.session.permissions

    @property
    def permissions_known(self) -> bool:
        return self.session.permissions_known

    @property
    def notice(self) -> str | None:
        return self.session.notice

    async def sign_in_with_browser(
        self,
        open_url: Callable[[str], bool],
        *,
        on_link: Callable[[str], None] | None = None,
    ) -> str:
        """Sign in in the system browser; returns who is signed in, or raises ``errors.*``."""
        await self.session.sign_in_with_browser(open_url, on_link=on_link)
        return self.session.identity or "you"

    @property
    def organization_id(self) -> str | None:
        """The organization in effect (the token's ``org_id``)."""
        return self.session.organization_id

    async def switch_organization(
        self,
        organization_id: str,
        open_url: Callable[[str], bool],
        *,
        on_link: Callable[[str], None] | None = None,
    ) -> bool:
        """Sign in again for ``organization_id``, silently with its kept refresh token, else in
        the browser (then True). Raises ``errors.*``, and then nothing changed."""
        return await self.session.switch_organization(organization_id, open_url, on_link=on_link)

    async def sign_out(self) -> str:
        """Forget the sign-in here and revoke it; returns what the user should know."""
        return await self.session.sign_out()
