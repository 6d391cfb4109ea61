"""Named fault points, for the tests that kill the pipeline at every step boundary.

``NEWSARCHIVE_FAULT=<point>`` makes the process kill itself with SIGKILL when it reaches
``point`` (nothing is flushed or rolled back: a real crash). ``<point>:pause`` instead
creates the file ``$NEWSARCHIVE_FAULT_DIR/<point>.paused`` and waits until the test
deletes it (to break a server meanwhile). Unset, a point costs one dictionary lookup.
"""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path


def point(name: str) -> None:
    want = os.environ.get("NEWSARCHIVE_FAULT")
    if not want or not want.startswith(name):
        return
    if want == name:
        os.kill(os.getpid(), signal.SIGKILL)
    if want == f"{name}:pause":
        marker = Path(os.environ.get("NEWSARCHIVE_FAULT_DIR", ".")) / f"{name}.paused"
        marker.write_text(str(os.getpid()))
        while marker.exists():
            time.sleep(0.05)
