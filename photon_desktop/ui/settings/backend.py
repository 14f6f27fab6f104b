"""What the Settings pane needs of the credentials service, as a protocol: the pane is tested
against the real ``CredentialsService`` and builds no HTTP client itself."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from photon_desktop.services.credentials import Environment, Profile, TokenInfo


class CredentialsBackend(Protocol):
    """Settings and secrets as the pane sees them (``CredentialsService`` in the app)."""

    @property
    def keyring_notice(self) -> str | None:
        """Why secrets cannot be kept past this session (no usable keyring), or None."""
        ...

    @property
    def keyring_backend(self) -> str:
        """The keyring backend secrets go to, as the pane names it."""
        ...

    @property
    def keyring_usable(self) -> bool:
        """True once that backend was found to be a secure store."""
        ...

    def load(self, env_key: str) -> Profile: ...

    def save(self, env_key: str, profile: Profile) -> None: ...

    async def load_secret(self, env_key: str, client_id: str) -> str | None: ...

    async def store_secret(self, env_key: str, client_id: str, secret: str) -> bool:
        """Keep the secret; False when it could only be kept for this session."""
        ...

    async def forget(self, env_key: str, m2m_client_ids: Sequence[str] = ()) -> None:
        """Delete the environment's keyring entries (M2M secrets, refresh token)."""
        ...

    async def test(self, env: Environment, client_id: str, client_secret: str) -> TokenInfo:
        """Run the client-credentials exchange; raises ``errors.PhotonError`` subclasses."""
        ...
