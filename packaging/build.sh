#!/usr/bin/env bash
# Build Photon Desktop as a one-folder app (PyInstaller) and a Debian package (dpkg-deb).
#
#   packaging/build.sh            -> build/dist/photon-desktop/ and dist/photon-desktop_<v>_<arch>.deb
#
# The app is installed as a wheel into its own virtual environment (build/pkg-venv), so the
# bundle holds the runtime dependencies only, never the test tools of a development venv.
# The last line printed is JSON: the paths, the sizes and the time each step took.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PYTHON=${PYTHON:-python3}
VENV=build/pkg-venv
BUNDLE=build/dist/photon-desktop
STAGE=build/deb-root

now() { date +%s.%N; }
t0=$(now)

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
# Exactly the locked versions, each checked against its hash (requirements-lock.txt: the app's
# runtime dependencies for Python 3.11 and 3.12; requirements-build.txt: PyInstaller's).
"$VENV/bin/pip" install -q --disable-pip-version-check --require-hashes \
    -r packaging/requirements-lock.txt -r packaging/requirements-build.txt
# Then the app itself, nothing resolved beside the lock. Its version never changes between
# commits: reinstall it so the bundle has today's code.
"$VENV/bin/pip" install -q --disable-pip-version-check --no-deps --force-reinstall .
VERSION=$("$VENV/bin/python" -c 'import photon_desktop; print(photon_desktop.__version__)')
t1=$(now)

"$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
    --distpath build/dist --workpath build/pyinstaller packaging/photon-desktop.spec >&2
t2=$(now)

"$VENV/bin/python" packaging/make_deb.py "$BUNDLE" "$STAGE" --version "$VERSION"
if command -v appstreamcli >/dev/null; then
    appstreamcli validate --no-net --pedantic "$STAGE"/usr/share/metainfo/*.metainfo.xml >&2
else
    echo "appstreamcli not installed: metainfo not validated" >&2
fi
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate --no-hints "$STAGE"/usr/share/applications/*.desktop >&2
else
    echo "desktop-file-validate not installed: the .desktop entry not validated" >&2
fi
ARCH=$(dpkg --print-architecture)
mkdir -p dist
DEB=dist/photon-desktop_${VERSION}_${ARCH}.deb
# zstd -9: about 10 s here; DEB_COMPRESSION="-Zxz" makes a 20% smaller file in about 3 minutes.
# (Every release whose dpkg reads zstd also has the glibc the bundle needs: nothing is lost.)
# shellcheck disable=SC2086
dpkg-deb --root-owner-group ${DEB_COMPRESSION:--Zzstd -z9} --build "$STAGE" "$DEB" >&2
t3=$(now)

"$VENV/bin/python" - "$ROOT" "$BUNDLE" "$DEB" "$t0" "$t1" "$t2" "$t3" <<'PY'
import json, os, sys
from pathlib import Path
root, bundle, deb, *times = sys.argv[1:]
t0, t1, t2, t3 = map(float, times)
folder = sum(p.stat().st_size for p in Path(bundle).rglob("*") if p.is_file() and not p.is_symlink())
print(json.dumps({
    "bundle": os.path.join(root, bundle), "deb": os.path.join(root, deb),
    "folder_bytes": folder, "deb_bytes": os.path.getsize(deb),
    "venv_s": round(t1 - t0, 1), "pyinstaller_s": round(t2 - t1, 1),
    "deb_s": round(t3 - t2, 1), "total_s": round(t3 - t0, 1),
}))
PY
