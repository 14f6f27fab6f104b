"""The organization's administration, read and (webhooks only) written: what the Support area's
Organization tab asks for.

Each read needs its permission (``read:user_roles``, ``read:invite``, ``read:client``,
``read:webhook_config``; the view gates itself on them). An API client's secret is never asked
for. Webhook writes go through ``outcomes.settle``: a write whose answer was lost is checked by
reading the subscriptions again, so a saved change is never reported failed and never resent.
"""

from __future__ import annotations

from collections.abc import Sequence

from photon_desktop.api import parse
from photon_desktop.api.client import GraphQLClient
from photon_desktop.domain import Organization, User
from photon_desktop.domain.organization import Roles
from photon_desktop.domain.wire import Flag, Items, Record, Text, Timestamp
from photon_desktop.errors import NotFound, PhotonError
from photon_desktop.services.outcomes import settle, unknown

__all__ = [
    "EVENT_TYPES",
    "PERMISSIONS",
    "ApiClient",
    "Invite",
    "Organization",
    "OrganizationService",
    "Role",
    "User",
    "Webhook",
]

#: Photon's webhook event types a subscription may filter on (none: every event).
EVENT_TYPES = (
    "photon:order:created",
    "photon:order:placed",
    "photon:order:fulfillment",
    "photon:order:completed",
    "photon:order:canceled",
    "photon:order:rerouted",
    "photon:order:error",
    "photon:prescription:created",
    "photon:prescription:active",
    "photon:prescription:depleted",
    "photon:prescription:canceled",
)

#: The permission each part of the Organization tab needs.
PERMISSIONS = {
    "organization": "read:organization",
    "users": "read:user_roles",
    "invites": "read:invite",
    "clients": "read:client",
    "webhooks": "read:webhook_config",
    "edit_webhooks": "write:webhook_config",
}


class Role(Record, frozen=True):
    id: Text
    name: Text | None = None
    description: Text | None = None


class Invite(Record, frozen=True):
    email: Text
    created_at: Timestamp
    expires_at: Timestamp
    expired: Flag
    roles: Roles = ()


class ApiClient(Record, frozen=True):
    """An API client as shown: never its secret."""

    id: Text
    name: Text | None = None
    app_type: Text | None = None


class Webhook(Record, frozen=True):
    id: Text
    url: Text | None = None
    name: Text | None = None
    filters: Items[Text] = ()


class OrganizationService:
    def __init__(self, client: GraphQLClient) -> None:
        self._client = client

    async def users(self) -> tuple[tuple[User, ...], tuple[Role, ...]]:
        """The organization's users and the roles that can be granted."""
        data = await self._client.query("OrganizationUsers")
        return parse.items(User, data, "users"), parse.items(Role, data, "roles")

    async def invites(self) -> tuple[Invite, ...]:
        return parse.items(Invite, await self._client.query("Invites"), "invites")

    async def clients(self) -> tuple[ApiClient, ...]:
        return parse.items(ApiClient, await self._client.query("ApiClients"), "clients")

    async def webhooks(self) -> tuple[Webhook, ...]:
        return parse.items(Webhook, await self._client.query("Webhooks"), "webhooks")

    async def create_webhook(
        self,
        url: str,
        *,
        name: str | None = None,
        filters: Sequence[str] = (),
        shared_secret: str | None = None,
        known: Sequence[Webhook] | None = None,
        earlier: Sequence[str] = (),
    ) -> Webhook:
        """Subscribe ``url``; sent once. A lost answer is checked by reading the list again for
        a subscription to ``url`` not among ``known`` (the list the user saw; read now if None).

        ``earlier``: the addresses of earlier sends of this subscription whose outcome is
        unknown. The list is read for them before sending again (a resend of a saved one would
        make two); one found is changed to what is asked now (the address may have been edited
        since), not created a second time.
        """
        before = {h.id for h in (await self.webhooks() if known is None else known)}
        variables = _webhook_variables(url, name, filters, shared_secret)

        async def new_one(urls: set[str]) -> Webhook | None:
            return next(
                (h for h in await self.webhooks() if h.id not in before and h.url in urls), None
            )

        async def write() -> Webhook:
            return await self._send_webhook("CreateWebhook", variables, "createWebhookConfig")

        if earlier:
            try:
                found = await new_one({url, *earlier})
            except PhotonError as error:
                raise unknown(error, "webhook subscription", "the webhook list") from error
            if found is not None:
                asked = (url, name or "", tuple(filters))
                if (found.url, found.name or "", tuple(found.filters)) == asked and (
                    shared_secret is None
                ):
                    return found
                return await self.update_webhook(
                    found.id, url=url, name=name or "", filters=filters, shared_secret=shared_secret
                )
        return await settle(
            write, lambda: new_one({url}), what="webhook subscription", where="the webhook list"
        )

    async def update_webhook(
        self,
        webhook_id: str,
        *,
        url: str,
        name: str | None,
        filters: Sequence[str],
        shared_secret: str | None = None,
    ) -> Webhook:
        """Change a subscription (an update is idempotent; a lost answer is checked too).

        ``name``: ``""`` clears it; ``None`` leaves it as it is (Photon reads a null argument as
        "unchanged", so a cleared name must be sent as an empty one).
        """
        variables = {"id": webhook_id, **_webhook_variables(url, name, filters, shared_secret)}

        async def write() -> Webhook:
            return await self._send_webhook("UpdateWebhook", variables, "updateWebhookConfig")

        async def check() -> Webhook | None:
            found = next((h for h in await self.webhooks() if h.id == webhook_id), None)
            if found is None or (found.url, tuple(found.filters)) != (url, tuple(filters)):
                return None
            if name is not None and (found.name or "") != name:
                return None
            return found

        return await settle(write, check, what="webhook subscription", where="the webhook list")

    async def _send_webhook(
        self, operation: str, variables: dict[str, object], field: str
    ) -> Webhook:
        return parse.one(Webhook, await self._client.query(operation, variables), field)

    async def delete_webhook(self, webhook_id: str) -> None:
        """Delete a subscription. "Not found" is checked too: a subscription already gone (an
        earlier delete whose answer was lost, or one from elsewhere) is deleted, not an error."""

        async def write() -> bool:
            await self._client.query("DeleteWebhook", {"id": webhook_id})
            return True

        async def check() -> bool | None:
            gone = all(h.id != webhook_id for h in await self.webhooks())
            return True if gone else None

        await settle(
            write, check, what="webhook deletion", where="the webhook list", recheck=NotFound
        )


def _webhook_variables(
    url: str, name: str | None, filters: Sequence[str], shared_secret: str | None
) -> dict[str, object]:
    return {"url": url, "name": name, "filters": list(filters), "sharedSecret": shared_secret}
