"""Stage the Debian package tree for the one-folder app that PyInstaller built.

``python make_deb.py BUNDLE STAGE --version V`` lays out::

    /opt/photon-desktop/                      the one-folder app, as built
    /usr/bin/photon-desktop                   a symlink to it (the bootloader follows it)
    /usr/share/applications/photon-desktop.desktop
    /usr/share/icons/hicolor/{scalable,48x48,128x128,256x256}/apps/photon-desktop.{svg,png}
    /usr/share/metainfo/health.photon.desktop.metainfo.xml
    /usr/share/doc/photon-desktop/copyright
    /DEBIAN/control                           Depends: the system libraries the bundle links to

PyInstaller leaves out the libraries every desktop has (glibc, libGL, Wayland, ...): ``ldd``
tells which ones the bundle needs, and ``dpkg -S`` which Debian packages hold them, so the
package declares exactly what it relies on. Run it with the build environment's Python: the PNG
icons are rendered from the SVG with Qt.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
PACKAGE = "photon-desktop"
APP_ID = "health.photon.desktop"
PNG_SIZES = (48, 128, 256)
SUMMARY = "Desktop client for Photon Health's e-prescribing API"
DESCRIPTION = (
    "Patients, prescriptions and pharmacy orders on Photon Health's Clinical API, with sign-in "
    "in the system browser, secrets in the OS keyring, and a bundled local sandbox with demo "
    "data that works offline."
)


def stage(bundle: Path, root: Path, version: str) -> None:
    if root.exists():
        shutil.rmtree(root)
    opt = root / "opt" / PACKAGE
    shutil.copytree(bundle, opt, symlinks=True)
    bin_dir = root / "usr" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / PACKAGE).symlink_to(f"/opt/{PACKAGE}/{PACKAGE}")

    share = root / "usr" / "share"
    applications = share / "applications"
    applications.mkdir(parents=True)
    shutil.copy2(HERE / f"{PACKAGE}.desktop", applications / f"{PACKAGE}.desktop")
    render_icons(HERE / "icons" / f"{PACKAGE}.svg", share / "icons" / "hicolor")

    metainfo = share / "metainfo"
    metainfo.mkdir(parents=True)
    (metainfo / f"{APP_ID}.metainfo.xml").write_text(metainfo_xml(version), encoding="utf-8")

    doc = share / "doc" / PACKAGE
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        f"Upstream-Name: {PACKAGE}\n\nFiles: *\nCopyright: Photon Desktop authors\n"
        "License: Proprietary\n",
        encoding="utf-8",
    )

    debian = root / "DEBIAN"
    debian.mkdir()
    (debian / "control").write_text(control(root, opt, version), encoding="utf-8")
    for path in [root, *root.rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() or os.access(path, os.X_OK) else 0o644)


def render_icons(svg: Path, hicolor: Path) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    scalable = hicolor / "scalable" / "apps"
    scalable.mkdir(parents=True)
    shutil.copy2(svg, scalable / f"{PACKAGE}.svg")
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not a valid SVG")
    for size in PNG_SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        folder = hicolor / f"{size}x{size}" / "apps"
        folder.mkdir(parents=True)
        if not image.save(str(folder / f"{PACKAGE}.png")):
            raise SystemExit(f"could not write the {size}px icon")


def metainfo_xml(version: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<component type="desktop-application">
  <id>{APP_ID}</id>
  <metadata_license>CC0-1.0</metadata_license>
  <project_license>LicenseRef-proprietary</project_license>
  <name>Photon Desktop</name>
  <summary>{escape(SUMMARY)}</summary>
  <description>
    <p>{escape(DESCRIPTION)}</p>
  </description>
  <developer id="health.photon">
    <name>Photon Desktop authors</name>
  </developer>
  <launchable type="desktop-id">{PACKAGE}.desktop</launchable>
  <url type="homepage">https://photon.health</url>
  <categories>
    <category>Science</category>
    <category>MedicalSoftware</category>
  </categories>
  <content_rating type="oars-1.1"/>
  <provides>
    <binary>{PACKAGE}</binary>
  </provides>
  <releases>
    <release version="{escape(version)}" date="{release_date()}"/>
  </releases>
</component>
"""


def release_date() -> str:
    """The last commit's date, so that a rebuild of one commit gives the same package."""
    done = subprocess.run(
        ["git", "log", "-1", "--format=%cs"], cwd=HERE, capture_output=True, text=True, check=False
    )
    return done.stdout.strip() or "1970-01-01"


def system_libraries(opt: Path) -> set[str]:
    """Paths of the libraries outside the bundle that its ELF files load."""
    internal = opt / "_internal"
    env = dict(os.environ, LD_LIBRARY_PATH=f"{internal}:{internal / 'PySide6' / 'Qt' / 'lib'}")
    found: set[str] = set()
    for path in sorted(opt.rglob("*")):
        if path.is_symlink() or not path.is_file() or path.read_bytes()[:4] != b"\x7fELF":
            continue
        out = subprocess.run(["ldd", str(path)], capture_output=True, text=True, env=env).stdout
        for match in re.finditer(r"=>\s+(/\S+)\s+\(", out):
            library = Path(match.group(1))
            if not library.resolve().is_relative_to(opt.resolve()):
                found.add(str(library))
    return found


def owning_packages(libraries: set[str]) -> dict[str, str]:
    """Debian package (with architecture qualifier dropped) -> its installed version."""
    packages: dict[str, str] = {}
    for library in sorted(libraries):
        candidates = {library, str(Path(library).resolve())}
        candidates |= {c.replace("/usr/lib/", "/lib/", 1) for c in candidates}
        candidates |= {c.replace("/lib/", "/usr/lib/", 1) for c in list(candidates)}
        for candidate in sorted(candidates):
            done = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
            if done.returncode == 0:
                name = done.stdout.split(":", 1)[0].split(",")[0].strip()
                break
        else:
            raise SystemExit(f"no Debian package holds {library}: cannot declare the dependency")
        version = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", name], capture_output=True, text=True, check=True
        ).stdout
        packages[name] = version
    return packages


def control(root: Path, opt: Path, version: str) -> str:
    packages = owning_packages(system_libraries(opt))
    depends = ", ".join(f"{name} (>= {upstream(v)})" for name, v in sorted(packages.items()))
    files = [p for p in root.rglob("*") if p.is_file() and not p.is_symlink()]
    installed_kib = sum(p.stat().st_size for p in files)
    arch = subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return (
        f"Package: {PACKAGE}\n"
        f"Version: {version}\n"
        f"Architecture: {arch}\n"
        "Maintainer: Photon Desktop authors <desktop@photon.invalid>\n"
        f"Installed-Size: {installed_kib // 1024}\n"
        f"Depends: {depends}\n"
        "Section: science\n"
        "Priority: optional\n"
        "Homepage: https://photon.health\n"
        f"Description: {SUMMARY}\n"
        + "".join(f" {line}\n" for line in textwrap.wrap(DESCRIPTION, 78))
    )


def upstream(debian_version: str) -> str:
    """``2.36-9+deb12u4`` -> ``2.36``: what the bundle needs, not this machine's exact build."""
    return debian_version.rsplit("-", 1)[0] if "-" in debian_version else debian_version


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path, help="PyInstaller's one-folder output")
    parser.add_argument("stage", type=Path, help="the package tree to (re)create")
    parser.add_argument("--version", required=True)
    args = parser.parse_args(argv)
    stage(args.bundle, args.stage, args.version)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
