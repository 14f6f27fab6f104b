# Photon Desktop's run-time hook for PySide6, in place of PyInstaller's own (rthooks.dat here
# takes precedence over PyInstaller's). PyInstaller's hook imports PySide6.QtCore in every
# process of the frozen executable to register a qt.conf: the `sandbox` subcommand, which never
# uses Qt, was ready ~60 ms later and held 12 MB more for it (`--demo` waits for that child).
# PySide6's wheels register their own qt.conf (":/qt/etc/qt.conf") when QtCore is imported,
# relative to the package, which is where the bundle keeps it; what is left to do before any
# import is to point Qt at the bundle's plugins. (Linux only, as the build is: on macOS and
# Windows PyInstaller's hook also adjusts DYLD_LIBRARY_PATH and PATH; see README.md.)


def _pyi_rthook() -> None:
    import os
    import sys

    os.environ["QT_PLUGIN_PATH"] = os.path.join(sys._MEIPASS, "PySide6", "Qt", "plugins")


_pyi_rthook()
del _pyi_rthook
