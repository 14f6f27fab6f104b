"""A sandbox served in this process on a real loopback socket, on a clock the test moves.

``build_sandbox`` behind uvicorn in a thread, like the CLI but with a :class:`ManualTime` source:
a test advances time (token expiry, code and refresh lifetimes, the order clock) instead of
sleeping. Waiting for the server to listen is an event, not a poll.
"""

from __future__ import annotations

import secrets
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from oauth_support import pkce_challenge

from photon_desktop.sandbox.clock import Clock, ManualTime
from photon_desktop.sandbox.graphql import ClinicalAPI
from photon_desktop.sandbox.server import Sandbox, build_sandbox

REDIRECT = "http://127.0.0.1:53682/callback"
USER_SCOPE = "openid profile email offline_access"


class _Server(uvicorn.Server):
    """uvicorn that says when it listens."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.listening = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.listening.set()


@dataclass
class Embedded:
    built: Sandbox
    time: ManualTime
    http: httpx.Client

    @property
    def url(self) -> str:
        return self.built.issuer

    def m2m_token(self) -> str:
        answer = self.http.post(
            self.url + "oauth/token",
            json={
                "grant_type": "client_credentials",
                "client_id": self.built.announcement()["m2m"]["client_id"],
                "client_secret": self.built.m2m_secret,
                "audience": self.built.audience,
            },
        )
        answer.raise_for_status()
        return str(answer.json()["access_token"])

    def code(self, email: str, verifier: str, scope: str = USER_SCOPE, **extra: str) -> str:
        """Drive ``/authorize`` and the decision form; the code from the redirect."""
        challenge = pkce_challenge(verifier)
        params = {
            "client_id": self.built.announcement()["native_client_id"],
            "redirect_uri": REDIRECT,
            "response_type": "code",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": "s",
            "audience": self.built.audience,
            "scope": scope,
            "login_hint": email,
            **extra,
        }
        page = self.http.get(self.url + "authorize", params=params)
        assert page.status_code == 200, page.text
        transaction = page.text.split('name="transaction" value="')[1].split('"')[0]
        decision = self.http.post(
            self.url + "authorize/decision",
            data={"transaction": transaction, "user": email, "action": "continue"},
        )
        return parse_qs(urlsplit(decision.headers["location"]).query)["code"][0]

    def exchange(self, code: str, verifier: str) -> httpx.Response:
        return self.http.post(
            self.url + "oauth/token",
            data={
                "grant_type": "authorization_code",
                "client_id": self.built.announcement()["native_client_id"],
                "code": code,
                "code_verifier": verifier,
                "redirect_uri": REDIRECT,
            },
        )

    def sign_in(self, email: str, scope: str = USER_SCOPE, **extra: str) -> dict[str, Any]:
        verifier = secrets.token_urlsafe(48)
        answer = self.exchange(self.code(email, verifier, scope, **extra), verifier)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())


@contextmanager
def embedded_sandbox(
    *,
    patients: int = 20,
    key: rsa.RSAPrivateKey | None = None,
    kid: str | None = None,
    **options: Any,
) -> Iterator[Embedded]:
    time = ManualTime()
    clock = Clock(source=time)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    issuer = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    api = ClinicalAPI(seed=1, patients=patients, clock=clock)
    built = build_sandbox(api, issuer=issuer, clock=clock, signing_key=key, kid=kid, **options)
    server = _Server(uvicorn.Config(built.app, lifespan="off", access_log=False, log_config=None))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        assert server.listening.wait(30), "the embedded sandbox did not start"
        with httpx.Client(timeout=10) as http:
            yield Embedded(built=built, time=time, http=http)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
