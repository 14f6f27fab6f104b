"""A keyring backend for ``bench_startup.py`` only: a JSON file named by ``BENCH_KEYRING_FILE``.

It lets the "Photon already running" start-up find a saved M2M secret without a desktop session.
It writes secrets to a plain file, so nothing but the benchmark's throwaway sandbox pair goes in it.
"""

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def _entries(self) -> dict[str, str]:
        path = Path(os.environ["BENCH_KEYRING_FILE"])
        return json.loads(path.read_text()) if path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._entries().get(f"{service}\n{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        entries = self._entries()
        entries[f"{service}\n{username}"] = password
        Path(os.environ["BENCH_KEYRING_FILE"]).write_text(json.dumps(entries))

    def delete_password(self, service: str, username: str) -> None:
        entries = self._entries()
        entries.pop(f"{service}\n{username}", None)
        Path(os.environ["BENCH_KEYRING_FILE"]).write_text(json.dumps(entries))
