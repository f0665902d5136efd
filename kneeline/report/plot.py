"""``plot.png``: the per-frame angles over time, with the repetitions shaded.

Panels, top to bottom: knee FPPA (left and right), pelvic obliquity (and, for single-leg tests, the
contralateral pelvic drop during each repetition), lateral trunk lean, and depth.  Each repetition
is shaded from start to end and its bottom marked with its number.

matplotlib is imported inside :func:`write_plot` and drawn on an explicit Agg canvas, so neither
importing this module nor calling it touches pyplot's global state.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from kneeline.kinematics.angles import contralateral_pelvic_drop
from kneeline.kinematics.table import KinematicsTable
from kneeline.pose.container import FloatArray
from kneeline.report.result import AnalysisResult, Rep

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["write_plot", "SIDE_COLORS"]

logger = logging.getLogger(__name__)

SIDE_COLORS: dict[str, str] = {"left": "#1f77b4", "right": "#d62728", "both": "#7f7f7f"}
"""Line and shading colour per body side, shared with the annotated video."""

_TEST_TITLES: dict[str, str] = {
    "single-leg-squat": "Single-leg squat", "squat": "Squat", "single-leg-stance": "Single-leg stance",
}
_SINGLE_LEG = frozenset({"single-leg-squat", "single-leg-stance"})


def _finite(values: FloatArray) -> bool:
    """Whether any value is finite."""
    return bool(np.isfinite(values).any())


def _not_measured(ax: Axes, what: str) -> None:
    """Write a note in the middle of an empty panel."""
    ax.text(0.5, 0.5, f"{what} not shown: withheld by the capture check (see above) or not measured",
            transform=ax.transAxes, ha="center",
            va="center", color="0.4", fontsize=10, style="italic")


def _panel_fppa(ax: Axes, table: KinematicsTable) -> None:
    """Knee frontal-plane projection angle of both legs."""
    t = table.time_s
    ax.plot(t, table.fppa_left_deg, color=SIDE_COLORS["left"], lw=1.6, label="left knee")
    ax.plot(t, table.fppa_right_deg, color=SIDE_COLORS["right"], lw=1.6, label="right knee")
    ax.set_ylabel("Knee FPPA (°)\n+ = knee inward (valgus)\n− = knee outward (varus)")
    if not (_finite(table.fppa_left_deg) or _finite(table.fppa_right_deg)):
        _not_measured(ax, "FPPA")


def _panel_pelvis(ax: Axes, table: KinematicsTable, result: AnalysisResult) -> None:
    """Pelvic obliquity; for single-leg tests also the contralateral drop during each rep."""
    t = table.time_s
    ax.plot(t, table.pelvic_obliquity_deg, color="0.25", lw=1.4, label="pelvic obliquity")
    label = "Pelvis (°)\nobliquity: + = left hip higher"
    if result.test in _SINGLE_LEG:
        for side in ("left", "right"):
            mask = np.zeros(t.shape, dtype=bool)
            for rep in result.reps:
                if rep.side == side:
                    mask |= (t >= rep.start_s) & (t <= rep.end_s)
            if not mask.any():
                continue
            drop = np.where(mask, contralateral_pelvic_drop(table.pelvic_obliquity_deg, side), np.nan)
            ax.plot(t, drop, color=SIDE_COLORS[side], lw=2.0, ls="--",
                    label=f"pelvic drop, standing on {side}")
        label += "\ndrop: + = free side lower"
    ax.set_ylabel(label)
    if not _finite(table.pelvic_obliquity_deg):
        _not_measured(ax, "Pelvic obliquity")


def _panel_trunk(ax: Axes, table: KinematicsTable) -> None:
    """Lateral trunk lean."""
    ax.plot(table.time_s, table.trunk_lean_deg, color="#2ca02c", lw=1.6, label="trunk lean")
    ax.set_ylabel("Trunk lean (°)\n+ = toward the\nperson's left")
    if not _finite(table.trunk_lean_deg):
        _not_measured(ax, "Trunk lean")


def _panel_depth(ax: Axes, table: KinematicsTable) -> None:
    """Hip descent as a fraction of leg length, drawn downward."""
    ax.plot(table.time_s, table.depth, color="#9467bd", lw=1.6, label="depth")
    ax.invert_yaxis()
    ax.set_ylabel("Depth (× leg length)\n0 = standing\ndeeper ↓")
    ax.set_xlabel("time (s)")
    if not _finite(table.depth):
        _not_measured(ax, "Depth")


def _log_series(axes: Sequence[Axes]) -> None:
    """Log at DEBUG how many finite values each drawn curve has, so tests can check what a plot shows."""
    for ax in axes:
        for line in ax.get_lines():
            y = np.asarray(line.get_ydata(), dtype=float)
            if y.size > 2:  # curves, not the zero line or the rep markers
                logger.debug("plot series %r: %d finite values", str(line.get_label()), int(np.isfinite(y).sum()))


def _legend(ax: Axes) -> None:
    """Legend of the curves that have data (an all-NaN curve is not listed)."""
    pairs = [(line, str(line.get_label())) for line in ax.get_lines()
             if not str(line.get_label()).startswith("_")
             and np.isfinite(np.asarray(line.get_ydata(), dtype=float)).any()]
    if pairs:
        ax.legend([p[0] for p in pairs], [p[1] for p in pairs], loc="upper right", fontsize=8, framealpha=0.85)


def _mark_reps(axes: Sequence[Axes], reps: Sequence[Rep]) -> None:
    """Shade each repetition on every panel and number its bottom on the top panel."""
    for rep in reps:
        color = SIDE_COLORS.get(rep.side, SIDE_COLORS["both"])
        for ax in axes:
            ax.axvspan(rep.start_s, rep.end_s, color=color, alpha=0.10, lw=0)
            ax.axvline(rep.bottom_s, color=color, lw=0.9, ls=":", alpha=0.9)
        top = axes[0]
        label = str(rep.index) if rep.side == "both" else f"{rep.index} {rep.side[0].upper()}"
        top.text(rep.bottom_s, 1.01, label, transform=top.get_xaxis_transform(), ha="center",
                 va="bottom", fontsize=10, fontweight="bold", color=color, clip_on=False)


def _title(result: AnalysisResult) -> str:
    """Title line: test, view and video name."""
    test = _TEST_TITLES.get(result.test, result.test)
    view = result.capture.view
    yaw = result.capture.yaw_deg
    view_text = f"{view} view" + (f" (yaw {yaw:.0f}°)" if yaw is not None else "")
    n = len(result.reps)
    reps = f"{n} rep" + ("" if n == 1 else "s")
    return f"{test} — {view_text} — {reps} — {Path(result.video.path).name}"


def write_plot(path: str | Path, table: KinematicsTable, result: AnalysisResult, *, dpi: int = 110) -> Path:
    """Draw the angles over time into a PNG file.

    Parameters
    ----------
    path
        PNG file to write (overwritten).
    table
        Per-frame kinematics.
    result
        The analysis result: test, capture view and repetitions.
    dpi
        Resolution; the figure is 11 x 10 inches.

    Returns
    -------
    Path
        The path written.
    """
    if result.test == "gait":  # pelvis and trunk over the gait cycle: its own module
        from kneeline.report.gait_plot import write_gait_plot

        return write_gait_plot(path, table, result, dpi=dpi)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    out = Path(path)
    fig = Figure(figsize=(11, 10), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    axes = list(fig.subplots(4, 1, sharex=True))
    _panel_fppa(axes[0], table)
    _panel_pelvis(axes[1], table, result)
    _panel_trunk(axes[2], table)
    _panel_depth(axes[3], table)
    _mark_reps(axes, result.reps)
    _log_series(axes)
    for ax in axes:
        ax.axhline(0.0, color="0.6", lw=0.8, zorder=0)
        ax.grid(True, color="0.9", lw=0.6)
    for ax in axes[:2]:  # the lower panels hold one curve each, named by their axis label
        _legend(ax)
    if table.time_s.size > 1:
        axes[3].set_xlim(float(table.time_s[0]), float(table.time_s[-1]))
    fig.suptitle(_title(result), fontsize=13, fontweight="bold")
    if result.capture.warnings:
        axes[0].set_title("Capture: " + " · ".join(result.capture.warnings), fontsize=9, color="#a33",
                          pad=16, loc="left", wrap=True)
    fig.savefig(out, format="png")
    return out
