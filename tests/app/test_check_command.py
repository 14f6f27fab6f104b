"""``photon-desktop check`` as a person or a script runs it: a real process against the sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from app_support import process_env


def check(tmp_path: Path, *args: str, stdin: str = "") -> tuple[int, Any, str, str]:
    done = subprocess.run(
        [sys.executable, "-m", "photon_desktop", "check", *args],
        env=process_env(tmp_path),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    out = done.stdout.strip()
    parsed = json.loads(out) if out.startswith("{") else out
    return done.returncode, parsed, done.stdout, done.stderr


def custom(sandbox: Any) -> list[str]:
    return [
        "--issuer", sandbox.issuer.rstrip("/"),  # typed without the slash: discovery decides
        "--audience", sandbox.audience,
        "--graphql-url", sandbox.graphql_url,
        "--client-id", sandbox.m2m_client_id,
        "--client-secret-stdin",
    ]  # fmt: skip


def test_a_working_environment_reports_every_step_and_exits_0(tmp_path: Path, sandbox: Any) -> None:
    code, result, out, err = check(tmp_path, *custom(sandbox), stdin=sandbox.m2m_client_secret)
    assert code == 0, (out, err)
    assert result["ok"] is True and result["environment"] == "Custom"
    steps = result["steps"]
    assert list(steps) == ["discovery", "m2m", "api"]
    assert steps["discovery"]["details"]["issuer"] == sandbox.issuer
    assert steps["discovery"]["details"]["discovered"] is True
    granted = steps["m2m"]["details"]
    assert "read:patient" in granted["permissions"]
    assert "write:prescription" not in granted["permissions"]
    assert granted["expires_at"]
    assert steps["api"]["ok"] and steps["api"]["details"]["organization"]
    assert sandbox.m2m_client_secret not in out + err  # never printed
    assert "eyJ" not in out + err  # nor any token


def test_a_wrong_secret_fails_with_a_stable_code(tmp_path: Path, sandbox: Any) -> None:
    code, result, out, err = check(tmp_path, *custom(sandbox), stdin="not-the-secret")
    assert code == 1
    assert result["ok"] is False
    assert result["steps"]["m2m"]["code"] == "credentials_rejected"
    assert result["steps"]["m2m"]["message"]
    assert "api" not in result["steps"]
    assert "not-the-secret" not in out + err


@pytest.mark.parametrize(
    ("args", "step", "code_"),
    [
        (["--issuer", "http://127.0.0.1:9", "--client-id", "x"], "discovery", "unreachable"),
        (["custom"], "environment", "configuration"),
    ],
    ids=["nothing-listens", "no-issuer"],
)
def test_failures_have_a_code_and_a_message(
    tmp_path: Path, args: list[str], step: str, code_: str
) -> None:
    code, result, _, _ = check(tmp_path, *args)
    assert code == 1
    assert result["steps"][step]["code"] == code_ and result["steps"][step]["message"]


def test_a_secret_piped_with_echo_and_spaces_around_it_works(tmp_path: Path, sandbox: Any) -> None:
    stdin = f"  {sandbox.m2m_client_secret} \n"
    code, result, out, err = check(tmp_path, *custom(sandbox), stdin=stdin)
    assert code == 0, (out, err)
    assert result["steps"]["m2m"]["ok"] is True


def test_a_secret_with_a_tab_inside_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    args = ["--issuer", "http://127.0.0.1:9", "--client-id", "x", "--client-secret-stdin"]
    code, result, out, err = check(tmp_path, *args, stdin="half\tother-half\n")
    assert code == 1
    assert list(result["steps"]) == ["m2m"]  # not even discovery
    assert result["steps"]["m2m"]["code"] == "configuration"
    assert "Copy it again" in result["steps"]["m2m"]["message"]
    assert "other-half" not in out + err


def test_nothing_to_sign_in_with_is_not_ok(tmp_path: Path) -> None:
    """A new user's first "check sandbox": no client ID saved. Discovery alone (built in for
    Photon's tenants, no network) is no reason to say OK."""
    code, result, out, err = check(tmp_path, "sandbox")
    assert code == 1, (out, err)
    assert result["ok"] is False
    assert result["steps"]["discovery"]["ok"] is True
    assert result["steps"]["m2m"]["code"] == "configuration"
    assert "No M2M client ID" in result["steps"]["m2m"]["message"]


def test_no_secret_anywhere_says_where_to_give_it(tmp_path: Path, sandbox: Any) -> None:
    args = [a for a in custom(sandbox) if a != "--client-secret-stdin"]
    code, result, _, _ = check(tmp_path, *args)
    assert code == 1
    assert "--client-secret-stdin" in result["steps"]["m2m"]["message"]


def test_text_for_people(tmp_path: Path, sandbox: Any) -> None:
    code, _, out, _ = check(tmp_path, *custom(sandbox), "--text", stdin=sandbox.m2m_client_secret)
    assert code == 0
    assert out.startswith("OK: Custom")
    assert "✓ m2m: Token granted; permissions:" in out and "✓ api:" in out


def test_a_secret_is_never_accepted_as_an_argument(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-m", "photon_desktop", "check", "custom", "--client-secret", "s3cr3t"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2 and "unrecognized arguments" in done.stderr


def test_the_browser_step_signs_in_and_asks_the_api_who_it_is(sandbox: Any, arun: Any) -> None:
    """The user sign-in part of the check (the command opens the system browser; here a scripted
    user answers the sandbox's sign-in page)."""
    import httpx
    from ui_support import FormBrowser

    from photon_desktop.auth.environments import CUSTOM
    from photon_desktop.services.credentials import Profile, environment_for
    from photon_desktop.services.diagnosis import diagnose

    env = environment_for(
        CUSTOM.with_endpoints(
            issuer=sandbox.issuer, audience=sandbox.audience, graphql_url=sandbox.graphql_url
        ),
        Profile(api_scopes="read:patient write:prescription"),
    )
    prescriber = next(u for u in sandbox.users if "write:prescription" in u["permissions"])

    async def go() -> Any:
        async with httpx.AsyncClient() as client:
            return await diagnose(
                client,
                env,
                native_client_id=sandbox.native_client_id,
                open_url=FormBrowser(prescriber["email"]).open,
            )

    result = arun(go()).as_dict()
    assert result["ok"], result
    browser = result["steps"]["browser"]
    assert browser["details"]["me"] == prescriber["email"]
    # The provider grants what was asked for and the user may have, nothing more.
    assert sorted(browser["details"]["permissions"]) == ["read:patient", "write:prescription"]
