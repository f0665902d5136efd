"""From 3D markers to 2D keypoints: cameras, projection and marker-to-keypoint mappings.

This is how kneeline checks itself against reference motion: marker trajectories (a TRC file, read
by :func:`kneeline.io.trc.read_trc`) are projected through a real calibrated camera or a virtual one
into a :class:`~kneeline.pose.container.PoseSeries`, the same container the pose model fills, so the
same kinematics functions can run on both.

Conventions
-----------
- Camera frame (OpenCV): ``x`` right, ``y`` down, ``z`` along the optical axis away from the camera.
  A marker ``X`` (metres, marker-file axes) maps to ``R @ X + t`` in the camera frame and to the pixel
  ``K @ (R @ X + t)`` divided by its third coordinate.
- Marker files here are Y up (OpenSim).  A subject's *facing direction* is horizontal; their left is
  ``up × facing``.
- Virtual camera yaw: 0 = straight in front of the subject; positive = the camera has moved round
  toward the subject's left (it sees more of their left side); 90 = side-on from their left.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kneeline.errors import InputError
from kneeline.io.trc import MarkerSet
from kneeline.pose.container import FloatArray, PoseSeries

__all__ = [
    "Camera", "project", "virtual_camera", "facing_direction", "markers_to_pose", "resample_markers",
    "add_virtual_markers", "with_static_medial_markers", "pelvis_yaw_deg", "keypoint_xyz", "subject_frame",
    "virtual_view",
    "OPENCAP_VIDEO_MAPPING", "MOCAP_LATERAL_MAPPING", "MOCAP_CENTRE_MAPPING", "MarkerMapping",
]

MarkerMapping = Mapping[str, tuple[str, ...]]
"""Keypoint name -> marker names whose mean (midpoint) is that keypoint."""

UP_Y: FloatArray = np.array([0.0, 1.0, 0.0])

OPENCAP_VIDEO_MAPPING: dict[str, tuple[str, ...]] = {
    "left_shoulder": ("L_shoulder_study",), "right_shoulder": ("r_shoulder_study",),
    "left_elbow": ("L_lelbow_study", "L_melbow_study"), "right_elbow": ("r_lelbow_study", "r_melbow_study"),
    "left_wrist": ("L_lwrist_study", "L_mwrist_study"), "right_wrist": ("r_lwrist_study", "r_mwrist_study"),
    "left_hip": ("LHJC_study",), "right_hip": ("RHJC_study",),
    "left_knee": ("L_knee_study", "L_mknee_study"), "right_knee": ("r_knee_study", "r_mknee_study"),
    "left_ankle": ("L_ankle_study", "L_mankle_study"), "right_ankle": ("r_ankle_study", "r_mankle_study"),
    "left_heel": ("L_calc_study",), "right_heel": ("r_calc_study",),
    "left_foot_index": ("L_toe_study",), "right_foot_index": ("r_toe_study",),
}
"""OpenCap marker set (``*_study`` markers): joint centres as lateral/medial midpoints."""

MOCAP_LATERAL_MAPPING: dict[str, tuple[str, ...]] = {
    "left_shoulder": ("L_Shoulder",), "right_shoulder": ("R_Shoulder",),
    "left_elbow": ("L_elbow_lat", "L_elbow_med"), "right_elbow": ("R_elbow_lat", "R_elbow_med"),
    "left_wrist": ("L_wrist_radius", "L_wrist_ulna"), "right_wrist": ("R_wrist_radius", "R_wrist_ulna"),
    "left_hip": ("L_HJC",), "right_hip": ("R_HJC",),
    "left_knee": ("L_knee",), "right_knee": ("r_knee",),
    "left_ankle": ("L_ankle",), "right_ankle": ("r_ankle",),
    "left_heel": ("L_calc",), "right_heel": ("r_calc",),
    "left_foot_index": ("L_toe",), "right_foot_index": ("r_toe",),
}
"""OpenCap lab marker set (mocap-opencap-subject4): knees and ankles from the *lateral* markers only.

