"""How many people a video shows, which one the pose model followed, and whether it changed.

BlazePose (legacy MediaPipe) follows **one** person.  With several people in view, kneeline's numbers
may be about the wrong one, or mix two.  Three cheap checks:

1. **Counting** (:func:`count_people`): BlazePose's own person detector (multi-person by itself,
   :class:`~kneeline.pose.mediapipe_backend.MediaPipePersonDetector`) runs on a few evenly spaced
   frames, on the whole frame and — for wide or tall frames — on three overlapping square tiles, so
   small people are found too; detections of one person in several tiles are merged.  The count
   reported is the largest one seen in at least ``people_min_frames`` sampled frames, so one
   spurious detection does not add a person.  Evaluated on the shared test videos: 2 people in
   ``sports2d-demo-walk-jump.mp4`` and 1 in ``squats-with-arm-raise.mov`` (whose face is blurred,
   which defeats face detectors; OpenCV's HOG people detector counted 2-3 on squatting frames).
2. **Which person** (:func:`describe_tracked_person`): where the followed person stood when first
   found ("the person in the lower centre-left of the frame").
3. **Identity switches** (:func:`find_identity_switches`): a jump of the hip centre between two
   detected frames larger than ``switch_min_jump_torso + switch_max_speed_torso_per_s * dt`` torso
   lengths, or a sudden change of torso length, means the model picked up someone else.

Tunable numbers live in ``kneeline/data/pose.yaml``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from kneeline.evidence import value
from kneeline.io.video import Frame, iter_frames_at, probe
from kneeline.pose.backend import PersonDetection, PersonDetector
from kneeline.pose.container import FloatArray, PoseSeries

__all__ = [
    "TrackedPerson", "PeopleCount", "PeopleReport", "sample_indices", "detect_people", "robust_count",
    "count_people", "describe_tracked_person", "find_identity_switches", "describe_people", "FrameSampler",
]

_SETTINGS = "pose.yaml"
_HORIZONTAL = ("left", "centre-left", "centre", "centre-right", "right")
_VERTICAL = ("upper ", "", "lower ")


@dataclass(frozen=True)
class TrackedPerson:
    """Where the followed person was when first found.

    Attributes
    ----------
    frame, time_s
        First frame (index and time) in which the person was found.
    box
        ``(x_min, y_min, x_max, y_max)`` in pixels around the confident keypoints.
    where
        Position in the frame in words, e.g. ``"lower centre-left"``.
    """

    frame: int
    time_s: float
    box: tuple[float, float, float, float]
    where: str

    def describe(self) -> str:
        """Return e.g. ``"the person in the centre-left of the frame (first seen at 0.0 s)"``."""
        return f"the person in the {self.where} of the frame (first seen at {self.time_s:.1f} s)"


@dataclass(frozen=True)
class PeopleCount:
    """People counted on sampled frames.

    Attributes
    ----------
    frames, times_s
        Sampled frame indices and their timestamps.
    counts
        People found in each sampled frame.
    people_max
        Largest count seen in at least ``people_min_frames`` samples (see :func:`robust_count`).
    """

    frames: tuple[int, ...]
    times_s: tuple[float, ...]
    counts: tuple[int, ...]
    people_max: int


@dataclass(frozen=True)
class PeopleReport:
    """People seen in a video and the person the pose model followed.

    Attributes
    ----------
    count
        People counted on sampled frames.
    tracked
        The followed person (None when nobody was tracked).
    switch_frames, switch_times_s
        Frames (and times) at which the followed person seems to change.
    after_switches
        Where the followed person was right after each switch.
    """

    count: PeopleCount
    tracked: TrackedPerson | None
    switch_frames: tuple[int, ...]
    switch_times_s: tuple[float, ...]
    after_switches: tuple[TrackedPerson | None, ...] = ()

    @property
    def people_max(self) -> int:
        """Most people seen at once (robust count over sampled frames)."""
        return self.count.people_max

    @property
    def tracked_person(self) -> str | None:
        """Plain-language description of the followed person."""
        return None if self.tracked is None else self.tracked.describe()

    @property
    def switches(self) -> int:
        """Number of suspected identity switches."""
        return len(self.switch_frames)

    def messages(self) -> list[str]:
        """Return plain-language warnings (empty when one person was seen and followed throughout)."""
        out = []
        if self.people_max > 1:
            who = f" kneeline followed {self.tracked_person}." if self.tracked is not None else ""
            out.append(f"{self.people_max} people were in view.{who} Film with only the person being tested "
                       "in the picture.")
        if self.switch_frames:
            moments = []
            for t, after in list(zip(self.switch_times_s, self.after_switches, strict=False))[:5]:
                to = f" (to the person in the {after.where})" if after is not None else ""
                moments.append(f"{t:.1f} s{to}")
            out.append(f"the followed person seems to change at {', '.join(moments)}: numbers around those "
                       "moments may mix two people. Film one person at a time.")
        return out


def sample_indices(frame_count: int, n_samples: int) -> tuple[int, ...]:
    """Return ``n_samples`` evenly spaced frame indices in ``[0, frame_count)``, first and last included."""
    if frame_count <= 0 or n_samples <= 0:
        return ()
    n = min(n_samples, frame_count)
    if n == 1:
        return (0,)
    return tuple(int(i) for i in np.unique(np.round(np.linspace(0, frame_count - 1, n)).astype(int)))


def _tiles(width: int, height: int) -> list[tuple[int, int, int, int]]:
    """Return the whole frame and, for wide or tall frames, three overlapping squares along it."""
    aspect = float(value(_SETTINGS, "people_tile_aspect"))
    tiles = [(0, 0, width, height)]
    side = min(width, height)
    if width > aspect * height:
        tiles += [(int(x), 0, int(x) + side, height) for x in np.linspace(0, width - side, 3)]
    elif height > aspect * width:
        tiles += [(0, int(y), width, int(y) + side) for y in np.linspace(0, height - side, 3)]
    return tiles


def _merge(found: list[PersonDetection]) -> list[PersonDetection]:
    """Keep the best detection of each person: drop those whose hips lie near a better one's."""
    fraction = float(value(_SETTINGS, "people_merge_radius_fraction"))
    kept: list[PersonDetection] = []
    for det in sorted(found, key=lambda d: -d.score):
        if all(_distance(det, k) > fraction * max(det.radius, k.radius) for k in kept):
            kept.append(det)
    return kept


