"""``annotated.mp4``: the input video with the skeleton and the measured angles drawn on it.

Each frame shows the skeleton (keypoints coloured by confidence: red = unsure, green = sure), the
hip-knee-ankle line of each leg with its FPPA ("valgus 12°" / "varus 3°"), the pelvis line with its
obliquity, the trunk line with its lean, a repetition counter that steps at the end of each rep,
the phase (descent / ascent / hold), and during the first seconds the capture warnings as a banner.

The video is written with OpenCV's ``VideoWriter``.  The first codec of :data:`CODEC_PREFERENCE`
that this OpenCV build can open is used: H.264 (``avc1``, plays in every browser) where the build
has an H.264 encoder, else MPEG-4 Part 2 (``mp4v``, plays in desktop players but not in most
browsers).  The output is downscaled to at most :data:`MAX_LONG_SIDE` pixels on its long side.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from numpy.typing import NDArray

from kneeline.errors import InputError, KneelineError
from kneeline.io.prefetch import WriteBehind, prefetch
from kneeline.io.video import iter_frames, probe, quiet_opencv
from kneeline.kinematics.table import KinematicsTable
from kneeline.pose.container import FloatArray, PoseSeries
from kneeline.pose.skeleton import SKELETON_EDGES
from kneeline.report.frames_csv import frame_reps
from kneeline.report.plot import SIDE_COLORS
from kneeline.report.privacy import blur_face
from kneeline.report.result import AnalysisResult

if TYPE_CHECKING:
    from kneeline.io.video import Frame

__all__ = ["CODEC_PREFERENCE", "MAX_LONG_SIDE", "BANNER_SECONDS", "ProgressCallback", "FrameCopy",
           "write_annotated_video"]

logger = logging.getLogger(__name__)
label_logger = logging.getLogger(f"{__name__}.labels")
"""Logs at DEBUG every angle label drawn (``time_s``, kind, text), so tests can read what a video shows."""

CODEC_PREFERENCE: tuple[str, ...] = ("avc1", "mp4v")
"""FourCC codes tried in order; the first one this OpenCV build can open is used."""

MAX_LONG_SIDE = 1280
"""Longest side of the annotated video in pixels (larger videos are downscaled)."""

BANNER_SECONDS = 4.0
"""How long the capture warnings stay on screen at the start of the video."""

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(done, total)`` after each written frame."""

Image = NDArray[np.uint8]
BGR = tuple[int, int, int]


class FrameCopy(Protocol):
    """Another video made from the annotated frames as they are drawn (e.g. the web app's WebM copy).

    ``start`` is called once, before the first frame; ``write`` with each frame (the image must not be
    changed: the MP4 writer uses it too); then ``finish`` after the last frame, or ``abort`` when
    writing the annotated video fails.
    """

    def start(self, fps: float, size: tuple[int, int]) -> None:
        """Open the copy for frames of ``size`` (width, height) at ``fps``."""

    def write(self, image: Image) -> None:
        """Add one annotated frame (BGR)."""

    def finish(self) -> None:
        """Complete the copy after the last frame."""

    def abort(self) -> None:
        """Discard the copy."""

_WHITE: BGR = (255, 255, 255)
_BLACK: BGR = (0, 0, 0)
_PELVIS: BGR = (0, 215, 255)
_TRUNK: BGR = (255, 200, 0)
_BANNER: BGR = (20, 20, 150)


def _bgr(hex_color: str) -> BGR:
    """Convert ``"#rrggbb"`` to an OpenCV BGR tuple."""
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return (b, g, r)


_SIDE_BGR: dict[str, BGR] = {side: _bgr(c) for side, c in SIDE_COLORS.items()}
_SIDE_BGR_LIGHT: dict[str, BGR] = {"left": (255, 170, 90), "right": (110, 110, 255)}


@dataclass(frozen=True)
class _Style:
    """Sizes that scale with the frame height so text stays legible on phone videos."""

    font_scale: float
    thickness: int
    line: int
    radius: int

    @classmethod
    def for_height(cls, height: int) -> _Style:
        """Sizes for frames ``height`` pixels tall (1280 px gives ~1.1 font scale)."""
        return cls(font_scale=max(0.35, height / 1150), thickness=max(1, round(height / 560)),
                   line=max(1, round(height / 330)), radius=max(2, round(height / 260)))


# ----------------------------------------------------------------------------------------- text


