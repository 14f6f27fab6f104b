"""Loads the GraphQL documents shipped in ``api/documents/``: one named operation per file.

Shared fragments live in ``documents/fragments.graphql``; each operation is sent with exactly the
fragments it uses (transitively), because GraphQL rejects documents with unused fragments.
``assemble`` does that with graphql-core; the app sends what it assembled ahead of time into
``documents/built.json`` (``python -m photon_desktop.api.documents`` writes it; a test fails while
it differs from the ``.graphql`` files), so that neither importing graphql-core (~0.15 s) nor
parsing runs on the way to the first page.
"""

from __future__ import annotations

import functools
import json
import sys
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # graphql-core is imported when the first document is loaded, not at start-up
    from graphql import FragmentDefinitionNode, Node

FRAGMENTS_FILE = "fragments.graphql"
BUILT_FILE = "built.json"


@dataclass(frozen=True, slots=True)
class Operation:
    """A ready-to-send document: its name, whether it writes, and the full text."""

    name: str
    text: str
    is_mutation: bool


def _documents_dir() -> resources.abc.Traversable:
    return resources.files("photon_desktop.api").joinpath("documents")


def operation_files() -> list[str]:
    """File names of every operation document (sorted; excludes the fragments file)."""
    return sorted(
        entry.name
        for entry in _documents_dir().iterdir()
        if entry.name.endswith(".graphql") and entry.name != FRAGMENTS_FILE
    )


@functools.cache
def _fragments() -> dict[str, FragmentDefinitionNode]:
    from graphql import FragmentDefinitionNode, parse

    document = parse(_documents_dir().joinpath(FRAGMENTS_FILE).read_text(encoding="utf-8"))
    fragments: dict[str, FragmentDefinitionNode] = {}
    for definition in document.definitions:
        if not isinstance(definition, FragmentDefinitionNode):
            raise ValueError(f"{FRAGMENTS_FILE} may hold only fragments")
        fragments[definition.name.value] = definition
    return fragments


def _spreads(node: Node) -> set[str]:
    from graphql import FragmentSpreadNode, visit
    from graphql.language import Visitor

    names: set[str] = set()

    class SpreadCollector(Visitor):
        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_args: object) -> None:
            names.add(spread.name.value)

    visit(node, SpreadCollector())
    return names


def _used_fragments(node: Node) -> list[FragmentDefinitionNode]:
    """Fragments reachable from ``node``, in first-use order."""
    fragments = _fragments()
    seen: dict[str, FragmentDefinitionNode] = {}
    pending = sorted(_spreads(node))
    while pending:
        name = pending.pop(0)
        if name in seen:
            continue
        if name not in fragments:
            raise ValueError(f"unknown fragment {name}")
        seen[name] = fragments[name]
        pending.extend(sorted(_spreads(fragments[name]) - seen.keys()))
    return list(seen.values())


@functools.cache
def _built() -> dict[str, dict[str, Any]]:
    raw = _documents_dir().joinpath(BUILT_FILE).read_text(encoding="utf-8")
    built: dict[str, dict[str, Any]] = json.loads(raw)
    return built


@functools.cache
def load(name: str) -> Operation:
    """The operation ``name`` (the file ``documents/<name>.graphql``), with its fragments, as
    assembled into ``built.json``."""
    try:
        entry = _built()[name]
    except KeyError:
        raise ValueError(f"no operation {name} in {BUILT_FILE}") from None
    return Operation(name=name, text=entry["text"], is_mutation=entry["is_mutation"])


def build_all() -> dict[str, dict[str, Any]]:
    """What ``built.json`` holds: every operation assembled."""
    built = {}
    for file in operation_files():
        operation = assemble(file.removesuffix(".graphql"))
        built[operation.name] = {"text": operation.text, "is_mutation": operation.is_mutation}
    return built


def assemble(name: str) -> Operation:
    """The operation ``name`` (the file ``documents/<name>.graphql``), with its fragments."""
    from graphql import (
        DocumentNode,
        OperationDefinitionNode,
        OperationType,
        parse,
        print_ast,
    )

    text = _documents_dir().joinpath(f"{name}.graphql").read_text(encoding="utf-8")
    document = parse(text)
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or len(document.definitions) != 1:
        raise ValueError(f"{name}.graphql must hold exactly one operation")
    operation = operations[0]
    if operation.name is None or operation.name.value != name:
        raise ValueError(f"{name}.graphql must define the operation {name}")
    full = DocumentNode(definitions=(operation, *_used_fragments(operation)))
    return Operation(
        name=name,
        text=print_ast(full),
        is_mutation=operation.operation is OperationType.MUTATION,
    )


def write_built() -> None:
    """Write ``built.json`` beside the ``.graphql`` files (run after changing one)."""
    target = _documents_dir().joinpath(BUILT_FILE)
    text = json.dumps(build_all(), indent=1, sort_keys=True) + "\n"
    with open(str(target), "w", encoding="utf-8") as out:
        out.write(text)
    print(f"wrote {target}", file=sys.stderr)


if __name__ == "__main__":
    write_built()
