"""Face blurring from the pose model's face keypoints (kneeline/report/privacy.py)."""

from __future__ import annotations

import numpy as np

from kneeline.report.privacy import FACE_KEYPOINTS, blur_face, face_box


def _checkerboard(height: int = 200, width: int = 200, cell: int = 4) -> np.ndarray:
    """A 4-px black/white checkerboard: fine detail that any blur removes."""
    yy, xx = np.mgrid[0:height, 0:width]
    board = (((yy // cell) + (xx // cell)) % 2 * 255).astype(np.uint8)
    return np.repeat(board[:, :, None], 3, axis=2)


def _face_at(x: float, y: float, conf: float = 0.9) -> dict[str, tuple[float, float, float]]:
    """Eleven face points spread 20 px around (x, y) (ears at +-10 px), plus a hip far away."""
    offsets = np.linspace(-10, 10, len(FACE_KEYPOINTS))
    points = {name: (x + dx, y + dx / 4, conf) for name, dx in zip(FACE_KEYPOINTS, offsets, strict=True)}
    return {**points, "left_hip": (150.0, 180.0, 0.9)}


def test_the_face_box_covers_the_head_and_stays_in_the_image() -> None:
    box = face_box(_face_at(100, 60), 200, 200)
    assert box is not None
    x0, y0, x1, y1 = box
    assert x0 < 90 and x1 > 110 and y0 < 50 and y1 > 70  # beyond the outermost points (ears, hair, chin)
    assert x1 - x0 < 60  # a head, not the body
    assert face_box(_face_at(2, 2), 200, 200)[:2] == (0, 0)  # type: ignore[index]
    assert face_box({"left_hip": (1.0, 1.0, 1.0)}, 200, 200) is None


def test_blurring_removes_the_detail_of_the_face_and_nothing_else() -> None:
    image = _checkerboard()
    before = image.copy()
    assert blur_face(image, _face_at(100, 60))
    x0, y0, x1, y1 = face_box(_face_at(100, 60), 200, 200)  # type: ignore[misc]
    inner = image[y0 + 3:y1 - 3, x0 + 3:x1 - 3].astype(float)
    assert np.abs(np.diff(inner, axis=1)).mean() < 0.1 * np.abs(np.diff(before[y0:y1, x0:x1].astype(float),
                                                                         axis=1)).mean()
    outside = np.ones(image.shape[:2], dtype=bool)
    outside[y0:y1, x0:x1] = False
    assert np.array_equal(image[outside], before[outside])


def test_no_face_keypoints_leave_the_image_alone() -> None:
    image = _checkerboard()
    before = image.copy()
    assert not blur_face(image, {"left_hip": (150.0, 180.0, 0.9), "nose": (float("nan"), 5.0, 0.9)})
    assert np.array_equal(image, before)


def test_the_annotated_video_shows_no_face(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A checkerboard video annotated with the synthetic squat: detail is gone at the nose, kept elsewhere."""
    import cv2

    from kneeline.report.annotate import write_annotated_video
    from tests.report._factories import N_FRAMES, one_squat

    width, height = 250, 300
    source = tmp_path / "board.mp4"
    writer = cv2.VideoWriter(str(source), cv2.VideoWriter.fourcc(*"mp4v"), 30.0, (width, height))
    for _ in range(N_FRAMES):
        writer.write(_checkerboard(height, width, cell=8))
    writer.release()
    squat = one_squat()
    write_annotated_video(tmp_path / "out.mp4", source, squat.pose, squat.table, squat.result)
    ok, frame = cv2.VideoCapture(str(tmp_path / "out.mp4")).read()
    assert ok
    x, y = squat.pose.xy("nose")[0]
    nx, ny = round(x * width / squat.pose.width), round(y * height / squat.pose.height)

    def detail(x0: int, y0: int) -> float:
        patch = frame[y0:y0 + 8, x0:x0 + 8].astype(float)
        return float(np.abs(np.diff(patch, axis=1)).mean())

    assert detail(nx - 4, ny + 1) < 0.4 * detail(4, height - 40)  # at the nose vs a far corner
