"""``photon-desktop check``: diagnose one environment from the command line.

    photon-desktop check sandbox --client-id ID                 # secret from the keyring
    printf '%s' "$SECRET" | photon-desktop check --issuer https://idp.example/ \\
        --audience https://api.example --graphql-url https://api.example/graphql \\
        --client-id backend-m2m --client-secret-stdin --text

Prints one JSON object (``--text``: lines for people) and exits 0 only when every step asked for
worked. A secret is never taken from an argument (it would land in shell history and ``ps``), and
no token or secret is ever printed. Nothing is written to the keyring or the settings.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import webbrowser
from typing import Any

from photon_desktop import errors
from photon_desktop.api.client import create_http_client
from photon_desktop.auth.client_secret import check_client_secret, client_secret
from photon_desktop.auth.environments import CUSTOM, LOCAL_SANDBOX, Environment, by_key
from photon_desktop.auth.profiles import Profile, load_profile
from photon_desktop.auth.settings_store import MemorySettings, SettingsStore
from photon_desktop.services.credentials import environment_for
from photon_desktop.services.diagnosis import Diagnosis, check, error_code


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="photon-desktop check", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "environment",
        nargs="?",
        choices=["local", "sandbox", "production", "custom"],
        help="a configured environment (default: custom when --issuer is given)",
    )
    parser.add_argument("--issuer", help="the OpenID provider's issuer")
    parser.add_argument("--audience", default=None, help="the API audience (Auth0)")
    parser.add_argument("--resource", default=None, help="the API resource (RFC 8707)")
    parser.add_argument("--graphql-url", default=None, help="the Clinical API's GraphQL address")
    parser.add_argument(
        "--scope",
        action="append",
        default=None,
        help="an API scope to request (repeat; a custom environment asks Photon's six by default)",
    )
    parser.add_argument("--client-id", default=None, help="the M2M client ID")
    parser.add_argument(
        "--client-secret-stdin",
        action="store_true",
        help="read the M2M client secret from standard input (else: the keyring)",
    )
    parser.add_argument("--native-client-id", default=None, help="the desktop sign-in client ID")
    parser.add_argument("--browser", action="store_true", help="also sign in as a user")
    parser.add_argument("--text", action="store_true", help="lines for people instead of JSON")
    args = parser.parse_args(argv)
    if args.environment is None and not args.issuer:
        parser.error("name an environment or give --issuer")
    return args


def resolve(args: argparse.Namespace, settings: SettingsStore) -> tuple[Environment, Profile]:
    """The environment and settings to check: flags over the saved profile."""
    key = args.environment or CUSTOM.key
    base = by_key(key)
    saved = load_profile(key, settings)
    profile = Profile(
        m2m_client_id=args.client_id if args.client_id is not None else saved.m2m_client_id,
        native_client_id=args.native_client_id or saved.native_client_id,
        organization_id=saved.organization_id,
        fixed_ports=saved.fixed_ports,
        issuer=args.issuer or saved.issuer,
        audience=args.audience if args.audience is not None else saved.audience,
        graphql_url=args.graphql_url or saved.graphql_url,
        api_scopes=" ".join(args.scope) if args.scope else saved.api_scopes,
        resource=args.resource if args.resource is not None else saved.resource,
    )
    if base.uses_discovery or args.issuer:
        if not profile.issuer:
            where = "a running photon-sandbox" if base is LOCAL_SANDBOX else "the provider"
            raise errors.ConfigurationError(f"Give --issuer (the address of {where}).")
        base = base.with_endpoints(
            issuer=profile.issuer, audience=profile.audience, graphql_url=profile.graphql_url
        )
    elif args.graphql_url or args.audience:
        base = base.with_endpoints(
            issuer=base.issuer,
            audience=args.audience or base.audience,
            graphql_url=args.graphql_url or base.graphql_url,
        )
    return environment_for(base, profile), profile


def render_text(result: dict[str, Any]) -> str:
    lines = [f"{'OK' if result['ok'] else 'FAILED'}: {result['environment']}"]
    for name, step in result["steps"].items():
        mark = "✓" if step["ok"] else f"✗ [{step['code']}]"
        lines.append(f"{mark} {name}: {step['message']}")
    return "\n".join(lines)


async def run(args: argparse.Namespace, settings: SettingsStore) -> Diagnosis:
    try:
        env, profile = resolve(args, settings)
    except errors.PhotonError as error:
        name = args.environment or "custom"
        return Diagnosis.failed(name, "environment", error_code(error), str(error))
    secret: str | None = None
    if args.client_secret_stdin:
        typed = sys.stdin.readline()
        if problem := check_client_secret(typed, required=False):
            refused = errors.ConfigurationError(problem)
            return Diagnosis.failed(env.name, "m2m", error_code(refused), problem)
        secret = client_secret(typed) or None

    def show_link(url: str) -> None:
        print(
            f"Sign in in your browser; if it did not open, open this link:\n{url}", file=sys.stderr
        )

    async with create_http_client() as client:
        return await check(
            client,
            env,
            profile,
            secret=secret,
            from_keyring=not args.client_secret_stdin,
            open_url=webbrowser.open if args.browser else None,
            on_link=show_link,
        )


def main(argv: list[str], settings: SettingsStore | None = None) -> int:
    args = parse_args(argv)
    diagnosis = asyncio.run(run(args, settings if settings is not None else MemorySettings()))
    result = diagnosis.as_dict()
    print(render_text(result) if args.text else json.dumps(result, indent=None), flush=True)
    return 0 if diagnosis.ok else 1
