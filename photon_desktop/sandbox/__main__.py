"""``python -m photon_desktop.sandbox``: the same as the ``photon-sandbox`` command."""

import sys

from photon_desktop.sandbox.cli import main

sys.exit(main())
