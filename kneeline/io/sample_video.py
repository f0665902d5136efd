"""A drawn sample video: a cartoon person doing slow two-leg squats with a known knee angle.

For trying kneeline without filming anyone: ``kneeline sample squat.mp4`` writes the clip, and
``kneeline analyze squat.mp4 --test squat`` measures it.  The person is drawn with OpenCV (filled,
outlined body parts: a face with eyes, nose and mouth, a shirt, trousers, shoes) on a plain wall
and floor, facing the camera.  BlazePose tracks it: measured with mediapipe 0.10.21 (model
complexity 1), every frame has a pose and ``kneeline analyze`` finds every repetition.

The figure is a 2D drawing, so its knee frontal-plane projection angle (FPPA) is known exactly: at
the bottom of each squat each knee sits medial to its hip-ankle line by
:attr:`SampleSpec.fppa_left_deg` / :attr:`SampleSpec.fppa_right_deg` (computed with
:func:`kneeline.kinematics.angles.fppa_points`, the function ``analyze`` uses), growing in
proportion to squat depth.  A drawing is not a person: use the clip to check that kneeline runs and
what its outputs look like, never to judge its accuracy on people (see ``docs/measurements.md``).

Nothing is drawn or imported (OpenCV) until a function is called.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from kneeline.errors import InputError
from kneeline.kinematics.angles import fppa_points

__all__ = ["SampleSpec", "squat_depth", "joints_at", "render_frame", "write_sample_video"]

Image = NDArray[np.uint8]
Point = tuple[float, float]
BGR = tuple[int, int, int]

_SKIN: BGR = (150, 180, 225)
_SHIRT: BGR = (170, 90, 40)
_TROUSERS: BGR = (60, 50, 45)
_SHOES: BGR = (30, 30, 30)
_HAIR: BGR = (40, 50, 70)
_CODECS = ("avc1", "mp4v")
"""FourCC codes tried in order, as for ``annotated.mp4`` (H.264 where the OpenCV build has it)."""
_WALL: BGR = (200, 205, 210)
_FLOOR: BGR = (150, 160, 170)


@dataclass(frozen=True)
class SampleSpec:
    """What the sample clip shows.

    Lengths are in pixels of a 1280-pixel-high frame and scale with ``height``.
    """

    width: int = 720
    height: int = 1280
    fps: float = 30.0
    reps: int = 5
    rep_s: float = 1.6
    """Seconds per squat (down and up)."""
    rest_s: float = 1.0
    """Standing still before the first and after the last squat."""
    knee_flexion_deg: float = 70.0
    """Knee bend at the bottom of each squat (sets how far the hips drop)."""
    fppa_left_deg: float = 10.0
    """Drawn FPPA of the left knee at the bottom (positive = knee inward, valgus)."""
    fppa_right_deg: float = 20.0
    """Drawn FPPA of the right knee at the bottom."""
    noise: float = 3.0
    """Standard deviation of the pixel noise added to each frame (camera grain)."""
    seed: int = 0

    def __post_init__(self) -> None:
        if self.width < 240 or self.height < 320:
            raise InputError(f"the sample video needs at least 240 x 320 pixels; got {self.width} x {self.height}")
        if not 1 <= self.reps <= 50 or self.fps <= 0 or self.rep_s <= 0 or self.rest_s < 0:
            raise InputError("the sample video needs 1-50 repetitions, a positive frame rate and rep length, "
                             f"and a rest of 0 s or more; got reps={self.reps}, fps={self.fps}, rep_s={self.rep_s}, "
                             f"rest_s={self.rest_s}")
        if not 0 <= self.knee_flexion_deg <= 90 or max(abs(self.fppa_left_deg), abs(self.fppa_right_deg)) > 30:
            raise InputError("the sample video draws knee bends of 0-90° and knee angles (FPPA) of -30° to 30°; "
                             f"got {self.knee_flexion_deg}°, {self.fppa_left_deg}° and {self.fppa_right_deg}°")

    @property
    def n_frames(self) -> int:
        """Frames in the clip."""
        return int(round((2 * self.rest_s + self.reps * self.rep_s) * self.fps))

    @property
    def scale(self) -> float:
        """Pixels per unit of the 1280-pixel-high reference figure."""
        return self.height / 1280


def squat_depth(time_s: float, spec: SampleSpec) -> float:
    """Share (0-1) of the full squat at ``time_s``: 0 standing, 1 at the bottom (a cosine down and up)."""
    t = time_s - spec.rest_s
    if t < 0 or t > spec.reps * spec.rep_s:
        return 0.0
    return 0.5 * (1 - math.cos(2 * math.pi * t / spec.rep_s))


def _knee_x(hip: Point, knee_y: float, ankle: Point, other_hip: Point, fppa_deg: float) -> float:
    """The knee's ``x`` that gives the leg ``fppa_deg`` (bisection; FPPA is monotonic in ``x``)."""
    medial = 1.0 if other_hip[0] > hip[0] else -1.0
    lateral_x, medial_x = ankle[0] - medial * abs(ankle[1] - knee_y), ankle[0] + medial * abs(ankle[1] - knee_y)
    for _ in range(50):
        mid = 0.5 * (lateral_x + medial_x)
        angle = float(fppa_points(np.array(hip), np.array([mid, knee_y]), np.array(ankle), np.array(other_hip)))
        if angle < fppa_deg:
            lateral_x = mid
        else:
            medial_x = mid
    return 0.5 * (lateral_x + medial_x)


