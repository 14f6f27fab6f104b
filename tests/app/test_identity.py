"""Who is signed in, where, is unmistakable: the status bar and the window title say it, and
nothing is drawn over them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app_support import running_app
from auth_fakes import MemoryKeyring
from ui_support import settle, until

Run = Callable[..., Any]


def test_before_any_environment_the_status_says_not_connected(
    isolated: MemoryKeyring, arun: Run
) -> None:
    async def scenario() -> None:
        async with running_app() as (_desktop, window):
            assert window.status.connection.text() == "Not connected"
            assert window.status.environment.text() == "Not connected"
            assert " · " not in window.windowTitle()  # nobody is signed in

    arun(scenario())


def test_the_title_and_status_bar_name_the_sign_in_and_environment(
    isolated: MemoryKeyring, arun: Run
) -> None:
    async def scenario() -> None:
        async with running_app() as (desktop, window):
            await desktop.connect_demo()
            window.show_page("orders")  # the window sets a new title for the page ...
            # The token's organization, named as the API's own "organization" answer names it.
            organization = (await desktop.workspace.services.catalog.organization()).name
            await until(lambda: organization in window.windowTitle())
            title = window.windowTitle()
            assert title.startswith("Orders")
            # ... and the identity, organization (by name) and environment stay in it.
            assert title.endswith(f" · M2M (backend) — {organization}"), title
            assert title.count("Local sandbox") == 1, title  # named once, before "Photon Desktop"
            assert window.status.organization.text() == organization
            assert window.status.identity.text() == "M2M (backend)"
            assert "Local sandbox" in window.status.identity.toolTip()
            window.resize(900, 500)
            await settle()
            window.status.set_notice("No secure keyring on this computer. " * 8)
            await settle()
            assert window.width() == 900  # a long notice never widens the window
            # The notice has its own place: the environment and sign-in stay visible.
            assert window.status.notice.isVisible()
            assert window.status.environment.isVisible() and window.status.identity.isVisible()
            await desktop.workspace.session.sign_out()
            assert " · " not in window.windowTitle()

    arun(scenario())


def test_an_api_that_refuses_even_a_renewed_token_ends_the_sign_in(arun: Run) -> None:
    """Every GraphQL call answers 401: after one call the app no longer says it is signed in."""
    import httpx
    from auth_fakes import ENV, M2M_ID, M2M_SECRET, FakeAuth0

    from photon_desktop import errors
    from photon_desktop.auth.profiles import Profile
    from photon_desktop.auth.secret_store import SecretStore
    from photon_desktop.auth.session import Session
    from photon_desktop.desktop import _ends_refused_sessions
    from photon_desktop.services import Services

    fake = FakeAuth0()
    graphql_calls: list[str] = []

    async def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/graphql":
            graphql_calls.append(request.headers["authorization"])
            return httpx.Response(401, json={"message": "Unauthorized"})
        return await fake.handle(request)

    async def scenario() -> Session:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handle)) as http:
            session = Session(ENV, http, SecretStore(MemoryKeyring()), profile=Profile())
            services = Services(http, ENV.graphql_url, session)
            services.activity.subscribe(_ends_refused_sessions(session))
            await session.use_m2m(M2M_ID, M2M_SECRET, remember=False)
            try:
                await services.patients.search("smith")
            except errors.SignInRequired:
                pass
            return session

    session = arun(scenario())
    assert len(graphql_calls) == 2 and graphql_calls[0] != graphql_calls[1]  # renewed once
    assert not session.signed_in
    assert session.notice and "Sign in again" in session.notice
