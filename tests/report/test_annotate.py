import numpy as np
import pytest

from kneeline.errors import InputError, KneelineError
from kneeline.report.annotate import CODEC_PREFERENCE, _fppa_label, _pelvis_label, write_annotated_video
from tests.report._factories import MISSING_FRAME, N_FRAMES, one_squat, write_video

SIZE = (250, 300)  # the synthetic video; the pose is in a 1000 x 1200 frame, so scaled by 1/4


def _frames(path):
    import cv2

    cap = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, image = cap.read()
        if not ok:
            break
        frames.append(image)
    cap.release()
    return frames


def _knee_px(pose, frame, side, size=SIZE):
    x, y = pose.xy(f"{side}_knee")[frame]
    return round(x * size[0] / pose.width), round(y * size[1] / pose.height)


def _patch(image, xy, r=3):
    x, y = xy
    return image[y - r:y + r + 1, x - r:x + r + 1].astype(int)


@pytest.fixture
def video(tmp_path):
    return write_video(tmp_path / "source.mp4", size=SIZE)


def test_same_frame_count_and_size(tmp_path, video):
    squat = one_squat()
    calls = []
    codec = write_annotated_video(tmp_path / "out.mp4", video, squat.pose, squat.table, squat.result,
                                  progress=lambda done, total: calls.append((done, total)))
    assert codec in CODEC_PREFERENCE
    frames = _frames(tmp_path / "out.mp4")
    assert len(frames) == N_FRAMES
    assert frames[0].shape == (SIZE[1], SIZE[0], 3)
    assert calls[-1] == (N_FRAMES, N_FRAMES)
    assert [c[0] for c in calls[:N_FRAMES]] == list(range(1, N_FRAMES + 1))


def test_skeleton_drawn_where_the_knees_are(tmp_path, video):
    squat = one_squat()
    write_annotated_video(tmp_path / "out.mp4", video, squat.pose, squat.table, squat.result)
    source, annotated = _frames(video), _frames(tmp_path / "out.mp4")
    for side in ("left", "right"):
        xy = _knee_px(squat.pose, 30, side)
        diff = np.abs(_patch(annotated[30], xy) - _patch(source[30], xy)).max()
        assert diff > 60, f"{side} knee not drawn"
    # the frame where nobody was found: nothing drawn at the knees
    xy = _knee_px(squat.pose, MISSING_FRAME - 1, "left")
    diff = np.abs(_patch(annotated[MISSING_FRAME], xy) - _patch(source[MISSING_FRAME], xy)).max()
    assert diff < 30


def test_downscaled_to_max_long_side(tmp_path, video):
    squat = one_squat()
    write_annotated_video(tmp_path / "out.mp4", video, squat.pose, squat.table, squat.result, max_long_side=200)
    frames = _frames(tmp_path / "out.mp4")
    assert len(frames) == N_FRAMES
    assert frames[0].shape[:2] == (200, 166)  # 250 x 300 scaled by 2/3, width rounded down to even
    xy = _knee_px(squat.pose, 30, "left", size=(166, 200))
    source = _frames(video)[30]
    import cv2

    small = cv2.resize(source, (166, 200), interpolation=cv2.INTER_AREA)
    assert np.abs(_patch(frames[30], xy) - _patch(small, xy)).max() > 60


def test_pose_shorter_than_video_matched_by_time(tmp_path, video):
    squat = one_squat()
    pose = squat.pose.slice(0, 40)
    write_annotated_video(tmp_path / "out.mp4", video, pose, squat.table, squat.result)
    assert len(_frames(tmp_path / "out.mp4")) == N_FRAMES


def test_codec_fallback_and_no_codec(tmp_path, video):
    squat = one_squat()
    codec = write_annotated_video(tmp_path / "a.mp4", video, squat.pose, squat.table, squat.result,
                                  codecs=("zzzz", "mp4v"))
    assert codec == "mp4v"
    with pytest.raises(KneelineError, match="codec"):
        write_annotated_video(tmp_path / "b.mp4", video, squat.pose, squat.table, squat.result, codecs=("zzzz",))
    assert not (tmp_path / "b.mp4").exists()


def test_missing_video_raises_input_error(tmp_path):
    squat = one_squat()
    with pytest.raises(InputError):
        write_annotated_video(tmp_path / "out.mp4", tmp_path / "nope.mp4", squat.pose, squat.table, squat.result)
    assert not (tmp_path / "out.mp4").exists()


