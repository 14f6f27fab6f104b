"""Where non-secret preferences live, as the auth layer sees it: typed values by key.

The composition root gives a ``QSettings``-backed store; tests give ``MemorySettings``. Keys are
``/``-separated (``environments/custom/issuer``) and values are strings, so files written by
earlier versions read the same.
"""

from __future__ import annotations

from typing import Protocol


class SettingsStore(Protocol):
    def get_text(self, key: str, default: str = "") -> str:
        """The value at ``key`` as text (a stored list is joined with commas)."""
        ...

    def set_text(self, key: str, value: str) -> None: ...

    def sync(self) -> None:
        """Write pending changes to disk (a no-op where there is no disk)."""
        ...


class MemorySettings:
    """A ``SettingsStore`` in a dict (tests, and the command-line check)."""

    def __init__(self, values: dict[str, str] | None = None) -> None:
        self.values: dict[str, str] = dict(values or {})

    def get_text(self, key: str, default: str = "") -> str:
        return self.values.get(key, default)

    def set_text(self, key: str, value: str) -> None:
        self.values[key] = value

    def sync(self) -> None:
        return None
