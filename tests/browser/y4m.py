"""Fake-camera files for Chromium: a real video written as YUV4MPEG2 (``--use-file-for-fake-video-capture``).

Chromium plays the file at the frame rate in its header and loops it, so a still tail (the last
frame repeated) gives a quiet stretch between passes.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["write_y4m"]


def write_y4m(video: Path, out: Path, *, width: int = 360, height: int = 640, fps: int = 30,
              hold_start_s: float = 0.0, hold_end_s: float = 0.0, max_s: float | None = None) -> Path:
    """Write ``video`` as an I420 YUV4MPEG2 file at ``fps`` (frames dropped or repeated to match).

    Parameters
    ----------
    video
        Any video OpenCV reads.
    out
        The ``.y4m`` file to write.
    width, height
        Output size (even numbers; the image is resized, not cropped).
    fps
        Frame rate written in the header.
    hold_start_s, hold_end_s
        Seconds of the first / last frame repeated before / after the video.
    max_s
        Use only the first ``max_s`` seconds of the video.
    """
    import cv2

    if width % 2 or height % 2:
        raise ValueError(f"I420 needs an even width and height; got {width}x{height}")
    capture = cv2.VideoCapture(str(video))
    if not capture.isOpened():
        raise ValueError(f"cannot read {video}")
    source_fps = capture.get(cv2.CAP_PROP_FPS) or fps
    written = 0
    plane = b""
    try:
        with out.open("wb") as handle:
            handle.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode("ascii"))

            def put(data: bytes, times: int) -> None:
                for _ in range(times):
                    handle.write(b"FRAME\n")
                    handle.write(data)

            index = 0
            while True:
                ok, frame = capture.read()
                t = index / source_fps
                if not ok or (max_s is not None and t >= max_s):
                    break
                small = cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA)
                plane = cv2.cvtColor(small, cv2.COLOR_BGR2YUV_I420).tobytes()
                if index == 0:
                    put(plane, round(hold_start_s * fps))
                index += 1
                # the source frame nearest to each output frame time (drops or repeats frames)
                while written <= t * fps:
                    put(plane, 1)
                    written += 1
            if written == 0:
                raise ValueError(f"{video} has no frames")
            put(plane, round(hold_end_s * fps))
    finally:
        capture.release()
    return out
