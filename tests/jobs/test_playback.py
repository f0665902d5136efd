"""``annotated.webm``: VP8 WebM that browsers play, downscaled and at most 30 fps."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from kneeline.errors import InputError
from kneeline.io.video import probe
from kneeline.jobs.playback import WEBM_CODEC, WebmCopy, write_webm


def test_a_60fps_video_becomes_480px_30fps_vp8(make_video, tmp_path: Path):
    source = make_video("annotated.mp4", n_frames=40, width=640, height=360, fps=60.0)
    calls: list[tuple[int, int]] = []
    out = write_webm(source, tmp_path / "annotated.webm", progress=lambda done, total: calls.append((done, total)))
    info = probe(out)
    assert out == tmp_path / "annotated.webm"
    assert info.codec == WEBM_CODEC == "VP80"
    assert (info.width, info.height) == (480, 270)
    assert info.fps == pytest.approx(30.0, abs=0.1) and info.frame_count == 20
    assert calls[-1] == (40, 40) and len(calls) == 40
    assert sorted(p.name for p in tmp_path.iterdir()) == ["annotated.mp4", "annotated.webm"]  # no partial left


def test_a_small_video_keeps_its_size_and_frames(make_video, tmp_path: Path):
    source = make_video("small.mp4", n_frames=12, width=160, height=120, fps=25.0)
    info = probe(write_webm(source, tmp_path / "small.webm"))
    assert (info.width, info.height, info.frame_count) == (160, 120, 12)
    assert info.fps == pytest.approx(25.0, abs=0.1)


def test_a_bad_source_leaves_no_file(tmp_path: Path):
    bad = tmp_path / "annotated.mp4"
    bad.write_bytes(b"not a video at all" * 100)
    with pytest.raises(InputError):
        write_webm(bad, tmp_path / "annotated.webm")
    assert [p.name for p in tmp_path.iterdir()] == ["annotated.mp4"]
    with pytest.raises(ValueError, match="at least 2"):
        write_webm(bad, tmp_path / "x.webm", max_long_side=1)


def _copy_frames(copy: WebmCopy, n: int, fps: float, size: tuple[int, int]) -> list[np.ndarray]:
    copy.start(fps, size)
    images = [np.full((size[1], size[0], 3), (i * 5) % 255, np.uint8) for i in range(n)]
    for image in images:
        copy.write(image)
    return images


def test_a_copy_made_while_drawing_matches_the_transcode(tmp_path: Path):
    """``WebmCopy`` (fed the drawn frames) gives what ``write_webm`` gives from the finished MP4."""
    copy = WebmCopy(tmp_path / "annotated.webm")
    images = _copy_frames(copy, 40, 60.0, (640, 360))
    assert not (tmp_path / "annotated.webm").exists()  # nothing visible before finish
    copy.finish()
    info = probe(tmp_path / "annotated.webm")
    assert copy.error is None and info.codec == WEBM_CODEC
    assert (info.width, info.height) == (480, 270)
    assert info.fps == pytest.approx(30.0, abs=0.1) and info.frame_count == 20
    assert all(image.shape == (360, 640, 3) for image in images)  # the caller's frames are not changed
    assert [p.name for p in tmp_path.iterdir()] == ["annotated.webm"]


def test_an_aborted_copy_leaves_nothing(tmp_path: Path):
    copy = WebmCopy(tmp_path / "annotated.webm")
    _copy_frames(copy, 10, 30.0, (320, 240))
    copy.abort()
    copy.finish()  # after abort: nothing to do
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="at least 2"):
        WebmCopy(tmp_path / "x.webm", max_long_side=1)


@pytest.mark.browser
def test_chromium_plays_the_webm_but_not_the_mp4v_mp4(make_video, tmp_path: Path):
    """Why the WebM exists: OpenCV's mp4v MP4 does not play in Chromium; the VP8 WebM does."""
    chromium = Path(os.environ.get("KNEELINE_CHROMIUM", "/usr/bin/chromium"))
    if not chromium.is_file():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but Chromium is not at {chromium}", pytrace=False)
        pytest.skip(f"Chromium not found at {chromium} (apt-get install chromium, or set KNEELINE_CHROMIUM)")
    sync_api = pytest.importorskip("playwright.sync_api")
    mp4 = make_video("annotated.mp4", n_frames=30, width=320, height=240)
    webm = write_webm(mp4, tmp_path / "annotated.webm")
    script = """(src) => new Promise(done => {
        const v = document.createElement('video');
        v.muted = true;
        const report = () => done({width: v.videoWidth, error: v.error ? v.error.code : null});
        v.addEventListener('loadeddata', report);
        v.addEventListener('error', report);
        setTimeout(report, 10000);
        v.src = src;
        document.body.appendChild(v);
    })"""
    page_file = tmp_path / "page.html"
    page_file.write_text("<!doctype html><body></body>")

    def check() -> tuple[dict, dict]:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(chromium), args=["--no-sandbox", "--disable-gpu"])
            try:
                page = browser.new_page()
                page.goto(page_file.as_uri())
                return page.evaluate(script, webm.name), page.evaluate(script, mp4.name)
            finally:
                browser.close()

    # In a thread of its own: the browser tests' session-wide Playwright keeps an event loop in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        played, refused = pool.submit(check).result(timeout=120)
    assert played == {"width": 320, "error": None}
    assert refused["width"] == 0 and refused["error"] == 4  # MEDIA_ERR_SRC_NOT_SUPPORTED
