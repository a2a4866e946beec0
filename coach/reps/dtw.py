"""Dynamic time warping of joint-angle sequences and a per-joint comparison of two reps.

Training Pose (DESIGN.md, source 4) aligns a user clip with a target clip by DTW on joint
angles. Conventions here:
- A sequence is (N, D): N frames, D joint angles in degrees, NaN where unknown.
- The local cost of matching frame i with frame j is the mean absolute angle difference over
  the dimensions finite in both (so it is in degrees). A pair with no shared dimension gets
  the mean of the finite local costs (a neutral value, so a gap neither attracts nor repels).
- Steps are (1, 0), (0, 1) and (1, 1); the path runs from (0, 0) to (N-1, M-1).
- `mean_cost_deg` = total cost / path length: the typical angle difference along the match.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

# Joints compared per lift (names from coach.core.angles.angle_traces).
ALIGN_ANGLES: dict[str, tuple[str, ...]] = {
    "squat": ("left_knee", "right_knee"),
    "deadlift": ("left_hip", "right_hip", "left_knee", "right_knee"),
    "bench": ("left_elbow", "right_elbow", "left_shoulder", "right_shoulder"),
}


@dataclass(frozen=True)
class DtwResult:
    """The optimal alignment.

    Attributes:
        path: (i, j) pairs from (0, 0) to (N-1, M-1), i indexing `a` and j indexing `b`.
        cost: summed local cost along the path (degrees summed over steps).
        mean_cost_deg: cost / len(path).
    """

    path: list[tuple[int, int]]
    cost: float
    mean_cost_deg: float


@dataclass(frozen=True)
class JointDifference:
    """How one joint angle of the user's rep differs from the reference along the alignment.

    Attributes:
        joint: angle name, e.g. "left_knee".
        mean_abs_deg: mean |user - reference| over the aligned pairs where both are known.
        mean_signed_deg: mean (user - reference); positive = the user's angle is more open.
        max_abs_deg: the largest |user - reference|.
        max_at_fraction: where in the user's rep that largest difference is (0 = start,
            1 = end), NaN when the joint was never seen in both.
    """

    joint: str
    mean_abs_deg: float
    mean_signed_deg: float
    max_abs_deg: float
    max_at_fraction: float


@dataclass(frozen=True)
class RepComparison:
    """A user rep aligned to a reference rep, joint by joint.

    `alignment` is the DTW of the centred angles (see `compare_reps`), so its
    `mean_cost_deg` measures how different the two movements' shapes are, while `joints`
    hold the raw angle differences along that alignment.
    """

    alignment: DtwResult
    joints: tuple[JointDifference, ...]

    @property
    def worst(self) -> JointDifference | None:
        """The joint with the largest mean difference (None when no joint was compared)."""
        known = [j for j in self.joints if math.isfinite(j.mean_abs_deg)]
        return max(known, key=lambda j: j.mean_abs_deg) if known else None


def _as_2d(x: NDArray[np.floating[Any]], name: str) -> NDArray[np.float64]:
    arr = np.asarray(x, dtype=np.float64)
    arr = arr[:, None] if arr.ndim == 1 else arr
    if arr.ndim != 2 or arr.shape[0] == 0:
        raise ValueError(f"{name} must be (N, D) with N > 0, got {np.shape(x)}")
    return arr


def local_costs(a: NDArray[np.floating[Any]], b: NDArray[np.floating[Any]]) -> NDArray[np.float64]:
    """(N, M) mean absolute difference over dims finite in both; see the module docstring."""
    a2, b2 = _as_2d(a, "a"), _as_2d(b, "b")
    if a2.shape[1] != b2.shape[1]:
        raise ValueError(f"a and b need the same number of angles, got {a2.shape} {b2.shape}")
    diff = np.abs(a2[:, None, :] - b2[None, :, :])
    valid = np.isfinite(diff)
    n_valid = valid.sum(axis=2)
    total = np.where(valid, diff, 0.0).sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        cost = total / n_valid
    finite = n_valid > 0
    fill = float(cost[finite].mean()) if finite.any() else 0.0
    return np.where(finite, cost, fill)


def _band_limits(n: int, m: int, band: int | None) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Per row i, the inclusive column range [lo, hi] allowed by a Sakoe-Chiba band."""
    if band is None:
        return np.zeros(n, dtype=np.intp), np.full(n, m - 1, dtype=np.intp)
    slope = (m - 1) / (n - 1) if n > 1 else 0.0
    width = max(float(band), slope, 1.0)  # wide enough that neighbouring rows always connect
    centre = np.arange(n) * slope
    lo = np.clip(np.ceil(centre - width), 0, m - 1).astype(np.intp)
    hi = np.clip(np.floor(centre + width), 0, m - 1).astype(np.intp)
    return lo, hi


