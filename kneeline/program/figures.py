"""Exercise pictures: stick figures drawn from the joint angles of each exercise's key poses.

The poses (start and end of every library exercise) are data, ``kneeline/data/exercise_poses.yaml``;
this module turns one pose into an SVG by forward kinematics (pelvis -> trunk, hips -> knees -> ankles
-> toes, shoulders -> elbows -> wrists) with fixed body proportions, stands it on the ground and adds
the props the steps name (mat, chair, step, wall, band).  The near limbs are dark, the far ones grey;
the same style everywhere.  ``python -m kneeline.program.figures`` writes every picture to
``kneeline/web/static/exercises/<id>-<start|end>.svg`` (the web app serves them; the handout embeds
them); a test checks the files are complete and up to date.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from kneeline.errors import DataError
from kneeline.evidence import data_text

__all__ = ["POSES", "FIGURE_DIR", "Pose", "pose_of", "figure_svg", "figure_path", "write_figures", "main"]

POSES: tuple[str, ...] = ("start", "end")
"""The key poses every exercise has a picture of."""
FIGURE_DIR = Path(__file__).resolve().parents[1] / "web" / "static" / "exercises"
"""Where the pictures are written (served as ``/static/exercises/<id>-<pose>.svg``)."""

_LENGTHS = {"trunk": 0.52, "head": 0.1, "neck": 0.03, "thigh": 0.45, "shank": 0.43, "foot": 0.15,
            "arm": 0.3, "forearm": 0.27, "hip": 0.09, "shoulder": 0.17}
"""Body proportions (standing height about 1.75)."""
_NEAR, _FAR, _PROP, _BAND = "#1b1b1b", "#8a8a8a", "#555555", "#b35900"
_PAIRS = ("thigh", "shank", "foot", "arm", "forearm")
_PX_PER_UNIT = 110.0

Point = tuple[float, float]


@dataclass(frozen=True)
class Pose:
    """One key pose: segment directions in degrees (see ``exercise_poses.yaml``), the view and the props."""

    view: Literal["side", "front"]
    trunk: float
    limbs: dict[str, tuple[float, float]]
    props: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    loaded = yaml.safe_load(data_text("exercise_poses.yaml"))
    if not isinstance(loaded, dict) or "exercises" not in loaded:
        raise DataError("exercise_poses.yaml: expected 'presets' and 'exercises'")
    return loaded


def pose_of(exercise_id: str, which: str) -> Pose:
    """The ``which`` ("start" / "end") pose of an exercise.

    Raises
    ------
    DataError
        If the exercise or the pose is missing, or a segment angle is not a pair of numbers.
    """
    data = _data()
    entry = data["exercises"].get(exercise_id)
    if entry is None or which not in entry:
        raise DataError(f"exercise_poses.yaml: no {which!r} pose for {exercise_id!r}; add it")
    raw = dict(entry[which])
    preset = raw.pop("preset", None)
    values = {**(data["presets"][preset] if preset else {}), **raw}
    try:
        limbs = {name: (float(values[name][0]), float(values[name][1])) for name in _PAIRS}
        return Pose(view=values.get("view", "side"), trunk=float(values["trunk"]), limbs=limbs,
                    props=tuple(entry.get("props", ())))
    except (KeyError, TypeError, IndexError, ValueError) as exc:
        raise DataError(f"exercise_poses.yaml: pose {which!r} of {exercise_id!r} is incomplete ({exc!r}); "
                        f"it needs trunk and [near, far] pairs of {', '.join(_PAIRS)}") from None


def _limb(angle: float) -> Point:
    a = math.radians(angle)
    return math.sin(a), -math.cos(a)


def _add(p: Point, length: float, d: Point) -> Point:
    return p[0] + length * d[0], p[1] + length * d[1]


def _skeleton(pose: Pose) -> dict[str, Point]:
    """Joint positions (y up, pelvis at the origin) of ``pose``."""
    t = math.radians(pose.trunk)
    up = (math.sin(t), math.cos(t))
    across = (math.cos(t), -math.sin(t)) if pose.view == "front" else (0.0, 0.0)
    j: dict[str, Point] = {"pelvis": (0.0, 0.0)}
    j["neck"] = _add(j["pelvis"], _LENGTHS["trunk"], up)
    j["head"] = _add(j["neck"], _LENGTHS["neck"] + _LENGTHS["head"], up)
    for i, side in enumerate(("near", "far")):
        sign = -1.0 if side == "near" else 1.0
        hip = _add(j["pelvis"], sign * _LENGTHS["hip"], across)
        shoulder = _add(j["neck"], sign * _LENGTHS["shoulder"], across)
        j[f"{side}_hip"], j[f"{side}_shoulder"] = hip, shoulder
        j[f"{side}_knee"] = _add(hip, _LENGTHS["thigh"], _limb(pose.limbs["thigh"][i]))
        j[f"{side}_ankle"] = _add(j[f"{side}_knee"], _LENGTHS["shank"], _limb(pose.limbs["shank"][i]))
        j[f"{side}_toe"] = _add(j[f"{side}_ankle"], _LENGTHS["foot"], _limb(pose.limbs["foot"][i]))
        j[f"{side}_elbow"] = _add(shoulder, _LENGTHS["arm"], _limb(pose.limbs["arm"][i]))
        j[f"{side}_wrist"] = _add(j[f"{side}_elbow"], _LENGTHS["forearm"], _limb(pose.limbs["forearm"][i]))
    return j


def _ground(j: dict[str, Point], props: tuple[str, ...]) -> float:
    """The floor's height: under the lowest point, or a step's height under the near foot."""
    lowest = min(min(y for _, y in j.values()), j["head"][1] - _LENGTHS["head"])
    if any(p.startswith("step") for p in props):
        near_foot = min(j["near_ankle"][1], j["near_toe"][1])
        return min(lowest, near_foot - 0.2)
    if "roller" in props:
        return lowest - 0.12
    if "mat" in props:
        return lowest - 0.02
    return lowest


def _line(a: Point, b: Point, colour: str, width: float, dash: str = "") -> str:
    extra = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<line x1="{a[0]:.3f}" y1="{-a[1]:.3f}" x2="{b[0]:.3f}" y2="{-b[1]:.3f}" stroke="{colour}" '
            f'stroke-width="{width}" stroke-linecap="round"{extra}/>')


def _rect(x0: float, y0: float, x1: float, y1: float) -> str:
    return (f'<rect x="{min(x0, x1):.3f}" y="{-max(y0, y1):.3f}" width="{abs(x1 - x0):.3f}" '
            f'height="{abs(y1 - y0):.3f}" fill="#e6e6e6" stroke="{_PROP}" stroke-width="0.015"/>')


def _props(j: dict[str, Point], props: tuple[str, ...], ground: float, xs: tuple[float, float]) -> list[str]:
    out: list[str] = []
    lo, hi = xs
    for prop in props:
        if prop == "mat":
            out.append(_rect(lo - 0.05, ground, hi + 0.05, ground + 0.02))
        elif prop == "chair":
            x = j["pelvis"][0]
            out += [_rect(x - 0.55, ground + 0.43, x - 0.12, ground + 0.47),
                    _line((x - 0.53, ground), (x - 0.53, ground + 0.9), _PROP, 0.03),
                    _line((x - 0.14, ground), (x - 0.14, ground + 0.43), _PROP, 0.03)]
        elif prop == "chair-seat":
            x, y = j["pelvis"]
            out += [_rect(x - 0.25, y - 0.06, x + 0.2, y - 0.02),
                    _line((x - 0.23, ground), (x - 0.23, y + 0.45), _PROP, 0.03),
                    _line((x + 0.18, ground), (x + 0.18, y - 0.06), _PROP, 0.03)]
        elif prop.startswith("step"):
            ax, ay = j["near_ankle"]
            top = min(ay, j["near_toe"][1])
            out.append(_rect(ax - 0.3, ground, ax + 0.08, top) if prop == "step-left"
                       else _rect(ax - 0.08, ground, ax + 0.3, top))
        elif prop == "wall-left":
            out.append(_line((lo - 0.02, ground), (lo - 0.02, ground + 1.9), _PROP, 0.04))
        elif prop == "mirror":
            out.append(_rect(lo - 0.35, ground + 0.3, lo - 0.3, ground + 1.8))
        elif prop in ("band-knees", "band-ankles"):
            joint = "knee" if prop == "band-knees" else "ankle"
            out.append(_line(j[f"near_{joint}"], j[f"far_{joint}"], _BAND, 0.035, "0.05 0.04"))
        elif prop == "towel":
            kx, _ = j["near_knee"]
            out.append(f'<circle cx="{kx:.3f}" cy="{-(ground + 0.06):.3f}" r="0.05" fill="#e6e6e6" '
                       f'stroke="{_PROP}" stroke-width="0.015"/>')
        elif prop == "roller":
            (hx, hy), (kx, ky) = j["near_hip"], j["near_knee"]
            mx, my = (hx + kx) / 2, (hy + ky) / 2
            r = max(0.04, (my - ground) / 2)
            out.append(f'<circle cx="{mx:.3f}" cy="{-(ground + r):.3f}" r="{r:.3f}" fill="#e6e6e6" '
                       f'stroke="{_PROP}" stroke-width="0.015"/>')
        else:
            raise DataError(f"exercise_poses.yaml: unknown prop {prop!r}")
    return out


def figure_svg(exercise_id: str, which: str, title: str) -> str:
    """The SVG picture of one pose of one exercise, titled ``title``."""
    pose = pose_of(exercise_id, which)
    j = _skeleton(pose)
    ground = _ground(j, pose.props)
    xs = [x for x, _ in j.values()]
    lo, hi = min(xs) - 0.15, max(xs) + 0.15
    if "mirror" in pose.props:
        lo -= 0.4
    if "chair" in pose.props:
        lo = min(lo, j["pelvis"][0] - 0.65)
    top = max(max(y for _, y in j.values()) + _LENGTHS["head"] + 0.1, ground + 1.0)
    parts = [_line((lo, ground), (hi, ground), _PROP, 0.02), *_props(j, pose.props, ground, (lo + 0.15, hi - 0.15))]
    for side, colour in (("far", _FAR), ("near", _NEAR)):
        for a, b in (("hip", "knee"), ("knee", "ankle"), ("ankle", "toe"), ("shoulder", "elbow"),
                     ("elbow", "wrist")):
            parts.append(_line(j[f"{side}_{a}"], j[f"{side}_{b}"], colour, 0.055))
        if side == "far":
            parts.append(_line(j["far_hip"], j["near_hip"], _NEAR, 0.055))
            parts.append(_line(j["far_shoulder"], j["near_shoulder"], _NEAR, 0.055))
    parts.append(_line(j["pelvis"], j["neck"], _NEAR, 0.07))
    hx, hy = j["head"]
    parts.append(f'<circle cx="{hx:.3f}" cy="{-hy:.3f}" r="{_LENGTHS["head"]}" fill="#ffffff" stroke="{_NEAR}" '
                 'stroke-width="0.04"/>')
    width, height = hi - lo, top - ground + 0.05
    vb = f"{lo:.3f} {-top:.3f} {width:.3f} {height:.3f}"
    px_w, px_h = round(width * _PX_PER_UNIT), round(height * _PX_PER_UNIT)
    safe = title.replace("&", "and").replace("<", "").replace(">", "")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{vb}" width="{px_w}" height="{px_h}" '
            f'role="img"><title>{safe}</title>' + "".join(parts) + "</svg>\n")


def figure_path(exercise_id: str, which: str, folder: Path = FIGURE_DIR) -> Path:
    """Where the picture of one pose is stored."""
    return folder / f"{exercise_id}-{which}.svg"


def write_figures(folder: Path = FIGURE_DIR) -> list[Path]:
    """Draw every pose of every library exercise into ``folder``; the paths written."""
    from kneeline.program.library import load_library

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for ex in load_library().exercises.values():
        for which in POSES:
            path = figure_path(ex.id, which, folder)
            path.write_text(figure_svg(ex.id, which, f"{ex.name}: {which} position"), encoding="utf-8")
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m kneeline.program.figures [FOLDER]``: write the pictures."""
    args = sys.argv[1:] if argv is None else argv
    paths = write_figures(Path(args[0]) if args else FIGURE_DIR)
    print(f"{len(paths)} pictures written to {paths[0].parent if paths else '-'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
