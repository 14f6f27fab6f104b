"""What a template save says: what Photon kept instead of what was asked, and what an earlier
attempt left (the Templates page and the prescription form's personal templates say the same)."""

from __future__ import annotations

from collections.abc import Sequence

from photon_desktop.domain import PrescriptionTemplate
from photon_desktop.ui.common.formatting import fmt_count, fmt_quantity


def saved_text(
    template: PrescriptionTemplate,
    kept: list[str],
    strays: Sequence[PrescriptionTemplate] = (),
    *,
    whose: str = "",
) -> str:
    """ "Saved “Name”." and, if so, what Photon kept of ``kept`` (``differences``: its answer is
    what it holds, and a change it did not make must not read as made) and the ``strays``: the
    templates an earlier attempt whose answer was lost made for another treatment (Photon cannot
    move a template to another treatment: each stays until deleted). ``whose``: "your "."""
    name = template.name or template.treatment.name
    text = f"Saved {whose}“{name}”"
    text += f", but Photon kept {kept_text(template, kept)}." if kept else "."
    for stray in strays:
        text += (
            f" An earlier attempt, whose answer was lost, had also saved it for "
            f"{stray.treatment.name}: delete that one if it is not wanted."
        )
    return text


def kept_text(template: PrescriptionTemplate, fields: list[str]) -> str:
    """What Photon kept of ``fields`` (``differences``), e.g. "25 days as its days supply"."""
    t = template
    said = {
        "name": f"“{t.name}” as its name" if t.name else "no name",
        "dispense_quantity": f"{fmt_quantity(t.dispense_quantity or 0)} as its quantity",
        "dispense_unit": f"{t.dispense_unit or 'no unit'} as its unit",
        "days_supply": f"{t.days_supply} days as its days supply"
        if t.days_supply
        else "no days supply",
        "fills_allowed": fmt_count(max(0, (t.fills_allowed or 1) - 1), "refill"),
        "instructions": f"“{t.instructions}” as its instructions"
        if t.instructions
        else "no instructions",
        "notes": f"“{t.notes}” as its notes" if t.notes else "no notes",
        "dispense_as_written": "dispense as written " + ("on" if t.dispense_as_written else "off"),
    }
    return " and ".join(said[f] for f in fields)
