"""MediaPipe's native start-up lines (``W0000 ...``, ``INFO: Created TensorFlow Lite ...``) stay off standard
error; anything else written meanwhile is kept."""

from __future__ import annotations

import os
import subprocess
import sys

_CODE = """
import os, sys
import numpy as np
from kneeline.pose.mediapipe_backend import MediaPipePose
pose = MediaPipePose()
os.write(2, b"E0000 a real native error line\\n")
for _ in range(4):
    pose.process(np.full((480, 640, 3), 90, np.uint8))
pose.close()
print("done")
"""


def _run(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _CODE], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env}, check=False)


def test_start_up_lines_are_dropped_and_other_lines_kept() -> None:
    done = _run()
    assert done.returncode == 0 and "done" in done.stdout, done.stderr
    assert "W0000" not in done.stderr and "Created TensorFlow Lite" not in done.stderr, done.stderr
    assert "E0000 a real native error line" in done.stderr


def test_kneeline_native_logs_shows_everything() -> None:
    done = _run(KNEELINE_NATIVE_LOGS="1")
    assert done.returncode == 0 and "W0000" in done.stderr + done.stdout
