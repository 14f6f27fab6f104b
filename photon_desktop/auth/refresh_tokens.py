"""A user's refresh tokens in the keyring: one per organization, so switching back is silent.

Entries under the environment's service (``secret_store``), for one desktop client:

    refresh-token:<native client id>:<org id>       the refresh token of one organization
    refresh-token:<native client id>                a token that names no organization; also
                                                    where earlier versions kept their only one
    refresh-token-organizations:<native client id>  which organizations have an entry, the one
                                                    last in effect first (JSON list of ids)

The list is what tells launch which organization to restore and sign-out which entries to
delete: a keyring cannot be asked what it holds. It names organizations, nothing secret. Without
a list (an earlier version's keyring) the single entry is restored; the session then files it
under the organization its token names (``put`` + ``drop``), so the upgrade happens once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from photon_desktop.auth.secret_store import SecretStore, refresh_token_user

NO_ORGANIZATION = ""  # how the list names the entry without an organization


def organization_user(native_client_id: str, organization: str | None) -> str:
    """The keyring username of ``organization``'s refresh token (None: the unnamed entry)."""
    base = refresh_token_user(native_client_id)
    return f"{base}:{organization}" if organization else base


def index_user(native_client_id: str) -> str:
    return f"refresh-token-organizations:{native_client_id}"


@dataclass(frozen=True, slots=True)
class RefreshTokens:
    """The entries of one environment and desktop client."""

    store: SecretStore
    env_key: str
    native_client_id: str

    async def organizations(self) -> list[str]:
        """Organizations with an entry, the one last in effect first ("" = no organization)."""
        raw = await self.store.get(self.env_key, index_user(self.native_client_id))
        try:
            found = json.loads(raw) if raw else []
        except ValueError:
            return []
        if not isinstance(found, list):
            return []
        return [o for o in dict.fromkeys(found) if isinstance(o, str)]

    async def _write_list(self, organizations: list[str]) -> None:
        user = index_user(self.native_client_id)
        if organizations:
            await self.store.set(self.env_key, user, json.dumps(organizations))
        else:
            await self.store.delete(self.env_key, user)

    async def get(self, organization: str | None) -> str | None:
        return await self.store.get(
            self.env_key, organization_user(self.native_client_id, organization)
        )

    async def last(self) -> tuple[str | None, str | None]:
        """What launch restores: (organization, refresh token) of the one last in effect, else
        the unnamed entry (an earlier version's); (None, None) when there is nothing."""
        for organization in (await self.organizations())[:1]:
            token = await self.get(organization or None)
            if token:
                return organization or None, token
        return None, await self.get(None)

    async def put(self, organization: str | None, token: str) -> None:
        """Keep ``organization``'s token and make it the one last in effect."""
        await self.store.set(
            self.env_key, organization_user(self.native_client_id, organization), token
        )
        listed = await self.organizations()
        name = organization or NO_ORGANIZATION
        if organization is None and not listed:
            return  # the unnamed entry alone is restored without a list (as before)
        if listed[:1] != [name]:
            await self._write_list([name, *(o for o in listed if o != name)])

    async def drop(self, organization: str | None) -> None:
        """Forget one organization's token (it was refused, or moved)."""
        await self.store.delete(
            self.env_key, organization_user(self.native_client_id, organization)
        )
        listed = await self.organizations()
        name = organization or NO_ORGANIZATION
        if name in listed:
            await self._write_list([o for o in listed if o != name])

    async def take_all(self) -> list[str]:
        """Delete every entry (sign-out, forget) and return the tokens they held, to revoke."""
        held: list[str] = []
        for organization in dict.fromkeys([*await self.organizations(), NO_ORGANIZATION]):
            user = organization_user(self.native_client_id, organization or None)
            token = await self.store.get(self.env_key, user)
            if token and token not in held:
                held.append(token)
            await self.store.delete(self.env_key, user)
        await self._write_list([])
        return held
