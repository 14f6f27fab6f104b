"""Photon Desktop: a native desktop client for Photon Health's Clinical API."""

__version__ = "0.1.0"
APP_NAME = "Photon Desktop"
ORG_NAME = "Photon Desktop"