def joints_at(depth: float, spec: SampleSpec) -> dict[str, Point]:
    """Image positions (pixels) of the drawn joints at squat ``depth`` (0-1).

    Keys: ``head``, and ``hip_``, ``knee_``, ``ankle_``, ``toe_``, ``shoulder_``, ``elbow_``,
    ``wrist_`` with ``left`` / ``right`` (the person's; facing the camera, their left is on the
    image right).
    """
    s, cx = spec.scale, spec.width / 2
    flexion = math.radians(depth * spec.knee_flexion_deg)
    ankle_y = 1180 * s
    knee_y = ankle_y - 260 * s * math.cos(0.35 * flexion)  # the shin tilts towards the camera
    hip_y = knee_y - 270 * s * math.cos(min(flexion, math.radians(80)))  # the thigh foreshortens more
    shoulder_y = hip_y - 330 * s * math.cos(math.radians(35 * depth))  # the trunk leans forward
    arms = depth  # the arms reach forward for balance
    joints: dict[str, Point] = {"head": (cx, shoulder_y - 120 * s)}
    for side, sign, fppa in (("left", 1, spec.fppa_left_deg), ("right", -1, spec.fppa_right_deg)):
        hip, other_hip, ankle = (cx + sign * 75 * s, hip_y), (cx - sign * 75 * s, hip_y), (cx + sign * 85 * s, ankle_y)
        joints[f"hip_{side}"] = hip
        joints[f"ankle_{side}"] = ankle
        joints[f"knee_{side}"] = (_knee_x(hip, knee_y, ankle, other_hip, depth * fppa), knee_y)
        joints[f"toe_{side}"] = (ankle[0] + sign * 15 * s, ankle_y + 45 * s)
        joints[f"shoulder_{side}"] = (cx + sign * 105 * s, shoulder_y)
        joints[f"elbow_{side}"] = (cx + sign * (120 - 35 * arms) * s, shoulder_y + (150 - 130 * arms) * s)
        joints[f"wrist_{side}"] = (cx + sign * (125 - 75 * arms) * s, shoulder_y + (290 - 260 * arms) * s)
    return joints


def _px(point: Point) -> tuple[int, int]:
    return int(round(point[0])), int(round(point[1]))


