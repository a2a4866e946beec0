"""Where the lifter's hands hold the bar, per frame: the wrists, or the tracked bar's end when
its plate was seen (coach/bar), for the faults that read the bar's position.

Why the plate is moved onto the hands rather than used as it is: from the side the near plate
sits 40-60 cm nearer the camera than the lifter's mid-line, so perspective shifts it sideways
against the feet and shoulders by up to ~15 % of its distance from the picture's centre, while
the hands are in the body's plane. So the bar gives the MOVEMENT (a detected plate is steadier
than a wrist keypoint through a pull) and the wrists give the PLACE: the bar's path plus the
rep's median wrists-to-plate offset.
"""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import NDArray

from coach.core.keypoints import Joint, Keypoints

F64 = NDArray[np.float64]
# The plate must place the bar in most of the rep's frames, else the wrists are used throughout
# (a path stitched from two sources would jump by their offset's error).
MIN_PLATE_SHARE = 0.5


def hands_xy(kp: Keypoints, bar_xy: F64 | None, frames: range) -> tuple[F64, str]:
    """(T, 2) where the hands hold the bar, and where it came from.

    Args:
        kp: the lifter's keypoints (T frames).
        bar_xy: (T, 2) the bar's end where a plate was detected, NaN elsewhere; None when the
            bar was not tracked (a photo, the live view).
        frames: the rep's frames, over which the plate must be seen and the offset is taken.

    Returns:
        (positions, source): source "plate" (the bar's path moved onto the hands), "wrists"
        (the bar was tracked but its plate not seen in most of the rep), or "" (no bar tracked).
    """
    wrists = kp.midpoint(Joint.LEFT_WRIST, Joint.RIGHT_WRIST)
    if bar_xy is None:
        return wrists, ""
    window = slice(frames.start, frames.stop)
    seen = np.isfinite(bar_xy).all(axis=1)
    if not len(seen[window]) or seen[window].mean() < MIN_PLATE_SHARE:
        return wrists, "wrists"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        offset = np.nanmedian(wrists[window] - bar_xy[window], axis=0)
    if not np.isfinite(offset).all():
        return wrists, "wrists"
    out: F64 = np.where(seen[:, None], bar_xy + offset, wrists)
    return out, "plate"
