"""The typed records every layer speaks: patients, prescriptions, orders, pharmacies, treatments."""

from photon_desktop.domain.records import *  # noqa: F403
