"""The hash-pinned lock agrees with ``pyproject.toml`` on Python 3.11 and 3.12, and the build
installs from it: every runtime dependency the project declares for that Python is pinned with
``==`` to a version its specifier allows, with hashes, and nothing the project does not need is
pinned for it. (Runs in the default suite: it reads files only.)"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).parents[2]
LOCK = ROOT / "packaging" / "requirements-lock.txt"
BUILD_LOCK = ROOT / "packaging" / "requirements-build.txt"
LINUX = {"sys_platform": "linux", "platform_system": "Linux", "implementation_name": "cpython"}


def environment(python: str) -> dict[str, str]:
    return {
        **LINUX,
        "python_version": python,
        "python_full_version": python + ".0",
        "platform_python_implementation": "CPython",
    }


def pins(lock: Path, python: str) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) of the entries that apply to ``python`` on Linux."""
    text = lock.read_text().replace("\\\n", " ")
    found: dict[str, tuple[str, int]] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        spec, _, marker = line.split(" --hash")[0].partition(";")
        if marker.strip() and not Marker(marker.strip()).evaluate(environment(python)):
            continue
        name, _, version = spec.strip().partition("==")
        assert version, f"not pinned with ==: {line}"
        found[canonicalize_name(name)] = (version.strip(), len(re.findall(r"--hash=sha256:", line)))
    return found


def declared(python: str) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = [Requirement(r) for r in project["dependencies"]]
    env = environment(python)
    return [r for r in requirements if r.marker is None or r.marker.evaluate(env)]


@pytest.mark.parametrize("python", ["3.11", "3.12"])
def test_every_declared_dependency_is_pinned_with_hashes(python: str) -> None:
    locked = pins(LOCK, python)
    for requirement in declared(python):
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement} is not in the lock for Python {python}"
        version, hashes = locked[name]
        assert requirement.specifier.contains(version, prereleases=True), (requirement, version)
        assert hashes >= 1, f"{name} has no hash"
    assert all(hashes for _, hashes in locked.values())


def test_pyside_follows_the_python_version() -> None:
    """6.12 breaks reference counts on 3.11; the lock must not give it to 3.11."""
    assert pins(LOCK, "3.11")["pyside6-essentials"][0].startswith("6.11.")
    assert pins(LOCK, "3.12")["pyside6-essentials"][0] >= "6.12"


def test_the_build_lock_agrees_with_the_runtime_lock() -> None:
    runtime, build = pins(LOCK, "3.11"), pins(BUILD_LOCK, "3.11")
    assert "pyinstaller" in build
    shared = runtime.keys() & build.keys()
    assert {name: runtime[name][0] for name in shared} == {name: build[name][0] for name in shared}


def test_the_build_installs_the_locks_with_hashes_then_the_app_without_dependencies() -> None:
    script = (ROOT / "packaging" / "build.sh").read_text()
    installs = [line for line in script.replace("\\\n", " ").splitlines() if 'pip" install' in line]
    assert "--require-hashes" in installs[0]
    assert "requirements-lock.txt" in installs[0] and "requirements-build.txt" in installs[0]
    assert all("--no-deps" in line for line in installs[1:]) and len(installs) == 2
