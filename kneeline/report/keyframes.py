"""Key frames: the picture at the bottom of each repetition, with the measured lines drawn.

From the annotated video of the analysis (``annotated.mp4`` or ``annotated.webm``, drawn by
:mod:`kneeline.report.annotate`, faces blurred) the frame at each rep's bottom is taken as it is.
Where the video was not kept but the keypoints were (``keypoints.csv``, the web app's
keep-keypoints-only option), the skeleton and lines are drawn on a plain background with
:mod:`kneeline.report.annotate`'s own drawing functions and the rep's own values: a value the
capture gate withheld (null) is not drawn.  Without either there is no key frame, and the report
says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kneeline.errors import KneelineError
from kneeline.report.result import Rep
from kneeline.report.source import AnalysisSource

__all__ = ["KeyFrame", "key_frames", "THUMB_HEIGHT"]

THUMB_HEIGHT = 420
"""Height in pixels of a key frame image."""


@dataclass(frozen=True)
class KeyFrame:
    """The picture of one rep's bottom.

    Attributes
    ----------
    rep
        The repetition's index.
    time_s
        The bottom's time in the video.
    png
        The image as PNG bytes; None when there is none.
    note
        Where the picture comes from, or why there is none.
    """

    rep: int
    time_s: float
    png: bytes | None
    note: str


def _png(image: np.ndarray, height: int) -> bytes:
    import cv2

    scale = height / image.shape[0]
    small = cv2.resize(image, (max(2, round(image.shape[1] * scale)), height), interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".png", small)
    if not ok:
        raise KneelineError("cannot encode a key frame as PNG")
    return bytes(buf.tobytes())


def _from_video(video: Path, reps: Sequence[Rep], height: int) -> list[KeyFrame]:
    from kneeline.io.video import iter_frames_at, probe

    fps = probe(video).fps or 30.0
    wanted = {rep.index: max(0, round(rep.bottom_s * fps)) for rep in reps}
    frames = {f.index: f for f in iter_frames_at(video, sorted(set(wanted.values())))}
    out = []
    for rep in reps:
        frame = frames.get(wanted[rep.index])
        if frame is None:
            out.append(KeyFrame(rep.index, rep.bottom_s, None, f"{video.name} has no frame at {rep.bottom_s:.2f} s"))
        else:
            out.append(KeyFrame(rep.index, rep.bottom_s, _png(frame.image, height), f"from {video.name}"))
    return out


def _nan(x: float | None) -> float:
    return float("nan") if x is None else float(x)


def _from_keypoints(path: Path, reps: Sequence[Rep], height: int) -> list[KeyFrame]:
    # annotate.py's drawing functions, so the lines look exactly as in the annotated video.
    from kneeline.io.keypoints_csv import load_keypoints_csv
    from kneeline.report.annotate import _draw_legs, _draw_pelvis_trunk, _draw_skeleton, _Overlay, _Style

    pose = load_keypoints_csv(path)
    scale = height / pose.height
    size = (max(2, round(pose.width * scale)), height)
    out = []
    for rep in reps:
        row = int(np.argmin(np.abs(pose.time_s - rep.bottom_s)))
        xy, conf = pose.position[row], pose.confidence[row]
        points = {name: (float(xy[k, 0] * scale), float(xy[k, 1] * scale), float(conf[k]))
                  for k, name in enumerate(pose.keypoints) if np.isfinite(xy[k]).all()}
        if not points:
            out.append(KeyFrame(rep.index, rep.bottom_s, None, "nobody was found in the frame at the bottom"))
            continue
        image = np.full((size[1], size[0], 3), 70, dtype=np.uint8)
        style = _Style.for_height(height)
        overlay = _Overlay(points=points, fppa_left=_nan(rep.fppa_left_deg), fppa_right=_nan(rep.fppa_right_deg),
                           obliquity=_nan(rep.pelvic_obliquity_deg), lean=_nan(rep.trunk_lean_deg),
                           time_s=rep.bottom_s)
        _draw_skeleton(image, overlay, style)
        _draw_pelvis_trunk(image, overlay, style)
        _draw_legs(image, overlay, style)
        out.append(KeyFrame(rep.index, rep.bottom_s, _png(image, height),
                            "drawn from the stored keypoints (the video was not kept)"))
    return out


def key_frames(source: AnalysisSource, reps: Sequence[Rep] | None = None,
               height: int = THUMB_HEIGHT) -> list[KeyFrame]:
    """The key frame of each rep's bottom (see the module docstring for where it comes from).

    Parameters
    ----------
    source
        The analysis.
    reps
        The reps to picture; all of the result's by default.
    height
        Height of each image in pixels.

    Returns
    -------
    list of KeyFrame
        One per rep, in order; ``png`` is None with the reason in ``note`` where there is no picture.
    """
    chosen = list(source.result.reps if reps is None else reps)
    video = source.video()
    if video is not None:
        try:
            return _from_video(video, chosen, height)
        except KneelineError as exc:
            return [KeyFrame(r.index, r.bottom_s, None, f"the annotated video cannot be read: {exc}") for r in chosen]
    keypoints = source.file("keypoints.csv")
    if keypoints is not None:
        try:
            return _from_keypoints(keypoints, chosen, height)
        except KneelineError as exc:
            return [KeyFrame(r.index, r.bottom_s, None, f"the stored keypoints cannot be read: {exc}") for r in chosen]
    why = "no annotated video beside the result (analysed with --no-video?)"
    return [KeyFrame(r.index, r.bottom_s, None, why) for r in chosen]
