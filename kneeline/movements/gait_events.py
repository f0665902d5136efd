"""Gait events from one fixed camera: foot contacts and toe-offs of both legs.

A foot on the ground does not move in the picture of a fixed camera, whatever the perspective or
the person's distance; a swinging foot does.  So each foot's image speed (heel, ankle and toe,
divided by the person's leg length in pixels at that moment, so approaching the camera does not
change it) separates stance from swing:

- a **swing** is a stretch where the foot's speed exceeds ``swing_speed`` (leg lengths per second)
  reaching at least ``swing_peak``, lasting at least ``swing_min_s``;
- the **contact** ending a swing: after the swing's peak the heel slows below ``contact_speed`` and
  then stays put (within ``rest_distance`` leg lengths of its median position over ``rest_window_s``);
  the contact is the first frame from which the heel stays that close;
- the **toe-off** starting a swing: the same backwards in time with the toe and ``toe_off_speed``
  (the last frame at which it is still within ``rest_distance`` of where it rested).

This is the foot-velocity idea used for marker data (O'Connor 2007, Gait Posture 25:469) applied
to image keypoints; the thresholds live in ``gait.yaml`` with the measurement that chose them.  It
assumes a fixed camera and over-ground walking or running (a treadmill belt moves the standing foot
and is not supported).

Measured limit (``benchmarks/gait_events_check.py``): on the two OpenCap walk videos the right
contacts are within 2 frames (60 fps) of the reference markers' and the left ones 2-4 frames late.
The rule is not the cause: on the reference markers projected through the same cameras it is within
3 frames for both legs (the left's first contact 3 frames early).  BlazePose's heel keypoint, which a
camera in front cannot see behind the shoe, keeps sliding toward the camera after the left heel has
landed (first left contact: 0.04 leg lengths in the next 8 frames against the marker's 0.02; at the
right contacts both move 0.01-0.03), so the left foot comes to rest in the picture later.  No other
rule tried (ankle or toe, speed thresholds, Zeni 2008 on the 3D keypoints, other filter cut-offs)
and no threshold chosen on one phone put the other phone's contacts within 2 frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kneeline.clean.filters import nan_runs
from kneeline.evidence import value
from kneeline.kinematics.angles import Leg
from kneeline.pose.container import FloatArray, PoseSeries

__all__ = ["Stance", "GaitEvents", "detect_gait_events", "leg_scale_px", "foot_speed"]

_LEGS: tuple[Leg, Leg] = ("left", "right")


@dataclass(frozen=True)
class Stance:
    """One stance of one foot: frame indices of its contact and toe-off.

    Attributes
    ----------
    side
        The standing leg.
    contact
        Frame of foot contact; None when the video starts with the foot already down.
    toe_off
        Frame of toe-off; None when the video ends (or the person stops) with the foot down.
    """

    side: Leg
    contact: int | None
    toe_off: int | None

    @property
    def complete(self) -> bool:
        """Both events were seen."""
        return self.contact is not None and self.toe_off is not None


@dataclass(frozen=True)
class GaitEvents:
    """Every contact and toe-off found, per leg, and the stances they bound (in time order)."""

    contacts: dict[Leg, list[int]]
    toe_offs: dict[Leg, list[int]]
    stances: list[Stance]


def _param(key: str) -> float:
    return float(value("gait.yaml", key))


def _running_median(values: FloatArray, width: int) -> FloatArray:
    """Centred running median over ``width`` samples, ignoring NaN."""
    out = np.full(values.shape, np.nan)
    half = max(1, width // 2)
    for i in range(values.size):
        window = values[max(0, i - half):i + half + 1]
        window = window[np.isfinite(window)]
        if window.size:
            out[i] = float(np.median(window))
    return out


def leg_scale_px(pose: PoseSeries) -> FloatArray:
    """Per-frame leg length in pixels (hip to ankle, the longer leg, 1 s running median).

    The longer leg is the straighter one; the running median follows a person who approaches the
    camera without following each stride.
    """
    lengths = np.stack([np.linalg.norm(pose.xy(f"{s}_ankle") - pose.xy(f"{s}_hip"), axis=-1) for s in _LEGS])
    with np.errstate(invalid="ignore"):
        longer = np.where(np.isfinite(lengths).any(axis=0), np.nanmax(np.where(np.isfinite(lengths), lengths,
                                                                               -np.inf), axis=0), np.nan)
    return _running_median(longer, max(3, int(round(pose.fps))))


def foot_speed(pose: PoseSeries, keypoint: str, scale_px: FloatArray) -> FloatArray:
    """Image speed of one keypoint in leg lengths per second (central differences)."""
    xy = pose.xy(keypoint)
    velocity = np.gradient(xy, pose.time_s, axis=0)
    speed: FloatArray = np.linalg.norm(velocity, axis=-1) / scale_px
    return speed


def _keypoint(pose: PoseSeries, name: str, fallback: str) -> str:
    return name if name in pose.keypoints and np.isfinite(pose.xy(name)).any() else fallback


def _swings(speed: FloatArray, time_s: FloatArray) -> list[tuple[int, int, int]]:
    """``(start, peak, stop)`` of each swing: fast enough, long enough."""
    fast = np.nan_to_num(speed, nan=0.0) > _param("swing_speed")
    out = []
    for start, stop in nan_runs(fast):
        segment = speed[start:stop]
        peak = start + int(np.nanargmax(segment))
        if float(segment.max()) >= _param("swing_peak") and time_s[stop - 1] - time_s[start] >= _param("swing_min_s"):
            out.append((start, peak, stop))
    return out


def _merge_close(swings: list[tuple[int, int, int]], speed: FloatArray,
                 time_s: FloatArray) -> list[tuple[int, int, int]]:
    """Join swings separated by less than ``swing_gap_s`` (one swing broken by keypoint noise)."""
    merged: list[tuple[int, int, int]] = []
    for start, peak, stop in swings:
        if merged and time_s[start] - time_s[merged[-1][2] - 1] < _param("swing_gap_s"):
            a, p, _ = merged[-1]
            merged[-1] = (a, p if speed[p] >= speed[peak] else peak, stop)
        else:
            merged.append((start, peak, stop))
    return merged


def _settled(xy: FloatArray, speed: FloatArray, scale: FloatArray, time_s: FloatArray, peak: int, limit: int,
             direction: int, slow_speed: float) -> int | None:
    """Frame where a foot point arrives at (``direction=+1``) or leaves (``-1``) its resting place.

    Walking from the swing's ``peak`` toward ``limit`` (forward for a contact, backward for a
    toe-off), the resting place is the first frame slower than ``slow_speed`` after which the point
    stays within ``rest_distance`` leg lengths of its median position over ``rest_window_s`` (in at
    least ``rest_share`` of those frames: a slow moment in mid-swing does not count).  The event is the
    frame nearest the peak from which the point stays that close.
    """
    window = max(2, int(round(_param("rest_window_s") / float(np.median(np.diff(time_s))))))
    for settle in range(peak, limit, direction):
        if not (np.isfinite(speed[settle]) and speed[settle] < slow_speed):
            continue
        rest_idx = np.arange(settle, settle + direction * window, direction)
        rest_idx = rest_idx[(rest_idx >= 0) & (rest_idx < xy.shape[0])]
        rest = np.nanmedian(xy[rest_idx], axis=0)
        near = np.linalg.norm(xy - rest, axis=-1) / scale <= _param("rest_distance")
        if float(np.mean(near[rest_idx])) < _param("rest_share"):  # still moving: a slow moment in mid-swing
            continue
        event = settle
        for i in range(settle, peak - direction, -direction):
            if not near[i]:
                break
            event = i
        return int(event)
    return None


def _leg_events(pose: PoseSeries, side: Leg, scale: FloatArray) -> tuple[list[int], list[int]]:
    """Contacts and toe-offs of one leg (frame indices)."""
    heel = _keypoint(pose, f"{side}_heel", f"{side}_ankle")
    toe = _keypoint(pose, f"{side}_foot_index", f"{side}_ankle")
    heel_speed = foot_speed(pose, heel, scale)
    toe_speed = foot_speed(pose, toe, scale)
    points = np.stack([pose.xy(heel), pose.xy(toe), pose.xy(f"{side}_ankle")])
    seen = np.isfinite(points).sum(axis=0)
    centre = np.where(seen > 0, np.nansum(points, axis=0) / np.maximum(seen, 1), np.nan)  # NaN where none is seen
    foot = np.linalg.norm(np.gradient(centre, pose.time_s, axis=0), axis=-1) / scale
    t = pose.time_s
    contacts, toe_offs = [], []
    swings = _merge_close(_swings(foot, t), foot, t)
    for k, (start, peak, stop) in enumerate(swings):
        nxt = swings[k + 1][0] if k + 1 < len(swings) else t.size
        prev = swings[k - 1][2] - 1 if k > 0 else -1
        if stop < t.size:
            contact = _settled(pose.xy(heel), heel_speed, scale, t, peak, nxt, +1, _param("contact_speed"))
            if contact is not None:
                contacts.append(contact)
        if start > 0:
            off = _settled(pose.xy(toe), toe_speed, scale, t, peak, prev, -1, _param("toe_off_speed"))
            if off is not None:
                toe_offs.append(off)
    return contacts, toe_offs


def _stances(side: Leg, contacts: list[int], toe_offs: list[int]) -> list[Stance]:
    """Pair each contact with the next toe-off of the same leg (before its next contact)."""
    out: list[Stance] = []
    first_contact = contacts[0] if contacts else None
    early = [o for o in toe_offs if first_contact is None or o < first_contact]
    if early:
        out.append(Stance(side=side, contact=None, toe_off=early[0]))
    for i, c in enumerate(contacts):
        nxt = contacts[i + 1] if i + 1 < len(contacts) else None
        offs = [o for o in toe_offs if o > c and (nxt is None or o < nxt)]
        out.append(Stance(side=side, contact=c, toe_off=offs[0] if offs else None))
    return out


def detect_gait_events(pose: PoseSeries) -> GaitEvents:
    """Find foot contacts and toe-offs of both legs in a cleaned pose series.

    Parameters
    ----------
    pose
        Cleaned keypoints (low-pass filtered) of one person filmed by a fixed camera.

    Returns
    -------
    GaitEvents
        Contacts and toe-offs per leg, and the stances in order of their first event.
    """
    scale = leg_scale_px(pose)
    contacts: dict[Leg, list[int]] = {}
    toe_offs: dict[Leg, list[int]] = {}
    stances: list[Stance] = []
    for side in _LEGS:
        contacts[side], toe_offs[side] = _leg_events(pose, side, scale)
        stances += _stances(side, contacts[side], toe_offs[side])
    stances.sort(key=lambda s: s.contact if s.contact is not None else (s.toe_off or 0))
    return GaitEvents(contacts=contacts, toe_offs=toe_offs, stances=stances)
