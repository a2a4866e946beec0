"""The frame each fault of a clip was measured on, drawn: the fault's joints in red, with
the measured value against its limit, for the Video page's fault table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from coach.core.keypoints import Joint
from coach.form.fault_check import FaultVerdict
from coach.media.video import iter_frames
from coach.pipeline.clip import ClipAnalysis
from coach.render.draw import draw_skeleton
from coach.render.overlay import STATUS_COLORS_BGR

# What analyze_video decodes at, so the frames and the keypoints agree.
FRAME_MAX_SIDE_PX = 640


@dataclass(frozen=True)
class FaultFrame:
    """One flagged fault on the frame it was measured at (RGB)."""

    rep_index: int
    fault_id: str
    t_s: float
    rgb: NDArray[np.uint8]
    caption: str


def fault_frames(path: Path, analysis: ClipAnalysis, fps: float | None) -> dict[
    tuple[int, str], FaultFrame
]:
    """(rep index, fault id) -> the drawn frame, for every flagged fault with a frame."""
    wanted: dict[int, list[tuple[int, FaultVerdict]]] = {}
    for k, verdict in enumerate(analysis.reps):
        for fault in verdict.flagged_faults:
            if fault.frame is not None:
                wanted.setdefault(fault.frame, []).append((k, fault))
    out: dict[tuple[int, str], FaultFrame] = {}
    if not wanted:
        return out
    for decoded in iter_frames(path, target_fps=fps, max_side_px=FRAME_MAX_SIDE_PX):
        for k, fault in wanted.get(decoded.index, []):
            t_s = float(analysis.t_s[decoded.index])
            rgb = _draw(decoded.bgr, analysis, decoded.index, fault)
            caption = f"rep {k + 1} at {t_s:.2f} s — {fault.words()}. {fault.fault.cue}"
            out[(k, fault.fault.id)] = FaultFrame(k, fault.fault.id, t_s, rgb, caption)
    return out


def _draw(bgr: NDArray[np.uint8], analysis: ClipAnalysis, frame: int, fault: FaultVerdict
          ) -> NDArray[np.uint8]:  # fmt: skip
    kp = analysis.keypoints.frame(frame).scaled(bgr.shape[1] / analysis.info.width_px)
    joints = [Joint[name.upper()] for name in fault.fault.joints
              if name.upper() in Joint.__members__]
    red = dict.fromkeys(joints, STATUS_COLORS_BGR["flagged"])
    out = draw_skeleton(bgr, kp, joint_colors_bgr=red, joint_labels=dict.fromkeys(joints[:1], "!"))
    return out[..., ::-1].copy()
