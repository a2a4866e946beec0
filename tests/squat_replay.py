"""A replay squatter for live, clip and page tests: replay keypoints of a front-view squat."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from coach.core.keypoints import Joint

J = Joint



FRAME_WH = (640, 480)


# A front-view back squat in 640x480 pixels: standing and bottom; frames interpolate between.
_STANDING = {
    J.NOSE: (320, 70), J.LEFT_EYE: (328, 62), J.RIGHT_EYE: (312, 62), J.LEFT_EAR: (340, 66),
    J.RIGHT_EAR: (300, 66), J.LEFT_SHOULDER: (362, 120), J.RIGHT_SHOULDER: (278, 120),
    J.LEFT_ELBOW: (392, 150), J.RIGHT_ELBOW: (248, 150), J.LEFT_WRIST: (386, 112),
    J.RIGHT_WRIST: (254, 112), J.LEFT_HIP: (344, 240), J.RIGHT_HIP: (296, 240),
    J.LEFT_KNEE: (350, 330), J.RIGHT_KNEE: (290, 330), J.LEFT_ANKLE: (356, 420),
    J.RIGHT_ANKLE: (284, 420),
}  # fmt: skip


_BOTTOM_DY = {J.LEFT_KNEE: 0, J.RIGHT_KNEE: 0, J.LEFT_ANKLE: 0, J.RIGHT_ANKLE: 0}


_BOTTOM_DX = {J.LEFT_KNEE: 22, J.RIGHT_KNEE: -22}


def squat_person(depth: float, knees_in_px: float = 0.0) -> dict[str, Any]:
    """One replay person at squat depth 0 (standing) .. 1 (bottom); knees track out over the
    toes, or with `knees_in_px` > 0 cave in by that much at the bottom (valgus)."""
    bottom_dx = _BOTTOM_DX if knees_in_px <= 0 else {J.LEFT_KNEE: -knees_in_px,
                                                       J.RIGHT_KNEE: knees_in_px}  # fmt: skip
    points = []
    for joint in Joint:
        x, y = _STANDING[joint]
        dy = _BOTTOM_DY.get(joint, 95 if joint in (J.LEFT_HIP, J.RIGHT_HIP) else 110)
        points.append([x + depth * bottom_dx.get(joint, 0), y + depth * dy, 0.9])
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return {"bbox": [min(xs) - 20, min(ys) - 30, max(xs) - min(xs) + 40, max(ys) - min(ys) + 50],
            "keypoints": points}  # fmt: skip


def squat_replay_doc(n_frames: int = 60, *, empty_every: int = 0, knees_in_px: float = 0.0
                     ) -> dict[str, Any]:  # fmt: skip
    """Replay JSON (form b): two squat reps over n_frames; every `empty_every`-th frame empty."""
    frames = []
    for i in range(n_frames):
        depth = 0.5 - 0.5 * math.cos(4 * math.pi * i / n_frames)
        empty = empty_every and i % empty_every == empty_every - 1
        frames.append({"persons": [] if empty else [squat_person(depth, knees_in_px)]})
    return {"frames": frames}


def write_squat_replay(path: Path, n_frames: int = 60, *, empty_every: int = 0,
                       knees_in_px: float = 0.0) -> Path:  # fmt: skip
    doc = squat_replay_doc(n_frames, empty_every=empty_every, knees_in_px=knees_in_px)
    path.write_text(json.dumps(doc))
    return path


def blank_frame() -> np.ndarray:
    return np.full((FRAME_WH[1], FRAME_WH[0], 3), 90, dtype=np.uint8)
