"""Per-environment non-secret settings (keys ``environments/<env.key>/<name>``) in a
``SettingsStore``; the app gives a QSettings-backed one, so today's files read the same.

Secrets never go here: the M2M client secret and the refresh token live in the keyring
(``secret_store``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from photon_desktop.auth.settings_store import SettingsStore

_TEXT_FIELDS = (
    "m2m_client_id",
    "native_client_id",
    "organization_id",
    "issuer",
    "audience",
    "graphql_url",
    "api_scopes",
    "resource",
)


@dataclass(frozen=True, slots=True)
class Profile:
    m2m_client_id: str = ""
    native_client_id: str = ""
    organization_id: str = ""
    fixed_ports: tuple[int, ...] = field(default=())  # empty: an ephemeral loopback port
    issuer: str = ""  # custom/local environments only
    audience: str = ""
    graphql_url: str = ""
    api_scopes: str = ""  # space-separated; empty: the environment's default
    resource: str = ""  # RFC 8707 resource indicator; empty: none

    @property
    def scopes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.api_scopes.split()))


def _key(env_key: str, name: str) -> str:
    return f"environments/{env_key}/{name}"


def _ports(value: str) -> tuple[int, ...]:
    ports: list[int] = []
    for item in value.split(","):
        try:
            port = int(item.strip())
        except ValueError:
            continue
        if 1024 <= port <= 65535 and port not in ports:
            ports.append(port)
    return tuple(ports)


def load_profile(env_key: str, settings: SettingsStore) -> Profile:
    values = {name: settings.get_text(_key(env_key, name)).strip() for name in _TEXT_FIELDS}
    return Profile(fixed_ports=_ports(settings.get_text(_key(env_key, "fixed_ports"))), **values)


def save_profile(env_key: str, profile: Profile, settings: SettingsStore) -> None:
    for name in _TEXT_FIELDS:
        settings.set_text(_key(env_key, name), getattr(profile, name))
    settings.set_text(_key(env_key, "fixed_ports"), ",".join(str(p) for p in profile.fixed_ports))
    settings.sync()
