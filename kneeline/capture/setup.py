"""The live setup assistant's checks: whether the camera is set up well enough to start.

Before a recording or a live set the page streams the camera preview; the server keeps the last
second of keypoints and :func:`check_setup` turns them into six checks, each a plain instruction
that says what to do, met or not:

``body``
    Head, shoulders, hips, knees and ankles inside the picture (and seen with confidence) in most
    frames of the window — both sides from the front; from the side the far side may be hidden, so
    either side counts.  When not, says which part is out and which way to move.
``distance``
    The standing height in the picture (nose to heels) as a share of the frame height.  Apparent
    size is inversely proportional to distance (pinhole camera), so a size far from the target
    range gives "about a metre", a size near it "a small step".
``camera``
    Phone height and tilt, from two things the picture shows.  (1) *Height and pitch*: a level
    phone at hip height has the hips on its horizon, the middle row of the picture; hips high in
    the picture mean the phone is lower than the hips or tilted down, hips low mean it is higher or
    tilted up (a phone at eye height looks down and shortens the legs).  One 2D view cannot tell a
    phone that is too low from one that is tilted down, so the advice names both.  (2) *Roll*: the
    standing person's ankle-to-shoulder line should be vertical; its tilt in the picture is the
    phone's rotation — or the person leaning, which the check cannot tell apart, so it asks the
    person to stand up straight while the check runs.
``facing``
    The body's turn to the camera from the one view estimate,
    :func:`kneeline.capture.view.estimate_view`, judged with the capture gate's own limits from
    ``capture.yaml``: a frontal exercise is met while the turn is under ``fppa_yaw_withhold_deg``
    (where the gate would start withholding knee angles), a side-view exercise once it is at least
    ``yaw_sagittal_deg``.  So the assistant turns green exactly when the gate will accept the view.
``light``
    Mean brightness and contrast of the frame and backlight (the person much darker than the rest
    of the picture), from :func:`measure_light`.
``people``
    People counted with BlazePose's multi-person detector (:mod:`kneeline.pose.people`); the pose
    model follows one person, so more than one is a problem.

Limits live in ``kneeline/data/setup.yaml`` with their sources.  Everything here is pure: numbers
in, checks out.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from kneeline.capture.view import estimate_view
from kneeline.evidence import value
from kneeline.kinematics.view import in_frame, person_height_px
from kneeline.pose.container import PoseSeries

__all__ = [
    "CheckId", "CHECK_IDS", "SetupCheck", "SetupReport", "LightStats", "measure_light", "check_setup",
    "recorded_anyway_warning", "setup_limit",
]

CheckId = Literal["body", "distance", "camera", "facing", "light", "people"]
CHECK_IDS: tuple[CheckId, ...] = ("body", "distance", "camera", "facing", "light", "people")
"""The checks, in the order the page lists them."""

ViewNeed = Literal["frontal", "sagittal"]

_FRAMED = ("nose", "left_shoulder", "right_shoulder", "left_hip", "right_hip", "left_knee", "right_knee",
           "left_ankle", "right_ankle")
_PAIRS = (("left_shoulder", "right_shoulder"), ("left_hip", "right_hip"), ("left_knee", "right_knee"),
          ("left_ankle", "right_ankle"))
_PART_NAMES = {"nose": "head", "left_shoulder": "shoulders", "right_shoulder": "shoulders", "left_hip": "hips",
               "right_hip": "hips", "left_knee": "knees", "right_knee": "knees", "left_ankle": "feet",
               "right_ankle": "feet"}
_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_LABELS: dict[CheckId, str] = {
    "body": "Whole body in the picture", "distance": "Distance", "camera": "Phone height and angle",
    "facing": "Facing the phone", "light": "Light", "people": "Only you in the picture",
}


def setup_limit(key: str) -> float:
    """A limit of the setup assistant from ``setup.yaml``."""
    return float(value("setup.yaml", key))


def _gate_limit(key: str) -> float:
    return float(value("capture.yaml", key))


@dataclass(frozen=True)
class SetupCheck:
    """One check of the setup assistant.

    Attributes
    ----------
    id
        Which check (see :data:`CHECK_IDS`).
    label
        Short name shown next to the status ("Distance").
    ok
        True when met, False when not, None when it cannot be judged yet.
    message
        What to do (or that it is fine), in plain words.
    """

    id: CheckId
    label: str
    ok: bool | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        """The check as JSON-ready data."""
        return {"id": self.id, "label": self.label, "ok": self.ok, "message": self.message}


@dataclass(frozen=True)
class SetupReport:
    """All checks for one moment of the preview."""

    checks: tuple[SetupCheck, ...]

    @property
    def all_ok(self) -> bool:
        """Every check is met."""
        return all(c.ok is True for c in self.checks)

    @property
    def unmet(self) -> tuple[CheckId, ...]:
        """Ids of the checks not met (or not yet judged)."""
        return tuple(c.id for c in self.checks if c.ok is not True)

    def check(self, check_id: CheckId) -> SetupCheck:
        """The check called ``check_id``."""
        return next(c for c in self.checks if c.id == check_id)

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {"checks": [c.as_dict() for c in self.checks], "all_ok": self.all_ok}


@dataclass(frozen=True)
class LightStats:
    """Light in one frame, on the 8-bit luma scale.

    Attributes
    ----------
    brightness
        Mean luma, 0-255.
    contrast
        Standard deviation of luma.
    backlight_ratio
        Mean luma inside the person's box over the mean of the rest of the picture (None without a
        person or when the box covers nearly the whole frame).
    """

    brightness: float
    contrast: float
    backlight_ratio: float | None = None


def measure_light(gray: NDArray[np.uint8], box: tuple[float, float, float, float] | None = None) -> LightStats:
    """Measure brightness, contrast and backlight of one grey (luma) image.

    Parameters
    ----------
    gray
        ``(height, width)`` luma image, 0-255; not modified.
    box
        ``(x_min, y_min, x_max, y_max)`` around the person in pixels, or None.
    """
    image = np.asarray(gray, dtype=np.float64)
    if image.ndim != 2 or image.size == 0:
        raise ValueError(f"measure_light needs a 2D grey image; got shape {image.shape}")
    ratio = None
    if box is not None:
        height, width = image.shape
        x0, y0 = int(np.clip(np.floor(box[0]), 0, width)), int(np.clip(np.floor(box[1]), 0, height))
        x1, y1 = int(np.clip(np.ceil(box[2]), 0, width)), int(np.clip(np.ceil(box[3]), 0, height))
        inside = np.zeros(image.shape, dtype=bool)
        inside[y0:y1, x0:x1] = True
        if 0 < inside.sum() < 0.9 * image.size:
            ratio = float(image[inside].mean() / max(float(image[~inside].mean()), 1.0))
    return LightStats(brightness=float(image.mean()), contrast=float(image.std()), backlight_ratio=ratio)


def _confident(pose: PoseSeries) -> PoseSeries:
    """The series with keypoints below ``min_confidence`` set missing (a new series)."""
    position = np.array(pose.position, dtype=np.float64, copy=True)
    position[pose.confidence < setup_limit("min_confidence")] = np.nan
    return replace(pose, position=position)


def _check(check_id: CheckId, ok: bool | None, message: str, label: str | None = None) -> SetupCheck:
    return SetupCheck(id=check_id, label=label or _LABELS[check_id], ok=ok, message=message)


def _inside(seen: PoseSeries) -> dict[str, NDArray[np.bool_]]:
    """Per keypoint of :data:`_FRAMED`: seen with confidence and inside the picture, per frame."""
    margin = setup_limit("frame_margin")
    return {k: np.asarray(in_frame(seen, margin, (k,)), dtype=bool) for k in _FRAMED}


def _framed(inside: dict[str, NDArray[np.bool_]], view: ViewNeed) -> NDArray[np.bool_]:
    """Frames with the whole body in view: both sides from the front, the nearer side (either) from the side."""
    parts = [inside["nose"]]
    for a, b in _PAIRS:
        parts.append(inside[a] & inside[b] if view == "frontal" else inside[a] | inside[b])
    return np.asarray(np.all(np.stack(parts), axis=0), dtype=bool)


def _missing(inside: dict[str, NDArray[np.bool_]], view: ViewNeed, i: int) -> list[str]:
    """Keypoints that keep frame ``i`` from counting as framed."""
    out = [] if inside["nose"][i] else ["nose"]
    for a, b in _PAIRS:
        if view == "frontal":
            out += [k for k in (a, b) if not inside[k][i]]
        elif not (inside[a][i] or inside[b][i]):
            out += [a, b]
    return out


def _where_out(pose: PoseSeries, inside: dict[str, NDArray[np.bool_]], view: ViewNeed) -> str:
    """Which way the body leaves the picture in the latest frame, as advice."""
    margin = setup_limit("frame_margin")
    i = pose.n_frames - 1
    missing = _missing(inside, view, i)
    if not missing:
        return "Hold still in the picture for a moment: part of you was out of it just now."
    raw = np.array([pose.xy(k)[i] for k in missing])
    below = bool(np.any(raw[:, 1] > (1 + margin) * pose.height))
    above = bool(np.any(raw[:, 1] < -margin * pose.height))
    side = bool(np.any((raw[:, 0] < -margin * pose.width) | (raw[:, 0] > (1 + margin) * pose.width)))
    if below and above:
        return "Your head and feet are both out of the picture: step back about a metre."
    if below:
        return "Your feet are out of the picture: step back, or tilt the phone down a little."
    if above:
        return "Your head is out of the picture: step back, or tilt the phone up a little."
    if side:
        return "Part of you is out at the side of the picture: move towards the middle of the picture."
    parts = sorted({_PART_NAMES[k] for k in missing}, key=list(_PART_NAMES.values()).index)
    return (f"kneeline cannot see your {', '.join(parts)} clearly: step back so you are in the picture from head "
            "to feet, and keep nothing in front of your legs.")


def _body(pose: PoseSeries, seen: PoseSeries, inside: dict[str, NDArray[np.bool_]], view: ViewNeed,
          framed: NDArray[np.bool_]) -> SetupCheck:
    if not np.any(np.isfinite(seen.position[..., 0])):
        return _check("body", False, "Nobody is in the picture: stand 2-3 m in front of the phone.")
    if framed.mean() >= setup_limit("framed_fraction"):
        return _check("body", True, "Your whole body is in the picture.")
    return _check("body", False, _where_out(pose, inside, view))


def _distance(seen: PoseSeries, framed: NDArray[np.bool_]) -> SetupCheck:
    heights = person_height_px(seen)[framed]
    heights = heights[np.isfinite(heights)]
    if heights.size == 0:
        return _check("distance", None, "Get your whole body into the picture first.")
    fraction = float(np.median(heights)) / seen.height
    low, high, far = (setup_limit(k) for k in ("min_height_fraction", "max_height_fraction", "far_step_ratio"))
    if fraction < low:
        step = "about a metre" if low / fraction > far else "a small step"
        return _check("distance", False, f"Come {step} closer: you fill {fraction:.0%} of the picture's height "
                                         f"(aim for {low:.0%}-{high:.0%}).")
    if fraction > high:
        step = "about a metre" if fraction / high > far else "a small step"
        return _check("distance", False, f"Step back {step}: you fill {fraction:.0%} of the picture's height "
                                         f"(aim for {low:.0%}-{high:.0%}).")
    return _check("distance", True, "Good distance.")


def _mid(seen: PoseSeries, a: str, b: str) -> NDArray[np.float64]:
    """Midpoint of two keypoints per frame; the one seen where only one is (a side view's near side)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # neither seen: NaN, as intended
        out: NDArray[np.float64] = np.nanmean(np.stack([seen.xy(a), seen.xy(b)]), axis=0)
    return out


def _camera(seen: PoseSeries, framed: NDArray[np.bool_]) -> SetupCheck:
    if not framed.any():
        return _check("camera", None, "Get your whole body into the picture first.")
    hip = _mid(seen, "left_hip", "right_hip")[framed]
    top = _mid(seen, "left_shoulder", "right_shoulder")[framed]
    bottom = _mid(seen, "left_ankle", "right_ankle")[framed]
    line = top - bottom
    if not (np.isfinite(line).all(axis=1).any() and np.isfinite(hip[:, 1]).any()):
        return _check("camera", None, "Get your whole body into the picture first.")
    roll = float(np.degrees(np.arctan2(np.nanmedian(line[:, 0]), -np.nanmedian(line[:, 1]))))
    if abs(roll) > setup_limit("max_roll_deg"):
        return _check("camera", False, f"Straighten the phone: the picture is tilted about {abs(roll):.0f} deg "
                                       "(and stand up straight while kneeline checks).")
    row = float(np.nanmedian(hip[:, 1])) / seen.height
    if row < setup_limit("hip_row_min"):
        return _check("camera", False, "Move the phone higher, to your hip height, and hold it level: your hips "
                                       "are high in the picture.")
    if row > setup_limit("hip_row_max"):
        return _check("camera", False, "Move the phone lower, to your hip height, and hold it level: your hips "
                                       "are low in the picture.")
    return _check("camera", True, "The phone is at about hip height and upright.")


def _turn_word(signed_yaw: float | None) -> str:
    """Which way to turn to face the camera (negative yaw: the person's left side is nearer)."""
    if signed_yaw is None or signed_yaw == 0:
        return "Turn"
    return "Turn to your left" if signed_yaw < 0 else "Turn to your right"


def _facing(pose: PoseSeries, view: ViewNeed) -> SetupCheck:
    estimate = estimate_view(pose)
    label = "Facing the phone" if view == "frontal" else "Side-on to the phone"
    yaw = estimate.yaw_deg
    if yaw is None or not np.isfinite(yaw):
        stand = "facing the phone" if view == "frontal" else "side-on to the phone"
        return _check("facing", None, f"Stand still, {stand}, so kneeline can check the view.", label)
    sagittal = _gate_limit("yaw_sagittal_deg")
    spread = f", give or take {estimate.uncertainty_deg:.0f} deg" if estimate.uncertainty_deg else ""
    if view == "sagittal":
        if yaw >= sagittal:
            return _check("facing", True, "Side-on to the phone.", label)
        return _check("facing", False, f"Turn side-on: stand with your side to the phone (you are turned about "
                                       f"{yaw:.0f} deg{spread}; at least {sagittal:.0f} deg is needed).", label)
    withhold, warn = _gate_limit("fppa_yaw_withhold_deg"), _gate_limit("fppa_yaw_warn_deg")
    if yaw >= sagittal:
        return _check("facing", False, f"Side view: the phone sees you from the side. {_turn_word(None)} to face "
                                       "the phone.", label)
    if yaw >= withhold:
        return _check("facing", False, f"{_turn_word(estimate.signed_yaw_deg)} to face the phone squarely: you are "
                                       f"turned about {yaw:.0f} deg{spread}, and knee angles need less than "
                                       f"{withhold:.0f} deg.", label)
    if yaw >= warn:
        return _check("facing", True, f"You face the phone (turned about {yaw:.0f} deg{spread}; squarer is a "
                                      "little better).", label)
    return _check("facing", True, "You face the phone.", label)


def _light(light: LightStats | None) -> SetupCheck:
    if light is None:
        return _check("light", None, "Checking the light.")
    if light.brightness < setup_limit("min_brightness"):
        return _check("light", False, "It is too dark: turn on more lights or face a window.")
    if light.brightness > setup_limit("max_brightness"):
        return _check("light", False, "The picture is too bright: move out of direct sun, or away from a bright "
                                      "window behind you.")
    if light.backlight_ratio is not None and light.backlight_ratio < setup_limit("min_backlight_ratio"):
        return _check("light", False, "The light is behind you, so you look dark: turn so the light falls on you "
                                      "(a window or lamp behind the phone, not behind you).")
    if light.contrast < setup_limit("min_contrast"):
        return _check("light", False, "The picture is flat and hazy: add light on you and stand in front of a "
                                      "plain background.")
    return _check("light", True, "Good light.")


def _people(count: int | None, someone_tracked: bool) -> SetupCheck:
    n = max(count or 0, 1 if someone_tracked else 0)
    if count is None and not someone_tracked:
        return _check("people", None, "Looking for you in the picture.")
    if n == 0:
        return _check("people", False, "Nobody is in the picture: stand 2-3 m in front of the phone.")
    if n == 1:
        return _check("people", True, "Only you are in the picture.")
    words = _NUMBER_WORDS[n] if n < len(_NUMBER_WORDS) else str(n)
    return _check("people", False, f"{words.capitalize()} people are in the picture: only the person exercising "
                                   "should be in view (kneeline follows one person).")


def check_setup(pose: PoseSeries, *, view: ViewNeed = "frontal", light: LightStats | None = None,
                people: int | None = None) -> SetupReport:
    """Run the setup checks on a short window of recent keypoints.

    Parameters
    ----------
    pose
        The last second or so of keypoints (BlazePose topology with world coordinates for the view
        estimate); frame size in ``pose.width`` / ``pose.height``.  Not modified.
    view
        The view the exercise needs: ``"frontal"`` (facing the phone) or ``"sagittal"`` (side-on).
    light
        Light in the latest frame (:func:`measure_light`), or None when not measured.
    people
        People counted in recent frames (:func:`kneeline.pose.people.robust_count`), or None when
        not counted yet.

    Returns
    -------
    SetupReport
        The six checks in :data:`CHECK_IDS` order.
    """
    seen = _confident(pose)
    inside = _inside(seen)
    framed = _framed(inside, view)
    tracked = bool(np.any(np.isfinite(seen.position[..., 0])))
    if pose.n_frames < setup_limit("min_frames"):
        waiting = [_check(c, None, "Starting the camera check.") for c in CHECK_IDS if c not in ("light", "people")]
        return SetupReport(checks=(*waiting[:4], _light(light), _people(people, tracked)))
    return SetupReport(checks=(_body(pose, seen, inside, view, framed), _distance(seen, framed), _camera(seen, framed),
                               _facing(pose, view), _light(light), _people(people, tracked)))


_ANYWAY = {
    "body": "your whole body was not in the picture",
    "distance": "you were too near or too far from the phone",
    "camera": "the phone was not at hip height or not upright",
    "facing": "you were not facing the phone as the test needs",
    "light": "the light was poor",
    "people": "more than one person was in the picture",
    "unchecked": "the camera check did not run",
}


def recorded_anyway_warning(unmet: list[str] | tuple[str, ...]) -> str | None:
    """The warning stored with a recording started before every check was met ("record anyway").

    Parameters
    ----------
    unmet
        Ids of the checks not met when recording started (:data:`CHECK_IDS`, or ``"unchecked"``);
        unknown ids are ignored.

    Returns
    -------
    str or None
        One sentence, or None when nothing known was unmet.
    """
    reasons = [_ANYWAY[u] for u in dict.fromkeys(unmet) if u in _ANYWAY]
    if not reasons:
        return None
    return ("Recorded before the camera setup check was met (" + "; ".join(reasons) + "): numbers from this "
            "recording may be less reliable. Next time, wait until every check is green.")
