"""Which organizations the signed-in user belongs to.

The list comes from the API (``organizations``: id and name); the organization in effect is the
token's ``org_id``. The switch itself is a sign-in (``SignInService.switch_organization``).
"""

from __future__ import annotations

from photon_desktop.api import parse
from photon_desktop.api.client import GraphQLClient
from photon_desktop.domain import Organization

__all__ = ["Organization", "OrganizationsService"]


class OrganizationsService:
    """The user's memberships, read with the current sign-in."""

    def __init__(self, client: GraphQLClient) -> None:
        self._client = client

    async def memberships(self) -> tuple[Organization, ...]:
        """Every organization the signed-in user belongs to, by name."""
        found = parse.items(
            Organization, await self._client.query("Organizations"), "organizations"
        )
        unique = {org.id: org for org in found}
        return tuple(sorted(unique.values(), key=lambda org: (org.name.casefold(), org.id)))
