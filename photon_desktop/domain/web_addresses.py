"""Which web addresses may carry secrets and tokens: https, or plain http to this computer only.

One rule for every address the app sends credentials to: the ones a user types in Settings and
the ones an OpenID provider's discovery document lists (a provider behind a TLS proxy often
lists its own http:// addresses, and the client secret would then cross the network in clear).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback IP address (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def encrypted_or_local(url: str) -> bool:
    """https, or http to this computer (a local sandbox or provider); False for anything else."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    host = parts.hostname or ""
    if not host:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and is_loopback(host))
