"""The provider's signing keys are fetched again when an ID token names a key not yet seen (a
rotation, or a local sandbox restarted with a new key), once per such token, never otherwise."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import jwt
import pytest
from auth_fakes import ENV
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from photon_desktop import errors
from photon_desktop.auth.discovery import built_in
from photon_desktop.auth.grants import Grants

CLIENT = "native-client"


def key_set(*keys: tuple[str, Any]) -> dict[str, Any]:
    found = []
    for kid, key in keys:
        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
        found.append({**jwk, "kid": kid, "alg": "RS256", "use": "sig"})
    return {"keys": found}


def id_token(kid: str, key: Any) -> str:
    now = int(time.time())
    claims = {"iss": ENV.issuer, "aud": CLIENT, "sub": "u1", "iat": now, "exp": now + 300}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def test_a_new_key_is_fetched_once_and_an_unknown_one_still_refused() -> None:
    old, new = (rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in "ab")
    published = [key_set(("k-old", old))]
    fetches: list[str] = []

    def provider(request: httpx.Request) -> httpx.Response:
        fetches.append(str(request.url))
        return httpx.Response(200, json=published[0])

    async def scenario() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(provider)) as http:
            grants = Grants(http, ENV, built_in(ENV))
            assert (await grants.check_id_token(id_token("k-old", old), CLIENT, nonce=None))[
                "sub"
            ] == "u1"
            await grants.check_id_token(id_token("k-old", old), CLIENT, nonce=None)
            assert len(fetches) == 1  # known keys are not fetched again

            published[0] = key_set(("k-new", new))  # the provider rotated its key
            await grants.check_id_token(id_token("k-new", new), CLIENT, nonce=None)
            assert len(fetches) == 2

            forged = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            with pytest.raises(errors.SignInError, match="not signed by the provider"):
                await grants.check_id_token(id_token("k-forged", forged), CLIENT, nonce=None)
            assert len(fetches) == 3  # one look for the unknown key, then refused
            with pytest.raises(errors.SignInError, match="not signed by the provider"):
                await grants.check_id_token(id_token("k-new", forged), CLIENT, nonce=None)
            assert len(fetches) == 3  # a known key id with a bad signature fetches nothing

    asyncio.run(scenario())
