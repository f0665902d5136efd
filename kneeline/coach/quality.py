"""Set-level summaries of coached repetitions: tempo, fault counts, mean quality."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from kneeline.coach.result import CoachRep, Tempo

__all__ = ["tempo", "fault_counts", "mean_quality"]


def _mean(values: Sequence[float | None]) -> float | None:
    v = [x for x in values if x is not None]
    return round(float(np.mean(v)), 2) if v else None


def tempo(reps: Sequence[CoachRep]) -> Tempo:
    """Mean and spread of rep durations, mean way out / way back, and reps per minute.

    Reps per minute is the number of intervals between rep starts over their time span (needs at
    least two reps).
    """
    if not reps:
        return Tempo()
    durations = [r.duration_s for r in reps]
    per_min = None
    if len(reps) >= 2 and reps[-1].start_s > reps[0].start_s:
        per_min = round(60.0 * (len(reps) - 1) / (reps[-1].start_s - reps[0].start_s), 1)
    return Tempo(mean_rep_s=_mean(durations),
                 sd_rep_s=round(float(np.std(durations, ddof=1)), 2) if len(reps) > 1 else None,
                 mean_down_s=_mean([r.down_s for r in reps]), mean_up_s=_mean([r.up_s for r in reps]),
                 reps_per_min=per_min)


def fault_counts(reps: Sequence[CoachRep]) -> dict[str, int]:
    """Fault id -> number of reps showing it."""
    return dict(Counter(f.id for r in reps for f in r.faults))


def mean_quality(reps: Sequence[CoachRep]) -> int | None:
    """Mean quality of the reps that have one."""
    q = [r.quality for r in reps if r.quality is not None]
    return round(float(np.mean(q))) if q else None
