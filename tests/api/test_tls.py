"""The shared TLS context trusts nothing until its certificates are loaded, and no request uses it
before then: an https request waits for the load (and then checks the server against it), plain
http never starts it. Real servers on loopback, real certificates made for the test."""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import ssl
import threading
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from photon_desktop import errors
from photon_desktop.api import tls
from photon_desktop.api.client import create_http_client

Run = Callable[[Coroutine[Any, Any, Any]], Any]


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _authority(folder: Path, label: str) -> tuple[Path, Any, Any]:
    """A certificate authority: its PEM file, certificate and key."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(label))
        .issuer_name(_name(label))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, key_cert_sign=True, crl_sign=True,
                content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    path = folder / f"{label}.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path, cert, key


def _server_files(folder: Path, ca_cert: Any, ca_key: Any) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by the authority, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    cert_path, key_path = folder / "server.pem", folder / "server.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class _Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "5")
        self.end_headers()
        self.wfile.write(b"hello")

    def log_message(self, *_args: Any) -> None:
        pass


def _serve(context: ssl.SSLContext | None) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    scheme = "https" if context is not None else "http"
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def fresh_trust(monkeypatch: pytest.MonkeyPatch) -> None:
    """A shared context not made yet and no load started (as at launch)."""
    monkeypatch.setattr(tls, "_context", None)
    monkeypatch.setattr(tls, "_loaded", None)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)


@pytest.fixture
def authority(tmp_path: Path) -> tuple[Path, Any, Any]:
    return _authority(tmp_path, "test-authority")


@pytest.fixture
def https_url(tmp_path: Path, authority: tuple[Path, Any, Any]) -> Iterator[str]:
    _, ca_cert, ca_key = authority
    cert, key = _server_files(tmp_path, ca_cert, ca_key)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    yield from _serve(context)


@pytest.fixture
def http_url() -> Iterator[str]:
    yield from _serve(None)


async def _get(url: str) -> httpx.Response:
    async with create_http_client() as client:
        return await client.get(url)


def test_plain_http_never_loads_the_trusted_certificates(
    fresh_trust: None, http_url: str, run: Run
) -> None:
    assert run(_get(http_url)).text == "hello"
    assert tls._loaded is None  # nothing was loaded for it


def test_the_first_https_request_waits_for_the_certificates_then_is_checked_against_them(
    fresh_trust: None,
    https_url: str,
    authority: tuple[Path, Any, Any],
    monkeypatch: pytest.MonkeyPatch,
    run: Run,
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(authority[0]))
    create_http_client()
    assert tls._loaded is None and tls.context().cert_store_stats()["x509_ca"] == 0
    assert run(_get(https_url)).text == "hello"
    assert tls._loaded is not None and tls._loaded.done()
    assert tls.context().cert_store_stats()["x509_ca"] == 1


@pytest.mark.parametrize(
    ("trusted", "refused", "says"),
    [
        # A server the loaded certificates do not vouch for is refused, as before.
        ("another-authority", httpx.ConnectError, "CERTIFICATE_VERIFY_FAILED"),
        # Certificates that cannot be read are said to be that, not a connection error.
        ("missing", errors.ConfigurationError, "trusted certificates could not be read"),
    ],
)
def test_without_certificates_that_vouch_for_the_server_nothing_is_sent(
    fresh_trust: None,
    https_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    run: Run,
    trusted: str,
    refused: type[Exception],
    says: str,
) -> None:
    bundle = _authority(tmp_path, trusted)[0] if trusted != "missing" else tmp_path / "none.pem"
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    with pytest.raises(refused, match=says):
        run(_get(https_url))


def test_an_untrusted_certificate_is_said_as_such_wherever_the_connection_fails(
    fresh_trust: None,
    https_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    run: Run,
) -> None:
    """Discovery, the token endpoint and the API each name the certificate and what to do (a
    network that inspects secure traffic), not "check your connection"."""
    from photon_desktop.api.errors_map import from_transport
    from photon_desktop.auth import discovery
    from photon_desktop.auth.token_endpoint import map_http_error

    other, _, _ = _authority(tmp_path, "another-authority")
    monkeypatch.setenv("SSL_CERT_FILE", str(other))

    async def failures() -> tuple[BaseException, httpx.HTTPError]:
        async with create_http_client() as client:
            try:
                await discovery.discover(client, https_url)
            except errors.PhotonError as said:
                found: BaseException = said
            try:
                await client.post(https_url + "oauth/token")
            except httpx.HTTPError as raw:
                return found, raw
        raise AssertionError("the untrusted server was reached")

    found, raw = run(failures())
    told = [found, map_http_error(https_url + "oauth/token", raw), from_transport(raw)]
    for error in told:
        assert isinstance(error, errors.ConfigurationError), error
        assert "127.0.0.1" in str(error) and "certificate is not trusted" in str(error)
        assert "unable to get local issuer certificate" in str(error)  # ssl's own reason
        assert "SSL_CERT_FILE" in str(error)
    assert errors.untrusted_certificate("host", httpx.ConnectError("refused")) is None


def _own_store(monkeypatch: pytest.MonkeyPatch, cafile: Path | None) -> None:
    """This computer's own trusted authorities, as OpenSSL would find them, made for the test."""
    found = ssl.DefaultVerifyPaths(str(cafile) if cafile else None, None, "", "", "", "")
    monkeypatch.setattr(tls, "system_store", lambda: found)


@pytest.mark.parametrize("own", ["authority", "nothing"])
def test_the_computers_own_authorities_are_trusted_beside_certifis(
    fresh_trust: None,
    https_url: str,
    authority: tuple[Path, Any, Any],
    monkeypatch: pytest.MonkeyPatch,
    run: Run,
    own: str,
) -> None:
    """An authority the clinic's IT team added to the computer (a network that inspects secure
    traffic) is trusted with no setting; one that is not there, certifi's alone do not vouch for."""
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    _own_store(monkeypatch, authority[0] if own == "authority" else None)
    if own == "nothing":
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            run(_get(https_url))
        return
    assert run(_get(https_url)).text == "hello"
    assert tls.context().cert_store_stats()["x509_ca"] > 100  # certifi's as well


def test_a_named_bundle_is_trusted_alone(
    fresh_trust: None,
    https_url: str,
    authority: tuple[Path, Any, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    run: Run,
) -> None:
    """``SSL_CERT_FILE`` says exactly what to trust, as for httpx: not the computer's own too."""
    monkeypatch.setenv("SSL_CERT_FILE", str(_authority(tmp_path, "another-authority")[0]))
    _own_store(monkeypatch, authority[0])
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        run(_get(https_url))