def _accumulate(cost: NDArray[np.float64], band: int | None) -> NDArray[np.float64]:
    """Accumulated cost, one vectorised row at a time.

    Within a row, D[i, j] = min(T[j], C[i, j] + D[i, j-1]) with T[j] the best of the two
    moves from row i-1. Unrolled, D[i, j] = S[j] + min_{k<=j}(T[k] - S[k]) where S is the
    running sum of C[i, :], which is a cumulative minimum: no Python loop over columns.
    """
    n, m = cost.shape
    lo, hi = _band_limits(n, m, band)
    acc = np.full((n, m), np.inf)
    prev = np.full(m + 1, np.inf)  # prev[j + 1] = D[i-1, j]; prev[0] = D[i-1, -1] = inf
    for i in range(n):
        a, b = int(lo[i]), int(hi[i]) + 1
        c = cost[i, a:b]
        if i == 0:
            t = np.full(b - a, np.inf)
            t[0] = c[0] if a == 0 else np.inf
        else:
            t = c + np.minimum(prev[a:b], prev[a + 1 : b + 1])  # diagonal, vertical
        s = np.cumsum(c)
        row = s + np.minimum.accumulate(t - s)
        acc[i, a:b] = row
        prev = np.full(m + 1, np.inf)
        prev[a + 1 : b + 1] = row
    return acc


def _backtrack(acc: NDArray[np.float64]) -> list[tuple[int, int]]:
    i, j = acc.shape[0] - 1, acc.shape[1] - 1
    path = [(i, j)]
    while i > 0 or j > 0:
        if i == 0:
            j -= 1
        elif j == 0:
            i -= 1
        else:
            steps = ((i - 1, j - 1), (i - 1, j), (i, j - 1))
            i, j = min(steps, key=lambda s: acc[s])
        path.append((i, j))
    path.reverse()
    return path


def dtw(
    a: NDArray[np.floating[Any]], b: NDArray[np.floating[Any]], *, band: int | None = None
) -> DtwResult:
    """Align two angle sequences by dynamic time warping.

    Args:
        a: (N, D) or (N,) angles in degrees, NaN where unknown.
        b: (M, D) or (M,) angles in degrees.
        band: Sakoe-Chiba half-width in frames around the (stretched) diagonal; None for no
            band. It is widened to at least the diagonal's slope so a path always exists.
            A band of ~10-20% of the rep length stops pathological warps.

    Returns:
        `DtwResult` with the path, the total cost and the mean cost per step (degrees).

    Raises:
        ValueError: empty input or a different number of angles.
    """
    cost = local_costs(a, b)
    acc = _accumulate(cost, band)
    path = _backtrack(acc)
    total = float(sum(cost[i, j] for i, j in path))
    return DtwResult(path, total, total / len(path))


def _joint_difference(
    name: str, user: NDArray[np.float64], ref: NDArray[np.float64], path: list[tuple[int, int]]
) -> JointDifference:
    ii = np.array([p[0] for p in path])
    jj = np.array([p[1] for p in path])
    diff = user[ii] - ref[jj]
    ok = np.isfinite(diff)
    if not ok.any():
        nan = float("nan")
        return JointDifference(name, nan, nan, nan, nan)
    absd = np.where(ok, np.abs(diff), -np.inf)
    k = int(np.argmax(absd))
    frac = ii[k] / (len(user) - 1) if len(user) > 1 else 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return JointDifference(
            name,
            float(np.nanmean(np.abs(diff))),
            float(np.nanmean(diff)),
            float(absd[k]),
            float(frac),
        )


def compare_reps(
    user_angles: Mapping[str, NDArray[np.floating[Any]]],
    ref_angles: Mapping[str, NDArray[np.floating[Any]]],
    joints: tuple[str, ...],
    *,
    band: int | None = None,
    centre: bool = True,
) -> RepComparison:
    """Align a user rep with a reference rep on `joints` and report each joint's difference.

    Alignment uses each joint's angles minus that joint's mean over the rep (`centre=True`):
    DTW on raw angles would warp time to hide a constant offset (a knee that never opens as
    far as the reference's matches an earlier, more bent moment of the reference). Centred,
    the timing follows the movement's shape and the offset is reported, not warped away.

    Args:
        user_angles: name -> (N,) angle trace of the user's rep, in degrees.
        ref_angles: name -> (M,) angle trace of the reference rep, in degrees.
        joints: names to align and compare, e.g. `ALIGN_ANGLES["squat"]`.
        band: optional Sakoe-Chiba half-width in frames (see `dtw`).
        centre: align on per-joint centred angles (default); False aligns on raw angles.

    Returns:
        `RepComparison` with the alignment and one `JointDifference` per joint.

    Raises:
        KeyError: a joint missing from either mapping.
    """
    if not joints:
        raise ValueError("compare_reps needs at least one joint")
    user = np.stack([np.asarray(user_angles[j], dtype=np.float64) for j in joints], axis=1)
    ref = np.stack([np.asarray(ref_angles[j], dtype=np.float64) for j in joints], axis=1)
    if centre:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN joint stays NaN
            result = dtw(user - np.nanmean(user, 0), ref - np.nanmean(ref, 0), band=band)
    else:
        result = dtw(user, ref, band=band)
    diffs = tuple(
        _joint_difference(name, user[:, k], ref[:, k], result.path) for k, name in enumerate(joints)
    )
    return RepComparison(result, diffs)
