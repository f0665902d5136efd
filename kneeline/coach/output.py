"""The outputs of ``kneeline coach``: result.json, frames.csv, plot.png and annotated.mp4.

The per-frame table and the annotated video reuse the writers of ``kneeline analyze``
(:mod:`kneeline.report`) through a view of the coaching result as an analysis result (its reps,
its capture findings, and its messages as capture warnings); ``plot.png`` shows the coaching
signal with each repetition and its faults.  All of them draw from :class:`CoachRun`'s shown
table and signal, so nothing the capture gate withholds appears in any of them.  As in
:func:`kneeline.report.writer.write_outputs`, everything is written into a temporary sibling
folder and moved into place with ``result.json`` last.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kneeline.coach.result import CoachResult
from kneeline.coach.session import CoachRun
from kneeline.report.result import AnalysisResult, Capture, Provenance, Rep, Summary, VideoMeta
from kneeline.report.writer import write_folder

if TYPE_CHECKING:
    from kneeline.report.annotate import FrameCopy

__all__ = ["as_analysis_result", "write_coach_plot", "write_coach_outputs"]


def as_analysis_result(result: CoachResult, run: CoachRun) -> AnalysisResult:
    """The coaching result seen as an analysis result, for the shared frame and video writers."""
    video = result.video or VideoMeta(path="<keypoints>", fps=round(run.pose.fps, 3), frames=run.pose.n_frames,
                                      width=run.pose.width, height=run.pose.height, duration_s=0.0)
    reps = [Rep(index=r.index, side=r.side or "both", start_s=r.start_s, bottom_s=r.peak_s, end_s=r.end_s,
                hold_s=r.hold_s) for r in result.reps]
    provenance = result.provenance or Provenance(model=run.pose.source, settings={}, input_sha256="",
                                                 kneeline_version=result.kneeline_version, created_utc="")
    capture = result.capture or Capture(view=result.view_seen, yaw_deg=None)
    capture = capture.model_copy(update={"warnings": list(dict.fromkeys([*capture.warnings, *result.messages]))})
    return AnalysisResult(kneeline_version=result.kneeline_version,
                          test="single-leg-stance" if result.kind == "hold" else "squat", video=video,
                          capture=capture,
                          reps=reps, summary=Summary(), provenance=provenance, notes=list(result.notes))


_SIGNAL_AXIS = {"leg lengths": "movement (share of your leg length)",
                "thigh lengths": "movement (share of your thigh length)", "deg": "movement (degrees)",
                "deg of knee bend": "knee bend (degrees)"}
"""Plain axis titles for the coaching signal's units (``movements.yaml`` amplitude units)."""


def write_coach_plot(path: str | Path, run: CoachRun, *, dpi: int = 110) -> Path:
    """Draw the coaching signal over time, each repetition shaded and its faults named."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    result = run.result
    fig = Figure(figsize=(11, 4.5), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.plot(run.pose.time_s, run.signal, color="#1f5fa8", lw=1.4)
    for r in result.reps:
        color = "#d9534f" if r.faults else "#5cb85c"
        ax.axvspan(r.start_s, r.end_s, color=color, alpha=0.18, lw=0)
        label = f"{r.index}" + (": " + ", ".join(f.label.lower() for f in r.faults) if r.faults else "")
        ax.annotate(label, (r.peak_s, 1.0), xycoords=("data", "axes fraction"), ha="center", va="bottom",
                    fontsize=8, rotation=20)
    unit = result.reps[0].amplitude_unit if result.reps else ""
    ax.set_xlabel("time (s)")
    ax.set_ylabel(_SIGNAL_AXIS.get(unit, f"size of the movement ({unit})" if unit else "size of the movement"))
    ax.grid(True, color="0.9", lw=0.6)
    what = "holds" if result.kind == "hold" else "reps"
    title = f"{result.exercise_name}: {result.count} {what}"
    if result.quality is not None:
        title += f", quality {result.quality}/100"
    if result.partial:
        title += " (partial set)"
    fig.suptitle(title, fontsize=12, fontweight="bold")
    out = Path(path)
    fig.savefig(out, format="png")
    return out


def _write_all(tmp: Path, run: CoachRun, video_path: str | Path | None, annotate: bool,
               progress: Callable[[int, int], None] | None, copies: Sequence[FrameCopy]) -> None:
    from kneeline.report.annotate import write_annotated_video
    from kneeline.report.frames_csv import write_frames_csv
    from kneeline.report.writer import beside_video

    view = as_analysis_result(run.result, run)

    def tables() -> None:
        write_frames_csv(tmp / "frames.csv", run.table, view)
        write_coach_plot(tmp / "plot.png", run)

    if video_path is not None and annotate:
        beside_video(tables, lambda: write_annotated_video(tmp / "annotated.mp4", video_path, run.pose, run.table,
                                                           view, progress=progress, copies=copies))
    else:
        tables()
    (tmp / "result.json").write_text(run.result.model_dump_json(indent=2) + "\n", encoding="utf-8")


def write_coach_outputs(out_dir: str | Path, run: CoachRun, video_path: str | Path | None, *, annotate: bool = True,
                        progress: Callable[[int, int], None] | None = None,
                        copies: Sequence[FrameCopy] = ()) -> dict[str, Path]:
    """Write the four outputs of a coached set into ``out_dir`` (all of them, or none).

    ``copies``: other videos made from the annotated frames as they are drawn (e.g. the web app's WebM).

    Returns
    -------
    dict
        Output name -> path written.

    Raises
    ------
    InputError
        If the folder cannot be created or written; ``out_dir`` is then left as it was.
    """
    _, out, names = write_folder(out_dir, lambda tmp: _write_all(tmp, run, video_path, annotate, progress, copies))
    return {name: out / name for name in names}
