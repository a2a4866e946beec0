"""The one keypoint type: COCO-17 in pixels, NaN for missing points, per-joint scores.

Conventions (pinned by tests/core/test_keypoints.py):
- `xy` is (T, 17, 2) float32 in pixels of the ORIGINAL image, x to the right, y down.
- `score` is (T, 17) float32 in [0, 1]; NaN xy means the joint is missing.
- `world_xyz`, when a backend gives it, is (T, 17, 3) float32 in metres, hip-centred,
  y down (MediaPipe's world frame); NaN where missing.
- `feet_xy` / `feet_score` are six optional foot points in COCO-WholeBody's order (`Foot`:
  left big toe, small toe, heel, then right), (T, 6, 2) and (T, 6); NaN (score 0) when the
  backend has no feet. Everything that reads the 17 body joints ignores them.
- Low-confidence points become NaN in exactly one place: `Keypoints.confident`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

import numpy as np
from numpy.typing import NDArray

from coach.core.silhouette import Silhouette

N_JOINTS = 17
N_FEET = 6


class Joint(IntEnum):
    """COCO-17 keypoint order."""

    NOSE = 0
    LEFT_EYE = 1
    RIGHT_EYE = 2
    LEFT_EAR = 3
    RIGHT_EAR = 4
    LEFT_SHOULDER = 5
    RIGHT_SHOULDER = 6
    LEFT_ELBOW = 7
    RIGHT_ELBOW = 8
    LEFT_WRIST = 9
    RIGHT_WRIST = 10
    LEFT_HIP = 11
    RIGHT_HIP = 12
    LEFT_KNEE = 13
    RIGHT_KNEE = 14
    LEFT_ANKLE = 15
    RIGHT_ANKLE = 16

    @property
    def label(self) -> str:
        """Human name, e.g. 'left knee'."""
        return self.name.lower().replace("_", " ")


class Foot(IntEnum):
    """The six COCO-WholeBody foot points (whole-body indices 17-22, here 0-5)."""

    LEFT_BIG_TOE = 0
    LEFT_SMALL_TOE = 1
    LEFT_HEEL = 2
    RIGHT_BIG_TOE = 3
    RIGHT_SMALL_TOE = 4
    RIGHT_HEEL = 5

    @property
    def label(self) -> str:
        """Human name, e.g. 'left heel'."""
        return self.name.lower().replace("_", " ")


FOOT_MIRROR: tuple[Foot, ...] = (
    Foot.RIGHT_BIG_TOE, Foot.RIGHT_SMALL_TOE, Foot.RIGHT_HEEL,
    Foot.LEFT_BIG_TOE, Foot.LEFT_SMALL_TOE, Foot.LEFT_HEEL,
)  # fmt: skip

J = Joint
SKELETON_EDGES: tuple[tuple[Joint, Joint], ...] = (
    (J.LEFT_ANKLE, J.LEFT_KNEE), (J.LEFT_KNEE, J.LEFT_HIP),
    (J.RIGHT_ANKLE, J.RIGHT_KNEE), (J.RIGHT_KNEE, J.RIGHT_HIP),
    (J.LEFT_HIP, J.RIGHT_HIP),
    (J.LEFT_SHOULDER, J.LEFT_HIP), (J.RIGHT_SHOULDER, J.RIGHT_HIP),
    (J.LEFT_SHOULDER, J.RIGHT_SHOULDER),
    (J.LEFT_SHOULDER, J.LEFT_ELBOW), (J.LEFT_ELBOW, J.LEFT_WRIST),
    (J.RIGHT_SHOULDER, J.RIGHT_ELBOW), (J.RIGHT_ELBOW, J.RIGHT_WRIST),
    (J.LEFT_EYE, J.RIGHT_EYE), (J.NOSE, J.LEFT_EYE), (J.NOSE, J.RIGHT_EYE),
    (J.LEFT_EYE, J.LEFT_EAR), (J.RIGHT_EYE, J.RIGHT_EAR),
    (J.LEFT_EAR, J.LEFT_SHOULDER), (J.RIGHT_EAR, J.RIGHT_SHOULDER),
)  # fmt: skip

# Left/right swap, used when mirroring a pose (left view <-> right view).
MIRROR: tuple[Joint, ...] = (
    J.NOSE, J.RIGHT_EYE, J.LEFT_EYE, J.RIGHT_EAR, J.LEFT_EAR,
    J.RIGHT_SHOULDER, J.LEFT_SHOULDER, J.RIGHT_ELBOW, J.LEFT_ELBOW,
    J.RIGHT_WRIST, J.LEFT_WRIST, J.RIGHT_HIP, J.LEFT_HIP,
    J.RIGHT_KNEE, J.LEFT_KNEE, J.RIGHT_ANKLE, J.LEFT_ANKLE,
)  # fmt: skip

DEFAULT_MIN_SCORE = 0.3


@dataclass(frozen=True, eq=False)
class Keypoints:
    """T frames of one person's COCO-17 keypoints. See the module docstring for conventions."""

    xy: NDArray[np.float32]
    score: NDArray[np.float32]
    world_xyz: NDArray[np.float32] | None = field(default=None)
    feet_xy: NDArray[np.float32] | None = field(default=None)
    feet_score: NDArray[np.float32] | None = field(default=None)

    def __post_init__(self) -> None:
        xy = np.asarray(self.xy, dtype=np.float32)
        score = np.asarray(self.score, dtype=np.float32)
        if xy.ndim != 3 or xy.shape[1:] != (N_JOINTS, 2):
            raise ValueError(f"xy must be (T, 17, 2), got {xy.shape}")
        if score.shape != xy.shape[:2]:
            raise ValueError(f"score must be (T, 17) = {xy.shape[:2]}, got {score.shape}")
        object.__setattr__(self, "xy", xy)
        object.__setattr__(self, "score", score)
        if self.world_xyz is not None:
            world = np.asarray(self.world_xyz, dtype=np.float32)
            if world.shape != (xy.shape[0], N_JOINTS, 3):
                raise ValueError(f"world_xyz must be (T, 17, 3), got {world.shape}")
            object.__setattr__(self, "world_xyz", world)
        self._init_feet(xy.shape[0])

    def _init_feet(self, n_frames: int) -> None:
        """Feet default to missing (NaN, score 0), so every Keypoints has them."""
        if self.feet_xy is None:
            feet = np.full((n_frames, N_FEET, 2), np.nan, dtype=np.float32)
            object.__setattr__(self, "feet_xy", feet)
            object.__setattr__(self, "feet_score", np.zeros((n_frames, N_FEET), np.float32))
            return
        feet = np.asarray(self.feet_xy, dtype=np.float32)
        if feet.shape != (n_frames, N_FEET, 2):
            raise ValueError(f"feet_xy must be (T, 6, 2), got {feet.shape}")
        fscore = (np.isfinite(feet[..., 0]).astype(np.float32) if self.feet_score is None
                  else np.asarray(self.feet_score, dtype=np.float32))  # fmt: skip
        if fscore.shape != (n_frames, N_FEET):
            raise ValueError(f"feet_score must be (T, 6), got {fscore.shape}")
        object.__setattr__(self, "feet_xy", feet)
        object.__setattr__(self, "feet_score", fscore)

    @property
    def feet(self) -> NDArray[np.float32]:
        """(T, 6, 2) foot points (`Foot` order); NaN where missing."""
        assert self.feet_xy is not None  # set in __post_init__
        return self.feet_xy

    @property
    def foot_scores(self) -> NDArray[np.float32]:
        """(T, 6) foot point scores."""
        assert self.feet_score is not None  # set in __post_init__
        return self.feet_score

    def foot(self, point: Foot, t: int = 0) -> NDArray[np.float32]:
        """(2,) pixel position of a foot point in frame t; NaN when missing."""
        out: NDArray[np.float32] = self.feet[t, point]
        return out

    @property
    def has_feet(self) -> bool:
        """True when any frame has any foot point."""
        return bool(np.isfinite(self.feet).any())

    @classmethod
    def single(
        cls,
        xy: NDArray[np.floating[Any]],
        score: NDArray[np.floating[Any]] | None = None,
        world_xyz: NDArray[np.floating[Any]] | None = None,
    ) -> Keypoints:
        """One frame from (17, 2) xy, (17,) scores (default: 1 where xy is finite), opt. (17, 3)."""
        xy = np.asarray(xy, dtype=np.float32).reshape(1, N_JOINTS, 2)
        if score is None:
            score = np.isfinite(xy[..., 0]).astype(np.float32)
        world = None if world_xyz is None else np.asarray(world_xyz, np.float32)[None]
        return cls(xy, np.asarray(score, dtype=np.float32).reshape(1, N_JOINTS), world)

    @classmethod
    def missing(cls) -> Keypoints:
        """One frame where nobody was found: every joint NaN with score 0."""
        return cls.single(np.full((N_JOINTS, 2), np.nan), np.zeros(N_JOINTS))

    @classmethod
    def from_dict(cls, points: dict[Joint, tuple[float, float]], score: float = 1.0) -> Keypoints:
        """One frame from {Joint: (x, y)}; joints not given are missing (NaN, score 0)."""
        xy = np.full((N_JOINTS, 2), np.nan, dtype=np.float32)
        sc = np.zeros(N_JOINTS, dtype=np.float32)
        for joint, (x, y) in points.items():
            xy[Joint(joint)] = (x, y)
            sc[Joint(joint)] = score
        return cls.single(xy, sc)

    @classmethod
    def stack(cls, frames: list[Keypoints]) -> Keypoints:
        """Concatenate along time; world points are kept only if every frame has them."""
        if not frames:
            raise ValueError("cannot stack zero frames")
        worlds = [f.world_xyz for f in frames if f.world_xyz is not None]
        world = np.concatenate(worlds) if len(worlds) == len(frames) else None
        return cls(
            np.concatenate([f.xy for f in frames]), np.concatenate([f.score for f in frames]),
            world, np.concatenate([f.feet for f in frames]),
            np.concatenate([f.foot_scores for f in frames]),
        )

    def __len__(self) -> int:
        return int(self.xy.shape[0])

    def frame(self, t: int) -> Keypoints:
        """Frame t as a T=1 Keypoints."""
        world = None if self.world_xyz is None else self.world_xyz[t : t + 1]
        return Keypoints(self.xy[t : t + 1], self.score[t : t + 1], world,
                         self.feet[t : t + 1], self.foot_scores[t : t + 1])  # fmt: skip

    def scaled(self, factor: float) -> Keypoints:
        """The same keypoints in an image `factor` times the size (xy and feet; world points,
        in metres, stay)."""
        k = np.float32(factor)
        return Keypoints(self.xy * k, self.score, self.world_xyz, self.feet * k, self.foot_scores)

    def midpoint(self, a: Joint, b: Joint) -> NDArray[np.float64]:
        """(T, 2) midpoint of two joints per frame (both wrists, both hips...): the one found
        when the other is missing, NaN when both are."""
        both = self.xy[:, [a, b]].astype(np.float64)
        seen = np.isfinite(both).all(axis=2)
        total = np.where(seen[..., None], both, 0.0).sum(axis=1)
        with np.errstate(invalid="ignore"):  # 0 / 0 = NaN where neither joint was found
            out: NDArray[np.float64] = total / seen.sum(axis=1)[:, None]
        return out

    def point(self, joint: Joint, t: int = 0) -> NDArray[np.float32]:
        """(2,) pixel position of `joint` in frame t; NaN when missing."""
        point: NDArray[np.float32] = self.xy[t, joint]
        return point

    def present(self, t: int = 0) -> NDArray[np.bool_]:
        """(17,) True where the joint has finite coordinates in frame t."""
        mask: NDArray[np.bool_] = np.isfinite(self.xy[t]).all(axis=1)
        return mask

    def confident(self, min_score: float = DEFAULT_MIN_SCORE) -> Keypoints:
        """The ONE place where low-confidence joints become NaN (xy and world_xyz)."""
        low = ~(self.score >= min_score)  # NaN scores count as low
        xy = self.xy.copy()
        xy[low] = np.nan
        world = None
        if self.world_xyz is not None:
            world = self.world_xyz.copy()
            world[low] = np.nan
        feet = self.feet.copy()
        feet[~(self.foot_scores >= min_score)] = np.nan
        return Keypoints(xy, self.score, world, feet, self.foot_scores)

    def bbox_xywh(self, t: int = 0) -> tuple[float, float, float, float] | None:
        """Tight box around the present joints of frame t as (x, y, w, h) pixels; None if none."""
        pts = self.xy[t][self.present(t)]
        if len(pts) == 0:
            return None
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        return float(x0), float(y0), float(x1 - x0), float(y1 - y0)

    def mirrored(self, width_px: float) -> Keypoints:
        """Flip horizontally in an image `width_px` wide and swap left/right joints."""
        idx = np.array([int(j) for j in MIRROR])
        xy = self.xy[:, idx].copy()
        xy[..., 0] = width_px - xy[..., 0]
        world = None
        if self.world_xyz is not None:
            world = self.world_xyz[:, idx].copy()
            world[..., 0] = -world[..., 0]
        fidx = np.array([int(f) for f in FOOT_MIRROR])
        feet = self.feet[:, fidx].copy()
        feet[..., 0] = width_px - feet[..., 0]
        return Keypoints(xy, self.score[:, idx], world, feet, self.foot_scores[:, fidx])

    def to_list(self, t: int = 0) -> list[list[float] | None]:
        """17 `[x, y, score]` in COCO order for frame t, `None` for missing joints (JSON form)."""
        out: list[list[float] | None] = []
        for j in range(N_JOINTS):
            x, y = self.xy[t, j]
            if np.isfinite(x) and np.isfinite(y):
                score = round(float(self.score[t, j]), 4)
                out.append([round(float(x), 2), round(float(y), 2), score])
            else:
                out.append(None)
        return out

    @classmethod
    def from_list(cls, rows: list[list[float] | None]) -> Keypoints:
        """Inverse of `to_list` for one frame."""
        if len(rows) != N_JOINTS:
            raise ValueError(f"expected 17 keypoints, got {len(rows)}")
        xy = np.full((N_JOINTS, 2), np.nan, dtype=np.float32)
        sc = np.zeros(N_JOINTS, dtype=np.float32)
        for j, row in enumerate(rows):
            if row is not None:
                xy[j] = row[0], row[1]
                sc[j] = row[2] if len(row) > 2 else 1.0
        return cls.single(xy, sc)


@dataclass(frozen=True)
class PersonPose:
    """One person found in one image: keypoints (T=1) and the box that found them.

    `bbox_xywh` is in original-image pixels. `detection_score` is the detector's confidence
    (for MediaPipe, the mean landmark visibility, since it has no separate detector score).
    """

    keypoints: Keypoints
    bbox_xywh: tuple[float, float, float, float]
    detection_score: float
    # The person's segmentation in the same pixels, when the backend gives one (MediaPipe's
    # landmark model on a tracked ROI); see coach.core.silhouette.
    silhouette: Silhouette | None = field(default=None, compare=False)

    @property
    def area_px(self) -> float:
        return float(self.bbox_xywh[2] * self.bbox_xywh[3])
