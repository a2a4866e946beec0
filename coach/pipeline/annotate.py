"""The analysed photo or frame drawn for the lifter: skeleton, joints coloured by verdict."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from coach.pipeline.form_check import joint_statuses
from coach.pipeline.photo import FrameAnalysis
from coach.render.draw import draw_skeleton
from coach.render.overlay import STATUS_COLORS_BGR


def annotate(bgr: NDArray[np.uint8], result: FrameAnalysis) -> NDArray[np.uint8]:
    """The photo with the lifter's skeleton; with form verdicts, joints coloured by status.

    Without form verdicts joints are coloured by keypoint confidence (coach.render.draw's scale).
    """
    kp = result.person.keypoints
    if result.form is None:
        return draw_skeleton(bgr, kp)
    statuses = joint_statuses(result.form)
    colors = {j: STATUS_COLORS_BGR[status] for j, (status, _) in statuses.items()}
    labels = {j: label for j, (status, label) in statuses.items() if label}
    return draw_skeleton(bgr, kp, joint_colors_bgr=colors, joint_labels=labels)
