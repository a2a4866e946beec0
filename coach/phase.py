"""The gold phase a photo is compared with: the nearest gold pose by shape (coach.scoring, item 2).

`coach.scoring` re-exports `nearest_phase` and `pose_distance`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from coach.errors import GoldAnnotationError
from coach.form_rules import GOLD_VIEWS, PHASES, rules_for
from coach.keypoints import MIRROR, Keypoints

GoldMapping = Mapping[str, Mapping[str, Keypoints]]  # view -> phase -> Keypoints (T >= 1)


def _shape(xy: NDArray[np.float64]) -> NDArray[np.float64]:
    """Points centred on their box centre and divided by the box's longer side."""
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    side = float(max(hi - lo))
    return (xy - (lo + hi) / 2) / side if side > 0 else np.zeros_like(xy)


def pose_distance(kp: Keypoints, other: Keypoints, t: int = 0, t_other: int = 0) -> float:
    """Mean distance between two poses over the joints present in both, unitless.

    Each pose is centred on its box and scaled by the box's longer side (keeps the aspect ratio,
    which is what separates standing from the bottom of a squat). Inf when < 2 joints are shared.
    """
    common = kp.present(t) & other.present(t_other)
    if common.sum() < 2:
        return float("inf")
    a = _shape(kp.xy[t][common].astype(np.float64))
    b = _shape(other.xy[t_other][common].astype(np.float64))
    return float(np.linalg.norm(a - b, axis=1).mean())


def _check_gold(lift: str, gold: GoldMapping) -> None:
    for view in GOLD_VIEWS:
        for phase in PHASES[lift]:
            if phase not in gold.get(view, {}):
                raise GoldAnnotationError(
                    f"the {lift} gold has no {view!r} view for phase {phase!r}; it needs "
                    f"views {', '.join(GOLD_VIEWS)} and phases {', '.join(PHASES[lift])}"
                )


def nearest_phase(kp: Keypoints, lift: str, gold: GoldMapping, t: int = 0) -> str:
    """The gold phase closest to frame t: min over phases of min over gold views of
    `pose_distance`, also trying the lifter with left and right labels swapped (seen from
    behind, a symmetric pose is the front view with the sides swapped).
    Ties and no shared joints go to the lift's first phase.

    Raises:
        GoldAnnotationError: when the gold lacks a view or phase.
    """
    rules_for(lift)
    _check_gold(lift, gold)
    frame = kp.frame(t)
    swap = [int(j) for j in MIRROR]
    candidates = (frame, Keypoints(frame.xy[:, swap], frame.score[:, swap]))
    best, best_d = PHASES[lift][0], float("inf")
    for phase in PHASES[lift]:
        d = min(pose_distance(c, gold[v][phase]) for v in GOLD_VIEWS for c in candidates)
        if d < best_d:
            best, best_d = phase, d
    return best
