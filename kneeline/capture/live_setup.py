"""The setup assistant on a live camera stream: frames in, the checks of :mod:`kneeline.capture.setup` out.

:class:`LiveSetup` keeps the last ``window_s`` seconds of keypoints, counts people every
``people_every_s`` with BlazePose's multi-person detector (:func:`kneeline.pose.people.detect_people`
and :func:`~kneeline.pose.people.robust_count`, as ``kneeline analyze`` counts them), measures the
light of each frame and reports how long every check has been met, so the page can start its
countdown after ``steady_s``.  Used by both live sockets of the web app (the record page's and the
live coaching page's setup phase).

:func:`looping_replay` is a test hook: it replays keypoints from a file on the live sockets instead
of running BlazePose on the camera frames (web setting ``web.live_keypoints``), so the green path of
the assistant can be tested in a browser without a frontal video.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from kneeline.capture.setup import LightStats, SetupReport, check_setup, measure_light, setup_limit
from kneeline.pose.backend import PersonDetector, PoseFrame, SeriesBackend
from kneeline.pose.container import PoseSeries
from kneeline.pose.skeleton import BLAZEPOSE_KEYPOINTS

__all__ = ["LiveSetup", "LoopingReplay", "looping_replay"]


class LiveSetup:
    """Run the setup checks on a stream of frames.

    Parameters
    ----------
    view
        The view the exercise needs.
    detector
        Multi-person detector; ``None`` creates BlazePose's on first use (closed by :meth:`close`).
    source
        Names the keypoint source (a BlazePose source turns on its depth correction in the view
        estimate).
    """

    def __init__(self, view: Literal["frontal", "sagittal"], *, detector: PersonDetector | None = None,
                 source: str = "mediapipe blazepose full (live)") -> None:
        self.view = view
        self.source = source
        self._detector = detector
        self._owns_detector = detector is None
        self._frames: deque[tuple[float, PoseFrame]] = deque()
        self._people: deque[tuple[float, int]] = deque()
        self._last_people_t: float | None = None
        self._steady_since: float | None = None
        self.last: SetupReport | None = None

    def _count_people(self, t_s: float, image_rgb: NDArray[np.uint8]) -> int | None:
        from kneeline.pose.people import detect_people, robust_count

        every = setup_limit("people_every_s")
        if self._last_people_t is None or t_s - self._last_people_t >= every or t_s < self._last_people_t:
            if self._detector is None:
                from kneeline.pose.mediapipe_backend import MediaPipePersonDetector

                self._detector = MediaPipePersonDetector()
            self._people.append((t_s, len(detect_people(image_rgb, self._detector))))
            self._last_people_t = t_s
        keep = setup_limit("people_window_s")
        while self._people and self._people[0][0] < t_s - keep:
            self._people.popleft()
        counts = [n for _, n in self._people]
        return robust_count(counts) if counts else None

    def _window(self, width: int, height: int) -> PoseSeries:
        frames = [f for _, f in self._frames]
        n_k = len(BLAZEPOSE_KEYPOINTS)
        world = np.stack([f.world if f.world is not None else np.full((n_k, 3), np.nan) for f in frames])
        return PoseSeries(position=np.stack([f.position for f in frames]),
                          confidence=np.stack([f.confidence for f in frames]),
                          time_s=np.array([t for t, _ in self._frames]), keypoints=BLAZEPOSE_KEYPOINTS,
                          width=width, height=height, source=self.source, world=world)

    def push(self, t_s: float, frame: PoseFrame, image_rgb: NDArray[np.uint8]) -> dict[str, Any]:
        """Add one frame and its keypoints; return the checks and how long all have been met.

        Parameters
        ----------
        t_s
            Capture time of the frame (seconds, the page's clock); a time earlier than the last one
            starts a new window.
        frame
            BlazePose keypoints of ``image_rgb`` (33 keypoints, pixels of the image).
        image_rgb
            The camera frame, RGB ``uint8``; not modified.

        Returns
        -------
        dict
            ``checks`` (list of {id, label, ok, message}), ``all_ok``, ``steady_s`` (seconds every
            check has been met), ``ready`` (steady for ``steady_s`` of ``setup.yaml``),
            ``need_steady_s`` and ``countdown_s``.
        """
        if self._frames and t_s <= self._frames[-1][0]:
            self._frames.clear()
            self._steady_since = None
        self._frames.append((t_s, frame))
        window = setup_limit("window_s")
        while self._frames[0][0] < t_s - window:
            self._frames.popleft()
        height, width = image_rgb.shape[:2]
        report = check_setup(self._window(width, height), view=self.view,
                             light=_light(image_rgb, frame), people=self._count_people(t_s, image_rgb))
        self.last = report
        if report.all_ok:
            self._steady_since = t_s if self._steady_since is None else self._steady_since
        else:
            self._steady_since = None
        steady = 0.0 if self._steady_since is None else t_s - self._steady_since
        need = setup_limit("steady_s")
        return {**report.as_dict(), "steady_s": round(steady, 2), "ready": report.all_ok and steady >= need,
                "need_steady_s": need, "countdown_s": setup_limit("countdown_s")}

    def close(self) -> None:
        """Release the person detector if this object created it."""
        if self._owns_detector and self._detector is not None:
            self._detector.close()
            self._detector = None


def _light(image_rgb: NDArray[np.uint8], frame: PoseFrame) -> LightStats:
    """Light of the frame, with the person's box from the confident keypoints (for backlight)."""
    rgb = np.asarray(image_rgb, dtype=np.float64)
    gray = (0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]).astype(np.uint8)
    seen = frame.position[(frame.confidence >= setup_limit("min_confidence")) & np.isfinite(frame.position[:, 0])]
    box = None
    if seen.shape[0] >= 4:
        (x0, y0), (x1, y1) = seen.min(axis=0), seen.max(axis=0)
        box = (float(x0), float(y0), float(x1), float(y1))
    return measure_light(gray, box)


class LoopingReplay(SeriesBackend):
    """Replay a :class:`PoseSeries` frame by frame, looping, scaled to each image (a test hook).

    Parameters
    ----------
    series
        Keypoints to replay (BlazePose topology).
    """

    def process(self, image_rgb: NDArray[np.uint8]) -> PoseFrame:
        """Return the next frame of the series (after the last, the first again)."""
        i = self._next % self.series.n_frames
        self._next += 1
        return self._frame(i, image_rgb)


def looping_replay(path: str | Path) -> LoopingReplay:
    """Load a kneeline keypoints CSV (:mod:`kneeline.io.keypoints_csv`) to replay on the live sockets.

    Raises
    ------
    InputError
        If the file cannot be read as keypoints.
    """
    from kneeline.io.keypoints_csv import load_keypoints_csv

    return LoopingReplay(load_keypoints_csv(path))
