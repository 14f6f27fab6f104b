"""Every document the app sends is valid against the package schema, named, and used."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest
from graphql import (
    FragmentDefinitionNode,
    GraphQLSchema,
    OperationDefinitionNode,
    build_schema,
    parse,
    validate,
)

import photon_desktop
from photon_desktop.api import documents

OPERATIONS = [name.removesuffix(".graphql") for name in documents.operation_files()]


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    text = resources.files("photon_desktop").joinpath("schema.graphql").read_text("utf-8")
    return build_schema(text)


def test_there_are_documents() -> None:
    assert "GetPatient" in OPERATIONS and "CreateOrder" in OPERATIONS


@pytest.mark.parametrize("name", OPERATIONS)
def test_document_validates_against_schema(schema: GraphQLSchema, name: str) -> None:
    errors = validate(schema, parse(documents.load(name).text))
    assert errors == [], f"{name}: {[e.message for e in errors]}"


@pytest.mark.parametrize("name", OPERATIONS)
def test_file_holds_exactly_one_operation_named_like_the_file(name: str) -> None:
    raw = documents._documents_dir().joinpath(f"{name}.graphql").read_text("utf-8")
    definitions = parse(raw).definitions
    operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
    assert len(definitions) == 1 and len(operations) == 1
    assert operations[0].name is not None and operations[0].name.value == name


def test_fragments_file_holds_only_fragments_and_each_is_used() -> None:
    raw = documents._documents_dir().joinpath(documents.FRAGMENTS_FILE).read_text("utf-8")
    definitions = parse(raw).definitions
    assert all(isinstance(d, FragmentDefinitionNode) for d in definitions)
    sent = "\n".join(documents.load(name).text for name in OPERATIONS)
    for definition in definitions:
        assert isinstance(definition, FragmentDefinitionNode)
        assert f"fragment {definition.name.value} on" in sent


def test_every_document_is_used_by_the_app() -> None:
    package = Path(photon_desktop.__file__).parent
    source = "\n".join(
        p.read_text("utf-8") for d in ("services", "api") for p in (package / d).rglob("*.py")
    )
    used = set(re.findall(r'"([A-Z][A-Za-z]+)"', source))
    assert sorted(set(OPERATIONS) - used) == []


def test_writes_are_marked_as_mutations() -> None:
    assert documents.load("CreateOrder").is_mutation
    assert not documents.load("GetPatient").is_mutation


def test_what_the_app_sends_is_what_the_graphql_files_assemble_to() -> None:
    """``built.json`` is written from the ``.graphql`` files; after changing one, run
    ``python -m photon_desktop.api.documents``."""
    shipped = json.loads(documents._documents_dir().joinpath(documents.BUILT_FILE).read_text())
    assert shipped == documents.build_all()
    assert documents.load("GetPatient") == documents.assemble("GetPatient")


def test_an_operation_that_was_not_built_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="NoSuchOperation"):
        documents.load("NoSuchOperation")
