"""What the Settings pane asks for: each environment's settings and secrets, and the M2M
"Test connection", so no view builds an HTTP client or holds a token.

    credentials = CredentialsService(store, http, settings)
    info = await credentials.test(env, client_id, secret)   # TokenInfo, or errors.PhotonError

Types the pane shows (``Environment``, ``Profile``) and the client-secret rule are re-exported
from here: the UI imports services, never the auth layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from photon_desktop.auth.client_secret import check_client_secret, client_secret
from photon_desktop.auth.discovery import provider_for
from photon_desktop.auth.environments import (
    BUILT_IN,
    CUSTOM,
    LOCAL_SANDBOX,
    PHOTON_PERMISSIONS,
    Environment,
    EnvironmentKind,
)
from photon_desktop.auth.grants import Grants
from photon_desktop.auth.profiles import Profile, load_profile, save_profile
from photon_desktop.auth.refresh_tokens import RefreshTokens
from photon_desktop.auth.secret_store import SecretStore, m2m_secret_user
from photon_desktop.auth.settings_store import SettingsStore

__all__ = [
    "BUILT_IN",
    "CUSTOM",
    "LOCAL_SANDBOX",
    "PHOTON_PERMISSIONS",
    "CredentialsService",
    "Environment",
    "EnvironmentKind",
    "Profile",
    "TokenInfo",
    "check_client_secret",
    "client_secret",
    "environment_for",
]


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What a client-credentials exchange granted, for the settings pane."""

    scopes: tuple[str, ...]
    expires_in: int
    permissions_known: bool = True


def environment_for(env: Environment, profile: Profile) -> Environment:
    """``env`` with the profile's API request settings (scopes, resource); a Custom environment
    asks for Photon's six permissions as scopes unless told otherwise."""
    scopes = profile.scopes
    if not scopes and env.kind is EnvironmentKind.CUSTOM:
        scopes = PHOTON_PERMISSIONS
    return env.with_endpoints(
        issuer=env.issuer,
        audience=env.audience,
        graphql_url=env.graphql_url,
        api_scopes=scopes,
        resource=profile.resource,
    )


class CredentialsService:
    """Settings (through a ``SettingsStore``), secrets (``SecretStore``: keyring, or memory for
    this session) and the M2M test on the injected client."""

    def __init__(
        self, store: SecretStore, client: httpx.AsyncClient, settings: SettingsStore
    ) -> None:
        self._store = store
        self._client = client
        self._settings = settings

    @property
    def keyring_notice(self) -> str | None:
        """Why secrets cannot be kept past this session (naming the keyring backend), or None."""
        return self._store.notice

    @property
    def keyring_backend(self) -> str:
        return self._store.backend_name

    @property
    def keyring_usable(self) -> bool:
        return self._store.usable

    def load(self, env_key: str) -> Profile:
        return load_profile(env_key, self._settings)

    def save(self, env_key: str, profile: Profile) -> None:
        save_profile(env_key, profile, self._settings)

    async def load_secret(self, env_key: str, client_id: str) -> str | None:
        return await self._store.get(env_key, m2m_secret_user(client_id))

    async def store_secret(self, env_key: str, client_id: str, secret: str) -> bool:
        return await self._store.set(env_key, m2m_secret_user(client_id), secret)

    async def forget(self, env_key: str, m2m_client_ids: Sequence[str] = ()) -> None:
        saved = self.load(env_key)
        ids = {i for i in (saved.m2m_client_id, *m2m_client_ids) if i}
        for client_id in sorted(ids):
            await self._store.delete(env_key, m2m_secret_user(client_id))
        if saved.native_client_id:
            await RefreshTokens(self._store, env_key, saved.native_client_id).take_all()

    async def test(self, env: Environment, client_id: str, client_secret: str) -> TokenInfo:
        """Discovery (custom/local) and a client-credentials exchange, touching no session."""
        provider = await provider_for(self._client, env)
        tokens = await Grants(self._client, env, provider).client_credentials(
            client_id, client_secret
        )
        return TokenInfo(
            scopes=tuple(sorted(tokens.permissions)),
            expires_in=int(tokens.lifetime),
            permissions_known=tokens.permissions_known,
        )


TokenInfo.__test__ = False  # type: ignore[attr-defined]  # not a pytest test class
