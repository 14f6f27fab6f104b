"""The demo organizations of one run behind one Clinical API front, routed by the token's org.

The main organization holds the ``--patients`` demo patients; a second, smaller practice holds
others, and the demo prescriber belongs to both (``DemoUser.organizations``), as a clinician who
works at two practices does. A token is scoped to one organization (``org_id``, chosen at
sign-in with ``organization=``), and sees only that organization's records. Medications and
pharmacies are shared; catalogs, patients, prescriptions and orders are not.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from photon_desktop.sandbox.accounts import Principal, demo_user
from photon_desktop.sandbox.clock import Clock
from photon_desktop.sandbox.graphql import ClinicalAPI
from photon_desktop.sandbox.pharmacy import PharmacyRates
from photon_desktop.sandbox.records import Org

SECOND_PRACTICE_PATIENTS = 40


class Directory:
    """Every organization of a run; what the server needs of a Clinical API, for all of them."""

    def __init__(
        self,
        *,
        seed: int = 1,
        patients: int = 200,
        clock: Clock | None = None,
        pharmacy: PharmacyRates | None = None,
    ) -> None:
        main = ClinicalAPI(
            seed=seed, patients=patients, clock=clock, pharmacy=pharmacy, memberships=self.of
        )
        members = {
            email: record
            for email, record in main.store.users.items()
            if (user := demo_user(email)) is not None and 1 in user.organizations
        }
        second = ClinicalAPI(
            seed=seed + 1,
            patients=min(patients, SECOND_PRACTICE_PATIENTS),
            clock=main.clock,
            pharmacy=pharmacy,
            organization=1,
            members=members,
            reference=dataclasses.replace(main.store.ref, catalogs=[]),
            memberships=self.of,
        )
        self.apis = (main, second)
        self.by_org = {api.org_id: api for api in self.apis}
        self.main = main
        self.org_id, self.org_name, self.clock = main.org_id, main.org_name, main.clock

    def of(self, email: str | None) -> list[Org]:
        """The organizations ``email`` belongs to (none for an unknown user)."""
        user = demo_user(email or "")
        return [self.apis[n].store.org for n in user.organizations] if user else []

    def organizations_of(self, email: str) -> list[tuple[str, str]]:
        return [(org.id, org.name) for org in self.of(email)]

    def user_id(self, email: str) -> str:
        return self.main.user_id(email)

    def execute(
        self, body: dict[str, Any], principal: Principal, *, spoil_enums: bool = False
    ) -> dict[str, Any]:
        # An unknown org_id goes to the main API, which refuses it as another organization's.
        api = self.by_org.get(principal.org_id, self.main)
        return api.execute(body, principal, spoil_enums=spoil_enums)

    def stats(self) -> dict[str, Any]:
        """The main organization's counts, plus each organization's patients."""
        return {
            **self.main.stats(),
            "organizations": [
                {"id": api.org_id, "name": api.org_name, "patients": api.stats()["patients"]}
                for api in self.apis
            ],
        }

    def records_with_external_id(self, external_id: str) -> dict[str, Any]:
        """Counts over every organization (an externalId is unique within one)."""
        total: dict[str, Any] = {"externalId": external_id, "ids": []}
        for api in self.apis:
            found = api.records_with_external_id(external_id)
            for kind in ("patients", "prescriptions", "orders"):
                total[kind] = total.get(kind, 0) + found[kind]
            total["ids"] += found["ids"]
        return total

    def pharmacy_rates(self) -> dict[str, float]:
        return self.main.pharmacy_rates()

    def set_pharmacy_rates(self, raw: Any) -> dict[str, float]:
        applied = self.main.set_pharmacy_rates(raw)  # checks the rates before any change
        for api in self.apis[1:]:
            api.set_pharmacy_rates(raw)
        return applied
