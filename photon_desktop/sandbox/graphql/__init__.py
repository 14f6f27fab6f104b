"""The sandbox's Clinical API over graphql-core (see :mod:`.api`)."""

from photon_desktop.sandbox.graphql.api import ClinicalAPI

__all__ = ["ClinicalAPI"]
