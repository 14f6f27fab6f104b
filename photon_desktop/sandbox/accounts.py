"""Who can sign in to the local sandbox, and who is calling the Clinical API.

Shared by the sign-in server (``oauth``) and the Clinical API (``clinical``): the demo users,
the clients, and the ``Principal`` a verified access token turns into.
"""

from __future__ import annotations

from dataclasses import dataclass

READ_PATIENT = "read:patient"
WRITE_PATIENT = "write:patient"
READ_PRESCRIPTION = "read:prescription"
WRITE_PRESCRIPTION = "write:prescription"
READ_ORDER = "read:order"
WRITE_ORDER = "write:order"

ALL_PERMISSIONS: tuple[str, ...] = (
    READ_PATIENT,
    WRITE_PATIENT,
    READ_PRESCRIPTION,
    WRITE_PRESCRIPTION,
    READ_ORDER,
    WRITE_ORDER,
)
# Exactly Photon's documented M2M scope string, in its order.
M2M_PERMISSIONS: tuple[str, ...] = (
    READ_PATIENT,
    WRITE_PATIENT,
    READ_PRESCRIPTION,
    READ_ORDER,
    WRITE_ORDER,
)
READ_ONLY_PERMISSIONS: tuple[str, ...] = (READ_PATIENT, READ_PRESCRIPTION, READ_ORDER)

# Organization administration (Photon's permission list, scopes.md): only the demo admin has them.
READ_ORGANIZATION = "read:organization"
READ_USER_ROLES = "read:user_roles"
READ_INVITE = "read:invite"
READ_CLIENT = "read:client"
READ_WEBHOOK_CONFIG = "read:webhook_config"
WRITE_WEBHOOK_CONFIG = "write:webhook_config"
ADMIN_PERMISSIONS: tuple[str, ...] = (
    READ_ORGANIZATION,
    READ_USER_ROLES,
    READ_INVITE,
    READ_CLIENT,
    READ_WEBHOOK_CONFIG,
    WRITE_WEBHOOK_CONFIG,
)

# Fixed, public identifiers of the sandbox's clients. The M2M secret is generated per run.
M2M_CLIENT_ID = "sandboxM2MClient0000000000000001"
NATIVE_CLIENT_ID = "sandboxNativeDesktop000000000001"


@dataclass(frozen=True, slots=True)
class DemoUser:
    """A person who can sign in through ``/authorize``."""

    email: str
    role: str  # "prescriber" | "staff" | "support" | "admin"
    first_name: str
    last_name: str
    permissions: tuple[str, ...]
    npi: str | None = None
    organizations: tuple[int, ...] = (0,)  # demo organizations (0: the main one) of the user

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(
        email="prescriber@sandbox.photon.local",
        role="prescriber",
        first_name="Maya",
        last_name="Okafor",
        permissions=ALL_PERMISSIONS,
        npi="1234567893",
        organizations=(0, 1),  # also works at a second practice, with other patients
    ),
    DemoUser(
        email="staff@sandbox.photon.local",
        role="staff",
        first_name="Daniel",
        last_name="Reyes",
        permissions=tuple(p for p in ALL_PERMISSIONS if p != WRITE_PRESCRIPTION),
    ),
    DemoUser(
        email="support@sandbox.photon.local",
        role="support",
        first_name="Priya",
        last_name="Shah",
        permissions=READ_ONLY_PERMISSIONS,
    ),
    DemoUser(
        email="admin@sandbox.photon.local",
        role="admin",
        first_name="Grace",
        last_name="Lindqvist",
        permissions=(*READ_ONLY_PERMISSIONS, *ADMIN_PERMISSIONS),
    ),
)


def demo_user(email: str) -> DemoUser | None:
    """The demo user with this e-mail (case-insensitive), if any."""
    wanted = email.strip().lower()
    return next((u for u in DEMO_USERS if u.email == wanted), None)


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of one Clinical API request, from a verified access token.

    ``user_email`` is set for user tokens (None for M2M); the Clinical API maps it to its
    ``usr_`` id. ``permissions`` is the union of the token's ``permissions`` and ``scope``.
    """

    subject: str
    client_id: str
    org_id: str
    permissions: frozenset[str]
    user_email: str | None = None

    @property
    def is_user(self) -> bool:
        return self.user_email is not None
