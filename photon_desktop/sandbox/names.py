"""Patients in list order (last name, first name, creation) and the name search over them."""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate


class NameSearch:
    """Paging and substring search over the store's patient columns (shared, not copied).

    ``order`` is the patients' handles sorted by ``keys``; ``texts`` their search strings. The
    store mutates these lists in place and calls :meth:`changed` after adding or renaming.
    """

    def __init__(
        self, order: list[int], keys: list[tuple[str, str, int]], texts: list[str]
    ) -> None:
        self._order = order
        self._keys = keys
        self._texts = texts
        self._blob: tuple[str, list[int]] | None = None
        self._search_blob()  # ~50 ms at 100k: paid at startup, not by the first search

    def changed(self) -> None:
        self._blob = None

    def page(self, after: tuple[str, str, int] | None, first: int, needle: str | None) -> list[int]:
        """Up to ``first`` handles after the sort key ``after``, whose names contain ``needle``."""
        order = self._order
        start = 0
        if after is not None:
            start = bisect_right(order, after, key=self._keys.__getitem__)
        if not needle:
            return order[start : start + first]
        needle = needle.lower()
        if "\n" in needle or "\x1f" in needle:
            return []
        blob, offsets = self._search_blob()
        out: list[int] = []
        pos = offsets[start]
        find = blob.find
        while len(out) < first:
            hit = find(needle, pos)
            if hit < 0:
                break
            i = bisect_right(offsets, hit) - 1
            out.append(order[i])
            pos = offsets[i + 1]
        return out

    def _search_blob(self) -> tuple[str, list[int]]:
        """All search texts in list order joined by newlines, and where each one starts.

        ``str.find`` over one string scans 100k names in about a millisecond, ~40x faster than
        testing each name in a Python loop. Rebuilt lazily after a patient is added or renamed.
        """
        if self._blob is None:
            texts = [self._texts[h] for h in self._order]
            offsets = [0, *accumulate(len(t) + 1 for t in texts)]
            self._blob = ("\n".join(texts) + "\n", offsets)
        return self._blob
