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

__all__ = ["AnalysisSettings", "WebSettings", "PrivacySettings", "Settings", "load_settings"]


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
    reset_link_hours: float = Field(24, gt=0, le=24 * 14, description=(
        "How long a password-reset link (issued by an administrator or the linked clinician) stays valid"))
    invite_days: float = Field(14, gt=0, le=90, description=(
        "How long a patient's invitation for a clinician without an account stays valid"))
    secure_cookies: bool = Field(False, description="Send cookies only over HTTPS (set behind an HTTPS proxy)")
    login_max_failures: int = Field(5, ge=1, le=100, description="Failed log-ins allowed per window before "
                                    "further attempts are refused")
    login_window_s: float = Field(900, gt=0, description="Window of the log-in rate limit, seconds")
    workers: int = Field(1, ge=1, le=16, description="Background processes analysing videos (per server "
                         "process: web.processes x web.workers analyses can run at once)")
    processes: int = Field(0, ge=0, le=64, description="Server processes answering requests (0: one per CPU "
                           "core, at most 4, with PostgreSQL; 1 with SQLite, whose writes take turns anyway)")
    client_max_failures: int = Field(20, ge=1, le=1000, description="Failed log-ins (any account) allowed "
                                     "from one client address per window")
    signup_max_per_client: int = Field(10, ge=1, le=1000, description="Sign-up attempts allowed from one "
                                       "client address per window")
    trusted_proxies: tuple[str, ...] = Field((), description="Addresses of reverse proxies whose "
                                             "X-Forwarded-For header is believed (empty: none, the default)")
    max_live_sockets: int = Field(2, ge=1, le=20, description="Live-coaching sockets one user may have open "
                                  "at once (each holds a pose model, ~50-100 MB)")
    job_lease_s: float = Field(60, ge=1, le=3600, description="A running job's claim lasts this long unless "
                               "its worker renews it (a dead worker's job is taken over after it)")
    secret_key: str | None = Field(None, min_length=32, description="Key signing the pre-log-in form cookie "
                                   "and known-device cookies (default: a random key kept in the data folder)")
    live_keypoints: Path | None = Field(None, description="Test hook: replay this kneeline keypoints CSV on the "
                                        "setup assistant's socket instead of running BlazePose on the camera "
                                        "frames (browser tests of the green path); never set it in use")


class PrivacySettings(BaseModel):
    """What kneeline keeps of a person, and for how long (issue 18)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    keep_keypoints_only: bool = Field(False, description="Delete an uploaded test video once its analysis is "
                                      "done; its keypoints (keypoints.csv) and results are kept, and a "
                                      "re-analysis works from the keypoints")
    video_retention_days: float | None = Field(None, gt=0, description="Delete uploaded videos this many days "
                                               "after upload (results and keypoints stay); None keeps them "
                                               "until the patient deletes them")
    access_log_days: float = Field(730, gt=0, description="Keep entries of the record access log this many days")


class Settings(BaseSettings):
    """All of kneeline's settings; environment variables ``KNEELINE_*`` override defaults.

    ``KNEELINE_DATA_DIR`` and ``KNEELINE_DATABASE_URL`` choose where data lives (default: SQLite in
    the user's data folder); ``KNEELINE_WEB__MAX_UPLOAD_MB`` etc. set nested values.
    """

    model_config = SettingsConfigDict(env_prefix="KNEELINE_", env_nested_delimiter="__", extra="forbid")

    analysis: AnalysisSettings = AnalysisSettings()
    web: WebSettings = WebSettings()
    privacy: PrivacySettings = PrivacySettings()
    data_dir: Path | None = Field(None, description="Folder for the database and files (default: the "
                                  "user's data folder, see kneeline.store.db.default_data_dir)")
    database_url: str | None = Field(None, description="SQLAlchemy/PostgreSQL URL; default SQLite in data_dir")
    jobs: str = Field("local", pattern=r"^(local|ray|ray://\S+|ray:\S+)$",
                      description="Where uploaded videos are analysed: local (web.workers processes of this "
                      "server), ray (a Ray on this machine), ray://HOST:10001 (a Ray cluster's client port) or "
                      "ray:HOST:6379 (its head node, from a machine of the cluster); pip install 'kneeline[cluster]'")


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
