"""The HTML the sign-in server shows: the demo-user chooser and its error pages."""

from __future__ import annotations

import html

from starlette.responses import HTMLResponse

from photon_desktop.sandbox.accounts import DEMO_USERS, DemoUser

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f4f5f7;color:#1c1e21;
margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#fff;border-radius:10px;box-shadow:0 2px 12px #0002;padding:32px;max-width:420px;
width:100%}
h1{font-size:1.3rem;margin:0 0 8px}p{color:#555;margin:0 0 20px}
button{display:block;width:100%;padding:12px;margin:8px 0;border-radius:6px;font-size:1rem;
cursor:pointer;border:1px solid #1d4ed8;background:#1d4ed8;color:#fff}
button.secondary{background:#fff;color:#1d4ed8}
button:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
"""


def page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)} · Photon sandbox</title><style>{_CSS}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


def error_page(title: str, message: str, *, status: int = 400) -> HTMLResponse:
    body = f"<h1>{html.escape(title)}</h1><p>{html.escape(message)}</p>"
    return HTMLResponse(page(title, body), status_code=status)


def sign_in_page(txn_id: str, org_name: str | None, hinted: DemoUser | None) -> str:
    e = html.escape
    hidden = f'<input type="hidden" name="transaction" value="{e(txn_id)}">'
    cancel = (
        '<button type="submit" class="secondary" id="cancel" name="action" value="cancel">'
        "Cancel</button>"
    )
    if hinted is not None:
        buttons = (
            f'<input type="hidden" name="user" value="{e(hinted.email)}">'
            '<button type="submit" id="continue" name="action" value="continue">'
            f"Continue as {e(hinted.full_name)} ({e(hinted.role)})</button>"
        )
    else:
        buttons = "".join(
            f'<button type="submit" id="continue-{e(u.role)}" name="user" value="{e(u.email)}">'
            f"Continue as {e(u.full_name)} ({e(u.role)})</button>"
            for u in DEMO_USERS
        )
    body = (
        "<h1>Sign in to the Photon sandbox</h1>"
        + (f"<p>Organization: {e(org_name)}. " if org_name else "<p>")
        + "These are demo accounts; no password is needed.</p>"
        f'<form method="post" action="/authorize/decision">{hidden}{buttons}{cancel}</form>'
    )
    return page("Sign in", body)
