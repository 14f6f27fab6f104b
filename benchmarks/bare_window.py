"""The baseline for ``bench_startup.py``: a bare PySide6 window, timed like the app's ``--smoke``.

Creates the QApplication, shows a QMainWindow, waits one loop turn for its first paint, prints
``{"window_shown_s", "first_page_s", "peak_rss_mb", "window_shown_clock", "first_page_clock"}``
(like the app's ``--smoke``: seconds from the process's creation, and the same two moments on
the system's monotonic clock) and quits. Imports nothing of the app, so the baseline stays bare.
"""

import json
import os
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow


def process_age() -> float:
    """Seconds since this process was created (Linux ``/proc``), as the app's ``--smoke`` says."""
    with open("/proc/self/stat", "rb") as stat:
        fields = stat.read().rsplit(b")", 1)[1].split()
    with open("/proc/uptime", "rb") as uptime:
        up = float(uptime.read().split()[0])
    return up - int(fields[19]) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.resize(1100, 720)
    window.show()
    timings = {"window_shown_s": process_age(), "window_shown_clock": time.monotonic()}

    def painted() -> None:
        timings["first_page_s"] = process_age()
        timings["first_page_clock"] = time.monotonic()
        timings["peak_rss_mb"] = peak_rss_mb()
        print(json.dumps({key: round(value, 4) for key, value in timings.items()}), flush=True)
        window.close()
        app.quit()

    QTimer.singleShot(0, painted)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
