"""The analysis frame rate of each movement test (``kneeline/data/frame_rate.yaml``)."""

from __future__ import annotations

from kneeline.errors import InputError
from kneeline.evidence import load_sourced

__all__ = ["analysis_fps"]

_DATA = "frame_rate.yaml"


def analysis_fps(test: str) -> float | None:
    """Frames per second the pose model needs for ``test``; ``None`` means every frame.

    Parameters
    ----------
    test
        A movement test name (``squat``, ``single-leg-squat``, ``single-leg-stance``, ``gait``).

    Returns
    -------
    float or None
        The rate from ``frame_rate.yaml`` (a video filmed faster is analysed at every k-th frame),
        or ``None`` for full rate (the value 0).

    Raises
    ------
    InputError
        If ``test`` has no entry in ``frame_rate.yaml``.
    """
    entries = load_sourced(_DATA)
    if test not in entries:
        raise InputError(f"no analysis frame rate for test {test!r} in {_DATA}; expected one of: "
                         f"{', '.join(entries)}")
    rate = float(entries[test].value)  # type: ignore[arg-type]
    return rate if rate > 0 else None
