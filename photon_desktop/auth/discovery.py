"""The provider's endpoints and features: OpenID discovery for custom and local providers,
Auth0's paths for Photon's own tenants.

Discovery (OpenID Connect Discovery 1.0 §4) is read from ``<issuer>/.well-known/openid-
configuration``. Its ``issuer`` must equal the one configured, compared exactly; only a trailing
``/`` the user typed or left out is forgiven, and from then on the provider's own spelling is the
one every ``iss`` is compared with.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import httpx

from photon_desktop import errors
from photon_desktop.auth.environments import Environment
from photon_desktop.domain.web_addresses import encrypted_or_local

log = logging.getLogger(__name__)

DISCOVERY_DEADLINE = 15.0
WELL_KNOWN = "/.well-known/openid-configuration"


@dataclass(frozen=True, slots=True)
class Provider:
    """Where to send each request, and what the provider says it supports."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    revocation_endpoint: str | None = None
    end_session_endpoint: str | None = None
    iss_parameter_supported: bool = False  # RFC 9207
    code_challenge_methods: tuple[str, ...] = ("S256",)
    token_auth_methods: tuple[str, ...] = ("client_secret_post",)
    id_token_algorithms: tuple[str, ...] = ("RS256",)
    discovered: bool = False


def built_in(env: Environment) -> Provider:
    """Photon's Auth0 tenants: Auth0's fixed paths, secret in the body as Photon documents."""
    base = env.issuer.rstrip("/")
    return Provider(
        issuer=env.issuer,
        authorization_endpoint=base + "/authorize",
        token_endpoint=base + "/oauth/token",
        jwks_uri=base + "/.well-known/jwks.json",
        revocation_endpoint=base + "/oauth/revoke",
        end_session_endpoint=base + "/v2/logout",
    )


def _issuer_matches(configured: str, stated: str) -> bool:
    return stated == configured or stated.rstrip("/") == configured.rstrip("/")


def _url(data: dict[str, Any], name: str, *, required: bool) -> str | None:
    value = data.get(name)
    if isinstance(value, str) and value.startswith(("https://", "http://")):
        if not encrypted_or_local(value):
            # Secrets, codes and tokens go to these addresses: never in clear over a network.
            raise errors.ConfigurationError(
                f"The provider's discovery document gives “{name}” as {value}, an unencrypted "
                "address on another computer. Photon Desktop sends secrets and tokens only over "
                "https (plain http only to this computer). Ask the provider's administrator to "
                "list its https addresses."
            )
        return value
    if required:
        raise errors.ConfigurationError(
            f"The provider's discovery document has no usable “{name}”, so Photon Desktop "
            "cannot sign in with it."
        )
    return None


def _words(data: dict[str, Any], name: str) -> tuple[str, ...] | None:
    value = data.get(name)
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    return None


def parse(configured_issuer: str, data: dict[str, Any]) -> Provider:
    """Check and read a discovery document; ``errors.ConfigurationError`` when unusable."""
    stated = data.get("issuer")
    if not isinstance(stated, str) or not _issuer_matches(configured_issuer, stated):
        raise errors.ConfigurationError(
            f"The provider at {configured_issuer} says its issuer is "
            f"“{stated if isinstance(stated, str) else 'missing'}”. The sign-in address must be "
            "the provider's issuer exactly."
        )
    methods = _words(data, "code_challenge_methods_supported")
    if methods is not None and "S256" not in methods:
        raise errors.ConfigurationError(
            "The provider does not support PKCE with S256, which a desktop app needs to sign in "
            "safely. Ask its administrator to enable it."
        )
    iss_supported = data.get("authorization_response_iss_parameter_supported") is True
    return Provider(
        issuer=stated,
        authorization_endpoint=_url(data, "authorization_endpoint", required=True) or "",
        token_endpoint=_url(data, "token_endpoint", required=True) or "",
        jwks_uri=_url(data, "jwks_uri", required=True) or "",
        revocation_endpoint=_url(data, "revocation_endpoint", required=False),
        end_session_endpoint=_url(data, "end_session_endpoint", required=False),
        iss_parameter_supported=iss_supported,
        code_challenge_methods=methods or ("S256",),
        # RFC 8414 §2: absent means client_secret_basic.
        token_auth_methods=_words(data, "token_endpoint_auth_methods_supported")
        or ("client_secret_basic",),
        id_token_algorithms=_words(data, "id_token_signing_alg_values_supported") or ("RS256",),
        discovered=True,
    )


async def discover(client: httpx.AsyncClient, issuer: str) -> Provider:
    """Fetch and check ``issuer``'s discovery document; raises ``errors.*``."""
    if not issuer:
        raise errors.ConfigurationError("This environment has no sign-in address yet.")
    url = issuer.rstrip("/") + WELL_KNOWN
    try:
        async with asyncio.timeout(DISCOVERY_DEADLINE):
            response = await client.get(url)
    except TimeoutError:
        raise errors.OfflineError(
            f"The provider at {issuer} did not describe itself within "
            f"{int(DISCOVERY_DEADLINE)} s. Check the address and your connection."
        ) from None
    except (httpx.UnsupportedProtocol, httpx.InvalidURL):
        raise errors.ConfigurationError(
            f"The sign-in address “{issuer}” is not a valid URL. Check the environment."
        ) from None
    except httpx.HTTPError as error:
        log.info("Discovery failed: %s", type(error).__name__)
        untrusted = errors.untrusted_certificate(httpx.URL(url).host or issuer, error)
        if untrusted is not None:
            raise untrusted from None
        raise errors.OfflineError(
            f"Cannot reach the provider at {issuer}. Check the address, your connection, proxy "
            "or firewall."
        ) from None
    try:
        data = response.json() if response.status_code == 200 else None
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise errors.ConfigurationError(
            f"No OpenID provider description at {url} (HTTP {response.status_code}). Check that "
            "the sign-in address is the provider's issuer."
        )
    return parse(issuer, data)


async def provider_for(client: httpx.AsyncClient, env: Environment) -> Provider:
    """Discovery for custom and local environments, built-in paths for Photon's tenants."""
    if env.uses_discovery:
        return await discover(client, env.issuer)
    return built_in(env)
