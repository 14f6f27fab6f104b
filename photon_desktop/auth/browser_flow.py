"""The browser sign-in (RFC 8252): authorization code + PKCE S256 in the system browser, the
answer on a loopback receiver, the code exchanged and the ID token checked.

The caller passes ``open_url`` (the system browser) and may pass ``on_link``, which receives the
authorize URL after the receiver listens and before the browser opens ("Copy sign-in link").
Cancelling the awaiting task closes the receiver and saves nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from urllib.parse import urlencode

from photon_desktop import errors
from photon_desktop.auth.grants import Grants
from photon_desktop.auth.loopback import Callback, LoopbackReceiver
from photon_desktop.auth.pkce import Attempt
from photon_desktop.auth.tokens import TokenSet

log = logging.getLogger(__name__)

SIGN_IN_TIMEOUT = 300.0
OPENID_SCOPES = ("openid", "profile", "email")


def authorize_url(
    grants: Grants,
    *,
    client_id: str,
    redirect_uri: str,
    attempt: Attempt,
    organization: str | None = None,
    login_hint: str | None = None,
    offline: bool = True,
) -> str:
    """The authorization request of one attempt (code + PKCE S256, state, nonce, API).

    ``offline``: a refresh token is wanted, so ``offline_access`` is asked for with
    ``prompt=consent`` (OpenID Connect Core §11).
    """
    env = grants.env
    scopes = [*OPENID_SCOPES, *(["offline_access"] if offline else []), *env.api_scopes]
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(dict.fromkeys(scopes)),
        "state": attempt.state,
        "nonce": attempt.nonce,
        "code_challenge": attempt.challenge,
        "code_challenge_method": "S256",
    }
    if offline:
        params["prompt"] = "consent"
    if env.audience:
        params["audience"] = env.audience
    if env.resource:
        params["resource"] = env.resource
    if organization:
        params["organization"] = organization
    if login_hint:
        params["login_hint"] = login_hint
    return grants.provider.authorization_endpoint + "?" + urlencode(params)


def check_callback(grants: Grants, callback: Callback) -> str:
    """The code of an answer that came from our provider (RFC 9207); else ``SignInError``."""
    provider = grants.provider
    if callback.iss is not None or provider.iss_parameter_supported:
        if callback.iss != provider.issuer:
            raise errors.SignInError(
                "The sign-in answer did not come from this environment's provider (its issuer "
                "does not match). Nothing was saved; sign in again."
            )
    if callback.error is not None:
        if callback.error in ("access_denied", "login_required", "consent_required"):
            raise errors.SignInError("Sign-in was cancelled or refused in the browser.")
        raise errors.SignInError(f"The provider could not sign you in ({callback.error}).")
    assert callback.code is not None
    return callback.code


async def sign_in_with_browser(
    grants: Grants,
    *,
    client_id: str,
    open_url: Callable[[str], bool],
    on_link: Callable[[str], None] | None = None,
    ports: Sequence[int] = (),
    organization: str | None = None,
    login_hint: str | None = None,
    give_up_after: float = SIGN_IN_TIMEOUT,
) -> TokenSet:
    """Run one attempt; returns the checked token set or raises ``errors.*``.

    ``open_url`` returning False is not an error: the link stays valid (``on_link``) until the
    timeout.
    """
    attempt = Attempt()
    receiver = LoopbackReceiver(attempt.state, ports=ports)
    try:
        await receiver.start()
        url = authorize_url(
            grants,
            client_id=client_id,
            redirect_uri=receiver.redirect_uri,
            attempt=attempt,
            organization=organization,
            login_hint=login_hint,
        )
        if on_link is not None:
            on_link(url)
        if not open_url(url):
            log.info("The system browser could not be opened; waiting for the copied link")
        callback = await receiver.wait(give_up_after)
        try:
            code = check_callback(grants, callback)
            tokens = await grants.authorization_code(
                client_id=client_id,
                code=code,
                verifier=attempt.verifier,
                redirect_uri=receiver.redirect_uri,
                nonce=attempt.nonce,
                organization=organization,
            )
        except errors.PhotonError as error:
            receiver.finish(str(error))
            raise
        receiver.finish(None)
        return tokens
    finally:
        await receiver.close()
