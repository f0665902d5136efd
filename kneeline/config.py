"""kneeline's settings: one pydantic settings model, layered defaults -> file -> environment -> flags.

Clinical numbers (norms, SDDs, doses, red flags) are not settings: they live in ``kneeline/data``
with their sources.  These are signal-processing choices a user or a study may tune; every
analysis records the values it used in its provenance.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, InitSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict

from kneeline.errors import InputError

__all__ = ["AnalysisSettings", "WebSettings", "Settings", "load_settings"]


class AnalysisSettings(BaseModel):
    """Signal-processing choices of ``kneeline analyze``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_confidence: float = Field(0.5, ge=0, le=1, description="Keypoints below this confidence are masked")
    max_gap_s: float = Field(0.25, ge=0, le=2, description="Gaps up to this long are interpolated")
    cutoff_hz: float = Field(6.0, gt=0, le=30, description="Zero-lag Butterworth low-pass cut-off")
    repair_swaps: bool = Field(True, description="Detect and repair left/right label swaps")
    swap_ratio: float = Field(0.5, gt=0, lt=1, description="Swap when the swapped labelling moves < ratio x kept")
    swap_min_separation: float = Field(0.04, ge=0, description="Left-right distance (fraction of frame height) "
                                       "below which swaps are not judged")
    rep_min_depth: float = Field(0.05, gt=0, description="Smallest hip descent (fraction of leg length) that "
                                 "counts as a repetition")
    rep_edge_fraction: float = Field(0.15, gt=0, lt=0.5, description="A rep starts/ends where depth is within "
                                     "this fraction of its amplitude from the standing level")
    rep_min_relative: float = Field(0.5, gt=0, le=1, description="A rep shallower than this fraction of the "
                                    "video's typical rep is a partial movement, not counted")
    rep_min_interval_s: float = Field(0.8, gt=0, description="Smallest time between two rep bottoms")
    foot_lift: float = Field(0.04, gt=0, description="Ankle height difference (fraction of leg length) that "
                             "means one foot is off the floor")
    hold_min_s: float = Field(1.0, gt=0, description="Shortest single-leg hold reported")
    enforce_view: bool = Field(True, description="Withhold frontal-plane numbers when the view is not frontal")
    max_side_px: int = Field(1280, ge=256, le=8192, description="Frames larger than this are downscaled for "
                             "the pose model")


class WebSettings(BaseModel):
    """Choices of ``kneeline serve`` (limits and security, none of them clinical)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = Field("127.0.0.1", description="Address to listen on; 127.0.0.1 keeps it on this computer")
    port: int = Field(8000, ge=1, le=65535, description="Port to listen on")
    max_upload_mb: float = Field(500, gt=0, le=20_000, description="Largest video accepted, in megabytes")
    session_days: float = Field(14, gt=0, le=365, description="How long a log-in lasts")
    secure_cookies: bool = Field(False, description="Send cookies only over HTTPS (set behind an HTTPS proxy)")
    login_max_failures: int = Field(5, ge=1, le=100, description="Failed log-ins allowed per window before "
                                    "further attempts are refused")
    login_window_s: float = Field(900, gt=0, description="Window of the log-in rate limit, seconds")
    workers: int = Field(1, ge=1, le=16, description="Background processes analysing videos")


class Settings(BaseSettings):
    """All of kneeline's settings; environment variables ``KNEELINE_*`` override defaults.

    ``KNEELINE_DATA_DIR`` and ``KNEELINE_DATABASE_URL`` choose where data lives (default: SQLite in
    the user's data folder); ``KNEELINE_WEB__MAX_UPLOAD_MB`` etc. set nested values.
    """

    model_config = SettingsConfigDict(env_prefix="KNEELINE_", env_nested_delimiter="__", extra="forbid")

    analysis: AnalysisSettings = AnalysisSettings()
    web: WebSettings = WebSettings()
    data_dir: Path | None = Field(None, description="Folder for the database and files (default: the "
                                  "user's data folder, see kneeline.store.db.default_data_dir)")
    database_url: str | None = Field(None, description="SQLAlchemy/PostgreSQL URL; default SQLite in data_dir")


def load_settings(path: str | Path | None = None, **overrides: Any) -> Settings:
    """Build settings from defaults, an optional JSON file, the environment and explicit overrides.

    Parameters
    ----------
    path
        Optional JSON file, e.g. ``{"analysis": {"cutoff_hz": 8}}``.
    overrides
        Highest-priority values (command-line flags), e.g. ``analysis={"cutoff_hz": 8}``.

    Raises
    ------
    InputError
        If the file cannot be read or holds unknown or invalid settings.
    """
    file_data: dict[str, Any] = {}
    if path is not None:
        p = Path(path)
        try:
            file_data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError(f"cannot read settings file {p}: {exc}. Expected a JSON object.") from exc
        if not isinstance(file_data, dict):
            raise InputError(f"settings file {p} must hold a JSON object; got {type(file_data).__name__}")

    class _Layered(Settings):
        @classmethod
        def settings_customise_sources(
            cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            # Earlier sources win: flags, then environment, then the file, then defaults.
            return (init_settings, env_settings, InitSettingsSource(settings_cls, init_kwargs=file_data))

    try:
        layered = _Layered(**overrides)
    except ValueError as exc:
        raise InputError(f"invalid settings: {exc}") from exc
    return Settings.model_validate(layered.model_dump())
