"""Where the app connects: Photon's two tenants, the local sandbox, or a custom deployment.

Each environment keeps its own settings group, keyring entries and sign-in, keyed by ``key``,
so a production answer can never complete a sandbox sign-in.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum


class EnvironmentKind(Enum):
    SANDBOX = "sandbox"
    PRODUCTION = "production"
    LOCAL = "local"
    CUSTOM = "custom"


@dataclass(frozen=True, slots=True)
class Environment:
    """Endpoints of one Photon deployment (Auth0 tenant + Clinical API)."""

    kind: EnvironmentKind
    name: str
    issuer: str  # e.g. "https://auth.neutron.health/"; endpoints come from ``auth.discovery``
    audience: str  # e.g. "https://api.neutron.health"
    graphql_url: str
    # What to ask the provider for (empty: nothing beyond OpenID's own scopes / no resource).
    api_scopes: tuple[str, ...] = ()
    resource: str = ""  # RFC 8707 resource indicator, beside Auth0's ``audience``

    @property
    def uses_discovery(self) -> bool:
        """Custom and local providers are read from OpenID discovery; Photon's tenants are
        Auth0 with built-in endpoints."""
        return self.kind in (EnvironmentKind.LOCAL, EnvironmentKind.CUSTOM)

    @property
    def key(self) -> str:
        """Stable id used for settings groups and keyring service names."""
        return self.kind.value

    @property
    def is_production(self) -> bool:
        return self.kind is EnvironmentKind.PRODUCTION

    def with_endpoints(
        self,
        *,
        issuer: str,
        audience: str,
        graphql_url: str,
        api_scopes: tuple[str, ...] | None = None,
        resource: str | None = None,
    ) -> Environment:
        """The same kind at other URLs (a running local sandbox, or a custom deployment)."""
        return replace(
            self,
            issuer=issuer,
            audience=audience,
            graphql_url=graphql_url,
            api_scopes=self.api_scopes if api_scopes is None else api_scopes,
            resource=self.resource if resource is None else resource,
        )


# Photon's six API permissions; a custom provider that knows them as scopes needs them asked for.
PHOTON_PERMISSIONS: tuple[str, ...] = (
    "read:patient",
    "write:patient",
    "read:prescription",
    "write:prescription",
    "read:order",
    "write:order",
)


PHOTON_SANDBOX = Environment(
    kind=EnvironmentKind.SANDBOX,
    name="Photon Sandbox",
    issuer="https://auth.neutron.health/",
    audience="https://api.neutron.health",
    graphql_url="https://api.neutron.health/graphql",
)
PHOTON_PRODUCTION = Environment(
    kind=EnvironmentKind.PRODUCTION,
    name="Photon Production",
    issuer="https://auth.photon.health/",
    audience="https://api.photon.health",
    graphql_url="https://api.photon.health/graphql",
)
# Endpoints are filled in from the running sandbox's JSON line.
LOCAL_SANDBOX = Environment(
    kind=EnvironmentKind.LOCAL,
    name="Local sandbox",
    issuer="",
    audience="",
    graphql_url="",
)
CUSTOM = Environment(
    kind=EnvironmentKind.CUSTOM,
    name="Custom",
    issuer="",
    audience="",
    graphql_url="",
)

BUILT_IN: tuple[Environment, ...] = (LOCAL_SANDBOX, PHOTON_SANDBOX, PHOTON_PRODUCTION, CUSTOM)


def by_key(key: str) -> Environment:
    for env in BUILT_IN:
        if env.key == key:
            return env
    raise KeyError(key)
