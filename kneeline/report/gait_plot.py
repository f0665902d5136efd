"""``plot.png`` of the gait test: pelvis and trunk over the gait cycle, mean ± SD per side.

A gait cycle of a leg runs from its contact to its next contact (0-100 %); each cycle is resampled to
101 points (as kineticstoolkit's ``time_normalize``), and the cycles of each leg are drawn as their
mean with a ±1 SD band, the mean toe-off marked.  Top: contralateral pelvic drop (+ = pelvis lower on
the swinging side while this leg stands); middle: lateral trunk lean toward this leg; bottom: the
events over time.  Values come from the table as shown, so what the capture gate withheld is missing
here too (a panel without values says so).

matplotlib is imported inside :func:`write_gait_plot` and drawn on an explicit Agg canvas.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from kneeline.kinematics.angles import Leg, contralateral_pelvic_drop, trunk_lean_toward
from kneeline.kinematics.table import KinematicsTable
from kneeline.pose.container import FloatArray
from kneeline.report.result import AnalysisResult, Step

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["write_gait_plot", "gait_cycles", "time_normalise"]

_COLORS: dict[str, str] = {"left": "#1f77b4", "right": "#d62728"}
_N = 101


def time_normalise(time_s: FloatArray, values: FloatArray, start_s: float, end_s: float) -> FloatArray:
    """``values`` between two times resampled to 101 points (0-100 %); NaN stays NaN where the span is missing."""
    inside = (time_s >= start_s) & (time_s <= end_s)
    if inside.sum() < 2:
        return np.full(_N, np.nan)
    t, v = time_s[inside], values[inside]
    grid = np.linspace(start_s, end_s, _N)
    out: FloatArray = np.interp(grid, t, v)
    # A withheld (NaN) sample blanks the points it would have touched, never interpolated across.
    nearest = np.abs(grid[:, None] - t[None, :]).argmin(axis=1)
    out[~np.isfinite(v[nearest])] = np.nan
    return out


def gait_cycles(steps: list[Step], side: Leg) -> list[tuple[float, float, float | None]]:
    """``(contact, next contact, toe-off)`` of each complete gait cycle of one leg."""
    own = [s for s in steps if s.side == side and s.contact_s is not None]
    return [(a.contact_s, b.contact_s, a.toe_off_s) for a, b in zip(own, own[1:], strict=False)
            if a.contact_s is not None and b.contact_s is not None]


def _panel(ax: Axes, table: KinematicsTable, result: AnalysisResult, which: str) -> None:
    """Mean ± SD over each leg's cycles of one signal."""
    drawn = False
    for side in ("left", "right"):
        leg: Leg = side
        cycles = gait_cycles(result.steps, leg)
        source = (contralateral_pelvic_drop(table.pelvic_obliquity_deg, leg) if which == "pelvis"
                  else trunk_lean_toward(table.trunk_lean_deg, leg))
        curves = np.array([time_normalise(table.time_s, source, a, b) for a, b, _ in cycles]).reshape(-1, _N)
        if curves.size == 0 or not np.isfinite(curves).any():
            continue
        with warnings.catch_warnings():  # an all-withheld column of the cycles gives NaN, as it should
            warnings.simplefilter("ignore", RuntimeWarning)
            mean, sd = np.nanmean(curves, axis=0), np.nanstd(curves, axis=0)
        x = np.linspace(0, 100, _N)
        ax.plot(x, mean, color=_COLORS[side], lw=2, label=f"{side} leg standing ({len(curves)} cycle(s))")
        ax.fill_between(x, mean - sd, mean + sd, color=_COLORS[side], alpha=0.18, lw=0)
        offs = [100 * (o - a) / (b - a) for a, b, o in cycles if o is not None and b > a]
        if offs:
            ax.axvline(float(np.mean(offs)), color=_COLORS[side], ls=":", lw=1.2)
        drawn = True
    if not drawn:
        ax.text(0.5, 0.5, "not shown: withheld by the capture check (each step in result.json says why), "
                          "or no complete gait cycle", transform=ax.transAxes, ha="center", va="center",
                color="0.4", fontsize=9, style="italic", wrap=True)
    else:
        ax.legend(loc="upper right", fontsize=8)
    ax.axhline(0.0, color="0.6", lw=0.8, zorder=0)
    ax.grid(True, color="0.9", lw=0.6)
    ax.set_xlim(0, 100)


def _events(ax: Axes, result: AnalysisResult) -> None:
    """Contacts (filled) and toe-offs (open) of both legs over time."""
    for row, side in enumerate(("left", "right")):
        steps = [s for s in result.steps if s.side == side]
        contacts = [s.contact_s for s in steps if s.contact_s is not None]
        offs = [s.toe_off_s for s in steps if s.toe_off_s is not None]
        for s in steps:
            if s.contact_s is not None and s.toe_off_s is not None:
                ax.plot([s.contact_s, s.toe_off_s], [row, row], color=_COLORS[side], lw=6, alpha=0.5,
                        solid_capstyle="butt")
        ax.plot(contacts, [row] * len(contacts), "v", color=_COLORS[side], ms=9, label=f"{side} contact")
        ax.plot(offs, [row] * len(offs), "^", mfc="none", color=_COLORS[side], ms=9, label=f"{side} toe-off")
    ax.set_yticks([0, 1], ["left", "right"])
    ax.set_ylim(-0.7, 1.7)
    ax.set_xlabel("time (s)")
    ax.set_title("stance phases (bars), contacts ▼ and toe-offs △", fontsize=9, loc="left")
    ax.grid(True, axis="x", color="0.9", lw=0.6)


def _title(result: AnalysisResult) -> str:
    gait = result.gait
    cad = "" if gait is None or gait.cadence_steps_per_min is None else f" — {gait.cadence_steps_per_min:.0f} steps/min"
    steps = "" if gait is None else f" — {gait.steps_left} left / {gait.steps_right} right stances"
    yaw = result.capture.yaw_deg
    view = f"{result.capture.view} view" + (f" (yaw {yaw:.0f}°)" if yaw is not None else "")
    return f"Gait — {view}{steps}{cad} — {Path(result.video.path).name}"


def write_gait_plot(path: str | Path, table: KinematicsTable, result: AnalysisResult, *, dpi: int = 110) -> Path:
    """Draw the gait plot into a PNG file.

    Parameters
    ----------
    path
        PNG file to write (overwritten).
    table
        Per-frame kinematics as shown.
    result
        The gait result (its ``steps`` give the cycles).
    dpi
        Resolution; the figure is 11 x 10 inches.

    Returns
    -------
    Path
        The path written.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    out = Path(path)
    fig = Figure(figsize=(11, 10), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(3, 1, gridspec_kw={"height_ratios": [3, 3, 1.6]})
    _panel(axes[0], table, result, "pelvis")
    axes[0].set_ylabel("Contralateral pelvic drop (°)\n+ = pelvis lower on\nthe swinging side")
    _panel(axes[1], table, result, "trunk")
    axes[1].set_ylabel("Trunk lean (°)\n+ = toward the\nstanding leg")
    axes[1].set_xlabel("gait cycle (% from contact to the next contact of the same foot; dotted: mean toe-off)")
    _events(axes[2], result)
    fig.suptitle(_title(result), fontsize=13, fontweight="bold")
    notes = list(result.capture.warnings) + ([] if result.gait is None else result.gait.messages)
    if notes:
        axes[0].set_title(" · ".join(notes), fontsize=8, color="#a33", pad=12, loc="left", wrap=True)
    fig.savefig(out, format="png")
    return out
