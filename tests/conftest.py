"""Shared test fixtures: the real-data folder and small synthetic videos written on the fly."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

if TYPE_CHECKING:
    from kneeline.store.db import Database
    from kneeline.store.files import FileStore

REPO = Path(__file__).resolve().parents[1]

VideoFactory = Callable[..., Path]


def shared_data_path() -> Path:
    """The shared real-data folder: ``$KNEELINE_DATA`` or ``../shared/data`` next to the repository."""
    return Path(os.environ.get("KNEELINE_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared real-data folder (videos, mocap); skips the test when it is absent."""
    root = shared_data_path()
    if not root.is_dir():
        pytest.skip(f"real data folder {root} is absent (check out ../shared/data next to the repository "
                    "or set KNEELINE_DATA)")
    return root


def _frame(i: int, width: int, height: int) -> np.ndarray:
    """Grey background with a white square that moves right by 2 px per frame (wrapping)."""
    image = np.full((height, width, 3), 60, dtype=np.uint8)
    side = max(4, min(width, height) // 6)
    x = (2 * i) % max(1, width - side)
    y = height // 3
    image[y:y + side, x:x + side] = 255
    image[:8, :8] = (0, 0, 255)  # a red marker in the top-left corner, to check orientation
    return image


def write_video(path: Path, *, n_frames: int = 30, width: int = 160, height: int = 120, fps: float = 30.0,
                fourcc: str = "mp4v") -> Path:
    """Write a synthetic video: a white square moving right over grey, a red corner top-left."""
    import cv2

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, (width, height))
    if not writer.isOpened():
        raise RuntimeError(f"cannot write {path} with codec {fourcc}")
    try:
        for i in range(n_frames):
            writer.write(_frame(i, width, height))
    finally:
        writer.release()
    return path


@pytest.fixture
def make_video(tmp_path: Path) -> VideoFactory:
    """Factory writing synthetic videos (see :func:`write_video`) into the test's temporary folder."""

    def make(name: str = "clip.mp4", **kwargs: object) -> Path:
        return write_video(tmp_path / name, **kwargs)  # type: ignore[arg-type]

    return make


# ---- databases: every storage test runs on SQLite and on PostgreSQL ---------------------------------

POSTGRES_ENV = "KNEELINE_TEST_POSTGRES_URL"
"""PostgreSQL server for the tests, e.g. postgresql://kneeline:kneeline@127.0.0.1:5432/kneeline_test."""


def _on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """``$KNEELINE_TEST_POSTGRES_URL``; skips the test when unset, except on CI, where it fails."""
    url = os.environ.get(POSTGRES_ENV, "").strip()
    if not url:
        reason = (f"{POSTGRES_ENV} is not set (e.g. postgresql://kneeline:kneeline@127.0.0.1:5432/kneeline_test; "
                  ".ci/run starts a server and sets it)")
        if _on_ci():
            pytest.fail(f"CI=true but {reason}: CI must run the PostgreSQL tests", pytrace=False)
        pytest.skip(reason)
    return url


def _libpq(url: str) -> str:
    """A SQLAlchemy or libpq URL as a libpq connection string (driver suffix removed)."""
    from sqlalchemy import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_database(postgres_server_url: str) -> Iterator[str]:
    """A database of this test session's own on the test server (dropped at the end).

    Needs the role to have CREATEDB; without it the server URL's own database is used (its public
    schema is then emptied before each test).
    """
    import secrets

    import psycopg
    from sqlalchemy import make_url

    admin = _libpq(postgres_server_url)
    name = f"kneeline_test_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.errors.InsufficientPrivilege:
        yield postgres_server_url
        return
    except psycopg.OperationalError as exc:
        pytest.fail(f"cannot reach the PostgreSQL server of {POSTGRES_ENV}: {exc}", pytrace=False)
    try:
        yield make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _empty_postgres(url: str) -> None:
    import psycopg

    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database's SQLAlchemy URL: SQLite in the test's folder, or PostgreSQL (fresh schema)."""
    from kneeline.store.db import database_url

    if request.param == "sqlite":
        return database_url(tmp_path / "data")
    url = request.getfixturevalue("postgres_database")
    _empty_postgres(url)
    return database_url(tmp_path, url)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """The database of :func:`db_url`, migrated; its connections are closed after the test."""
    from kneeline.store.db import open_database

    database = open_database(db_url)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """The test's kneeline data directory (file store root)."""
    root = tmp_path / "data"
    root.mkdir(exist_ok=True)
    return root


@pytest.fixture
def files(data_dir: Path) -> FileStore:
    """A file store in the test's data directory."""
    from kneeline.store.files import FileStore

    return FileStore(data_dir)


@pytest.fixture(scope="session")
def squat_clip(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four real double-leg squats, 6 s: frames 200-559 of the OpenCap iPhone video, every other frame
    (30 fps), downscaled to 360x640 (so the real pose model takes seconds, not a minute)."""
    import cv2

    from kneeline.io.video import iter_frames

    out = tmp_path_factory.mktemp("clip") / "squats.mp4"
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter.fourcc(*"mp4v"), 30.0, (360, 640))
    try:
        for frame in iter_frames(shared_data / "opencap-squat-cam0" / "squats-with-arm-raise.mov"):
            if frame.index >= 560:
                break
            if frame.index >= 200 and frame.index % 2 == 0:
                writer.write(cv2.resize(frame.image, (360, 640), interpolation=cv2.INTER_AREA))
    finally:
        writer.release()
    return out


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[str]:
    """A Ray cluster of this test session (2 CPUs, loopback, no dashboard); yields its GCS address.

    Started in this process with ``ray.init`` and stopped with ``ray.shutdown`` (never ``ray stop``,
    which would stop every Ray on the machine).  Skipped where Ray is not installed.
    """
    ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'kneeline[cluster]')")
    context = ray.init(num_cpus=2, include_dashboard=False, logging_level="warning", log_to_driver=False,
                       _node_ip_address="127.0.0.1")
    try:
        yield str(context.address_info["gcs_address"])
    finally:
        ray.shutdown()
