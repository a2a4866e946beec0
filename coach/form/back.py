"""The back's outline from the side: how far it bows out between the shoulders and the hips.

Body keypoints do not see the spine, but a side view's silhouette does show the back's outline.
It is measured the way the Flexicurve kyphosis index measures a back (Milne & Lauder 1974;
Greendale et al. 2011, Osteoporos Int 22:1897): the depth of the outline's arc from its own
chord, over the chord's length. Here the "ruler" is the outline of the pose model's person
segmentation, sampled on rays from the shoulder-hip line out through the back:
- rays start at 10% to 90% of the way from the shoulders to the hips (17 of them), so the neck
  and the buttocks are not part of the back;
- each ray runs out from the shoulder-hip line until it leaves the person (the segmentation's
  own 0.5 cut), at most half a trunk length;
- a frame counts when at least 13 of the 17 rays start on the person and find its edge.
The arc is only measured on the outward (convex) side: a back that bows in is not rounded.
Which side is the back depends on which way the lifter faces, which one frame cannot tell
reliably, so each frame keeps both (`BackCollector`); the rep's facing picks one.

Clothing is part of the outline: a loose shirt or a hood bows it out too. The limit and its
source are in coach.form.faults (`rounded_back`); docs/fault-limits.md says what this does not
cover.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from coach.core.keypoints import Joint, Keypoints, PersonPose
from coach.core.silhouette import Silhouette

F64 = NDArray[np.float64]
RAY_STARTS = np.linspace(0.1, 0.9, 17)
MIN_RAYS = 13
MAX_REACH = 0.5  # trunk lengths
MIN_TRUNK_PX = 20.0  # a trunk shorter than this has no outline worth reading


def back_arcs(silhouette: Silhouette, kp: Keypoints, t: int = 0) -> F64:
    """(2,) the back's arc depth over its length in frame t: [lifter facing right, facing
    left]; NaN where the outline was not found (see the module docstring)."""
    sh = kp.midpoint(Joint.LEFT_SHOULDER, Joint.RIGHT_SHOULDER)[t].astype(np.float64)
    hip = kp.midpoint(Joint.LEFT_HIP, Joint.RIGHT_HIP)[t].astype(np.float64)
    axis = hip - sh
    trunk = float(np.hypot(*axis))
    if not math.isfinite(trunk) or trunk < MIN_TRUNK_PX:
        return np.full(2, np.nan)
    normal = np.array([-axis[1], axis[0]]) / trunk
    # The back is behind the lifter and, bent over, above: the normal toward (-forward, up).
    # Bent over, both facings pick the upper side, so its rays are walked once.
    sides = [1.0 if normal @ np.array([-forward, -1.0]) > 0 else -1.0 for forward in (1, -1)]
    arcs = {side: arc_index(silhouette, sh, axis, side * normal, trunk) for side in set(sides)}
    return np.array([arcs[side] for side in sides])


def arc_index(silhouette: Silhouette, sh: F64, axis: F64, outward: F64, trunk: float) -> float:
    """Depth of the outline's arc from its chord over the chord's length (`trunk` = |axis|);
    NaN when fewer than `MIN_RAYS` rays found the outline."""
    step = float(np.hypot(*silhouette.crop_to_image[:, 0]))  # one crop pixel, in image px
    reach = np.arange(0.0, MAX_REACH * trunk, max(step, 0.5))
    starts = sh + RAY_STARTS[:, None] * axis
    rays = starts[:, None, :] + reach[None, :, None] * outward
    inside = silhouette.inside(rays.reshape(-1, 2)).reshape(len(RAY_STARTS), len(reach))
    leaves = ~inside
    found = inside[:, 0] & leaves.any(axis=1)
    if found.sum() < MIN_RAYS:
        return math.nan
    edge = starts + reach[np.argmax(leaves, axis=1)][:, None] * outward
    edge = edge[found]
    chord = edge[-1] - edge[0]
    length = float(np.hypot(*chord))
    if length == 0:
        return math.nan
    across = np.array([-chord[1], chord[0]]) / length
    across = across if across @ outward > 0 else -across
    depth = float(np.max((edge - edge[0]) @ across))
    return max(depth, 0.0) / length


class BackCollector:
    """Per frame of a clip, the lifter's back arcs (`back_arcs`), from the lifter's pose as
    analysed (silhouette and keypoints in the same pixels); NaN where there was none."""

    def __init__(self) -> None:
        self._arcs: dict[int, F64] = {}

    def add(self, index: int, person: PersonPose | None) -> None:
        if person is not None and person.silhouette is not None:
            self._arcs[index] = back_arcs(person.silhouette, person.keypoints)

    def finish(self, frames: int) -> F64 | None:
        """(frames, 2) arcs, or None when no frame had a silhouette."""
        if not self._arcs:
            return None
        out = np.full((frames, 2), np.nan)
        for index, arcs in self._arcs.items():
            if index < frames:
                out[index] = arcs
        return out
