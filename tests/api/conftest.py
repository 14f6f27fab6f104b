"""The API layer's tests; those that run on the app's qasync loop need a Qt application."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
