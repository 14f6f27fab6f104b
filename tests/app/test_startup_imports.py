"""What start-up imports: the first screen needs neither GraphQL validation, nor token checking,
nor the bundled sandbox's code (the app runs the sandbox as a child process by module name).

Each check runs a fresh interpreter, so modules other tests imported do not hide a regression.
"""

from __future__ import annotations

import json
import subprocess
import sys

# graphql-core, PyJWT and cryptography load when the first query is built or the first token read.
DEFERRED = ("graphql", "jwt", "cryptography", "photon_desktop.sandbox")


def _imported_after(code: str) -> list[str]:
    probe = (
        f"{code}\n"
        "import json, sys\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {DEFERRED!r}"
        f" or m.startswith('photon_desktop.sandbox'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    return list(json.loads(result.stdout))


def test_importing_the_composition_root_defers_graphql_jwt_and_the_sandbox() -> None:
    assert _imported_after("import photon_desktop.desktop") == []


def test_building_a_query_loads_graphql_then() -> None:
    loaded = _imported_after(
        "from photon_desktop.api import documents\n"
        "assert 'query SearchPatients' in documents.load('SearchPatients').text"
    )
    assert "graphql" in loaded and "jwt" not in loaded  # the check can see a deferred import