def _distance(a: PersonDetection, b: PersonDetection) -> float:
    return float(np.hypot(a.centre_x - b.centre_x, a.centre_y - b.centre_y))


def detect_people(image_rgb: NDArray[np.uint8], detector: PersonDetector) -> list[PersonDetection]:
    """Find every person in one RGB image (whole frame and tiles, duplicates merged).

    Parameters
    ----------
    image_rgb
        RGB ``uint8`` image; not modified.
    detector
        A multi-person detector.

    Returns
    -------
    list of PersonDetection
        One per person, best first, in pixels of ``image_rgb``; only those scoring at least
        ``people_min_score``.
    """
    min_score = float(value(_SETTINGS, "people_min_score"))
    height, width = image_rgb.shape[:2]
    found: list[PersonDetection] = []
    for x0, y0, x1, y1 in _tiles(width, height):
        crop = np.ascontiguousarray(image_rgb[y0:y1, x0:x1])
        for det in detector.detect(crop):
            if det.score >= min_score:
                found.append(PersonDetection(score=det.score, centre_x=det.centre_x + x0,
                                             centre_y=det.centre_y + y0, radius=det.radius))
    return _merge(found)


def robust_count(counts: tuple[int, ...] | list[int], min_frames: int | None = None) -> int:
    """Return the largest ``n`` such that at least ``min_frames`` samples show ``n`` or more people.

    Parameters
    ----------
    counts
        People per sampled frame.
    min_frames
        ``None`` uses ``people_min_frames``; capped at the number of samples.
    """
    if not counts:
        return 0
    need = min(int(value(_SETTINGS, "people_min_frames")) if min_frames is None else min_frames, len(counts))
    ordered = sorted(counts, reverse=True)
    return int(ordered[max(need, 1) - 1])


