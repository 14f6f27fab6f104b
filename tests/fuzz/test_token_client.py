"""The token client under any answer: whatever status, headers and body the token endpoint
sends (or a transport failure), each grant ends in a token set or a ``PhotonError`` whose text
is a short sentence that never echoes the answer's tokens or free text (they may carry secrets;
only a non-Bearer ``token_type`` is named, cut short), never another exception.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from hypothesis import given
from hypothesis import strategies as st
from profiles import fuzz

from photon_desktop.auth.discovery import built_in
from photon_desktop.auth.environments import PHOTON_SANDBOX
from photon_desktop.auth.grants import Grants
from photon_desktop.auth.tokens import TokenSet
from photon_desktop.errors import PhotonError

ENV = PHOTON_SANDBOX  # any MockTransport answer stands in for its token endpoint
MARKER = "SECRETMARKER"  # put in every generated body; must never reach a message

_json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=20).map(lambda t: MARKER + t),
)
_oauth_fields = st.fixed_dictionaries(
    {},
    optional={
        "access_token": st.one_of(_json_scalars, st.just("eyJ.e30.sig")),
        # The one value a message may quote (cut to 20 characters): the kind of token issued.
        "token_type": st.one_of(
            st.text(max_size=40), st.sampled_from(["Bearer", "bearer", "DPoP"])
        ),
        "expires_in": st.one_of(_json_scalars, st.sampled_from(["3600", "1e999", "NaN", "-5"])),
        "refresh_token": _json_scalars,
        "id_token": st.one_of(_json_scalars, st.just("a.b.c")),
        "scope": _json_scalars,
        "error": st.one_of(
            _json_scalars,
            st.sampled_from(["invalid_grant", "invalid_client", "invalid_scope", "access_denied"]),
        ),
        "error_description": _json_scalars,
    },
)
SUCCESS = st.fixed_dictionaries(
    {"access_token": st.text(min_size=1, max_size=40), "token_type": st.just("Bearer")},
    optional={"expires_in": _json_scalars, "scope": _json_scalars, "refresh_token": _json_scalars},
)
BODIES = st.one_of(
    SUCCESS.map(json.dumps),
    _oauth_fields.map(json.dumps),
    st.recursive(
        _json_scalars,
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
        max_leaves=10,
    ).map(json.dumps),
    st.binary(max_size=64).map(lambda b: MARKER.encode() + b),
    st.just("[" * 5000),  # nesting deep enough to trouble a recursive parser
    st.just('{"access_token": "' + MARKER + '", "token_type": "Bearer"'),  # truncated
)
HEADERS = st.dictionaries(
    st.sampled_from(["Content-Type", "Retry-After", "WWW-Authenticate", "Cache-Control"]),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30),
)
FAILURES = st.none() | st.sampled_from(
    [
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("closed"),
        httpx.ProxyError("proxy"),
        httpx.DecodingError("gzip"),
    ]
)
GRANTS = st.sampled_from(["client_credentials", "refresh"])


async def exchange(grant: str, transport: httpx.MockTransport) -> TokenSet:
    async with httpx.AsyncClient(transport=transport) as http:
        grants = Grants(http, ENV, built_in(ENV))
        if grant == "client_credentials":
            return await grants.client_credentials("m2m-client", "m2m-secret")
        return await grants.refresh("native-client", "refresh-token-value")


@fuzz()
@given(
    grant=GRANTS,
    status=st.one_of(
        st.sampled_from([200, 400, 401, 403, 404, 429, 500, 502, 503]), st.integers(100, 599)
    ),
    headers=HEADERS,
    body=BODIES,
    failure=FAILURES,
)
def test_any_answer_of_the_token_endpoint_is_a_token_set_or_a_clear_error(
    grant: str, status: int, headers: dict[str, str], body: Any, failure: Exception | None
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if failure is not None:
            raise failure
        content = body.encode() if isinstance(body, str) else body
        return httpx.Response(status, headers=headers, content=content)

    try:
        tokens = asyncio.run(exchange(grant, httpx.MockTransport(answer)))
    except PhotonError as error:
        message = str(error)
        assert message.strip() and message.rstrip()[-1] in ".?)", message
        assert MARKER not in message, message
        assert len(message) < 400, message  # no page of the answer's text in a dialog
        assert "secret" not in message.lower() or "client secret" in message.lower(), message
        return
    assert isinstance(tokens, TokenSet)
    assert status == 200 and failure is None
