"""What an OAuth client secret is, wherever one is typed, pasted or piped in.

RFC 6749 App. A.2: ``client-secret = *VSCHAR``, printable ASCII (``%x20-7E``, space included).
Whitespace and line breaks around it are never part of it: they come with a copy from a dashboard
or ``echo "$SECRET" |``, and a secret kept with them is refused by every later exchange. Inside it,
a line break, tab or non-ASCII character means the copy went wrong, so it is refused with a reason
rather than sent.
"""

from __future__ import annotations

import re

_VSCHARS = re.compile(r"^[\x20-\x7e]+$")


def client_secret(text: str) -> str:
    """The secret in ``text``: without the whitespace and line breaks around it."""
    return text.strip()


def check_client_secret(text: str, *, required: bool) -> str | None:
    """None when ``text`` holds a secret OAuth allows (or nothing, when not ``required``),
    else what to fix."""
    secret = client_secret(text)
    if not secret:
        return "Enter the client secret." if required else None
    if not _VSCHARS.match(secret):
        return (
            "A client secret is made of printable characters (letters, digits, punctuation); "
            "this one contains a line break, a tab or a symbol outside plain ASCII. Copy it "
            "again from the Photon dashboard."
        )
    return None
