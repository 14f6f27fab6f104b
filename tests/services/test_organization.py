"""The organization service against the sandbox with each demo user's real token: who may read
users, invites, API clients and webhooks, and the webhook writes (each sent once, a lost answer
checked, never resent)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sandbox_tokens import StaticTokens

from photon_desktop.errors import InvalidInput, PermissionMissing
from photon_desktop.services import Services

ADMIN = "admin@sandbox.photon.local"
EMAILS = {
    "prescriber": "prescriber@sandbox.photon.local",
    "staff": "staff@sandbox.photon.local",
    "support": "support@sandbox.photon.local",
    "admin": ADMIN,
}


def services(sandbox: Any, http: httpx.AsyncClient, email: str) -> Services:
    return Services(http, sandbox.graphql_url, StaticTokens(sandbox.user_token(email)))


def test_the_admin_reads_everything_and_no_secret_is_asked_for(
    on_qt: Callable, sandbox: Any
) -> None:
    async def scenario(http: httpx.AsyncClient) -> None:
        org = services(sandbox, http, ADMIN).organization
        users, roles = await org.users()
        assert {u.email for u in users} >= set(EMAILS.values())
        assert any(r.name == "Admin" for r in roles)
        admin = next(u for u in users if u.email == ADMIN)
        assert admin.roles == ("Admin",)
        invites = await org.invites()
        assert {i.expired for i in invites} == {True, False}
        clients = await org.clients()
        assert sandbox.m2m_client_id in {c.id for c in clients}
        assert not any(hasattr(c, "secret") for c in clients)
        assert await org.webhooks()

    on_qt(scenario)


@pytest.mark.parametrize("role", ["prescriber", "staff", "support"])
def test_other_users_are_refused_each_administrative_read(
    on_qt: Callable, sandbox: Any, role: str
) -> None:
    async def scenario(http: httpx.AsyncClient) -> None:
        org = services(sandbox, http, EMAILS[role]).organization
        for read in (org.users, org.invites, org.clients, org.webhooks):
            with pytest.raises(PermissionMissing):
                await read()
        with pytest.raises(PermissionMissing):
            await org.create_webhook("https://clinic.example/x")

    on_qt(scenario)


def test_webhook_create_edit_delete_and_bad_input(on_qt: Callable, sandbox: Any) -> None:
    async def scenario(http: httpx.AsyncClient) -> None:
        org = services(sandbox, http, ADMIN).organization
        with pytest.raises(InvalidInput) as bad:
            await org.create_webhook("http://plain.example/hook", filters=["photon:nope"])
        assert "https" in bad.value.fields["url"]
        assert "photon:nope" in bad.value.fields["filters"]
        made = await org.create_webhook(
            "https://clinic.example/new", name="New", filters=["photon:order:error"],
            shared_secret="whsec-test-value",
        )  # fmt: skip
        assert made in await org.webhooks()
        changed = await org.update_webhook(
            made.id, url="https://clinic.example/changed", name="Changed", filters=[]
        )
        assert (changed.url, changed.name, changed.filters) == (
            "https://clinic.example/changed", "Changed", ()
        )  # fmt: skip
        await org.delete_webhook(made.id)
        assert made.id not in {h.id for h in await org.webhooks()}

    on_qt(scenario)


def test_a_create_whose_answer_is_lost_is_found_not_resent(on_qt: Callable, sandbox: Any) -> None:
    async def scenario(http: httpx.AsyncClient) -> None:
        org = services(sandbox, http, ADMIN).organization
        seen = await org.webhooks()
        sandbox.fail_next({"kind": "drop_after"})
        made = await org.create_webhook(
            "https://clinic.example/lost-answer", name="Lost", known=seen
        )
        hooks = await org.webhooks()
        assert len(hooks) == len(seen) + 1
        assert [h.id for h in hooks if h.url == "https://clinic.example/lost-answer"] == [made.id]
        await org.delete_webhook(made.id)

    on_qt(scenario)


def test_an_update_whose_answer_is_lost_is_checked_against_what_was_asked(
    on_qt: Callable, sandbox: Any
) -> None:
    async def scenario(http: httpx.AsyncClient) -> None:
        org = services(sandbox, http, ADMIN).organization
        made = await org.create_webhook("https://clinic.example/renamed", name="Named")
        try:
            # A name left as it was (None) is not "no name": the saved change is found.
            sandbox.fail_next({"kind": "drop_after", "operation": "UpdateWebhook"})
            kept = await org.update_webhook(
                made.id,
                url="https://clinic.example/renamed",
                name=None,
                filters=["photon:order:error"],
            )
            assert (kept.name, kept.filters) == ("Named", ("photon:order:error",))
            # An empty name clears it, also when the answer is lost.
            sandbox.fail_next({"kind": "drop_after", "operation": "UpdateWebhook"})
            cleared = await org.update_webhook(
                made.id, url="https://clinic.example/renamed", name="", filters=[]
            )
            assert cleared.name is None
            held = next(h for h in await org.webhooks() if h.id == made.id)
            assert held.name is None
        finally:
            await org.delete_webhook(made.id)

    on_qt(scenario)


def test_a_delete_of_a_subscription_already_gone_is_done(on_qt: Callable, sandbox: Any) -> None:
    async def scenario(http: httpx.AsyncClient) -> None:
        org = services(sandbox, http, ADMIN).organization
        made = await org.create_webhook("https://clinic.example/deleted-twice")
        sandbox.fail_next({"kind": "drop_after", "operation": "DeleteWebhook"})
        await org.delete_webhook(made.id)  # its answer lost: checked, found gone
        await org.delete_webhook(made.id)  # Photon: "not found"; the list: gone, so done
        assert made.id not in {h.id for h in await org.webhooks()}

    on_qt(scenario)


def test_memberships_are_the_users_organizations_by_name(on_qt: Callable, sandbox: Any) -> None:
    names = {o["id"]: o["name"] for o in sandbox.organizations}

    async def scenario(http: httpx.AsyncClient) -> None:
        prescriber = await services(sandbox, http, EMAILS["prescriber"]).organizations.memberships()
        assert len(prescriber) == 2 and sandbox.org_id in {o.id for o in prescriber}
        assert {o.id: o.name for o in prescriber} == {o.id: names[o.id] for o in prescriber}
        assert "Sandbox Pediatrics" in {o.name for o in prescriber}
        assert [o.name for o in prescriber] == sorted(
            (o.name for o in prescriber), key=str.casefold
        )
        staff = await services(sandbox, http, EMAILS["staff"]).organizations.memberships()
        assert [o.id for o in staff] == [sandbox.org_id]

    on_qt(scenario)
