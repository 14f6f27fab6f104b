"""Reference data: treatments, allergens, dispense units, catalogs, pharmacies, org, me.

Catalogs (with templates), dispense units, the full allergen list and the organization change
rarely, so they are fetched once per session (single-flight; failures are not cached).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from photon_desktop.api import parse
from photon_desktop.api.client import GraphQLClient
from photon_desktop.domain import (
    Allergen,
    Catalog,
    DispenseUnit,
    FulfillmentType,
    Organization,
    Page,
    Pharmacy,
    Treatment,
    User,
)

T = TypeVar("T")


class _Cached:
    """One value fetched at most once at a time; kept after success, retried after failure."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._value: Any = None
        self._has_value = False

    async def get(self, fetch: Callable[[], Awaitable[T]]) -> T:
        if self._has_value:
            return self._value  # type: ignore[no-any-return]
        async with self._lock:
            if not self._has_value:
                self._value = await fetch()
                self._has_value = True
        return self._value  # type: ignore[no-any-return]

    def clear(self) -> None:
        self._value, self._has_value = None, False


class CatalogService:
    def __init__(self, client: GraphQLClient) -> None:
        self._client = client
        self._catalogs = _Cached()
        self._dispense_units = _Cached()
        self._allergens = _Cached()
        self._organization = _Cached()

    async def medications(
        self, name: str, *, after: str | None = None, first: int = 25
    ) -> Page[Treatment]:
        data = await self._client.query(
            "SearchMedications", {"name": name, "after": after, "first": first}
        )
        return parse.cursor_page(Treatment, data, "medications", first)

    async def medical_equipment(
        self, name: str, *, after: str | None = None, first: int = 25
    ) -> Page[Treatment]:
        data = await self._client.query(
            "SearchMedicalEquipment", {"name": name, "after": after, "first": first}
        )
        return parse.cursor_page(Treatment, data, "medicalEquipment", first)

    async def allergens(self, name: str | None = None) -> list[Allergen]:
        """Allergens matching ``name``; the unfiltered list is cached for the session."""
        if name:
            return await self._fetch_allergens(name)
        return list(await self._allergens.get(lambda: self._fetch_allergens(None)))

    async def _fetch_allergens(self, name: str | None) -> list[Allergen]:
        data = await self._client.query("Allergens", {"name": name})
        return list(parse.items(Allergen, data, "allergens"))

    async def dispense_units(self) -> list[DispenseUnit]:
        async def fetch() -> tuple[DispenseUnit, ...]:
            data = await self._client.query("DispenseUnits")
            return parse.items(DispenseUnit, data, "dispenseUnits")

        return list(await self._dispense_units.get(fetch))

    async def catalogs(self) -> list[Catalog]:
        """The organization's catalogs with their treatments and templates (cached)."""

        async def fetch() -> tuple[Catalog, ...]:
            data = await self._client.query("Catalogs")
            return parse.items(Catalog, data, "catalogs")

        return list(await self._catalogs.get(fetch))

    async def pharmacies(
        self,
        *,
        name: str | None = None,
        latitude: float | None = None,
        longitude: float | None = None,
        radius_miles: int | None = None,
        fulfillment: FulfillmentType | None = None,
        after: int = 0,
        first: int = 25,
    ) -> Page[Pharmacy]:
        """Pharmacies by name, distance and fulfillment type. Offset-paged: ``cursor`` is the
        next offset as a string (pass ``int(page.cursor)`` as ``after``)."""
        location = None
        if latitude is not None and longitude is not None:
            location = {"latitude": latitude, "longitude": longitude, "radius": radius_miles}
        variables = {
            "name": name or None,
            "location": location,
            "type": fulfillment.value if fulfillment else None,
            "after": after,
            "first": first,
        }
        data = await self._client.query("Pharmacies", variables)
        found = parse.items(Pharmacy, data, "pharmacies")
        return Page(items=found, cursor=str(after + len(found)), has_more=len(found) >= first > 0)

    async def organization(self) -> Organization:
        async def fetch() -> Organization:
            data = await self._client.query("Organization")
            return parse.one(Organization, data, "organization")

        return await self._organization.get(fetch)

    async def me(self) -> User:
        """The signed-in user (a user token; an M2M token has no user and gets an error)."""
        data = await self._client.query("Me")
        return parse.one(User, data, "me")

    def forget_catalogs(self) -> None:
        """Read the catalogs again next time (they were just edited)."""
        self._catalogs.clear()

    def clear_cache(self) -> None:
        for cached in (self._catalogs, self._dispense_units, self._allergens, self._organization):
            cached.clear()
