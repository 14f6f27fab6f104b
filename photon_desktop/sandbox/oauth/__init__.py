"""The sandbox's Auth0-like sign-in server (see :mod:`.endpoints`)."""

from photon_desktop.sandbox.oauth.endpoints import OAuthServer
from photon_desktop.sandbox.oauth.protocol import (
    AUDIENCE,
    CODE_TTL_S,
    loopback_redirect_error,
    s256,
)

__all__ = ["AUDIENCE", "CODE_TTL_S", "OAuthServer", "loopback_redirect_error", "s256"]
