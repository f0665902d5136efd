"""kneeline: measure hip and knee control from one video, and follow an evidence-based program.

Importing kneeline does nothing else: heavy modules (the pose model, OpenCV) load on first use.

>>> import kneeline
>>> result = kneeline.analyze("squat.mov", test="squat")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kneeline.pipeline import analyze, analyze_pose, analyze_video

__all__ = ["analyze", "analyze_video", "analyze_pose", "__version__"]


def __getattr__(name: str) -> Any:
    if name in ("analyze", "analyze_video", "analyze_pose"):
        from kneeline import pipeline

        return getattr(pipeline, name)
    if name == "__version__":
        from kneeline._version import get_version

        return get_version()
    raise AttributeError(f"module 'kneeline' has no attribute {name!r}")
