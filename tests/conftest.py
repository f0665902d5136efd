"""Shared test fixtures: the real-data folder and small synthetic videos written on the fly."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]

VideoFactory = Callable[..., Path]


def shared_data_path() -> Path:
    """The shared real-data folder: ``$KNEELINE_DATA`` or ``../shared/data`` next to the repository."""
    return Path(os.environ.get("KNEELINE_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared real-data folder (videos, mocap); skips the test when it is absent."""
    root = shared_data_path()
    if not root.is_dir():
        pytest.skip(f"real data folder {root} is absent (check out ../shared/data next to the repository "
                    "or set KNEELINE_DATA)")
    return root


def _frame(i: int, width: int, height: int) -> np.ndarray:
    """Grey background with a white square that moves right by 2 px per frame (wrapping)."""
    image = np.full((height, width, 3), 60, dtype=np.uint8)
    side = max(4, min(width, height) // 6)
    x = (2 * i) % max(1, width - side)
    y = height // 3
    image[y:y + side, x:x + side] = 255
    image[:8, :8] = (0, 0, 255)  # a red marker in the top-left corner, to check orientation
    return image


def write_video(path: Path, *, n_frames: int = 30, width: int = 160, height: int = 120, fps: float = 30.0,
                fourcc: str = "mp4v") -> Path:
    """Write a synthetic video: a white square moving right over grey, a red corner top-left."""
    import cv2

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, (width, height))
    if not writer.isOpened():
        raise RuntimeError(f"cannot write {path} with codec {fourcc}")
    try:
        for i in range(n_frames):
            writer.write(_frame(i, width, height))
    finally:
        writer.release()
    return path


@pytest.fixture
def make_video(tmp_path: Path) -> VideoFactory:
    """Factory writing synthetic videos (see :func:`write_video`) into the test's temporary folder."""

    def make(name: str = "clip.mp4", **kwargs: object) -> Path:
        return write_video(tmp_path / name, **kwargs)  # type: ignore[arg-type]

    return make
