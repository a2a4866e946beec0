"""JSON for everyone found in a frame or a clip, the lifter, why they were chosen, and feet.

Shapes (the README's CLI schema; keys are only ever added):
- `feet`: None when the backend gives no foot points, else 6 entries in COCO-WholeBody order
  (`coach.core.keypoints.Foot`), each `[x, y, score]` in original pixels or None.
- `persons`: one object per person, `{"index", "bbox": [x, y, w, h], "score", "lifter",
  "track_id" (clips and live; else None), "feet"}`.
- `lifter_reason`: e.g. "largest near the centre", "clicked",
  "largest near the centre on frame 0, tracked since frame 0".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from coach.core.keypoints import N_FEET, Keypoints, PersonPose
from coach.form.scoring_json import json_number


def feet_to_list(kp: Keypoints, t: int = 0) -> list[list[float] | None] | None:
    """Frame t's six foot points as `[x, y, score]` or None each; None when there are none."""
    feet, scores = kp.feet[t], kp.foot_scores[t]
    if not np.isfinite(feet).any():
        return None
    out: list[list[float] | None] = []
    for i in range(N_FEET):
        x, y = feet[i]
        out.append([round(float(x), 2), round(float(y), 2), round(float(scores[i]), 4)]
                   if np.isfinite(x) and np.isfinite(y) else None)
    return out


def persons_to_json(
    persons: Sequence[PersonPose], lifter_index: int, reason: str,
    track_ids: Sequence[int] = (),
) -> dict[str, object]:
    """`{"persons": [...], "lifter_reason": ...}` for one frame (module docstring)."""
    return {
        "persons": [{
            "index": i,
            "bbox": [round(float(v), 2) for v in p.bbox_xywh],
            "score": json_number(p.detection_score, 4),
            "lifter": i == lifter_index,
            "track_id": track_ids[i] if i < len(track_ids) else None,
            "feet": feet_to_list(p.keypoints),
        } for i, p in enumerate(persons)],
        "lifter_reason": reason,
    }
