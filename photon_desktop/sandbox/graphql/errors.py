"""AppSync-shaped errors of the sandbox's Clinical API, and how GraphQL errors become them.

Error items look like AppSync's: ``{message, path, locations, errorType, errorInfo}`` and never
``extensions``. ``errorType`` is one of ``Unauthorized``, ``NotFound``, ``ValidationError``
(``errorInfo.field`` names the argument, e.g. ``address.postalCode``, one item per bad field),
``BadRequest``, ``Unsupported`` and ``GraphQLError`` (a document that does not parse/validate).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    VariableNode,
)

log = logging.getLogger(__name__)


class SandboxError(Exception):
    """An execution error with an AppSync ``errorType``."""

    def __init__(self, error_type: str, message: str, info: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.info = info


class InputErrors(Exception):
    """One or more bad arguments; becomes one ``ValidationError`` item per field."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


class InvalidScalar(ValueError):
    """A value an AWS scalar rejects (raised while variables are coerced)."""


def unauthorized(message: str) -> SandboxError:
    return SandboxError("Unauthorized", message)


def not_found(what: str, record_id: Any) -> SandboxError:
    return SandboxError("NotFound", f"{what} {record_id} was not found", {"id": record_id})


def locations(error: GraphQLError) -> list[dict[str, int]] | None:
    if not error.locations:
        return None
    return [{"line": loc.line, "column": loc.column} for loc in error.locations]


def request_error(message: str) -> dict:
    return {
        "data": None,
        "errors": [
            {
                "message": message,
                "path": None,
                "locations": None,
                "errorType": "BadRequest",
                "errorInfo": None,
            }
        ],
    }


def graphql_error(error: GraphQLError) -> dict:
    original = error.original_error
    if isinstance(original, InvalidScalar):  # a bad literal: Expected value of type 'AWS...'
        return {
            "message": error.message,
            "path": error.path,
            "locations": locations(error),
            "errorType": "ValidationError",
            "errorInfo": None,
        }
    return {
        "message": error.message,
        "path": error.path,
        "locations": locations(error),
        "errorType": "GraphQLError",
        "errorInfo": None,
    }


_VARIABLE_ERROR = re.compile(
    r"^Variable '\$(\w+)' has invalid value(?: at ([^:]+))?: (.*)$", re.DOTALL
)
_MISSING_FIELD = re.compile(r"to include required field '(\w+)'")


def variable_arguments(document: DocumentNode) -> dict[str, str]:
    """Which argument each variable feeds, e.g. ``{"zip": "address.postalCode"}``.

    Lets a variable that fails coercion be reported under the argument a form knows about.
    """
    found: dict[str, str] = {}

    def walk_value(node: Any, path: str) -> None:
        if isinstance(node, VariableNode):
            found.setdefault(node.name.value, path)
        elif isinstance(node, ObjectValueNode):
            for object_field in node.fields:
                walk_value(object_field.value, f"{path}.{object_field.name.value}")
        elif isinstance(node, ListValueNode):
            for n, value in enumerate(node.values):
                walk_value(value, f"{path}[{n}]")

    def walk(selections: Any) -> None:
        for selection in selections or ():
            if isinstance(selection, FieldNode):
                for argument in selection.arguments or ():
                    walk_value(argument.value, argument.name.value)
            if getattr(selection, "selection_set", None) is not None:
                walk(selection.selection_set.selections)

    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            walk(definition.selection_set.selections)
    return found


def format_error(error: GraphQLError, arguments: dict[str, str] | None = None) -> list[dict]:
    original = error.original_error
    base = {"path": error.path, "locations": locations(error)}
    if isinstance(original, InputErrors):
        return [
            {
                "message": message,
                **base,
                "errorType": "ValidationError",
                "errorInfo": {"field": name},
            }
            for name, message in original.problems
        ]
    if isinstance(original, SandboxError):
        return [
            {
                "message": original.message,
                **base,
                "errorType": original.error_type,
                "errorInfo": original.info,
            }
        ]
    match = _VARIABLE_ERROR.match(error.message)
    if match:  # variables that fail coercion: name the argument so a form can mark it
        var, at, detail = match.groups()
        path = (arguments or {}).get(var, var) + (at or "")
        missing = _MISSING_FIELD.search(detail)
        if missing:
            path += "." + missing.group(1)
        inner = getattr(original, "original_error", None)
        message = f"{path}: {inner}" if isinstance(inner, InvalidScalar) else error.message
        return [
            {
                "message": message,
                **base,
                "errorType": "ValidationError",
                "errorInfo": {"field": path},
            }
        ]
    if original is not None:
        log.error("sandbox resolver failed", exc_info=original)
        return [
            {
                "message": "Internal sandbox error",
                **base,
                "errorType": "InternalFailure",
                "errorInfo": None,
            }
        ]
    return [graphql_error(error)]