def _shade(color: BGR, factor: float, add: int = 0) -> BGR:
    b, g, r = (min(255, int(c * factor + add)) for c in color)
    return b, g, r


def _limb(image: Image, a: Point, b: Point, width: int, color: BGR) -> None:
    """A rounded limb: dark outline, body colour, and a light stripe as shading."""
    import cv2

    for col, w in ((_shade(color, 0.6), width + 6), (color, width)):
        cv2.line(image, _px(a), _px(b), col, w, cv2.LINE_AA)
        for end in (a, b):
            cv2.circle(image, _px(end), w // 2, col, -1, cv2.LINE_AA)
    cv2.line(image, _px(a), _px(b), _shade(color, 1.25, 10), max(2, width // 4), cv2.LINE_AA)


def _torso(image: Image, joints: dict[str, Point], s: float) -> None:
    """Shirt from the shoulders to the waist; trousers from the waist down over the hip joints."""
    import cv2

    hip_l, hip_r = joints["hip_left"], joints["hip_right"]
    waist_y = hip_l[1] - 70 * s
    pelvis = np.array([(hip_l[0] + 30 * s, waist_y), (hip_l[0] + 34 * s, hip_l[1] + 20 * s),
                       (hip_r[0] - 34 * s, hip_r[1] + 20 * s), (hip_r[0] - 30 * s, waist_y)])
    cv2.fillConvexPoly(image, np.round(pelvis).astype(np.int32), _TROUSERS, cv2.LINE_AA)
    shirt = np.array([joints["shoulder_left"], (hip_l[0] + 28 * s, waist_y + 10 * s),
                      (hip_r[0] - 28 * s, waist_y + 10 * s), joints["shoulder_right"]])
    centre = shirt.mean(axis=0)
    for grow, col in ((1.1, _shade(_SHIRT, 0.6)), (1.05, _SHIRT)):
        cv2.fillConvexPoly(image, np.round((shirt - centre) * grow + centre).astype(np.int32), col, cv2.LINE_AA)
    cv2.line(image, _px((hip_l[0] + 30 * s, waist_y + 12 * s)), _px((hip_r[0] - 30 * s, waist_y + 12 * s)),
             (20, 20, 20), max(2, int(12 * s)), cv2.LINE_AA)


def _head(image: Image, centre: Point, s: float) -> None:
    import cv2

    x, y = centre

    def at(dx: float, dy: float) -> tuple[int, int]:
        return _px((x + dx * s, y + dy * s))

    def size(a: float, b: float) -> tuple[int, int]:
        return int(a * s), int(b * s)

    cv2.ellipse(image, at(0, -8), size(62, 80), 0, 180, 360, _HAIR, -1, cv2.LINE_AA)
    for dx in (-56, 56):  # ears
        cv2.ellipse(image, at(dx, 0), size(8, 16), 0, 0, 360, _SKIN, -1, cv2.LINE_AA)
    cv2.ellipse(image, at(0, 0), size(56, 72), 0, 0, 360, _SKIN, -1, cv2.LINE_AA)
    cv2.ellipse(image, at(0, -45), size(58, 32), 0, 180, 360, _HAIR, -1, cv2.LINE_AA)
    for dx in (-22, 22):  # eyes and eyebrows
        cv2.ellipse(image, at(dx, -10), size(11, 7), 0, 0, 360, (255, 255, 255), -1, cv2.LINE_AA)
        cv2.circle(image, at(dx, -10), max(1, int(5 * s)), (60, 40, 20), -1, cv2.LINE_AA)
        cv2.line(image, at(dx - 12, -26), at(dx + 12, -28), _HAIR, max(1, int(4 * s)), cv2.LINE_AA)
    nose = _shade(_SKIN, 0.75)
    cv2.line(image, at(0, -5), at(-6, 18), nose, max(1, int(3 * s)), cv2.LINE_AA)
    cv2.line(image, at(-6, 18), at(6, 18), nose, max(1, int(3 * s)), cv2.LINE_AA)
    cv2.ellipse(image, at(0, 38), size(18, 7), 0, 0, 180, (70, 70, 170), max(1, int(4 * s)), cv2.LINE_AA)


def render_frame(joints: dict[str, Point], spec: SampleSpec, rng: np.random.Generator | None = None) -> Image:
    """Draw the person at ``joints`` (see :func:`joints_at`) as a BGR image; ``rng`` adds camera grain."""
    import cv2

    s = spec.scale
    image = np.empty((spec.height, spec.width, 3), np.uint8)
    image[:] = _WALL
    image[int(spec.height * 0.86):] = _FLOOR
    for side in ("left", "right"):
        _limb(image, joints[f"hip_{side}"], joints[f"knee_{side}"], int(62 * s), _TROUSERS)
        _limb(image, joints[f"knee_{side}"], joints[f"ankle_{side}"], int(50 * s), _TROUSERS)
        ankle, toe = joints[f"ankle_{side}"], joints[f"toe_{side}"]
        cv2.ellipse(image, _px(((ankle[0] + toe[0]) / 2, ankle[1] + 25 * s)), (int(38 * s), int(22 * s)), 0, 0, 360,
                    _SHOES, -1, cv2.LINE_AA)
    _torso(image, joints, s)
    neck = ((joints["shoulder_left"][0] + joints["shoulder_right"][0]) / 2, joints["shoulder_left"][1])
    _limb(image, neck, joints["head"], int(40 * s), _SKIN)
    for side in ("left", "right"):
        _limb(image, joints[f"shoulder_{side}"], joints[f"elbow_{side}"], int(40 * s), _SHIRT)
        _limb(image, joints[f"elbow_{side}"], joints[f"wrist_{side}"], int(32 * s), _SKIN)
        cv2.circle(image, _px(joints[f"wrist_{side}"]), int(20 * s), _SKIN, -1, cv2.LINE_AA)
    _head(image, joints["head"], s)
    blurred = np.asarray(cv2.GaussianBlur(image, (3, 3), 0), dtype=np.uint8)
    if rng is None or spec.noise <= 0:
        return blurred
    grain = rng.normal(0.0, spec.noise, blurred.shape)
    out: Image = np.clip(blurred + grain, 0, 255).astype(np.uint8)
    return out


def write_sample_video(path: str | Path, spec: SampleSpec | None = None) -> Path:
    """Write the sample clip to ``path`` (MP4; H.264 where this OpenCV build can, else MPEG-4 Part 2).

    Raises
    ------
    InputError
        If ``path``'s folder does not exist or the name does not end in ``.mp4``.
    KneelineError
        If no video codec can be opened.
    """
    import cv2

    from kneeline.errors import KneelineError
    from kneeline.io.video import quiet_opencv

    spec = spec or SampleSpec()
    out = Path(path)
    if out.suffix.lower() != ".mp4":
        raise InputError(f"the sample video is an MP4 file: give a name ending in .mp4, not {out.name!r}")
    if not out.parent.is_dir():
        raise InputError(f"folder {out.parent} does not exist: create it first or choose another place")
    rng = np.random.default_rng(spec.seed)
    for codec in _CODECS:
        with quiet_opencv():
            writer = cv2.VideoWriter(str(out), cv2.VideoWriter.fourcc(*codec), spec.fps, (spec.width, spec.height))
        if writer.isOpened():
            break
        writer.release()
    else:
        out.unlink(missing_ok=True)
        raise KneelineError(f"cannot write {out.name}: none of the video codecs {', '.join(_CODECS)} works in this "
                            "OpenCV build. Install an OpenCV with FFmpeg support (the opencv-python wheel has it).")
    try:
        for i in range(spec.n_frames):
            writer.write(render_frame(joints_at(squat_depth(i / spec.fps, spec), spec), spec, rng))
    finally:
        writer.release()
    return out