def _segments_width(text: str, style: _Style) -> tuple[int, int]:
    """Width and height in pixels of ``text`` as drawn by :func:`_put_text`."""
    import cv2

    width, height = 0, 0
    for i, part in enumerate(text.split("°")):
        if i > 0:
            width += _degree_width(style)
        if part:
            (w, h), _ = cv2.getTextSize(part, cv2.FONT_HERSHEY_SIMPLEX, style.font_scale, style.thickness)
            width, height = width + w, max(height, h)
    if height == 0:
        (_, height), _ = cv2.getTextSize("0", cv2.FONT_HERSHEY_SIMPLEX, style.font_scale, style.thickness)
    return width, height


def _degree_width(style: _Style) -> int:
    """Horizontal room taken by a drawn degree sign."""
    return max(4, round(12 * style.font_scale))


def _put_text(image: Image, text: str, org: tuple[int, int], style: _Style, color: BGR) -> None:
    """Draw ``text`` with a dark outline; ``°`` (absent from Hershey fonts) is drawn as a ring.

    ``org`` is the bottom-left corner; the text is shifted to stay inside the frame.
    """
    import cv2

    width, height = _segments_width(text, style)
    x = int(min(max(org[0], 2), image.shape[1] - width - 2))
    y = int(min(max(org[1], height + 2), image.shape[0] - 4))
    outline = style.thickness + max(2, style.thickness)
    for colour, thick in ((_BLACK, outline), (color, style.thickness)):
        cx = x
        for i, part in enumerate(text.split("°")):
            if i > 0:
                r = max(2, round(4 * style.font_scale))
                cv2.circle(image, (cx + r + 1, y - height + r), r, colour, max(1, thick - 1), cv2.LINE_AA)
                cx += _degree_width(style)
            if part:
                cv2.putText(image, part, (cx, y), cv2.FONT_HERSHEY_SIMPLEX, style.font_scale, colour, thick,
                            cv2.LINE_AA)
                (w, _), _ = cv2.getTextSize(part, cv2.FONT_HERSHEY_SIMPLEX, style.font_scale, style.thickness)
                cx += w