Dynamic trials have no medial knee/ankle markers, so FPPA from this mapping is the angle between
lines through the lateral epicondyle and malleolus, not the joint centres.  Prefer
:data:`MOCAP_CENTRE_MAPPING` after :func:`with_static_medial_markers`.
"""

MOCAP_CENTRE_MAPPING: dict[str, tuple[str, ...]] = {
    **MOCAP_LATERAL_MAPPING,
    "left_knee": ("L_knee", "L_mknee"), "right_knee": ("r_knee", "r_mknee"),
    "left_ankle": ("L_ankle", "L_mankle"), "right_ankle": ("r_ankle", "r_mankle"),
}
"""As :data:`MOCAP_LATERAL_MAPPING` with knee/ankle centres as lateral/medial midpoints; the medial
markers of dynamic trials are reconstructed from ``static1`` by :func:`with_static_medial_markers`."""

_MEDIAL_CLUSTERS: dict[str, tuple[str, ...]] = {
    "r_mknee": ("r_knee", "r_thigh1", "r_thigh2", "r_thigh3", "r_thigh4", "r_thigh5"),
    "L_mknee": ("L_knee", "L_thigh1", "L_thigh2", "L_thigh3", "L_thigh4"),
    "r_mankle": ("r_ankle", "r_sh2", "r_sh3", "r_sh4", "r_shank_antsup"),
    "L_mankle": ("L_ankle", "L_sh2", "L_sh3", "L_shank_antsup"),
}
"""Medial marker (present only in the static trial) -> rigid cluster that carries it."""


@dataclass(frozen=True, eq=False)
class Camera:
    """A pinhole camera.

    Parameters
    ----------
    K
        ``(3, 3)`` intrinsic matrix (focal lengths and principal point in pixels).
    R, t
        World-to-camera rotation ``(3, 3)`` and translation ``(3,)`` in metres.
    width, height
        Image size in pixels (of the upright, displayed frame).
    distortion
        Optional OpenCV coefficients ``(k1, k2, p1, p2[, k3])``.
    ortho_depth_m
        If set, a scaled-orthographic camera: every point is divided by this depth instead of its
        own, i.e. a projection onto the image plane without perspective.
    name
        Label for provenance.
    """

    K: FloatArray
    R: FloatArray
    t: FloatArray
    width: int
    height: int
    distortion: FloatArray | None = None
    ortho_depth_m: float | None = None
    name: str = "camera"

    def __post_init__(self) -> None:
        K = np.asarray(self.K, dtype=np.float64)
        R = np.asarray(self.R, dtype=np.float64)
        t = np.asarray(self.t, dtype=np.float64).reshape(-1)
        if K.shape != (3, 3) or R.shape != (3, 3) or t.shape != (3,):
            raise InputError(f"camera needs K (3, 3), R (3, 3), t (3,); got {K.shape}, {R.shape}, {t.shape}")
        if not np.allclose(R @ R.T, np.eye(3), atol=1e-4) or np.linalg.det(R) < 0:
            raise InputError("camera R must be a rotation matrix (orthonormal, determinant +1)")
        if self.width <= 0 or self.height <= 0:
            raise InputError(f"camera image size must be positive; got {self.width}x{self.height}")
        dist = None
        if self.distortion is not None:
            dist = np.asarray(self.distortion, dtype=np.float64).reshape(-1)
            if dist.size not in (4, 5):
                raise InputError(f"camera distortion must have 4 or 5 coefficients; got {dist.size}")
            dist.setflags(write=False)
        for arr in (K, R, t):
            arr.setflags(write=False)
        object.__setattr__(self, "K", K)
        object.__setattr__(self, "R", R)
        object.__setattr__(self, "t", t)
        object.__setattr__(self, "distortion", dist)

    @property
    def centre(self) -> FloatArray:
        """Camera centre in world coordinates, ``-R.T @ t``."""
        centre: FloatArray = -self.R.T @ self.t
        return centre

    def to_camera(self, points_xyz: FloatArray) -> FloatArray:
        """Return world points ``(..., 3)`` in the camera frame ``(..., 3)``."""
        pts = np.asarray(points_xyz, dtype=np.float64)
        cam: FloatArray = pts @ self.R.T + self.t
        return cam

    def project(self, points_xyz: FloatArray) -> FloatArray:
        """Project world points ``(..., 3)`` to pixels ``(..., 2)`` (NaN behind the camera)."""
        if self.ortho_depth_m is not None:
            cam = self.to_camera(points_xyz)
            return _pixels(cam[..., :2] / self.ortho_depth_m, self.K, self.distortion)
        return project(points_xyz, self.K, self.R, self.t, self.distortion)

    @classmethod
    def from_json(cls, path: str | Path, image_wh: tuple[int, int] | None = None) -> Camera:
        """Read a camera file with ``K``, ``R``, ``t_m`` (or ``t``), ``distortion``, ``image_size_wh``.

        Parameters
        ----------
        path
            The JSON file.
        image_wh
            Size of the displayed frames.  When omitted, ``image_size_wh`` is used, swapped if the
            principal point only fits the swapped size (portrait phone videos are often stored
            landscape with a rotation flag while ``K`` refers to the upright frame).

        Raises
        ------
        InputError
            If the file is missing, not JSON, or lacks ``K``, ``R`` or ``t_m``.
        """
        p = Path(path)
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise InputError(f"camera file not found: {p}") from exc
        except json.JSONDecodeError as exc:
            raise InputError(f"{p.name} is not valid JSON: {exc}") from exc
        missing = [k for k in ("K", "R") if k not in data]
        if missing or ("t_m" not in data and "t" not in data):
            raise InputError(f"{p.name} must hold K, R and t_m; missing {missing or ['t_m']}")
        K = np.asarray(data["K"], dtype=np.float64)
        if image_wh is None:
            image_wh = _image_size(data.get("image_size_wh"), K, p.name)
        return cls(K=K, R=np.asarray(data["R"]), t=np.asarray(data.get("t_m", data.get("t"))),
                   width=int(image_wh[0]), height=int(image_wh[1]), distortion=data.get("distortion"),
                   name=p.name)


def _image_size(size_wh: object, K: FloatArray, where: str) -> tuple[int, int]:
    """Pick the frame size (as stored, or swapped) whose centre is nearest the principal point."""
    if not isinstance(size_wh, list | tuple) or len(size_wh) != 2:
        raise InputError(f"{where}: give image_size_wh [width, height] or pass image_wh")
    w, h = int(size_wh[0]), int(size_wh[1])
    cx, cy = float(K[0, 2]), float(K[1, 2])

    def miss(ww: int, hh: int) -> float:
        return abs(cx - ww / 2) / ww + abs(cy - hh / 2) / hh

    return (h, w) if miss(h, w) < miss(w, h) else (w, h)


def _pixels(normalised: FloatArray, K: FloatArray, distortion: FloatArray | None) -> FloatArray:
    """Apply distortion to normalised image coordinates ``(..., 2)`` and map them through ``K``."""
    x, y = normalised[..., 0], normalised[..., 1]
    if distortion is not None:
        k1, k2, p1, p2 = distortion[:4]
        k3 = distortion[4] if distortion.size > 4 else 0.0
        r2 = x * x + y * y
        radial = 1.0 + k1 * r2 + k2 * r2**2 + k3 * r2**3
        x, y = (x * radial + 2 * p1 * x * y + p2 * (r2 + 2 * x * x),
                y * radial + p1 * (r2 + 2 * y * y) + 2 * p2 * x * y)
    u = K[0, 0] * x + K[0, 1] * y + K[0, 2]
    v = K[1, 1] * y + K[1, 2]
    return np.stack([u, v], axis=-1)


def project(points_xyz: FloatArray, K: FloatArray, R: FloatArray, t: FloatArray,
            distortion: FloatArray | None = None) -> FloatArray:
    """Project world points to pixels with a pinhole camera.

    Parameters
    ----------
    points_xyz
        ``(..., 3)`` world points in metres; NaN rows stay NaN.
    K, R, t
        Intrinsics ``(3, 3)``, world-to-camera rotation ``(3, 3)`` and translation ``(3,)``.
    distortion
        Optional OpenCV ``(k1, k2, p1, p2[, k3])``, applied to the normalised coordinates.

    Returns
    -------
    numpy.ndarray
        ``(..., 2)`` pixels ``K @ (R @ X + t)`` divided by the third coordinate; NaN for points on
        or behind the camera plane.
    """
    K = np.asarray(K, dtype=np.float64)
    cam = np.asarray(points_xyz, dtype=np.float64) @ np.asarray(R, dtype=np.float64).T + np.asarray(t)
    z = cam[..., 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        normalised = cam[..., :2] / np.where(z > 0, z, np.nan)[..., None]
    dist = None if distortion is None else np.asarray(distortion, dtype=np.float64).reshape(-1)
    return _pixels(normalised, K, dist)


def _unit(v: FloatArray, what: str) -> FloatArray:
    n = float(np.linalg.norm(v))
    if not np.isfinite(n) or n < 1e-9:
        raise InputError(f"{what} is zero or not finite; cannot build a direction from it")
    unit: FloatArray = v / n
    return unit


def _horizontal(direction_xz: FloatArray) -> FloatArray:
    """Turn a facing direction given as ``(x, z)`` or ``(x, y, z)`` into a horizontal unit 3-vector."""
    d = np.asarray(direction_xz, dtype=np.float64).reshape(-1)
    if d.size == 2:
        d = np.array([d[0], 0.0, d[1]])
    elif d.size == 3:
        d = np.array([d[0], 0.0, d[2]])
    else:
        raise InputError(f"facing direction must have 2 (x, z) or 3 (x, y, z) values; got {d.size}")
    return _unit(d, "facing direction")


def virtual_camera(target_xyz: FloatArray, facing_dir_xz: FloatArray, yaw_deg: float = 0.0,
                   distance_m: float = 3.0, height_m: float | None = None,
                   image_wh: tuple[int, int] = (720, 1280), focal_px: float = 1000.0,
                   orthographic: bool = False) -> Camera:
    """Build a camera that looks at a subject from a chosen yaw (marker data with Y up).

    Parameters
    ----------
    target_xyz
        Point the optical axis goes through (e.g. the mean mid-hip), metres.
    facing_dir_xz
        Direction the subject faces, ``(x, z)`` or a 3-vector (its Y is ignored).
    yaw_deg
        0 = in front of the subject; positive = moved round toward the subject's left.
    distance_m
        Horizontal distance from the target.
    height_m
        Camera height (Y); by default the target's, so the optical axis is level.
    image_wh
        Image size; the principal point is its centre.
    focal_px
        Focal length in pixels.
    orthographic
        Project without perspective (scaled orthographic at ``distance_m``).

    Returns
    -------
    Camera
        A distortion-free camera, roll-free (image ``y`` follows world down).
    """
    target = np.asarray(target_xyz, dtype=np.float64).reshape(3)
    facing = _horizontal(facing_dir_xz)
    a = np.radians(yaw_deg)
    left = np.cross(UP_Y, facing)
    towards_camera = np.cos(a) * facing + np.sin(a) * left
    centre = target + distance_m * towards_camera
    centre[1] = target[1] if height_m is None else height_m
    z_axis = _unit(target - centre, "camera optical axis")
    y_axis = _unit(-UP_Y - np.dot(-UP_Y, z_axis) * z_axis, "camera down axis")
    x_axis = np.cross(y_axis, z_axis)
    R = np.stack([x_axis, y_axis, z_axis])
    K = np.array([[focal_px, 0.0, image_wh[0] / 2.0], [0.0, focal_px, image_wh[1] / 2.0], [0.0, 0.0, 1.0]])
    depth = float(np.linalg.norm(target - centre)) if orthographic else None
    kind = "orthographic" if orthographic else "pinhole"
    return Camera(K=K, R=R, t=-R @ centre, width=int(image_wh[0]), height=int(image_wh[1]),
                  ortho_depth_m=depth, name=f"virtual {kind} yaw {yaw_deg:g} deg at {distance_m:g} m")


def keypoint_xyz(markers: MarkerSet, mapping: MarkerMapping) -> tuple[tuple[str, ...], FloatArray]:
    """Return keypoint names and their ``(time, keypoint, 3)`` positions (marker midpoints).

    Raises
    ------
    InputError
        If a mapped marker is not in ``markers``.
    """
    names = tuple(mapping)
    xyz = np.stack([np.mean([markers.marker(m) for m in mapping[k]], axis=0) for k in names], axis=1)
    return names, xyz


def _world_from_camera(cam_xyz: FloatArray, names: tuple[str, ...]) -> FloatArray | None:
    """Camera-frame coordinates re-centred on the mid-hip (kneeline's ``world``), if hips exist."""
    if "left_hip" not in names or "right_hip" not in names:
        return None
    mid = 0.5 * (cam_xyz[:, names.index("left_hip")] + cam_xyz[:, names.index("right_hip")])
    world: FloatArray = cam_xyz - mid[:, None, :]
    return world


def markers_to_pose(markers: MarkerSet, camera: Camera, mapping: MarkerMapping,
                    time_s: FloatArray | None = None, source: str | None = None) -> PoseSeries:
    """Project markers through ``camera`` into a :class:`PoseSeries` of kneeline keypoints.

    Parameters
    ----------
    markers
        Marker trajectories (metres).
    camera
        Calibrated or virtual camera; its image size becomes the pose's frame size.
    mapping
        Keypoint name -> markers averaged to make it (e.g. :data:`OPENCAP_VIDEO_MAPPING`).
    time_s
        Optional frame times (e.g. a video's) to resample the markers to first (linear
        interpolation, NaN outside the marker recording); by default the marker times.
    source
        Label stored as the pose's ``source``.

    Returns
    -------
    PoseSeries
        Pixels of the projected keypoint positions; confidence 1 where all markers of a keypoint exist
        and it lies in front of the camera, else 0 (and NaN position); ``world`` = camera-frame metres
        (x right, y down, z away) minus the mid-hip.
    """
    if time_s is not None:
        markers = resample_markers(markers, time_s)
    names, xyz = keypoint_xyz(markers, mapping)
    pixels = camera.project(xyz)
    ok = np.all(np.isfinite(pixels), axis=-1)
    pixels = np.where(ok[..., None], pixels, np.nan)
    cam_xyz = np.where(ok[..., None], camera.to_camera(xyz), np.nan)
    return PoseSeries(position=pixels, confidence=ok.astype(np.float64), time_s=markers.time_s,
                      keypoints=names, width=camera.width, height=camera.height,
                      source=source or f"markers {Path(markers.source).name or '?'} via {camera.name}",
                      world=_world_from_camera(cam_xyz, names),
                      meta={"markers": markers.source, "camera": camera.name,
                            "mapping": {k: list(v) for k, v in mapping.items()}})


def resample_markers(markers: MarkerSet, time_s: FloatArray) -> MarkerSet:
    """Linearly interpolate marker trajectories at ``time_s`` (NaN outside the recorded span).

    A sample next to a missing (NaN) sample is NaN too: gaps are not bridged.
    """
    t = np.asarray(time_s, dtype=np.float64).reshape(-1)
    src = markers.time_s
    idx = np.clip(np.searchsorted(src, t, side="right") - 1, 0, max(src.size - 2, 0))
    nxt = np.minimum(idx + 1, src.size - 1)
    span = np.where(nxt > idx, src[nxt] - src[idx], 1.0)
    w = np.clip((t - src[idx]) / span, 0.0, 1.0)[:, None, None]
    xyz = (1.0 - w) * markers.xyz[idx] + w * markers.xyz[nxt]
    outside = (t < src[0] - 1e-9) | (t > src[-1] + 1e-9)
    xyz[outside] = np.nan
    return MarkerSet(time_s=t, names=markers.names, xyz=xyz, rate_hz=markers.rate_hz, units=markers.units,
                     source=markers.source)


def facing_direction(markers: MarkerSet, left: str = "L.ASIS", right: str = "r.ASIS") -> FloatArray:
    """Return the subject's mean horizontal facing direction (unit 3-vector, Y up data).

    The pelvis left-right axis ``left - right`` is averaged over the trial (frames with both markers);
    the subject faces ``left × up``.
    """
    axis = markers.marker(left) - markers.marker(right)
    axis = axis[np.all(np.isfinite(axis), axis=1)]
    if axis.size == 0:
        raise InputError(f"markers {left} and {right} are never both present; cannot find the facing")
    return _horizontal(np.cross(_unit(axis.mean(axis=0), "pelvis axis"), UP_Y))


def pelvis_yaw_deg(markers: MarkerSet, camera: Camera, left: str = "L.ASIS",
                   right: str = "r.ASIS") -> FloatArray:
    """Return the per-frame yaw of the pelvis left-right axis out of the image plane, in degrees.

    ``asin(-v · z_cam / |v|)`` with ``v = left - right`` in camera coordinates: 0 when the pelvis
    axis is parallel to the image plane (frontal view), ±90 side-on; positive when the subject's left
    hip is nearer the camera (the camera sees their left side), the sign of :func:`virtual_camera`'s
    ``yaw_deg``.
    """
    v = camera.to_camera(markers.marker(left)) - camera.to_camera(markers.marker(right))
    with np.errstate(invalid="ignore"):
        s = -v[:, 2] / np.linalg.norm(v, axis=1)
    yaw: FloatArray = np.degrees(np.arcsin(np.clip(s, -1.0, 1.0)))
    return yaw


def _rigid_fit(src: FloatArray, dst: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Least-squares rotation and translation with ``dst ≈ src @ R.T + t`` (Kabsch)."""
    cs, cd = src.mean(axis=0), dst.mean(axis=0)
    u, _, vt = np.linalg.svd((src - cs).T @ (dst - cd))
    d = np.sign(np.linalg.det(vt.T @ u.T))
    R = vt.T @ np.diag([1.0, 1.0, d]) @ u.T
    return R, cd - R @ cs


def add_virtual_markers(trial: MarkerSet, static: MarkerSet,
                        clusters: Mapping[str, tuple[str, ...]]) -> MarkerSet:
    """Reconstruct markers seen only in a static trial from rigid marker clusters.

    Parameters
    ----------
    trial
        The dynamic trial.
    static
        A static trial holding both the clusters and the markers to reconstruct.
    clusters
        New marker -> at least three markers (present in both trials) that move rigidly with it.

    Returns
    -------
    MarkerSet
        ``trial`` with the new markers appended (NaN in frames with fewer than three cluster markers).
    """
    new = []
    for name, cluster in clusters.items():
        if trial.has(name):
            raise InputError(f"marker {name} is already in {trial.source or 'the trial'}; nothing to add")
        if len(cluster) < 3:
            raise InputError(f"virtual marker {name} needs at least 3 cluster markers; got {cluster}")
        ref = np.stack([np.nanmean(static.marker(m), axis=0) for m in cluster])
        target = np.nanmean(static.marker(name), axis=0)
        moving = np.stack([trial.marker(m) for m in cluster], axis=1)
        out = np.full((trial.n_frames, 3), np.nan)
        for i in range(trial.n_frames):
            ok = np.all(np.isfinite(moving[i]), axis=1) & np.all(np.isfinite(ref), axis=1)
            if ok.sum() >= 3:
                R, t = _rigid_fit(ref[ok], moving[i][ok])
                out[i] = R @ target + t
        new.append(out)
    names = trial.names + tuple(clusters)
    xyz = np.concatenate([trial.xyz, np.stack(new, axis=1)], axis=1)
    return MarkerSet(time_s=trial.time_s, names=names, xyz=xyz, rate_hz=trial.rate_hz, units=trial.units,
                     source=trial.source)


def with_static_medial_markers(trial: MarkerSet, static: MarkerSet) -> MarkerSet:
    """Add medial knee and ankle markers (``r_mknee``, ``L_mknee``, ``r_mankle``, ``L_mankle``).

    For the OpenCap lab marker set: the medial markers exist only in ``static1``; each is carried by
    its thigh or shank cluster plus the lateral marker (see :func:`add_virtual_markers`).
    """
    return add_virtual_markers(trial, static, _MEDIAL_CLUSTERS)


def subject_frame(markers: MarkerSet, mapping: MarkerMapping) -> tuple[FloatArray, FloatArray]:
    """Return the trial-mean mid-hip ``(3,)`` and horizontal facing direction ``(3,)`` (Y up data).

    The hips are the markers ``mapping`` gives for ``left_hip`` and ``right_hip``.
    """
    for key in ("left_hip", "right_hip"):
        if key not in mapping:
            raise InputError(f"the marker mapping must name {key} to find the subject's facing")
    _, hips = keypoint_xyz(markers, {"left_hip": mapping["left_hip"], "right_hip": mapping["right_hip"]})
    ok = np.all(np.isfinite(hips), axis=(1, 2))
    if not np.any(ok):
        raise InputError("the hip markers are never both present; cannot place a virtual camera")
    mid = hips[ok].mean(axis=(0, 1))
    axis = (hips[ok, 0] - hips[ok, 1]).mean(axis=0)
    return mid, _horizontal(np.cross(_unit(axis, "pelvis axis"), UP_Y))


def virtual_view(markers: MarkerSet, mapping: MarkerMapping, yaw_deg: float = 0.0, distance_m: float = 3.0,
                 image_wh: tuple[int, int] = (720, 1280), focal_px: float = 1000.0,
                 orthographic: bool = False) -> tuple[PoseSeries, Camera]:
    """Film a marker trial with a virtual level camera aimed at the subject's mean mid-hip.

    Parameters
    ----------
    markers, mapping
        Marker trajectories (Y up) and the marker -> keypoint mapping.
    yaw_deg
        Camera position round the subject's trial-mean facing direction (0 = frontal, positive =
        toward the subject's left; see :func:`virtual_camera`).
    distance_m, image_wh, focal_px, orthographic
        Passed to :func:`virtual_camera`.

    Returns
    -------
    tuple of PoseSeries and Camera
        The projected keypoints and the camera used.
    """
    target, facing = subject_frame(markers, mapping)
    camera = virtual_camera(target, facing, yaw_deg=yaw_deg, distance_m=distance_m, image_wh=image_wh,
                            focal_px=focal_px, orthographic=orthographic)
    return markers_to_pose(markers, camera, mapping), camera