def test_inputs_not_mutated(tmp_path, video):
    squat = one_squat(warnings=["Film from the front."])
    position = squat.pose.position.copy()
    dumped = squat.result.model_dump()
    write_annotated_video(tmp_path / "out.mp4", video, squat.pose, squat.table, squat.result)
    np.testing.assert_array_equal(squat.pose.position, position)
    assert squat.result.model_dump() == dumped


def test_banner_only_in_the_first_seconds(tmp_path):
    squat = one_squat(warnings=["Camera looks oblique: film from the front."])
    long_video = write_video(tmp_path / "long.mp4", n_frames=180, size=SIZE)  # 6 s, pose covers the first 2 s
    write_annotated_video(tmp_path / "out.mp4", long_video, squat.pose, squat.table, squat.result)
    source, annotated = _frames(long_video), _frames(tmp_path / "out.mp4")
    bottom = slice(SIZE[1] - 6, SIZE[1])
    assert np.abs(annotated[10][bottom].astype(int) - source[10][bottom]).mean() > 20
    assert np.abs(annotated[170][bottom].astype(int) - source[170][bottom]).mean() < 5


@pytest.mark.parametrize("value,text", [(12.4, "valgus 12°"), (-3.0, "varus 3°"), (-0.2, "FPPA 0°")])
def test_fppa_label(value, text):
    assert _fppa_label(value) == text


def test_pelvis_label_sign():
    assert _pelvis_label(2.0) == "pelvis 2° L hip up"
    assert _pelvis_label(-2.0) == "pelvis 2° R hip up"
    assert _pelvis_label(0.1) == "pelvis level"


def test_draws_only_the_values_present_in_the_shown_table(tmp_path, video, caplog):
    """Knee angles withheld in every frame and the pelvis withheld in the first second: none of them is drawn."""
    from dataclasses import replace

    squat = one_squat()
    t = squat.table.time_s
    shown = replace(squat.table, fppa_left_deg=np.full(t.shape, np.nan), fppa_right_deg=np.full(t.shape, np.nan),
                    pelvic_obliquity_deg=np.where(t < 1.0, np.nan, squat.table.pelvic_obliquity_deg))
    with caplog.at_level("DEBUG", logger="kneeline.report.annotate.labels"):
        write_annotated_video(tmp_path / "out.mp4", video, squat.pose, shown, squat.result)
    labels = [r.getMessage().split(" ", 2) for r in caplog.records if r.name == "kneeline.report.annotate.labels"]
    kinds = {kind for _, kind, _ in labels}
    assert kinds == {"pelvis", "trunk"}
    assert not [text for _, _, text in labels if "valgus" in text or "varus" in text]
    assert min(float(time) for time, kind, _ in labels if kind == "pelvis") >= 1.0
    # The same table as computed draws the knee angles.
    caplog.clear()
    with caplog.at_level("DEBUG", logger="kneeline.report.annotate.labels"):
        write_annotated_video(tmp_path / "all.mp4", video, squat.pose, squat.table, squat.result)
    assert any(r.getMessage().split(" ")[1] == "fppa_left" for r in caplog.records)


def test_copies_get_every_drawn_frame_and_go_when_the_video_fails(tmp_path, video):
    """A ``FrameCopy`` (the web app's WebM) is made from the drawn frames, without decoding again."""
    from kneeline.jobs.playback import WebmCopy

    squat = one_squat(warnings=["Film from the front."])
    copy = WebmCopy(tmp_path / "out.webm")
    write_annotated_video(tmp_path / "out.mp4", video, squat.pose, squat.table, squat.result, copies=[copy])
    mp4, webm = _frames(tmp_path / "out.mp4"), _frames(tmp_path / "out.webm")
    assert copy.error is None and len(webm) == len(mp4) == N_FRAMES
    for i in (0, 30):  # the same drawing (skeleton, warning band), up to the two codecs' losses
        assert np.abs(webm[i].astype(int) - mp4[i].astype(int)).mean() < 6
    failing = WebmCopy(tmp_path / "b.webm")
    with pytest.raises(KneelineError, match="codec"):
        write_annotated_video(tmp_path / "b.mp4", video, squat.pose, squat.table, squat.result, codecs=("zzzz",),
                              copies=[failing])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.mp4", "out.webm", "source.mp4"]
