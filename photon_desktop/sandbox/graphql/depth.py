"""A limit on how deeply a query's selections nest, fragments included.

graphql-core stops *parsing* a document nested too deeply, but a chain of fragments nests
without nesting in the text, and each level costs recursion in validation and execution. The
depth is computed without recursion across fragments (each fragment once, in dependency order),
so even a chain of thousands is measured safely and answered with one clear error.
"""

from __future__ import annotations

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

MAX_DEPTH = 32  # the app's deepest document is 6 levels


def query_depth(document: DocumentNode) -> int:
    """The deepest chain of nested fields in any operation of ``document``."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    depths: dict[str, int] = {}
    for name in _dependency_order(fragments):
        depths[name] = _depth(fragments[name].selection_set, depths)
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    return max((_depth(op.selection_set, depths) for op in operations), default=0)


def _spreads(selection_set: SelectionSetNode | None) -> list[str]:
    """Names of the fragments spread anywhere inside one selection set (not following them)."""
    found: list[str] = []
    stack = [selection_set] if selection_set is not None else []
    while stack:
        current = stack.pop()
        for selection in current.selections:
            if isinstance(selection, FragmentSpreadNode):
                found.append(selection.name.value)
            elif isinstance(selection, FieldNode | InlineFragmentNode):
                if selection.selection_set is not None:
                    stack.append(selection.selection_set)
    return found


def _dependency_order(fragments: dict[str, FragmentDefinitionNode]) -> list[str]:
    """Fragments, each after the fragments it spreads (cycles are left to validation)."""
    order: list[str] = []
    state: dict[str, int] = {}  # 1: being visited, 2: done
    for root in fragments:
        if root in state:
            continue
        stack: list[tuple[str, list[str]]] = [(root, _spreads(fragments[root].selection_set))]
        state[root] = 1
        while stack:
            name, pending = stack[-1]
            if pending:
                child = pending.pop()
                if child in fragments and child not in state:
                    state[child] = 1
                    stack.append((child, _spreads(fragments[child].selection_set)))
                continue
            stack.pop()
            state[name] = 2
            order.append(name)
    return order


def _depth(selection_set: SelectionSetNode | None, fragments: dict[str, int]) -> int:
    """Depth of one selection set; spreads count as the (already known) fragment's depth."""
    if selection_set is None:
        return 0
    deepest = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            deepest = max(deepest, 1 + _depth(selection.selection_set, fragments))
        elif isinstance(selection, InlineFragmentNode):
            deepest = max(deepest, _depth(selection.selection_set, fragments))
        elif isinstance(selection, FragmentSpreadNode):
            deepest = max(deepest, fragments.get(selection.name.value, 0))
    return deepest
