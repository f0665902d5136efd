"""The cleaning sequence applied before kinematics: mask, repair swaps, fill gaps, filter."""

from __future__ import annotations

from dataclasses import dataclass

from kneeline.clean.filters import fill_gaps, lowpass, mask_low_confidence
from kneeline.clean.swaps import SwapReport, repair_swaps
from kneeline.config import AnalysisSettings
from kneeline.pose.container import PoseSeries

__all__ = ["CleaningReport", "clean_pose"]


@dataclass(frozen=True)
class CleaningReport:
    """What cleaning changed."""

    swaps: SwapReport
    cutoff_hz: float | None


def clean_pose(pose: PoseSeries, settings: AnalysisSettings) -> tuple[PoseSeries, CleaningReport]:
    """Mask low-confidence keypoints, repair left/right swaps, fill short gaps, low-pass filter.

    The cut-off is lowered to 0.4 x the frame rate for low-frame-rate videos (the filter needs it
    below half the rate); the value used is reported.
    """
    out = mask_low_confidence(pose, settings.min_confidence)
    swaps = SwapReport(frames={})
    if settings.repair_swaps:
        out, swaps = repair_swaps(out, ratio=settings.swap_ratio,
                                  min_separation_px=settings.swap_min_separation * pose.height)
    out = fill_gaps(out, settings.max_gap_s)
    cutoff: float | None = None
    if out.fps > 0:
        cutoff = min(settings.cutoff_hz, 0.4 * out.fps)
        out = lowpass(out, cutoff)
    return out, CleaningReport(swaps=swaps, cutoff_hz=cutoff)
