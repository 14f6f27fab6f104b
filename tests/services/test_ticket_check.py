"""The ticket bundle's environment check against the running sandbox: the very report
``photon-desktop check`` prints, the M2M secret read from the keyring only, and every way it can
fail recorded by failure code instead of raising."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from app_support import process_env
from auth_fakes import MemoryKeyring, installed_memory_keyring

from photon_desktop.auth.environments import CUSTOM
from photon_desktop.auth.secret_store import m2m_secret_user, service_name
from photon_desktop.services import support
from photon_desktop.services.credentials import Environment, Profile, environment_for

Run = Callable[..., Any]


@pytest.fixture
def keyring_backend() -> Iterator[MemoryKeyring]:
    with installed_memory_keyring() as backend:
        yield backend


def custom(sandbox: Any) -> tuple[Environment, Profile]:
    profile = Profile(m2m_client_id=sandbox.m2m_client_id)
    env = CUSTOM.with_endpoints(
        issuer=sandbox.issuer, audience=sandbox.audience, graphql_url=sandbox.graphql_url
    )
    return environment_for(env, profile), profile


def save_secret(backend: MemoryKeyring, env: Environment, client_id: str, secret: str) -> None:
    backend.set_password(service_name(env.key), m2m_secret_user(client_id), secret)


def without_expiry(report: dict[str, Any]) -> dict[str, Any]:
    for step in report["steps"].values():
        step.get("details", {}).pop("expires_at", None)
    return report


def test_the_report_is_the_one_the_command_prints_with_the_keyring_secret(
    run: Run, sandbox: Any, keyring_backend: MemoryKeyring, tmp_path: Path
) -> None:
    env, profile = custom(sandbox)
    save_secret(keyring_backend, env, sandbox.m2m_client_id, sandbox.m2m_client_secret)
    steps: list[str] = []
    report = run(support.environment_check(env, profile, on_step=steps.append), timeout=30)

    printed = subprocess.run(
        [
            sys.executable, "-m", "photon_desktop", "check",
            "--issuer", sandbox.issuer, "--audience", sandbox.audience,
            "--graphql-url", sandbox.graphql_url, "--client-id", sandbox.m2m_client_id,
            "--client-secret-stdin",
        ],
        env=process_env(tmp_path), input=sandbox.m2m_client_secret, capture_output=True,
        text=True, timeout=120, check=False,
    )  # fmt: skip
    assert printed.returncode == 0, printed.stderr
    assert report["ok"] is True
    assert steps == ["discovery", "m2m", "api"]  # the progress the export shows
    assert without_expiry(report) == without_expiry(json.loads(printed.stdout))
    assert keyring_backend.entries == {  # read, never written
        (service_name(env.key), m2m_secret_user(sandbox.m2m_client_id)): sandbox.m2m_client_secret
    }


def test_no_secret_in_the_keyring_is_a_code_not_a_prompt(
    run: Run, sandbox: Any, keyring_backend: MemoryKeyring
) -> None:
    env, profile = custom(sandbox)
    report = run(support.environment_check(env, profile), timeout=30)
    assert report["ok"] is False
    assert report["steps"]["discovery"]["ok"] is True
    assert report["steps"]["m2m"]["code"] == "configuration"
    assert "keyring" in report["steps"]["m2m"]["message"]


def test_a_wrong_secret_in_the_keyring_is_recorded_as_rejected_and_never_shown(
    run: Run, sandbox: Any, keyring_backend: MemoryKeyring
) -> None:
    env, profile = custom(sandbox)
    save_secret(keyring_backend, env, sandbox.m2m_client_id, "a-wrong-saved-secret")
    report = run(support.environment_check(env, profile), timeout=30)
    assert report["steps"]["m2m"]["code"] == "credentials_rejected"
    assert "api" not in report["steps"]
    assert "a-wrong-saved-secret" not in json.dumps(report)


def test_an_unreachable_provider_and_a_slow_one_end_with_their_codes(
    run: Run, sandbox: Any, keyring_backend: MemoryKeyring
) -> None:
    env, profile = custom(sandbox)
    nowhere = env.with_endpoints(
        issuer="http://127.0.0.1:9/", audience=env.audience, graphql_url="http://127.0.0.1:9/gql"
    )
    report = run(support.environment_check(nowhere, profile), timeout=30)
    assert report["steps"]["discovery"]["code"] == "unreachable"

    save_secret(keyring_backend, env, sandbox.m2m_client_id, sandbox.m2m_client_secret)
    sandbox.set_faults(scope="token", latency_ms=20_000)
    report = run(support.environment_check(env, profile, limit_s=1.0), timeout=30)
    assert report["ok"] is False
    assert report["steps"] == {
        "m2m": {
            "ok": False,
            "code": "timed_out",
            "message": "The check did not finish within 1 s (it was at “m2m”).",
        }
    }


def test_no_environment_is_a_report_too(run: Run) -> None:
    report = run(support.environment_check(None, None))
    assert report["ok"] is False and report["steps"]["environment"]["code"] == "configuration"


def test_the_bundle_carries_the_report_and_counts_what_it_removed_from_it() -> None:
    report = {
        "ok": False,
        "environment": "Custom",
        "steps": {
            "discovery": {"ok": True, "code": "ok", "message": "Provider https://idp.example/."},
            "m2m": {
                "ok": False,
                "code": "credentials_rejected",
                "message": "Refused: client_secret=s3cr3t-value for ops@clinic.example",
            },
        },
    }
    bundle = support.ticket_bundle([], environment="Custom", check=report)
    text = bundle.text()
    assert "s3cr3t-value" not in text and "ops@clinic.example" not in text
    assert bundle.removed == {"environment check values": 2}
    assert "environment check values (2)" in bundle.summary()
    saved = json.loads(text)["check"]
    assert saved["steps"]["m2m"]["code"] == "credentials_rejected"
    assert saved["steps"]["discovery"]["message"] == "Provider https://idp.example/."
