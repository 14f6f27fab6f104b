"""US ZIP codes, the one home for their format: five ASCII digits, optionally ``-`` and four more.

Only the digits 0-9 count: Python's ``\\d`` and ``str.isdigit`` also match Arabic-Indic or
full-width digits, which Photon refuses and which crash the offline ZIP table's lookup.
"""

from __future__ import annotations

import re

#: What a person reads under a ZIP field that is not one.
FORMAT_PROBLEM = "A ZIP code has 5 digits, or 5+4 like 12345-6789."

_ZIP = re.compile(r"([0-9]{5})(?:-[0-9]{4})?")  # [0-9], not \d (see the module doc)


def zip5(text: str | None) -> str | None:
    """The five-digit ZIP of exactly ``12345`` or ``12345-6789``; None for anything else."""
    match = _ZIP.fullmatch(text or "")
    return match.group(1) if match else None
