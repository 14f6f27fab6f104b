"""``photon-desktop check``: what works and what does not with one environment, step by step.

Each step ends ``ok`` or with a stable ``code`` and a sentence a person can act on; the result
never holds a token or a secret (only what was granted, for how long, and who answered).

    discovery      the provider's endpoints (OpenID discovery, or Photon's built-in ones)
    m2m            the client-credentials exchange: permissions and lifetime
    api            one ``organization`` call with that token
    browser        (asked for) the user sign-in in the system browser, then one ``me`` call

``check`` is the whole report for one environment and its saved client IDs, with the M2M secret
from the keyring unless one is given: the command line prints it, the Support area's ticket bundle
carries it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from photon_desktop import errors
from photon_desktop.api.client import GraphQLClient
from photon_desktop.auth.discovery import provider_for
from photon_desktop.auth.environments import Environment
from photon_desktop.auth.profiles import Profile
from photon_desktop.auth.secret_store import SecretStore, m2m_secret_user
from photon_desktop.auth.session import Session
from photon_desktop.services.catalog import CatalogService

_CODES: tuple[tuple[type[errors.PhotonError], str], ...] = (
    (errors.CredentialsRejected, "credentials_rejected"),
    (errors.OfflineError, "unreachable"),
    (errors.RateLimited, "rate_limited"),
    (errors.ServerError, "server_error"),
    (errors.ConfigurationError, "configuration"),
    (errors.PermissionMissing, "permission_missing"),
    (errors.SignInRequired, "sign_in_refused"),
    (errors.SignInError, "sign_in_failed"),
    (errors.ResponseError, "bad_answer"),
)


def error_code(error: errors.PhotonError) -> str:
    """A stable code for scripts, from the error's class."""
    for cls, code in _CODES:
        if isinstance(error, cls):
            return code
    return "failed"


@dataclass
class Step:
    name: str
    ok: bool
    code: str = "ok"
    message: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "code": self.code,
            "message": self.message,
            **({"details": self.details} if self.details else {}),
        }


@dataclass
class Diagnosis:
    environment: str
    steps: list[Step] = field(default_factory=list)

    @classmethod
    def failed(cls, environment: str, step: str, code: str, message: str) -> Diagnosis:
        """A report that could not get past ``step`` (no environment, a check that broke)."""
        return cls(environment, [Step(step, False, code, message)])

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(step.ok for step in self.steps)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "environment": self.environment,
            "steps": {step.name: step.as_dict() for step in self.steps},
        }


async def _step(
    diagnosis: Diagnosis,
    name: str,
    run: Callable[[], Awaitable[tuple[str, dict[str, Any]]]],
    on_step: Callable[[str], None] | None,
) -> bool:
    if on_step is not None:
        on_step(name)
    try:
        message, details = await run()
    except errors.PhotonError as error:
        diagnosis.steps.append(Step(name, False, error_code(error), str(error)))
        return False
    diagnosis.steps.append(Step(name, True, "ok", message, details))
    return True


def _granted(session: Session) -> dict[str, Any]:
    expires = session.expires_at
    return {
        "permissions": sorted(session.permissions) if session.permissions_known else None,
        "expires_at": expires.isoformat(timespec="seconds") if expires else None,
        "identity": session.identity,
    }


async def diagnose(
    client: httpx.AsyncClient,
    env: Environment,
    *,
    m2m_client_id: str = "",
    m2m_secret: str | None = None,
    native_client_id: str = "",
    open_url: Callable[[str], bool] | None = None,
    on_link: Callable[[str], None] | None = None,
    on_step: Callable[[str], None] | None = None,
) -> Diagnosis:
    """Run the steps asked for (the browser one only with ``open_url``; ``on_step(name)`` as
    each starts); never raises for a provider's or API's answer."""
    diagnosis = Diagnosis(env.name)
    store = SecretStore.session_only()  # nothing of a check is written to the keyring

    async def discovery() -> tuple[str, dict[str, Any]]:
        provider = await provider_for(client, env)
        how = "discovered" if provider.discovered else "built in"
        return f"Provider {provider.issuer} ({how}).", {
            "issuer": provider.issuer,
            "discovered": provider.discovered,
            "token_endpoint": provider.token_endpoint,
            "authorization_endpoint": provider.authorization_endpoint,
            "revocation_endpoint": provider.revocation_endpoint,
            "iss_parameter_supported": provider.iss_parameter_supported,
        }

    if not await _step(diagnosis, "discovery", discovery, on_step):
        return diagnosis

    if not m2m_client_id and open_url is None:
        # Nothing to sign in with: "OK" after discovery alone would say nothing was checked.
        async def no_client() -> tuple[str, dict[str, Any]]:
            raise errors.ConfigurationError(
                "No M2M client ID for this environment, so no sign-in or API call was checked. "
                "Enter it in Settings, or pass --client-id (the secret on standard input with "
                "--client-secret-stdin); --browser checks a person's sign-in instead."
            )

        await _step(diagnosis, "m2m", no_client, on_step)
    elif m2m_client_id:
        m2m = Session(env, client, store, profile=Profile(m2m_client_id=m2m_client_id))

        async def exchange() -> tuple[str, dict[str, Any]]:
            if not m2m_secret:
                raise errors.ConfigurationError(
                    "No client secret: none is saved in the keyring for this client ID; pass it "
                    "on standard input with --client-secret-stdin."
                )
            await m2m.use_m2m(m2m_client_id, m2m_secret, remember=False)
            granted = _granted(m2m)
            perms = granted["permissions"]
            said = ", ".join(perms) if perms else "none readable (the API decides)"
            return f"Token granted; permissions: {said}.", granted

        if await _step(diagnosis, "m2m", exchange, on_step):
            catalog = CatalogService(GraphQLClient(client, env.graphql_url, m2m))

            async def organization() -> tuple[str, dict[str, Any]]:
                org = await catalog.organization()
                return f"The API answered: organization “{org.name}”.", {"organization": org.name}

            await _step(diagnosis, "api", organization, on_step)

    if open_url is not None:
        user = Session(env, client, store, profile=Profile(native_client_id=native_client_id))

        async def browser() -> tuple[str, dict[str, Any]]:
            await user.sign_in_with_browser(open_url, on_link=on_link)
            me = await CatalogService(GraphQLClient(client, env.graphql_url, user)).me()
            granted = _granted(user)
            granted["me"] = me.email or me.id
            return (
                f"Signed in as {user.identity}; the API knows you as {me.email or me.id}.",
                granted,
            )

        await _step(diagnosis, "browser", browser, on_step)
        await user.sign_out()
    return diagnosis


async def check(
    client: httpx.AsyncClient,
    env: Environment,
    profile: Profile,
    *,
    secret: str | None = None,
    from_keyring: bool = True,
    open_url: Callable[[str], bool] | None = None,
    on_link: Callable[[str], None] | None = None,
    on_step: Callable[[str], None] | None = None,
) -> Diagnosis:
    """The report ``photon-desktop check`` prints for ``env`` with ``profile``'s client IDs.

    The M2M secret is ``secret`` when given, else (``from_keyring``) the one the OS keyring holds
    for the client ID: never asked for, and nothing is written back.
    """
    if secret is None and from_keyring and profile.m2m_client_id:
        secret = await SecretStore().get(env.key, m2m_secret_user(profile.m2m_client_id))
    return await diagnose(
        client,
        env,
        m2m_client_id=profile.m2m_client_id,
        m2m_secret=secret,
        native_client_id=profile.native_client_id,
        open_url=open_url,
        on_link=on_link,
        on_step=on_step,
    )