def count_people(path: str | Path, *, n_samples: int | None = None,
                 detector: PersonDetector | None = None, frames: Sequence[Frame] | None = None) -> PeopleCount:
    """Count the people in evenly spaced frames of a video.

    Parameters
    ----------
    path
        The video file.
    n_samples
        Frames to sample; ``None`` uses ``people_sample_frames``.
    detector
        Multi-person detector; ``None`` creates (and closes) BlazePose's person detector.
    frames
        The sampled frames, kept while the video was decoded for the pose (see
        :func:`sample_frame_indices`); ``None`` seeks them in ``path`` (slower: each seek decodes
        from the previous key frame).

    Raises
    ------
    InputError
        If the video is unusable.
    """
    from kneeline.pose.runner import prepare_image

    if frames is None:
        info = probe(path)
        wanted = int(value(_SETTINGS, "people_sample_frames")) if n_samples is None else n_samples
        sampled: Sequence[Frame] | Iterator[Frame] = iter_frames_at(info.path,
                                                                   sample_indices(info.frame_count or 1, wanted))
    else:
        sampled = frames
    max_side = int(value(_SETTINGS, "working_max_side_px"))
    owned = detector is None
    if detector is None:
        from kneeline.pose.mediapipe_backend import MediaPipePersonDetector

        detector = MediaPipePersonDetector()
    indices, times, counts = [], [], []
    try:
        for frame in sampled:
            indices.append(frame.index)
            times.append(frame.time_s)
            counts.append(len(detect_people(prepare_image(frame.image, max_side), detector)))
    finally:
        if owned:
            detector.close()
    return PeopleCount(frames=tuple(indices), times_s=tuple(times), counts=tuple(counts),
                       people_max=robust_count(counts))


