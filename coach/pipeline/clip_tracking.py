"""A clip's frames -> the one lifter's keypoints per frame, with everyone else tracked too.

`coach.pose.tracking.LifterKeeper` picks the lifter on the first frame with anyone in it (a
click there, else the largest person near the centre) and follows that track id only; a frame
where the lifter is not found is missing (NaN) rather than filled from someone else, so a rep is
never stitched from two people.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from coach.core.errors import NoPersonFound
from coach.core.keypoints import Keypoints, PersonPose
from coach.core.settings import Settings
from coach.form.scoring_json import json_number
from coach.media.photo import keypoints_to_original
from coach.media.video import VideoFrame
from coach.pipeline.photo import analyze_frame
from coach.pose.base import PoseEstimator, follow_lifter
from coach.pose.tracking import LifterKeeper

# Called with (frame index, the decoded frame, the lifter's keypoints in original pixels, the
# lifter as analysed in the decoded frame's pixels or None) for work that needs the frame's
# pixels or the lifter's silhouette, so the clip is decoded once (the bar's plate detector,
# the back's outline).
FrameHook = Callable[[int, NDArray[np.uint8], Keypoints, PersonPose | None], None]


@dataclass(frozen=True)
class TrackSummary:
    """One person seen in a clip: box where last seen (original px), mean detection score."""

    track_id: int
    first_s: float
    last_s: float
    frames: int
    bbox_xywh: tuple[float, float, float, float]
    mean_score: float


@dataclass(frozen=True)
class ClipPeople:
    """Everyone tracked in a clip, the lifter's track id and why."""

    tracks: tuple[TrackSummary, ...]
    lifter_track_id: int | None
    lifter_reason: str
    lifter_frames: int


def track_lifter(
    frames: Iterator[VideoFrame], estimator: PoseEstimator, settings: Settings, width_px: int,
    click_xy: tuple[float, float] | None = None,
    on_frame: FrameHook | None = None,
) -> tuple[list[float], list[Keypoints], dict[str, float], ClipPeople]:
    """Pose per frame, keeping one lifter (module docstring).

    Args:
        frames: decoded frames in order (possibly downscaled; see `width_px`).
        width_px: the clip's original width, to map keypoints back to original pixels.
        click_xy: a point on the lifter in the first frame, in the clip's original pixels.
        on_frame: called after each frame's pose (`FrameHook`); its time is not in "pose".

    Returns:
        (times s, the lifter's keypoints per frame in original px, {"decode", "pose"} ms, people).
    """
    keeper = LifterKeeper()
    times: list[float] = []
    out: list[Keypoints] = []
    ms = {"decode": 0.0, "pose": 0.0}
    seen_s: dict[int, list[float]] = {}
    scale = 1.0
    missing = Keypoints.missing()
    t0 = time.perf_counter()
    for index, frame in enumerate(frames):
        t1 = time.perf_counter()
        scale = frame.bgr.shape[1] / width_px
        if index == 0 and click_xy is not None:  # the click is in original pixels
            keeper.click_xy = (click_xy[0] * scale, click_xy[1] * scale)
        person: PersonPose | None = None
        try:
            result = analyze_frame(frame.bgr, estimator, settings, keeper=keeper,
                                   frame_index=index)
            person = result.person
            kp = keypoints_to_original(result.person.keypoints, scale)
            if result.lifter_index > 0:  # a video estimator lists the one it tracks first
                follow_lifter(estimator, result.person.bbox_xywh)
        except NoPersonFound:
            kp = missing
        for tid in keeper.tracker.tracks:
            if keeper.tracker.tracks[tid].last_frame == index:
                seen_s.setdefault(tid, []).append(frame.t_s)
        ms["decode"] += (t1 - t0) * 1000
        ms["pose"] += (time.perf_counter() - t1) * 1000
        times.append(frame.t_s)
        out.append(kp)
        if on_frame is not None:
            on_frame(index, frame.bgr, kp, person)
        t0 = time.perf_counter()
    return times, out, ms, _people(keeper, seen_s, scale, out)


def _people(keeper: LifterKeeper, seen_s: dict[int, list[float]], scale: float,
            frames: list[Keypoints]) -> ClipPeople:
    tracks = tuple(
        TrackSummary(t.track_id, min(seen_s[t.track_id]), max(seen_s[t.track_id]),
                     t.frames_seen, (t.box[0] / scale, t.box[1] / scale, t.box[2] / scale,
                                     t.box[3] / scale), t.mean_score)
        for t in keeper.tracker.tracks.values() if t.track_id in seen_s)
    found = sum(bool(f.present().any()) for f in frames)
    return ClipPeople(tracks, keeper.lifter_id, keeper.reason, found)


def clip_people_to_json(people: ClipPeople | None) -> dict[str, object]:
    """`persons` (one per track), `persons_found`, `lifter_reason`, `lifter_track_id`,
    `lifter_frames` for the `analyze-video --json` object (keys only added)."""
    if people is None:
        return {}
    return {
        "persons": [{"track_id": t.track_id, "first_s": json_number(t.first_s, 3),
                     "last_s": json_number(t.last_s, 3), "frames": t.frames,
                     "bbox": [round(v, 2) for v in t.bbox_xywh],
                     "score": json_number(t.mean_score, 4),
                     "lifter": t.track_id == people.lifter_track_id} for t in people.tracks],
        "persons_found": len(people.tracks),
        "lifter_track_id": people.lifter_track_id,
        "lifter_reason": people.lifter_reason,
        "lifter_frames": people.lifter_frames,
    }
