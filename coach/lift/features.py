"""Per-frame 2D features for the lift classifier, vectorised over many frames.

Conventions (pinned by tests/lift/test_classify.py):
- Input is (N, 17, 2) COCO-17 pixels, x right, y down, NaN = missing joint.
- Every length is divided by the lifter's scale: the diagonal of the box around the present
  body joints (nose, shoulders, elbows, wrists, hips, knees, ankles). The features are therefore
  invariant to translation and uniform scaling, but NOT to rotation: gravity ("up" = -y in the
  image) is what tells a lying bench presser from a standing squatter.
- Left and right measures are averaged (falling back to whichever side is present), so a left
  view and a right view of the same pose give the same features.
- A feature that cannot be computed (a joint it needs is missing) is NaN; the model imputes it.
  The last `len(BODY_JOINTS)` features are 0/1 missing-joint flags and are never NaN.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from coach.core.keypoints import Joint

J = Joint
Arr = NDArray[np.float64]

# Joints the classifier looks at; eyes and ears add little beyond the nose for the lift.
BODY_JOINTS: tuple[Joint, ...] = (
    J.NOSE, J.LEFT_SHOULDER, J.RIGHT_SHOULDER, J.LEFT_ELBOW, J.RIGHT_ELBOW,
    J.LEFT_WRIST, J.RIGHT_WRIST, J.LEFT_HIP, J.RIGHT_HIP,
    J.LEFT_KNEE, J.RIGHT_KNEE, J.LEFT_ANKLE, J.RIGHT_ANKLE,
)  # fmt: skip

# Per-side joint names -> (left, right).
_SIDES: dict[str, tuple[Joint, Joint]] = {
    "shoulder": (J.LEFT_SHOULDER, J.RIGHT_SHOULDER),
    "elbow": (J.LEFT_ELBOW, J.RIGHT_ELBOW),
    "wrist": (J.LEFT_WRIST, J.RIGHT_WRIST),
    "hip": (J.LEFT_HIP, J.RIGHT_HIP),
    "knee": (J.LEFT_KNEE, J.RIGHT_KNEE),
    "ankle": (J.LEFT_ANKLE, J.RIGHT_ANKLE),
}
# Segments (from, to): direction relative to up and length relative to the scale.
SEGMENTS: tuple[tuple[str, str], ...] = (
    ("shoulder", "elbow"), ("elbow", "wrist"), ("shoulder", "wrist"),
    ("hip", "shoulder"), ("hip", "knee"), ("knee", "ankle"), ("hip", "ankle"),
)  # fmt: skip
# Joint angles (a, vertex, c) in degrees / 180.
ANGLES: tuple[tuple[str, str, str], ...] = (
    ("shoulder", "elbow", "wrist"), ("hip", "shoulder", "elbow"),
    ("shoulder", "hip", "knee"), ("hip", "knee", "ankle"), ("shoulder", "hip", "ankle"),
)  # fmt: skip
# Vertical offsets: how far `a` is ABOVE `b`, in scale units (wrist height is the key cue).
VERTICAL: tuple[tuple[str, str], ...] = (
    ("wrist", "shoulder"), ("wrist", "hip"), ("wrist", "knee"), ("wrist", "ankle"),
    ("elbow", "shoulder"), ("shoulder", "hip"), ("hip", "knee"), ("knee", "ankle"),
    ("hip", "ankle"), ("shoulder", "ankle"), ("nose", "shoulder"), ("nose", "hip"),
)  # fmt: skip
# Horizontal distances |dx| in scale units (sign dropped: facing left or right is the same).
HORIZONTAL: tuple[tuple[str, str], ...] = (
    ("wrist", "shoulder"), ("wrist", "hip"), ("wrist", "ankle"), ("shoulder", "hip"),
    ("hip", "ankle"), ("knee", "hip"), ("shoulder", "ankle"), ("nose", "hip"),
)  # fmt: skip
# Joints expressed in the torso's own frame (origin mid-shoulder, unit = torso length).
TORSO_FRAME: tuple[str, ...] = ("elbow", "wrist", "knee", "ankle")
WIDTHS: tuple[str, ...] = ("shoulder", "elbow", "wrist", "hip", "knee", "ankle")
# The torso frame divides by the torso's image length, which shrinks to ~0 when the torso
# points at the camera (bench from the foot end); clip so one frame cannot dominate.
_TORSO_CLIP = 4.0


def feature_names() -> tuple[str, ...]:
    """Names of the columns `features` returns, in order."""
    names: list[str] = []
    for a, b in SEGMENTS:
        names += [f"{a}_{b}_up_cos", f"{a}_{b}_horiz_sin", f"{a}_{b}_len_rel"]
    names += [f"angle_{a}_{v}_{c}_rel180" for a, v, c in ANGLES]
    names += [f"{a}_above_{b}_rel" for a, b in VERTICAL]
    names += [f"{a}_{b}_dx_rel" for a, b in HORIZONTAL]
    for joint in TORSO_FRAME:
        names += [f"{joint}_along_torso", f"{joint}_across_torso"]
    names += [f"{w}_width_rel" for w in WIDTHS]
    names += ["box_log_aspect", "torso_len_rel", "present_fraction"]
    names += [f"missing_{j.name.lower()}" for j in BODY_JOINTS]
    return tuple(names)


def features(xy: NDArray[np.floating[Any]]) -> Arr:
    """Features for each frame.

    Args:
        xy: (N, 17, 2) pixels, NaN = missing.

    Returns:
        (N, len(feature_names())) float64; NaN where a feature's joints are missing.
    """
    pts = np.asarray(xy, dtype=np.float64)
    if pts.ndim != 3 or pts.shape[1:] != (17, 2):
        raise ValueError(f"xy must be (N, 17, 2), got {pts.shape}")
    scale = _scale(pts)
    joints = {
        name: _pair_mid(pts[:, left], pts[:, right]) for name, (left, right) in _SIDES.items()
    }
    joints["nose"] = pts[:, J.NOSE]
    cols: list[Arr] = []
    for a, b in SEGMENTS:
        cols += _segment(pts, a, b, scale)
    for a, v, c in ANGLES:
        sides = [_angle(*(pts[:, _SIDES[n][side]] for n in (a, v, c))) for side in (0, 1)]
        cols.append(_pair_mean(*sides))
    cols += [(_y(joints[b]) - _y(joints[a])) / scale for a, b in VERTICAL]
    cols += [np.abs(_x(joints[a]) - _x(joints[b])) / scale for a, b in HORIZONTAL]
    cols += _torso_frame(pts, joints)
    cols += [_width(pts, _SIDES[w]) / scale for w in WIDTHS]
    cols += _global(pts, joints, scale)
    body = pts[:, list(BODY_JOINTS)]
    cols += list((~np.isfinite(body).all(axis=2)).astype(np.float64).T)
    return np.stack(cols, axis=1)


def _x(p: Arr) -> Arr:
    return p[:, 0]


def _y(p: Arr) -> Arr:
    return p[:, 1]


def _scale(pts: Arr) -> Arr:
    """Diagonal of the box around the present body joints; NaN when fewer than 2 are present."""
    body = pts[:, list(BODY_JOINTS)]
    ok = np.isfinite(body).all(axis=2)
    lo = np.where(ok[..., None], body, np.inf).min(axis=1)
    hi = np.where(ok[..., None], body, -np.inf).max(axis=1)
    diag = np.hypot(*(hi - lo).T)
    return np.where((ok.sum(axis=1) >= 2) & (diag > 0), diag, np.nan)


def _pair_mid(a: Arr, b: Arr) -> Arr:
    """Midpoint of two (N, 2) points, or whichever one is present."""
    ok_a = np.isfinite(a).all(axis=1, keepdims=True)
    ok_b = np.isfinite(b).all(axis=1, keepdims=True)
    one = np.where(ok_a, a, b)
    return np.where(ok_a & ok_b, (a + b) / 2.0, one)


def _pair_mean(a: Arr, b: Arr) -> Arr:
    """Mean of two (N,) measures, or whichever one is finite."""
    one = np.where(np.isfinite(a), a, b)
    return np.where(np.isfinite(a) & np.isfinite(b), (a + b) / 2.0, one)


def _segment(pts: Arr, a: str, b: str, scale: Arr) -> list[Arr]:
    """Up-cosine, horizontal sine and relative length of segment a->b, averaged over sides."""
    out: list[list[Arr]] = [[], [], []]
    for side in (0, 1):
        vec = pts[:, _SIDES[b][side]] - pts[:, _SIDES[a][side]]
        length = np.hypot(vec[:, 0], vec[:, 1])
        safe = np.where(length > 0, length, np.nan)
        out[0].append(-vec[:, 1] / safe)  # y is down, so "up" is -y
        out[1].append(np.abs(vec[:, 0]) / safe)
        out[2].append(length / scale)
    return [_pair_mean(left, right) for left, right in out]


def _angle(a: Arr, v: Arr, c: Arr) -> Arr:
    """Angle a-v-c in degrees / 180, in [0, 1]; NaN when a point is missing or coincident."""
    u, w = a - v, c - v
    norm = np.hypot(u[:, 0], u[:, 1]) * np.hypot(w[:, 0], w[:, 1])
    cos = np.sum(u * w, axis=1) / np.where(norm > 0, norm, np.nan)
    rel: Arr = np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))) / 180.0
    return rel


def _torso_frame(pts: Arr, joints: dict[str, Arr]) -> list[Arr]:
    """Each TORSO_FRAME joint's position along the shoulder->hip axis and |across| it."""
    origin = joints["shoulder"]
    axis = joints["hip"] - origin
    length = np.hypot(axis[:, 0], axis[:, 1])
    length = np.where(length > 0, length, np.nan)
    unit = axis / length[:, None]
    cols: list[Arr] = []
    for name in TORSO_FRAME:
        along_sides, across_sides = [], []
        for side in (0, 1):
            rel = pts[:, _SIDES[name][side]] - origin
            along_sides.append(np.sum(rel * unit, axis=1) / length)
            across_sides.append(np.abs(rel[:, 0] * unit[:, 1] - rel[:, 1] * unit[:, 0]) / length)
        cols.append(np.clip(_pair_mean(*along_sides), -_TORSO_CLIP, _TORSO_CLIP))
        cols.append(np.clip(_pair_mean(*across_sides), 0.0, _TORSO_CLIP))
    return cols


def _width(pts: Arr, pair: tuple[Joint, Joint]) -> Arr:
    d = pts[:, pair[0]] - pts[:, pair[1]]
    dist: Arr = np.hypot(d[:, 0], d[:, 1])
    return dist


def _global(pts: Arr, joints: dict[str, Arr], scale: Arr) -> list[Arr]:
    """Box aspect (log h/w), torso length / scale, and the fraction of body joints present."""
    body = pts[:, list(BODY_JOINTS)]
    ok = np.isfinite(body).all(axis=2)
    lo = np.where(ok[..., None], body, np.inf).min(axis=1)
    hi = np.where(ok[..., None], body, -np.inf).max(axis=1)
    size = hi - lo
    with np.errstate(divide="ignore", invalid="ignore"):
        # +1% of the scale keeps a 1-D box (all joints on a line) finite.
        aspect = np.log((size[:, 1] + 0.01 * scale) / (size[:, 0] + 0.01 * scale))
    torso = joints["hip"] - joints["shoulder"]
    torso_len = np.hypot(torso[:, 0], torso[:, 1]) / scale
    return [aspect, torso_len, ok.mean(axis=1)]
