"""Organization administration: users and roles, invites, API clients and webhook subscriptions.

Gated as ``scopes.md`` reads Photon: ``users``/``roles`` need ``read:user_roles``, ``invites``
``read:invite``, ``clients`` ``read:client``, ``webhooks`` ``read:webhook_config`` and the
webhook mutations ``write:webhook_config``. A client's ``secret`` is answered to anyone who may
read clients (a per-run random value), so the desktop proves it never asks for it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from graphql import GraphQLResolveInfo

from photon_desktop.sandbox import accounts
from photon_desktop.sandbox.graphql.context import Context, Resolver
from photon_desktop.sandbox.graphql.errors import InputErrors, not_found
from photon_desktop.sandbox.store import Store

#: The event types a subscription may filter on (Photon's webhook events, workflows.md §6).
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

ROLES = (
    {"id": "rol_prescriber", "name": "Prescriber", "description": "Writes prescriptions"},
    {"id": "rol_staff", "name": "Staff", "description": "Manages patients and orders"},
    {"id": "rol_support", "name": "Support", "description": "Reads records for support"},
    {"id": "rol_admin", "name": "Admin", "description": "Manages the organization"},
)


@dataclass(slots=True)
class Webhook:
    id: str
    url: str
    name: str | None = None
    filters: list[str] = field(default_factory=list)
    shared_secret: str | None = None  # kept, never answered (the schema has no field for it)


class Administration:
    """The organization's administrative records of one sandbox run, and their resolvers."""

    def __init__(self, store: Store) -> None:
        self.store = store
        now = store.clock.now()
        self.clients = [
            {
                "id": accounts.M2M_CLIENT_ID,
                "name": "Clinic back office (M2M)",
                "appType": "m2m",
                "secret": secrets.token_urlsafe(24),
            },
            {
                "id": accounts.NATIVE_CLIENT_ID,
                "name": "Photon Desktop",
                "appType": "native",
                "secret": None,
            },
        ]
        self.invites = [
            {
                "createdAt": now - timedelta(days=2),
                "email": "new.nurse@clinic.example",
                "expired": False,
                "expiresAt": now + timedelta(days=5),
                "roles": [ROLES[1]],
                "url": "https://sandbox.photon.local/invite/demo-1",
            },
            {
                "createdAt": now - timedelta(days=20),
                "email": "locum.doctor@clinic.example",
                "expired": True,
                "expiresAt": now - timedelta(days=13),
                "roles": [ROLES[0]],
                "url": "https://sandbox.photon.local/invite/demo-2",
            },
        ]
        self.webhooks = [
            Webhook(
                id=store.new_id("whk"),
                url="https://clinic.example/hooks/photon",
                name="EHR order updates",
                filters=["photon:order:fulfillment", "photon:order:error"],
            )
        ]

    # ------------------------------------------------------------ resolvers

    def queries(self) -> dict[str, Resolver]:
        def gated(permission: str, answer: Any) -> Resolver:
            def resolve(_root: None, info: GraphQLResolveInfo) -> Any:
                info.context.require(permission)
                return answer() if callable(answer) else answer

            return resolve

        return {
            "users": gated(accounts.READ_USER_ROLES, lambda: list(self.store.users.values())),
            "roles": gated(accounts.READ_USER_ROLES, list(ROLES)),
            "invites": gated(accounts.READ_INVITE, lambda: self.invites),
            "clients": gated(accounts.READ_CLIENT, lambda: self.clients),
            "webhooks": gated(accounts.READ_WEBHOOK_CONFIG, lambda: self.webhooks),
        }

    def mutations(self) -> dict[str, Resolver]:
        def writes(fn: Any) -> Resolver:
            def resolve(_root: None, info: GraphQLResolveInfo, **args: Any) -> Any:
                context: Context = info.context
                context.require(accounts.WRITE_WEBHOOK_CONFIG)
                return fn(**args)

            return resolve

        return {
            "createWebhookConfig": writes(self.create),
            "updateWebhookConfig": writes(self.update),
            "deleteWebhookConfig": writes(self.delete),
        }

    def create(self, url: str, **args: Any) -> Webhook:
        hook = Webhook(id=self.store.new_id("whk"), url="")
        self._apply(hook, {"url": url, **args}, creating=True)
        self.webhooks.append(hook)
        return hook

    def update(self, id: str, **args: Any) -> Webhook:
        hook = self._find(id)
        self._apply(hook, args, creating=False)
        return hook

    def delete(self, id: str) -> bool:
        self.webhooks.remove(self._find(id))
        return True

    def _find(self, hook_id: str) -> Webhook:
        found = next((h for h in self.webhooks if h.id == hook_id), None)
        if found is None:
            raise not_found("WebhookConfig", hook_id)
        return found

    def _apply(self, hook: Webhook, args: dict[str, Any], *, creating: bool) -> None:
        """Check every argument first, then change ``hook`` (a bad one changes nothing)."""
        problems: list[tuple[str, str]] = []
        changes: dict[str, Any] = {}
        if "url" in args and (args["url"] is not None or creating):
            url = (args["url"] or "").strip()
            parts = urlsplit(url)
            if parts.scheme != "https" or not parts.netloc:
                problems.append(("url", "url must be an https:// address"))
            changes["url"] = url
        if args.get("name") is not None:
            changes["name"] = args["name"].strip() or None
        if args.get("filters") is not None:
            unknown = [f for f in args["filters"] if f not in EVENT_TYPES]
            if unknown:
                problems.append(("filters", f"unknown event types: {', '.join(map(str, unknown))}"))
            changes["filters"] = [f for f in args["filters"] if f in EVENT_TYPES]
        if args.get("sharedSecret") is not None:
            changes["shared_secret"] = args["sharedSecret"]
        if problems:
            raise InputErrors(problems)
        for key, value in changes.items():
            setattr(hook, key, value)
