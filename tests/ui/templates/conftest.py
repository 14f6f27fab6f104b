"""Template tests open editors and confirmations, and may close windows
(``write_support.windows_may_close``)."""

from __future__ import annotations

import pytest
from write_support import windows_may_close  # noqa: F401  (a fixture, found by name)


@pytest.fixture(autouse=True)
def _write_flow(request: pytest.FixtureRequest) -> None:
    request.getfixturevalue("windows_may_close")
