"""The frozen app's entry point: ``photon-desktop sandbox ARGS`` serves the bundled sandbox,
anything else runs the app.

A frozen app has no Python interpreter to run ``python -m photon_desktop.sandbox``, so the app's
own executable stands in for it. ``-m photon_desktop.sandbox ARGS`` is accepted as a synonym, so
an app that launches its sandbox with ``[sys.executable, "-m", "photon_desktop.sandbox", ...]``
works unchanged when frozen.
"""

from __future__ import annotations

import sys

SANDBOX_COMMANDS = (["sandbox"], ["-m", "photon_desktop.sandbox"])


def main(argv: list[str]) -> int:
    for command in SANDBOX_COMMANDS:
        if argv[: len(command)] == command:
            from photon_desktop.sandbox.cli import main as sandbox_main

            return sandbox_main(argv[len(command) :])
    from photon_desktop.app import main as app_main

    # Called without arguments, main reads sys.argv and owns the process: once it has cleaned
    # up it ends the process at once, as the installed script does. Given the arguments, it
    # returned to a full interpreter teardown, which destroyed Qt while the keyring's thread
    # could still be calling into it (a segfault at exit, now and then) and took ~0.15 s more.
    return app_main(None if argv == sys.argv[1:] else argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
