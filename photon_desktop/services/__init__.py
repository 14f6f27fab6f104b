"""What views ask for. One ``Services`` per signed-in environment, built on an injected client.

    services = Services(http, environment.graphql_url, session)
    page = await services.patients.search("smith")

Views never see httpx or GraphQL: they get ``api.models`` objects or ``errors.PhotonError``.

Paging: ``Page.has_more`` is true when a full page came back (so the last, exactly full page
costs one extra, empty request); ``Page.cursor`` is the last item's id, passed back as ``after``.
Pharmacies are offset-paged: their ``cursor`` is the next offset as a string.

Reads are retried (network errors, 5xx, 429, undecodable answers; 3 attempts). Writes are sent
once; a failed write that was not definitely refused is checked (see ``services.outcomes``),
never resent by this layer.

Creating records: the caller owns the submission's ``externalId``. A form calls
``new_external_id()`` once and puts it in every send of that form (``PatientInput.external_id``,
``PrescriptionInput.external_id``, ``orders.create(..., external_id=)``), so "try again" after any
failure can never create a second record: the service returns the one already saved.
"""

from __future__ import annotations

import httpx

from photon_desktop.api.activity import Activity
from photon_desktop.api.client import GraphQLClient
from photon_desktop.api.request_log import RequestLog
from photon_desktop.api.retry import RetryPolicy
from photon_desktop.auth.token_source import TokenSource
from photon_desktop.services.catalog import CatalogService
from photon_desktop.services.catalogs import CatalogEditor
from photon_desktop.services.console import ConsoleService
from photon_desktop.services.orders import OrdersService
from photon_desktop.services.organization import OrganizationService
from photon_desktop.services.organizations import OrganizationsService
from photon_desktop.services.outcomes import is_app_external_id, new_external_id
from photon_desktop.services.patient_chart import PatientChartService
from photon_desktop.services.patients import PatientsService
from photon_desktop.services.prescriptions import PrescriptionsService

__all__ = [
    "Activity",
    "CatalogService",
    "ConsoleService",
    "OrdersService",
    "OrganizationService",
    "OrganizationsService",
    "PatientChartService",
    "PatientsService",
    "PrescriptionsService",
    "RequestLog",
    "Services",
    "is_app_external_id",
    "new_external_id",
]


class Services:
    """The service objects of one environment, sharing one GraphQL client, log and activity."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        graphql_url: str,
        tokens: TokenSource,
        *,
        user_agent: str | None = None,
        retry: RetryPolicy | None = None,
        request_log: RequestLog | None = None,
    ) -> None:
        self._made_with = (http, graphql_url, tokens, user_agent, retry)
        self.activity = Activity()
        self.request_log = request_log or RequestLog()
        self.client = GraphQLClient(
            http,
            graphql_url,
            tokens,
            request_log=self.request_log,
            activity=self.activity,
            retry=retry,
            user_agent=user_agent,
        )
        self.patients = PatientsService(self.client)
        self.prescriptions = PrescriptionsService(self.client)
        self.orders = OrdersService(self.client)
        self.catalog = CatalogService(self.client)
        self.catalogs = CatalogEditor(self.client, self.catalog)
        self.chart = PatientChartService(self.client)
        self.console = ConsoleService(self.client)
        self.organization = OrganizationService(self.client)
        self.organizations = OrganizationsService(self.client)

    def renewed(self) -> Services:
        """Services over the same connection with nothing remembered (another organization's
        sign-in: no cache, log or activity of the previous one carries over)."""
        http, graphql_url, tokens, user_agent, retry = self._made_with
        return Services(http, graphql_url, tokens, user_agent=user_agent, retry=retry)

    async def aclose(self) -> None:
        """Drop session caches. The injected ``http`` client belongs to its creator."""
        self.catalog.clear_cache()
