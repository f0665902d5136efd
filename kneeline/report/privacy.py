"""Face blurring for videos and images shown to others, from the pose model's own face keypoints.

BlazePose gives eleven face keypoints (nose, eyes, ears, mouth corners) with every body; the head
is the box around them, widened to cover hair, forehead and chin.  No face-detection model is
added.  The box is pixelated and then smoothed, which cannot be undone by sharpening.

Limit: a frame where the pose model found nobody has no keypoints, so nothing is blurred in it
(a face seen only there stays visible); faces of other people in the frame are not blurred.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

__all__ = ["FACE_KEYPOINTS", "face_box", "blur_face"]

FACE_KEYPOINTS: tuple[str, ...] = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye", "right_eye_outer",
    "left_ear", "right_ear", "mouth_left", "mouth_right",
)
"""BlazePose's face keypoints (see :data:`kneeline.pose.skeleton.BLAZEPOSE_KEYPOINTS`)."""

_MIN_CONFIDENCE = 0.1
"""Face points this unsure are still used: blurring a little too much is the safe side."""

_WIDEN = 1.6
"""Half-width of the head box as a multiple of half the spread of the face points (ears to ears)."""

_MIN_HALF_PX = 6

Points = Mapping[str, tuple[float, float, float]]
"""Keypoint name -> (x, y, confidence), in the image's pixels."""


def face_box(points: Points, width: int, height: int) -> tuple[int, int, int, int] | None:
    """The head's box ``(x0, y0, x1, y1)`` in an image of ``width`` x ``height``, or None without a face.

    Parameters
    ----------
    points
        Keypoints of one person in the image's pixels (other keypoints are ignored).
    width, height
        The image's size; the box is clipped to it.
    """
    face = np.array([points[name][:2] for name in FACE_KEYPOINTS
                     if name in points and points[name][2] >= _MIN_CONFIDENCE
                     and np.isfinite(points[name][:2]).all()], dtype=float).reshape(-1, 2)
    if face.shape[0] == 0:
        return None
    centre = (face.min(axis=0) + face.max(axis=0)) / 2
    spread = float(np.max(face.max(axis=0) - face.min(axis=0))) / 2
    half = max(spread * _WIDEN, _MIN_HALF_PX, 0.04 * max(width, height) if face.shape[0] < 3 else 0.0)
    x0, x1 = int(np.floor(centre[0] - half)), int(np.ceil(centre[0] + half))
    y0, y1 = int(np.floor(centre[1] - 1.3 * half)), int(np.ceil(centre[1] + 1.1 * half))  # hair above, chin below
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
    if x1 <= x0 or y1 <= y0:
        return None
    return x0, y0, x1, y1


def blur_face(image: NDArray[np.uint8], points: Points) -> bool:
    """Blur the face of the person whose keypoints are ``points``, drawing into ``image`` (BGR or RGB).

    Like the other layers drawn on an annotated frame, this changes ``image`` itself (the caller's
    own copy of the frame).

    Returns
    -------
    bool
        Whether a face was found and blurred.
    """
    import cv2

    box = face_box(points, image.shape[1], image.shape[0])
    if box is None:
        return False
    x0, y0, x1, y1 = box
    region = image[y0:y1, x0:x1]
    w, h = region.shape[1], region.shape[0]
    small = cv2.resize(region, (max(1, w // 10), max(1, h // 10)), interpolation=cv2.INTER_AREA)
    blocky = cv2.resize(small, (w, h), interpolation=cv2.INTER_NEAREST)
    kernel = max(3, (min(w, h) // 4) | 1)
    image[y0:y1, x0:x1] = cv2.GaussianBlur(blocky, (kernel, kernel), 0)
    return True