class FrameSampler:
    """Keeps the frames :func:`count_people` samples while the video is decoded for the pose.

    Call it with every decoded frame (it is a :data:`kneeline.pose.runner.FrameHook`); the frames at
    the sample indices, moved onto the frames a ``step`` reader yields, are kept in :attr:`frames`
    downscaled to the working size (at most 12 x 1280 px frames in memory, whatever the video's size).

    Parameters
    ----------
    frame_count
        The video's frame count (0 when unknown: only the first frame).
    step
        The reader's frame step (every ``step``-th frame is decoded in full).
    n_samples
        Frames to sample; ``None`` uses ``people_sample_frames``.
    """

    def __init__(self, frame_count: int, step: int = 1, n_samples: int | None = None) -> None:
        wanted = int(value(_SETTINGS, "people_sample_frames")) if n_samples is None else n_samples
        self.indices = frozenset(i - i % max(1, step) for i in sample_indices(frame_count or 1, wanted))
        self.frames: list[Frame] = []
        self._max_side = int(value(_SETTINGS, "working_max_side_px"))

    def __call__(self, frame: Frame) -> None:
        """Keep ``frame`` (a downscaled copy) when it is one of the samples."""
        if frame.index not in self.indices:
            return
        import cv2

        height, width = frame.image.shape[:2]
        image = frame.image
        if max(height, width) > self._max_side:
            factor = self._max_side / max(height, width)
            size = (max(1, round(width * factor)), max(1, round(height * factor)))
            image = np.asarray(cv2.resize(frame.image, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
        self.frames.append(Frame(index=frame.index, time_s=frame.time_s, image=image))


def _confident(series: PoseSeries) -> FloatArray:
    """Positions with low-confidence keypoints set to NaN (a new array)."""
    threshold = float(value(_SETTINGS, "tracked_min_confidence"))
    out = np.array(series.position, dtype=np.float64, copy=True)
    out[series.confidence < threshold] = np.nan
    return out


def _where(cx: float, cy: float, width: int, height: int) -> str:
    col = _HORIZONTAL[int(np.clip(cx / width * 5, 0, 4))]
    row = _VERTICAL[int(np.clip(cy / height * 3, 0, 2))]
    return f"{row}{col}"


def describe_tracked_person(series: PoseSeries, start: int = 0) -> TrackedPerson | None:
    """Say where the followed person was in the first frame they were found (from frame ``start``).

    Returns
    -------
    TrackedPerson or None
        None when no frame has a confidently located keypoint.
    """
    pos = _confident(series)
    found = np.flatnonzero(np.any(np.isfinite(pos[start:, :, 0]), axis=1)) + start
    if found.size == 0:
        return None
    i = int(found[0])
    xy = pos[i][np.isfinite(pos[i, :, 0])]
    x0, y0 = (float(v) for v in xy.min(axis=0))
    x1, y1 = (float(v) for v in xy.max(axis=0))
    where = _where((x0 + x1) / 2, (y0 + y1) / 2, series.width, series.height)
    return TrackedPerson(frame=i, time_s=float(series.time_s[i]), box=(x0, y0, x1, y1), where=where)


def _hips_and_torso(series: PoseSeries) -> tuple[FloatArray, FloatArray]:
    pos = _confident(series)
    k = series.keypoints
    hip = (pos[:, k.index("left_hip")] + pos[:, k.index("right_hip")]) / 2
    shoulder = (pos[:, k.index("left_shoulder")] + pos[:, k.index("right_shoulder")]) / 2
    return hip, np.linalg.norm(shoulder - hip, axis=1)


def find_identity_switches(series: PoseSeries) -> tuple[int, ...]:
    """Return the frames at which the followed person seems to be replaced by another.

    Between consecutive frames where hips and shoulders are found, a switch is a hip-centre jump
    above ``switch_min_jump_torso + switch_max_speed_torso_per_s * dt`` torso lengths, or a torso
    length changing by more than ``switch_scale_ratio``.  Series without hips or shoulders
    (e.g. lower-body keypoint files) give no switches.
    """
    needed = {"left_hip", "right_hip", "left_shoulder", "right_shoulder"}
    if not needed <= set(series.keypoints):
        return ()
    hip, torso = _hips_and_torso(series)
    valid = np.flatnonzero(np.all(np.isfinite(hip), axis=1) & np.isfinite(torso) & (torso > 0))
    if valid.size < 2:
        return ()
    min_jump = float(value(_SETTINGS, "switch_min_jump_torso"))
    speed = float(value(_SETTINGS, "switch_max_speed_torso_per_s"))
    ratio = float(value(_SETTINGS, "switch_scale_ratio"))
    prev, cur = valid[:-1], valid[1:]
    scale = np.maximum(torso[prev], torso[cur])
    jump = np.linalg.norm(hip[cur] - hip[prev], axis=1) / scale
    dt = series.time_s[cur] - series.time_s[prev]
    resized = np.maximum(torso[cur] / torso[prev], torso[prev] / torso[cur]) > ratio
    switched = (jump > min_jump + speed * dt) | resized
    return tuple(int(i) for i in cur[switched])


def describe_people(path: str | Path, series: PoseSeries, *, n_samples: int | None = None,
                    detector: PersonDetector | None = None, frames: Sequence[Frame] | None = None) -> PeopleReport:
    """Count people in ``path`` and describe the person ``series`` followed.

    Parameters
    ----------
    path
        The video the series was estimated from.
    series
        Its keypoints (from :func:`kneeline.pose.runner.estimate_pose`).
    n_samples
        Frames sampled for counting; ``None`` uses ``people_sample_frames``.
    detector
        Multi-person detector; ``None`` uses BlazePose's person detector.

    Raises
    ------
    InputError
        If the video is unusable.
    """
    count = count_people(path, n_samples=n_samples, detector=detector, frames=frames)
    switches = find_identity_switches(series)
    return PeopleReport(count=count, tracked=describe_tracked_person(series), switch_frames=switches,
                        switch_times_s=tuple(float(series.time_s[i]) for i in switches),
                        after_switches=tuple(describe_tracked_person(series, i) for i in switches))
