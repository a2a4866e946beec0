"""Following people from frame to frame, and keeping one lifter for a whole set.

`PersonTracker` is a small IoU tracker (SORT without the Kalman filter): each frame, every
(track, person) pair scores

    affinity = IoU(track box, person box) - CENTRE_WEIGHT * d / track box diagonal

(d = distance between box centres) and pairs are matched greedily, best first, when the IoU is
at least MIN_IOU or the centres lie within MAX_CENTRE_FRACTION of the track's diagonal. A person
left over starts a track; a track unmatched for more than `max_missed` frames ends. A lifter at
a rack barely moves between frames (IoU ~0.9), so a person walking past loses every contest for
the lifter's track even while overlapping it. supervision's ByteTrack was not used: it pulls a
third OpenCV build, and this needs no motion model.

`LifterKeeper` picks the lifter once (a click on the first frame, else the largest person near
the centre, `coach.pose.select`) and afterwards follows that track id only, so someone walking
through never becomes the lifter and a rep is never stitched from two people. A click later on
(the live view) hands the lifter to the clicked person's track (`choose`). If the lifter's
track ends (they left the frame or were hidden too long), a new track takes over only where the
lifter was last seen (IoU >= REACQUIRE_IOU with their last box).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from coach.core.keypoints import PersonPose
from coach.pose.select import REASON_CLICKED, pick_lifter

Box = tuple[float, float, float, float]
MIN_IOU = 0.1
MAX_CENTRE_FRACTION = 0.5
CENTRE_WEIGHT = 0.5
MAX_MISSED = 30  # frames: 2 s at the clips' 15 fps
REACQUIRE_IOU = 0.5


def box_iou(a: Box, b: Box) -> float:
    """IoU of two x, y, w, h boxes; 0 when they do not overlap."""
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def _affinity(track: Box, person: Box) -> float | None:
    """The pair's score (module docstring), or None when they cannot be the same person."""
    overlap = box_iou(track, person)
    diagonal = max(math.hypot(track[2], track[3]), 1e-9)
    gap = math.dist((track[0] + track[2] / 2, track[1] + track[3] / 2),
                    (person[0] + person[2] / 2, person[1] + person[3] / 2)) / diagonal
    if overlap < MIN_IOU and gap > MAX_CENTRE_FRACTION:
        return None
    return overlap - CENTRE_WEIGHT * gap


@dataclass
class Track:
    """One person followed over frames; `box` is where they were last seen."""

    track_id: int
    box: Box
    first_frame: int
    last_frame: int
    frames_seen: int = 1
    score_sum: float = 0.0

    @property
    def mean_score(self) -> float:
        return self.score_sum / max(self.frames_seen, 1)


@dataclass
class PersonTracker:
    """Assigns a stable track id to each person in consecutive frames (module docstring)."""

    max_missed: int = MAX_MISSED
    tracks: dict[int, Track] = field(default_factory=dict)  # every track ever, by id
    _next_id: int = 1

    def alive(self, frame: int) -> list[Track]:
        """Tracks seen within the last `max_missed` frames before `frame`."""
        return [t for t in self.tracks.values() if frame - t.last_frame <= self.max_missed]

    def update(self, frame: int, persons: list[PersonPose]) -> list[int]:
        """Match this frame's people to tracks; returns the track id of each person."""
        live = self.alive(frame)
        pairs = sorted(((a, ti, pi) for ti, t in enumerate(live)
                        for pi, p in enumerate(persons)
                        if (a := _affinity(t.box, p.bbox_xywh)) is not None), reverse=True)
        ids: list[int | None] = [None] * len(persons)
        used: set[int] = set()
        for _, ti, pi in pairs:
            if ti not in used and ids[pi] is None:
                used.add(ti)
                ids[pi] = live[ti].track_id
        out: list[int] = []
        for person, tid in zip(persons, ids, strict=True):
            out.append(self._record(frame, person, tid))
        return out

    def _record(self, frame: int, person: PersonPose, track_id: int | None) -> int:
        if track_id is None:
            track_id, self._next_id = self._next_id, self._next_id + 1
            self.tracks[track_id] = Track(track_id, person.bbox_xywh, frame, frame, 0)
        track = self.tracks[track_id]
        track.box, track.last_frame = person.bbox_xywh, frame
        track.frames_seen += 1
        track.score_sum += person.detection_score
        return track_id


@dataclass
class LifterKeeper:
    """Keeps one lifter through a clip or a live set (module docstring).

    Args:
        click_xy: a point on the lifter in the first frame's pixels, or None.
    """

    click_xy: tuple[float, float] | None = None
    tracker: PersonTracker = field(default_factory=PersonTracker)
    lifter_id: int | None = None
    reason: str = ""
    _last_box: Box | None = None

    def choose(self, track_id: int, *, clicked_frame: int, frame: int) -> bool:
        """Make a followed person the lifter from the next frame on (a click on the live view).

        Args:
            track_id: the clicked person's track.
            clicked_frame: the frame the click was made on (for the reason).
            frame: the latest frame analysed.

        Returns:
            True when they are the lifter now; False (the lifter stays) when that track has
            ended (they left the view) or never existed.
        """
        if track_id not in {t.track_id for t in self.tracker.alive(frame)}:
            return False
        track = self.tracker.tracks[track_id]
        self.lifter_id, self._last_box = track_id, track.box
        self.reason = (f"{REASON_CLICKED} on frame {clicked_frame}, "
                       f"tracked since frame {track.first_frame}")
        return True

    def update(self, frame: int, persons: list[PersonPose], image_wh: tuple[int, int]
               ) -> tuple[list[int], int | None]:
        """Track this frame's people; returns (track id per person, index of the lifter in
        `persons` or None when the lifter is not in this frame)."""
        ids = self.tracker.update(frame, persons)
        if not persons:
            return ids, None
        if self.lifter_id is None:
            index, why = pick_lifter(persons, image_wh, self.click_xy)
            self.lifter_id = ids[index]
            self.reason = f"{why} on frame {frame}, tracked since frame {frame}"
        elif self.lifter_id not in ids:
            self._reacquire(frame, persons, ids)
        if self.lifter_id not in ids:
            return ids, None
        index = ids.index(self.lifter_id)
        self._last_box = persons[index].bbox_xywh
        return ids, index

    def _reacquire(self, frame: int, persons: list[PersonPose], ids: list[int]) -> None:
        """After the lifter's track ended, a new track standing where they were takes over."""
        lifter = self.tracker.tracks[self.lifter_id] if self.lifter_id is not None else None
        if lifter is None or self._last_box is None or frame - lifter.last_frame <= (
                self.tracker.max_missed):
            return
        best = max(range(len(persons)), key=lambda i: box_iou(persons[i].bbox_xywh,
                                                              self._last_box or (0, 0, 0, 0)))
        if box_iou(persons[best].bbox_xywh, self._last_box) >= REACQUIRE_IOU:
            self.lifter_id = ids[best]
            self.reason += f"; lost, then taken up again as track {ids[best]} on frame {frame}"
