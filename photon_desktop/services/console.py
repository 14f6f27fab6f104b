"""The support console's GraphQL knowledge: validation against Photon's schema, completion of
fields, arguments and enum values, which permission a mutation needs, and what history may keep.

graphql-core is imported on first use only (building the schema costs start-up time the app
does not spend unless someone opens the console). Runs go through the session's own client:
``ConsoleService.run`` never takes a token.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from photon_desktop.api import documents
from photon_desktop.api.client import GraphQLClient, GraphQLResponse
from photon_desktop.api.errors_map import GraphQLErrorItem, permission_missing
from photon_desktop.errors import InvalidInput, PermissionMissing
from photon_desktop.redact import MASK, redact_variables

if TYPE_CHECKING:
    from graphql import DocumentNode, GraphQLSchema

#: Mutation -> the permission Photon needs for it (see the API contract's scopes table);
#: mutations not listed need only a valid token as far as Photon documents.
MUTATION_PERMISSIONS = {
    "createPatient": "write:patient",
    "updatePatient": "write:patient",
    "removePatientAllergy": "write:patient",
    "removePatientPreferredPharmacy": "write:patient",
    "createPrescription": "write:prescription",
    "createPrescriptions": "write:prescription",
    "cancelPrescription": "write:prescription",
    "createOrder": "write:order",
    "cancelOrder": "write:order",
    "routeOrder": "write:order",
    "updateOrder": "write:order",
    "createWebhookConfig": "write:webhook_config",
    "updateWebhookConfig": "write:webhook_config",
    "deleteWebhookConfig": "write:webhook_config",
    "rotateSecret": "update:client_keys",
    "inviteUser": "write:invite",
    "addRole": "manage:user_roles",
    "removeRole": "manage:user_roles",
    "updateProfile": "edit:profile",
}

_PLACEHOLDER = "zzCompleteHere"
_WORD = re.compile(r"[_A-Za-z][_0-9A-Za-z]*$")


@dataclass(frozen=True, slots=True)
class Problem:
    """A validation problem at 1-based ``line``/``column`` spanning ``length`` characters."""

    message: str
    line: int
    column: int
    length: int


@dataclass(frozen=True, slots=True)
class Operation:
    """What a document would do: ``kind`` ("query"/"mutation"/"subscription"), its root fields,
    and the permissions its mutations need."""

    kind: str
    name: str | None
    fields: tuple[str, ...]
    permissions: tuple[str, ...]

    @property
    def is_mutation(self) -> bool:
        return self.kind == "mutation"


@cache
def schema() -> GraphQLSchema:
    from graphql import build_schema

    text = resources.files("photon_desktop").joinpath("schema.graphql").read_text("utf-8")
    return build_schema(text)


def _parse(text: str) -> DocumentNode:
    from graphql import parse

    return parse(text)


def validate(text: str) -> list[Problem]:
    """Syntax and schema problems of ``text``; empty when it may be sent."""
    from graphql import GraphQLError
    from graphql import validate as gql_validate

    if not text.strip():
        return [Problem("Write a query first.", 1, 1, 1)]
    try:
        document = _parse(text)
    except GraphQLError as error:
        return [_problem(error, text)]
    return [_problem(error, text) for error in gql_validate(schema(), document)]


def _problem(error: Any, text: str) -> Problem:
    locations = error.locations or []
    if not locations:
        return Problem(error.message, 1, 1, 1)
    line, column = locations[0].line, locations[0].column
    rest = text.splitlines()[line - 1][column - 1 :] if line <= len(text.splitlines()) else ""
    word = re.match(r"[$_A-Za-z0-9]+", rest)
    return Problem(error.message, line, column, len(word.group(0)) if word else 1)


def describe(text: str) -> Operation:
    """The operation ``text`` holds (first one); call after ``validate`` found nothing."""
    from graphql import OperationDefinitionNode

    document = _parse(text)
    op = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fields = tuple(
        s.name.value for s in op.selection_set.selections if hasattr(s, "name") and s.name
    )
    kind = op.operation.value
    needs = sorted({MUTATION_PERMISSIONS[f] for f in fields if f in MUTATION_PERMISSIONS})
    return Operation(kind, op.name.value if op.name else None, fields, tuple(needs))


def completions(text: str, cursor: int) -> tuple[str, list[str]]:
    """(the word being typed, what may follow there): fields in a selection, argument names
    inside ``(``, input fields inside an input object, enum values after ``name:``. Empty when
    the position is not understood."""
    from graphql import (
        GraphQLEnumType,
        GraphQLError,
        GraphQLInputObjectType,
        TypeInfo,
        TypeInfoVisitor,
        Visitor,
        get_named_type,
        visit,
    )

    before = text[:cursor]
    match = _WORD.search(before)
    prefix = match.group(0) if match else ""
    head = before[: len(before) - len(prefix)]
    context = _context(head)
    probe = head + _PLACEHOLDER + (": null" if context in ("argument", "input") else "")
    probe += _closers(probe)
    try:
        document = _parse(probe)
    except GraphQLError:
        return prefix, []
    type_info = TypeInfo(schema())
    found: list[str] = []

    class Finder(Visitor):
        def enter_field(self, node: Any, *_: Any) -> None:
            if node.name.value == _PLACEHOLDER and context == "field":
                parent = type_info.get_parent_type()
                if parent is not None and hasattr(parent, "fields"):
                    found.extend(parent.fields)

        def enter_argument(self, node: Any, *_: Any) -> None:
            if node.name.value == _PLACEHOLDER:
                field = type_info.get_field_def()
                if field is not None:
                    found.extend(field.args)

        def enter_object_field(self, node: Any, *_: Any) -> None:
            if node.name.value == _PLACEHOLDER:
                parent = get_named_type(type_info.get_parent_input_type())
                if isinstance(parent, GraphQLInputObjectType):
                    found.extend(parent.fields)

        def enter_enum_value(self, node: Any, *_: Any) -> None:
            if node.value == _PLACEHOLDER:
                named = get_named_type(type_info.get_input_type())
                if isinstance(named, GraphQLEnumType):
                    found.extend(named.values)

    visit(document, TypeInfoVisitor(type_info, Finder()))
    return prefix, sorted(w for w in set(found) if w.startswith(prefix) and w != prefix)


def _context(head: str) -> str:
    """Where the cursor is: "field" in a selection set, "argument" (a name inside ``(``),
    "input" (a field name inside an input object ``{``), or "value" (after ``name:``)."""
    openers = _open_brackets(head)
    if not openers:
        return "field"
    index, bracket = openers[-1]
    segment = head[index + 1 :].rsplit(",", 1)[-1]
    if ":" in segment:
        return "value"
    if bracket == "(":
        return "argument"
    inside_arguments = any(b == "(" for _, b in openers[:-1]) and openers[-2][1] != "{"
    before = head[:index].rstrip()
    if before.endswith(":") or inside_arguments:
        return "input"
    return "field"


def _open_brackets(text: str) -> list[tuple[int, str]]:
    """The brackets ``text`` leaves open, outermost first, with their positions (strings and
    comments skipped)."""
    stack: list[tuple[int, str]] = []
    closing = {"}": "{", ")": "(", "]": "["}
    in_string = in_comment = False
    for index, ch in enumerate(text):
        if in_comment:
            in_comment = ch != "\n"
        elif in_string:
            in_string = ch != '"'
        elif ch == "#":
            in_comment = True
        elif ch == '"':
            in_string = True
        elif ch in "{([":
            stack.append((index, ch))
        elif ch in closing and stack and stack[-1][1] == closing[ch]:
            stack.pop()
    return stack


def _closers(text: str) -> str:
    """The brackets that close what ``text`` left open."""
    pairs = {"{": "}", "(": ")", "[": "]"}
    return "\n" + "".join(pairs[b] for _, b in reversed(_open_brackets(text)))


def shape_only(text: str) -> str:
    """``text`` with every string literal replaced by ``***``: history keeps what a
    query asks, never a value typed into it (a patient's name in ``patients(name: "…")``)."""
    from graphql import GraphQLError, print_ast
    from graphql.language import StringValueNode, Visitor, visit

    try:
        document = _parse(text)
    except GraphQLError:
        return ""

    class Mask(Visitor):
        def enter(self, node: Any, *_: Any) -> Any:
            if isinstance(node, StringValueNode):
                return StringValueNode(value=MASK)
            return None

    return print_ast(visit(document, Mask()))


def history_entry(text: str, variables: Mapping[str, Any]) -> str:
    """One history/snippet record (JSON): the query's shape and the redacted variables."""
    return json.dumps({"query": shape_only(text), "variables": redact_variables(variables)})


def parse_variables(text: str) -> dict[str, Any]:
    """The variables editor's JSON; ``InvalidInput`` saying what is wrong."""
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"The variables are not valid JSON: {error.msg} (line {error.lineno}, "
            f"column {error.colno})."
        ) from None
    if not isinstance(value, dict):
        raise InvalidInput('The variables must be a JSON object, like {"id": "pat_1"}.')
    return value


@dataclass(frozen=True, slots=True)
class Answer:
    """What the server answered: ``data``, its ``errors`` as sent, and the first permission
    error found among them (shown as such, not as a generic failure)."""

    data: Mapping[str, Any] | None
    errors: tuple[Mapping[str, Any], ...]
    permission: PermissionMissing | None


class ConsoleService:
    """Runs a validated document with the session's client (its token, retries and log)."""

    def __init__(self, client: GraphQLClient) -> None:
        self._client = client

    async def run(self, text: str, variables: Mapping[str, Any]) -> Answer:
        problems = validate(text)
        if problems:
            raise InvalidInput(f"Not sent: {problems[0].message}")
        operation = describe(text)
        document = documents.Operation(operation.name or "", text, operation.is_mutation)
        response: GraphQLResponse = await self._client.execute_document(document, variables)
        return _answer(response)


def _answer(response: GraphQLResponse) -> Answer:
    errors = tuple(_error_json(e) for e in response.errors)
    denied = next((e for e in response.errors if e.is_unauthorized), None)
    return Answer(
        data=response.data,
        errors=errors,
        permission=None if denied is None else permission_missing(denied),
    )


def _error_json(item: GraphQLErrorItem) -> dict[str, Any]:
    out: dict[str, Any] = {"message": item.message}
    if item.error_type:
        out["errorType"] = item.error_type
    if item.path:
        out["path"] = list(item.path)
    return out
