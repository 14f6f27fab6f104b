"""Hypothesis settings of the fuzz tests: fast by default (CI), long with
HYPOTHESIS_PROFILE=thorough (a nightly run).

The profiles have their own names and each test is decorated with ``fuzz()``, so whichever
profile another test module loads, these tests run at the size asked for.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "fuzz",
    max_examples=80,
    deadline=None,
    database=None,
    derandomize=True,  # the same examples on every CI run: a failure reproduces
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz-thorough",
    parent=settings.get_profile("fuzz"),
    max_examples=4000,
    derandomize=False,
)


def fuzz(examples: int | None = None) -> settings:
    """The decorator for one property; ``examples`` scales the default for slow properties."""
    thorough = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
    chosen = settings.get_profile("fuzz-thorough" if thorough else "fuzz")
    if examples is not None and not thorough:
        return settings(chosen, max_examples=examples)
    return chosen
