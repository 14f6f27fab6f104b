"""The sandbox's Clinical API: ``POST /graphql`` executed with graphql-core against the contract.

The HTTP half (``server``) verifies the token, builds a :class:`~accounts.Principal` and calls
:meth:`ClinicalAPI.execute`; everything after that lives in this package: permissions
(Photon's published scopes, held in ``accounts``), AppSync-shaped errors (``errors``), input
checks (``validation``), resolvers (``queries``, ``fields``, ``mutations``) over
:class:`store.Store`.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from importlib import resources
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    build_ast_schema,
    execute,
    parse,
    validate,
)
from graphql.validation.validate import assert_valid_sdl

from photon_desktop.sandbox.accounts import Principal
from photon_desktop.sandbox.clock import Clock
from photon_desktop.sandbox.demo import Reference
from photon_desktop.sandbox.faults import UNKNOWN_ENUM_VALUE
from photon_desktop.sandbox.graphql.administration import Administration
from photon_desktop.sandbox.graphql.context import Context, Resolver
from photon_desktop.sandbox.graphql.depth import MAX_DEPTH, query_depth
from photon_desktop.sandbox.graphql.errors import (
    SandboxError,
    format_error,
    graphql_error,
    request_error,
    variable_arguments,
)
from photon_desktop.sandbox.graphql.fields import type_resolvers
from photon_desktop.sandbox.graphql.mutations import Mutations
from photon_desktop.sandbox.graphql.queries import query_resolvers
from photon_desktop.sandbox.graphql.scalars import install_scalars
from photon_desktop.sandbox.pharmacy import PharmacyRates
from photon_desktop.sandbox.records import Org, UserRecord
from photon_desktop.sandbox.store import Store

_DOCUMENT_CACHE_SIZE = 512


@functools.cache
def _contract() -> DocumentNode:
    """``schema.graphql`` parsed, and checked as a schema definition (an error raises here)."""
    text = resources.files("photon_desktop").joinpath("schema.graphql").read_text("utf-8")
    document = parse(text)
    assert_valid_sdl(document)
    return document


class ClinicalAPI:
    """The GraphQL half of the sandbox. Thread-safe: one request executes at a time."""

    def __init__(
        self,
        *,
        seed: int = 1,
        patients: int = 200,
        clock: Clock | None = None,
        pharmacy: PharmacyRates | None = None,
        organization: int = 0,
        members: dict[str, UserRecord] | None = None,
        reference: Reference | None = None,
        memberships: Callable[[str | None], list[Org]] | None = None,
    ) -> None:
        """One organization's API; ``memberships`` says which organizations a user belongs to
        when a run has several (see :class:`~photon_desktop.sandbox.organizations.Directory`)."""
        self.clock = clock or Clock()
        self.store = Store(
            seed=seed,
            patients=patients,
            clock=self.clock,
            pharmacy=pharmacy,
            organization=organization,
            members=members,
            reference=reference,
        )
        self.memberships = memberships or (lambda _email: [self.store.org])
        self.org_id = self.store.org.id
        self.org_name = self.store.org.name
        # Each organization binds its own resolvers, so each has its own schema; the contract is
        # parsed and checked once per process (a run has two organizations).
        self.schema = build_ast_schema(_contract(), assume_valid_sdl=True)
        install_scalars(self.schema)
        self._documents: OrderedDict[str, DocumentNode | list[GraphQLError]] = OrderedDict()
        self._lock = threading.Lock()
        self._mutations = Mutations(self.store)
        self._administration = Administration(self.store)
        self._spoiling = False  # set (under the lock) while a bad_enum_after fault executes
        self._bind()
        self._wrap_enums()

    # ------------------------------------------------------------ public

    def organizations_of(self, email: str) -> list[tuple[str, str]]:
        """(id, name) of each organization ``email`` may sign in to."""
        return [(org.id, org.name) for org in self.memberships(email.strip().lower())]

    def user_id(self, email: str) -> str:
        """The ``usr_`` id of a demo user (``KeyError`` for anyone else)."""
        return self.store.users[email.strip().lower()].id

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "patients": self.store.patient_count,
                "prescriptions": self.store.rx_count,
                "orders": self.store.order_count,
                "mutations": dict(self._mutations.counts),
            }

    def pharmacy_rates(self) -> dict[str, float]:
        with self._lock:
            return self.store.progress.rates.to_dict()

    def set_pharmacy_rates(self, raw: Any) -> dict[str, float]:
        """Replace the rates for orders that reach a pharmacy from now on (``ValueError``)."""
        rates = PharmacyRates.from_dict(raw)
        with self._lock:
            self.store.progress.rates = rates
        return rates.to_dict()

    def records_with_external_id(self, external_id: str) -> dict[str, Any]:
        """How many records of each kind carry ``external_id``, and their ids (for admin)."""
        with self._lock:
            return self.store.records_with_external_id(external_id)

    def execute(self, body: dict, principal: Principal, *, spoil_enums: bool = False) -> dict:
        """Run one GraphQL request body; never raises for bad client input.

        ``spoil_enums`` (a fault): the request runs as usual, but every enum value in the answer
        is replaced by one the schema does not define.
        """
        if not isinstance(body, dict):
            return request_error("The request body must be a JSON object")
        query = body.get("query")
        variables = body.get("variables")
        operation = body.get("operationName")
        if not isinstance(query, str) or not query.strip():
            return request_error("The request has no GraphQL query")
        if variables is not None and not isinstance(variables, dict):
            return request_error("variables must be a JSON object")
        if operation is not None and not isinstance(operation, str):
            return request_error("operationName must be a string")
        if principal.org_id and principal.org_id != self.org_id:
            return {
                "data": None,
                "errors": [
                    {
                        "message": "Not authorized: the token belongs to another organization",
                        "path": None,
                        "locations": None,
                        "errorType": "Unauthorized",
                        "errorInfo": None,
                    }
                ],
            }
        document = self._document(query)
        if isinstance(document, list):
            return {"data": None, "errors": [graphql_error(e) for e in document]}
        with self._lock:
            context = Context(
                principal=principal,
                now=self.clock.now(),
                store=self.store,
                memberships=self.memberships,
            )
            self._spoiling = spoil_enums
            try:
                result = execute(
                    self.schema,
                    document,
                    context_value=context,
                    variable_values=variables,
                    operation_name=operation,
                )
            except RecursionError:
                return request_error("variables are nested too deeply")
            finally:
                self._spoiling = False
        assert not hasattr(result, "__await__")
        answer: dict[str, Any] = {"data": result.data}  # type: ignore[union-attr]
        errors = result.errors  # type: ignore[union-attr]
        if errors:
            arguments = variable_arguments(document) if answer["data"] is None else {}
            answer["errors"] = [item for e in errors for item in format_error(e, arguments)]
        return answer

    # ------------------------------------------------------------ documents

    def _document(self, query: str) -> DocumentNode | list[GraphQLError]:
        """Parse and validate once per distinct query text (LRU)."""
        with self._lock:
            cached = self._documents.get(query)
            if cached is not None:
                self._documents.move_to_end(query)
                return cached
        document: DocumentNode | list[GraphQLError]
        try:
            parsed = parse(query)
            depth = query_depth(parsed)
            if depth > MAX_DEPTH:
                raise GraphQLError(
                    f"The query nests {depth} levels deep; the limit is {MAX_DEPTH}."
                )
            problems = validate(self.schema, parsed)
        except GraphQLError as error:
            document = [error]
        except RecursionError:
            document = [GraphQLError("The query is nested too deeply")]
        else:
            document = problems or parsed
        with self._lock:
            self._documents[query] = document
            if len(self._documents) > _DOCUMENT_CACHE_SIZE:
                self._documents.popitem(last=False)
        return document

    # ------------------------------------------------------------ binding

    def _bind(self) -> None:
        """Attach resolvers; every other Query/Mutation field answers ``Unsupported``."""
        query = self.schema.query_type
        mutation = self.schema.mutation_type
        assert query is not None and mutation is not None
        for root, table in (
            (query, {**query_resolvers(self.store), **self._administration.queries()}),
            (mutation, {**self._mutations.resolvers(), **self._administration.mutations()}),
        ):
            for name, gql_field in root.fields.items():
                gql_field.resolve = table.get(name) or _unsupported(name)
        for type_name, resolvers in type_resolvers(self.store).items():
            gql_type = self.schema.type_map[type_name]
            assert isinstance(gql_type, GraphQLObjectType)
            for name, resolver in resolvers.items():
                gql_type.fields[name].resolve = resolver
        treatment = self.schema.type_map["Treatment"]
        assert isinstance(treatment, GraphQLInterfaceType)
        treatment.resolve_type = lambda value, _info, _type: value.kind

    def _wrap_enums(self) -> None:
        """Let a fault make every enum in an answer a value the client cannot know."""
        for gql_type in self.schema.type_map.values():
            if isinstance(gql_type, GraphQLEnumType) and not gql_type.name.startswith("__"):
                coerce = gql_type.coerce_output_value

                def spoilable(value: Any, coerce: Callable[[Any], str] = coerce) -> str:
                    return UNKNOWN_ENUM_VALUE if self._spoiling else coerce(value)

                gql_type.coerce_output_value = spoilable  # type: ignore[method-assign,assignment]


def _unsupported(name: str) -> Resolver:
    def resolve(*_args: Any, **_kwargs: Any) -> Any:
        raise SandboxError("Unsupported", f"{name} is not supported by the sandbox")

    return resolve