def _wrap(text: str, max_width: int, style: _Style) -> list[str]:
    """Split ``text`` into lines no wider than ``max_width`` pixels (greedy, by words)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and _segments_width(candidate, style)[0] > max_width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


# --------------------------------------------------------------------------------------- labels


def _fppa_label(value: float) -> str:
    """``"valgus 12°"`` for positive FPPA, ``"varus 3°"`` for negative, ``"FPPA 0°"`` in between."""
    degrees = round(value)
    if degrees == 0:
        return "FPPA 0°"
    return f"valgus {degrees}°" if degrees > 0 else f"varus {-degrees}°"


def _pelvis_label(value: float) -> str:
    """Obliquity in words (positive = the person's left hip higher)."""
    if abs(value) < 0.5:
        return "pelvis level"
    return f"pelvis {abs(value):.0f}° {'L' if value > 0 else 'R'} hip up"


def _trunk_label(value: float) -> str:
    """Lateral trunk lean in words (positive = toward the person's left)."""
    if abs(value) < 0.5:
        return "trunk upright"
    return f"trunk {abs(value):.0f}° to {'L' if value > 0 else 'R'}"


def _warnings(result: AnalysisResult) -> list[str]:
    """Capture warnings and warning/refuse issues, without repeats."""
    texts = [*result.capture.warnings,
             *(issue.message for issue in result.capture.issues if issue.level != "info")]
    return list(dict.fromkeys(t for t in texts if t))


# -------------------------------------------------------------------------------------- drawing


@dataclass(frozen=True)
class _Overlay:
    """What to draw on one frame (positions already scaled to the output image)."""

    points: dict[str, tuple[float, float, float]]  # name -> x, y, confidence
    fppa_left: float
    fppa_right: float
    obliquity: float
    lean: float
    time_s: float


def _pt(points: dict[str, tuple[float, float, float]], name: str) -> tuple[int, int] | None:
    """Integer pixel position of ``name``, or None where missing."""
    p = points.get(name)
    return None if p is None else (round(p[0]), round(p[1]))


def _confidence_color(conf: float) -> BGR:
    """Red (0) through yellow (0.5) to green (1)."""
    c = float(np.clip(conf, 0.0, 1.0))
    return (0, round(255 * min(1.0, 2 * c)), round(255 * min(1.0, 2 * (1 - c))))


def _draw_skeleton(image: Image, ov: _Overlay, style: _Style) -> None:
    """Bones in white, keypoints coloured by confidence."""
    import cv2

    for a, b in SKELETON_EDGES:
        pa, pb = _pt(ov.points, a), _pt(ov.points, b)
        if pa is not None and pb is not None:
            cv2.line(image, pa, pb, _WHITE, max(1, style.line - 1), cv2.LINE_AA)
    for x, y, conf in ov.points.values():
        cv2.circle(image, (round(x), round(y)), style.radius, _confidence_color(conf), -1, cv2.LINE_AA)
        cv2.circle(image, (round(x), round(y)), style.radius, _BLACK, 1, cv2.LINE_AA)


def _draw_legs(image: Image, ov: _Overlay, style: _Style) -> None:
    """Hip-knee-ankle lines of both legs, and the FPPA beside each knee (on its outer side)."""
    import cv2

    for side, other, value in (("left", "right", ov.fppa_left), ("right", "left", ov.fppa_right)):
        hip, knee, ankle = (_pt(ov.points, f"{side}_{j}") for j in ("hip", "knee", "ankle"))
        color = _SIDE_BGR[side]
        for a, b in ((hip, knee), (knee, ankle)):
            if a is not None and b is not None:
                cv2.line(image, a, b, color, style.line + 1, cv2.LINE_AA)
        if knee is None or not np.isfinite(value):
            continue
        other_knee = _pt(ov.points, f"{other}_knee")
        outward = 1 if other_knee is None or knee[0] >= other_knee[0] else -1
        text = _fppa_label(value)
        width, height = _segments_width(text, style)
        gap = 3 * style.radius
        x = knee[0] + gap if outward > 0 else knee[0] - gap - width
        _put_text(image, text, (x, knee[1] + height // 2), style, _SIDE_BGR_LIGHT[side])
        _log_label(ov.time_s, f"fppa_{side}", text)


def _log_label(time_s: float, kind: str, text: str) -> None:
    """Record an angle label drawn on the frame at ``time_s`` (DEBUG on :data:`label_logger`)."""
    label_logger.debug("%.3f %s %s", time_s, kind, text)


def _mid(a: tuple[int, int] | None, b: tuple[int, int] | None) -> tuple[int, int] | None:
    """Midpoint of two points, None if either is missing."""
    if a is None or b is None:
        return None
    return ((a[0] + b[0]) // 2, (a[1] + b[1]) // 2)


def _draw_pelvis_trunk(image: Image, ov: _Overlay, style: _Style) -> None:
    """Pelvis line with its obliquity; mid-hip to mid-shoulder line with the trunk lean."""
    import cv2

    lh, rh = _pt(ov.points, "left_hip"), _pt(ov.points, "right_hip")
    ls, rs = _pt(ov.points, "left_shoulder"), _pt(ov.points, "right_shoulder")
    mid_hip, mid_sh = _mid(lh, rh), _mid(ls, rs)
    _, text_h = _segments_width("0", style)
    if lh is not None and rh is not None and mid_hip is not None:
        cv2.line(image, lh, rh, _PELVIS, style.line + 1, cv2.LINE_AA)
        if np.isfinite(ov.obliquity):  # beside the hip that is leftmost in the image, clear of the trunk
            text = _pelvis_label(ov.obliquity)
            width, _ = _segments_width(text, style)
            hip = lh if lh[0] <= rh[0] else rh
            _put_text(image, text, (hip[0] - width - 2 * style.radius, hip[1] + text_h // 2), style, _PELVIS)
            _log_label(ov.time_s, "pelvis", text)
    if mid_hip is not None and mid_sh is not None:
        cv2.line(image, mid_hip, mid_sh, _TRUNK, style.line + 1, cv2.LINE_AA)
        if np.isfinite(ov.lean):
            text = _trunk_label(ov.lean)
            width, _ = _segments_width(text, style)
            _put_text(image, text, (mid_sh[0] - width // 2, mid_sh[1] - 2 * text_h), style, _TRUNK)
            _log_label(ov.time_s, "trunk", text)


def _draw_hud(image: Image, time_s: float, result: AnalysisResult, style: _Style) -> None:
    """Repetition counter (completed / total), phase and time in the top-left corner."""
    done = sum(1 for rep in result.reps if rep.end_s <= time_s)
    _, phases = frame_reps(np.array([time_s]), result.reps, result.test)
    unit = {"single-leg-stance": "hold", "gait": "step"}.get(result.test, "rep")
    lines = [f"{unit} {done}/{len(result.reps)}", phases[0] or "-", f"{time_s:5.1f} s"]
    _, h = _segments_width("0", style)
    pad = max(4, h // 2)
    width = max(_segments_width(line, style)[0] for line in lines) + 2 * pad
    height = len(lines) * (h + pad) + pad
    region = image[:height, :width]
    region[:] = (region * 0.45).astype(np.uint8)
    for i, line in enumerate(lines):
        _put_text(image, line, (pad, (i + 1) * (h + pad)), style, _WHITE)


@dataclass(frozen=True)
class _BannerLayer:
    """The warning band, drawn once and blended onto each frame as ``frame * scale + offset``.

    The text is drawn twice, on a black and on a white band; their difference gives the text's
    coverage (anti-aliased edges included), so blending the precomputed layer gives the same pixels
    as drawing the band and its text on every frame, at a fraction of the cost (wrapping and drawing
    text took ~8 ms a frame at 720x1280).
    """

    top: int
    scale: NDArray[np.float32]
    offset: NDArray[np.float32]

    @classmethod
    def build(cls, width: int, height: int, messages: Sequence[str], style: _Style) -> _BannerLayer:
        """Wrap and draw ``messages`` for frames ``width`` x ``height``."""
        pad = max(4, round(8 * style.font_scale))
        small = _Style(style.font_scale * 0.8, max(1, style.thickness - 1), style.line, style.radius)
        lines = [line for msg in messages for line in _wrap("! " + msg, width - 2 * pad, small)]
        _, h = _segments_width("Ag", small)
        step = h + pad
        band = min(height // 2, len(lines) * step + 2 * pad)
        top = height - band
        on_black = np.zeros((band, width, 3), np.uint8)
        on_white = np.full((band, width, 3), 255, np.uint8)
        for canvas in (on_black, on_white):
            for i, line in enumerate(lines):
                y = pad + i * step + h  # as in the full frame, counted from the band's top
                if top + y > height - pad // 2:
                    break
                # Drawn in the band's own coordinates; _put_text keeps text inside its image.
                _put_text(canvas, line, (pad, y), small, _WHITE)
        coverage = 1.0 - (on_white.astype(np.float32) - on_black.astype(np.float32)) / 255.0
        keep = 1.0 - coverage
        scale = (0.3 * keep).astype(np.float32)
        offset = (np.asarray(_BANNER, np.float32) * 0.7 * keep + on_black.astype(np.float32)).astype(np.float32)
        return cls(top=top, scale=scale, offset=offset)

    def draw(self, image: Image) -> None:
        """Blend the band onto the bottom of ``image`` (in place)."""
        region = image[self.top:, :]
        region[:] = np.clip(region * self.scale + self.offset, 0, 255).astype(np.uint8)


# ------------------------------------------------------------------------------ frame matching


def _nearest(times: FloatArray, t: float) -> int:
    """Index of the timestamp in sorted ``times`` closest to ``t``."""
    i = int(np.searchsorted(times, t))
    if i <= 0:
        return 0
    if i >= times.shape[0]:
        return int(times.shape[0] - 1)
    return i if times[i] - t < t - times[i - 1] else i - 1


@dataclass(frozen=True)
class _Matcher:
    """Maps a decoded frame to its pose row and kinematics row."""

    pose_times: FloatArray
    table_times: FloatArray
    by_index: bool
    table_by_pose_row: bool
    tolerance_s: float

    def rows(self, frame: Frame) -> tuple[int | None, int | None]:
        """Pose row and table row of ``frame`` (None where no row is close enough)."""
        n = self.pose_times.shape[0]
        if self.by_index and frame.index < n:
            pose_row: int | None = frame.index
        elif n:
            pose_row = _nearest(self.pose_times, frame.time_s)
            if abs(self.pose_times[pose_row] - frame.time_s) > self.tolerance_s:
                pose_row = None
        else:
            pose_row = None
        if self.table_by_pose_row:
            return pose_row, pose_row
        if not self.table_times.shape[0]:
            return pose_row, None
        table_row = _nearest(self.table_times, frame.time_s)
        if abs(self.table_times[table_row] - frame.time_s) > self.tolerance_s:
            return pose_row, None
        return pose_row, table_row


def _overlay(pose: PoseSeries, table: KinematicsTable, rows: tuple[int | None, int | None],
             scale: tuple[float, float], time_s: float) -> _Overlay | None:
    """Scaled keypoints and the angles of one frame, or None where nobody was found."""
    pose_row, table_row = rows
    if pose_row is None:
        return None
    xy = pose.position[pose_row]
    conf = pose.confidence[pose_row]
    points = {name: (float(xy[k, 0] * scale[0]), float(xy[k, 1] * scale[1]), float(conf[k]))
              for k, name in enumerate(pose.keypoints) if np.isfinite(xy[k]).all()}
    if not points:
        return None

    def value(column: FloatArray) -> float:
        return float(column[table_row]) if table_row is not None else float("nan")

    return _Overlay(points=points, fppa_left=value(table.fppa_left_deg), fppa_right=value(table.fppa_right_deg),
                    obliquity=value(table.pelvic_obliquity_deg), lean=value(table.trunk_lean_deg),
                    time_s=time_s)


# -------------------------------------------------------------------------------------- writing


def _output_size(width: int, height: int, max_long_side: int) -> tuple[int, int]:
    """Output width and height: downscaled to ``max_long_side``, rounded down to even numbers."""
    factor = min(1.0, max_long_side / max(width, height))
    out_w = max(2, int(width * factor) // 2 * 2)
    out_h = max(2, int(height * factor) // 2 * 2)
    return out_w, out_h


def _open_writer(path: Path, fps: float, size: tuple[int, int], codecs: Sequence[str]) -> tuple[Any, str]:
    """Open a ``cv2.VideoWriter`` with the first codec of ``codecs`` that works.

    OpenCV's own log is silenced while codecs are tried (a missing H.264 encoder is expected, not
    an error) and restored afterwards.

    Raises
    ------
    KneelineError
        If no codec can be opened.
    """
    import cv2

    for codec in codecs:
        with quiet_opencv():
            writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*codec), fps, size)
        if writer.isOpened():
            return writer, codec
        writer.release()
        logger.debug("codec %s cannot be written by this OpenCV build", codec)
    path.unlink(missing_ok=True)
    raise KneelineError(f"cannot write {path.name}: none of the video codecs {', '.join(codecs)} works in this "
                        "OpenCV build. Run again with --no-video, or install an OpenCV with FFmpeg support.")


def _frame_rate(video_fps: float, pose: PoseSeries) -> float:
    """Frame rate to write: the container's, else the pose timestamps', else 30."""
    for fps in (video_fps, pose.fps):
        if np.isfinite(fps) and 1.0 <= fps <= 480.0:
            return float(fps)
    return 30.0


@dataclass(frozen=True)
class _Renderer:
    """Turns decoded frames into annotated output images."""

    pose: PoseSeries
    table: KinematicsTable
    result: AnalysisResult
    matcher: _Matcher
    banner: tuple[str, ...]
    size: tuple[int, int]
    style: _Style
    first_s: float
    banner_layer: _BannerLayer | None = None

    def render(self, frame: Frame) -> Image:
        """The downscaled frame with every layer drawn (the frame itself is not modified)."""
        import cv2

        image: Image = np.asarray(cv2.resize(frame.image, self.size, interpolation=cv2.INTER_AREA),
                                  dtype=np.uint8)
        rows = self.matcher.rows(frame)
        time_s = float(self.table.time_s[rows[1]]) if rows[1] is not None else frame.time_s
        scale = (self.size[0] / self.pose.width, self.size[1] / self.pose.height)
        overlay = _overlay(self.pose, self.table, rows, scale, time_s)
        if overlay is not None:
            blur_face(image, overlay.points)  # privacy: no annotated video shows the face (report/privacy.py)
            _draw_skeleton(image, overlay, self.style)
            _draw_pelvis_trunk(image, overlay, self.style)
            _draw_legs(image, overlay, self.style)
        _draw_hud(image, time_s, self.result, self.style)
        if self.banner_layer is not None and frame.time_s - self.first_s < BANNER_SECONDS:
            self.banner_layer.draw(image)
        return image


def write_annotated_video(path_out: str | Path, video_path: str | Path, pose: PoseSeries, table: KinematicsTable,
                          result: AnalysisResult, *, progress: ProgressCallback | None = None,
                          codecs: Sequence[str] = CODEC_PREFERENCE, max_long_side: int = MAX_LONG_SIDE,
                          copies: Sequence[FrameCopy] = ()) -> str:
    """Re-read ``video_path`` and write it to ``path_out`` with the skeleton and angles drawn on.

    Frames are matched to pose rows by frame index when the pose has as many rows as the video
    has frames, otherwise by nearest timestamp; kinematics rows follow the pose rows when the table
    has the same length, otherwise their own nearest timestamp.  Frames without a pose (NaN row)
    show only the counter.

    Parameters
    ----------
    path_out
        MP4 file to write (overwritten; removed again if writing fails).
    video_path
        The video the pose was estimated from.
    pose
        Keypoints in pixels of the upright frame (``pose.width`` x ``pose.height``).
    table
        Per-frame kinematics, for the angle labels.
    result
        The analysis result: repetitions (counter, phase) and capture warnings (banner).
    progress
        Called as ``progress(done, total)`` after each frame.
    codecs
        FourCC codes to try, best first.
    max_long_side
        Longest side of the output in pixels.
    copies
        Other videos made from the same drawn frames, without decoding the video again (see
        :class:`FrameCopy`); finished after ``path_out`` is complete, aborted if it fails.

    Returns
    -------
    str
        The FourCC code of the codec used (e.g. ``"mp4v"``).

    Raises
    ------
    InputError
        If ``video_path`` is missing or cannot be decoded, or has no frames.
    KneelineError
        If no codec of ``codecs`` can be written by this OpenCV build.
    """
    out = Path(path_out)
    info = probe(video_path)
    step = analysed_frame_step(pose)
    fps = _frame_rate(info.fps / step, pose)
    total = -(-info.frame_count // step) if info.frame_count > 0 else pose.n_frames
    matcher = _Matcher(pose_times=pose.time_s, table_times=table.time_s,
                       by_index=pose.n_frames == info.frame_count,
                       table_by_pose_row=table.time_s.shape[0] == pose.n_frames, tolerance_s=1.5 / fps)
    writer: Any = None
    codec, done = "", 0
    try:
        renderer: _Renderer | None = None
        for frame in prefetch(iter_frames(video_path, step=step)):  # decoding overlaps drawing/encoding
            if renderer is None:
                size = _output_size(frame.image.shape[1], frame.image.shape[0], max_long_side)
                banner, style = tuple(_warnings(result)), _Style.for_height(size[1])
                layer = _BannerLayer.build(size[0], size[1], banner, style) if banner else None
                renderer = _Renderer(pose, table, result, matcher, banner, size, style, frame.time_s, layer)
                writer, codec = _open_writer(out, fps, size, codecs)
                writer = WriteBehind(writer)  # encoding overlaps decoding and drawing
                for copy in copies:
                    copy.start(fps, size)
            image = renderer.render(frame)
            writer.write(image)
            for copy in copies:
                copy.write(image)
            done += 1
            if progress is not None:
                progress(done, max(total, done))
        _finish(writer, out, codec, video_path)
        writer = None
        for copy in copies:
            copy.finish()
    except BaseException:
        for copy in copies:
            copy.abort()
        if writer is not None:
            writer.release()
        out.unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(done, done)
    logger.info("annotated video: %d frames, codec %s, %s", done, codec, out)
    return codec


# ------------------------------------------------------------- analysis frame rate (issue 17)


def analysed_frame_step(pose: PoseSeries) -> int:
    """Every how many video frames the pose was estimated (``pose.meta["frame_step"]``, else 1).

    The annotated video shows the frames the model saw, at their rate: a squat analysed at 30 fps
    from a 60 fps video is drawn from every second frame (the others are only grabbed, not
    converted, drawn or encoded).
    """
    step = pose.meta.get("frame_step", 1)
    return step if isinstance(step, int) and step >= 1 else 1


def _finish(writer: Any, out: Path, codec: str, video_path: str | Path) -> None:
    """Close the writer and check that a video was written."""
    if writer is None:
        raise InputError(f"{Path(video_path).name} has no decodable frames; record or export the video again.")
    writer.release()
    if not out.is_file() or out.stat().st_size == 0:
        raise KneelineError(f"the {codec} encoder wrote nothing to {out}; run again with --no-video.")
