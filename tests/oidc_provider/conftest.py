"""The OpenID provider fixtures for this folder (see ``oidc_fixture``)."""

from __future__ import annotations

from oidc_fixture import oidc_provider, oidc_provider_factory

__all__ = ["oidc_provider", "oidc_provider_factory"]
