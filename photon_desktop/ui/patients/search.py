"""What the patient search box understands: a name, optionally followed by a date of birth
("Smith 1942-09-01", "Smith 09/01/1942") or a phone number ("Smith (415) 555-0121").

Photon's ``patients`` filter matches names only, so the name goes to the server and the date of
birth or phone narrows the answer here, page by page (fetching on until something matches, up to
a few pages, so a narrow search never looks empty while matches are one page further).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime

from photon_desktop.domain import Page, PatientSummary, phones

PLACEHOLDER = "Name, then date of birth or phone to narrow: Smith 09/01/1942  (Ctrl+F)"
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")
#: Pages fetched for one scroll while nothing on them matches the date of birth or phone.
MAX_EMPTY_PAGES = 10
_PHONE_TAIL = re.compile(r"(\+?[\d(][\d ().\-]{6,})$")


def parse_date(text: str) -> date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


@dataclass(frozen=True, slots=True)
class PatientQuery:
    name: str | None = None
    date_of_birth: date | None = None
    phone: str | None = None  # E.164

    @classmethod
    def parse(cls, text: str) -> PatientQuery:
        rest = " ".join(text.split())
        born = phone = None
        words = rest.split(" ")
        if words and words[-1] and parse_date(words[-1]) is not None:
            born = parse_date(words[-1])
            rest = " ".join(words[:-1])
        else:
            tail = _PHONE_TAIL.search(rest)
            if tail is not None and (number := phones.normalize_or_none(tail.group(1))):
                phone = number
                rest = rest[: tail.start()].strip()
        return cls(rest or None, born, phone)

    @property
    def narrows(self) -> bool:
        return self.date_of_birth is not None or self.phone is not None

    def matches(self, patient: PatientSummary) -> bool:
        """Whether ``patient`` belongs in this search's results (after an edit, say)."""
        if self.name:
            full = (patient.name.full or f"{patient.name.first} {patient.name.last}").casefold()
            if not all(word in full for word in self.name.casefold().split()):
                return False
        if self.date_of_birth is not None and patient.date_of_birth != self.date_of_birth:
            return False
        return self.phone is None or phones.same_number(patient.phone, self.phone)

    def describe(self) -> str:
        parts = [f"“{self.name}”"] if self.name else []
        if self.date_of_birth is not None:
            parts.append(f"born {self.date_of_birth.isoformat()}")
        if self.phone is not None:
            parts.append(f"phone {phones.display(self.phone)}")
        return ", ".join(parts)


Search = Callable[..., Awaitable[Page[PatientSummary]]]


def narrowed(
    search: Search, query: PatientQuery, size: int
) -> Callable[[str | None], Awaitable[Page[PatientSummary]]]:
    """A page fetcher: the name on the server, the date of birth or phone checked here."""

    async def fetch(after: str | None) -> Page[PatientSummary]:
        page = await search(query.name, after=after, first=size)
        if not query.narrows:
            return page
        for _ in range(MAX_EMPTY_PAGES):
            kept = tuple(p for p in page.items if query.matches(p))
            if kept or not page.has_more:
                return Page(items=kept, cursor=page.cursor, has_more=page.has_more)
            page = await search(query.name, after=page.cursor, first=size)
        return Page(items=(), cursor=page.cursor, has_more=page.has_more)

    return fetch
