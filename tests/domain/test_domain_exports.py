"""The domain package: one module per topic, one explicit public list."""

from __future__ import annotations

import dataclasses
import enum
import importlib
import inspect
import pkgutil

import msgspec

import photon_desktop.domain as domain
from photon_desktop.domain import Patient, PatientSummary


def test_every_record_and_enum_of_every_topic_module_is_exported_once() -> None:
    defined = set()
    for info in pkgutil.iter_modules(domain.__path__):
        module = importlib.import_module(f"photon_desktop.domain.{info.name}")
        defined |= {
            name
            for name, obj in vars(module).items()
            if inspect.isclass(obj)
            and obj.__module__ == module.__name__
            and name[0] != "_"
            and (dataclasses.is_dataclass(obj) or issubclass(obj, msgspec.Struct | enum.Enum))
        }
    assert defined <= set(domain.__all__)
    assert {"Patient", "PatientSummary", "Order", "Prescription", "Page", "Sex"} <= defined
    assert len(domain.__all__) == len(set(domain.__all__))


def test_a_patient_is_its_list_row_plus_the_detail() -> None:
    summary = [f.name for f in msgspec.structs.fields(PatientSummary)]
    whole = [f.name for f in msgspec.structs.fields(Patient)]
    assert whole[: len(summary)] == summary
    assert issubclass(Patient, PatientSummary)
    own = set(Patient.__struct_fields__) - set(PatientSummary.__struct_fields__)
    assert {"allergies", "prescriptions", "orders", "unavailable"} <= own
