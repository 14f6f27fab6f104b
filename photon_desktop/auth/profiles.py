"""Per-environment non-secret settings in QSettings (group ``environments/<env.key>``).

Secrets never go here: the M2M client secret and the refresh token live in the keyring
(``secret_store``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QSettings


@dataclass(frozen=True, slots=True)
class Profile:
    m2m_client_id: str = ""
    native_client_id: str = ""
    organization_id: str = ""
    fixed_ports: tuple[int, ...] = field(default=())  # empty: an ephemeral loopback port
    issuer: str = ""  # custom/local environments only
    audience: str = ""
    graphql_url: str = ""


def _group(env_key: str) -> str:
    return f"environments/{env_key}"


def _ports(value: object) -> tuple[int, ...]:
    items = value if isinstance(value, list | tuple) else str(value or "").split(",")
    ports: list[int] = []
    for item in items:
        try:
            port = int(str(item).strip())
        except ValueError:
            continue
        if 1024 <= port <= 65535 and port not in ports:
            ports.append(port)
    return tuple(ports)


def load_profile(env_key: str, settings: QSettings | None = None) -> Profile:
    s = settings if settings is not None else QSettings()
    s.beginGroup(_group(env_key))
    try:

        def text(name: str) -> str:
            value = s.value(name, "")
            return str(value).strip() if value is not None else ""

        return Profile(
            m2m_client_id=text("m2m_client_id"),
            native_client_id=text("native_client_id"),
            organization_id=text("organization_id"),
            fixed_ports=_ports(s.value("fixed_ports", "")),
            issuer=text("issuer"),
            audience=text("audience"),
            graphql_url=text("graphql_url"),
        )
    finally:
        s.endGroup()


def save_profile(env_key: str, profile: Profile, settings: QSettings | None = None) -> None:
    s = settings if settings is not None else QSettings()
    s.beginGroup(_group(env_key))
    try:
        s.setValue("m2m_client_id", profile.m2m_client_id)
        s.setValue("native_client_id", profile.native_client_id)
        s.setValue("organization_id", profile.organization_id)
        s.setValue("fixed_ports", ",".join(str(p) for p in profile.fixed_ports))
        s.setValue("issuer", profile.issuer)
        s.setValue("audience", profile.audience)
        s.setValue("graphql_url", profile.graphql_url)
    finally:
        s.endGroup()
    s.sync()
