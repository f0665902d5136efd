"""kneeline's exceptions.

The library raises these; the CLI and the web app turn them into clean messages and exit codes.
Every message says what was expected, what arrived, and what the user can do.
"""

from __future__ import annotations


class KneelineError(Exception):
    """Base class of every error kneeline raises on purpose."""

    exit_code: int = 1


class InputError(KneelineError):
    """The input file cannot be used (missing, empty, not a video, corrupt, no frames...)."""

    exit_code = 2


class CaptureError(KneelineError):
    """The video decodes but the capture cannot give trustworthy numbers (no person, wrong view...)."""

    exit_code = 3


class AnalysisError(KneelineError):
    """The movement could not be analysed (no repetitions found, the wrong movement...)."""

    exit_code = 4


class DataError(KneelineError):
    """kneeline's own data files (norms, thresholds, exercises) are missing or invalid."""

    exit_code = 5


class ValidationError(KneelineError):
    """User-supplied answers or form fields are out of range, missing or mistyped."""

    exit_code = 6
