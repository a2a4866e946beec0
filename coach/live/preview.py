"""The live view's latest frame for picking the lifter, and what a click on it does.

Streamlit-free. About once a second (`PREVIEW_EVERY_S` of stream time) the analyzer keeps a
small JPEG of the annotated frame, at most `PREVIEW_MAX_SIDE_PX` on its longest side (about
30-60 kB, 1-5 ms a second of the worker's time), with a box and a label on everyone
followed: the lifter in orange ("lifter"), the others in grey ("#2"). A click on that picture
is resolved against the people in it (the smallest box containing the click, as on a photo),
then handed to the `LifterKeeper` by track id, not by position: the page does not refresh the
picture while the user aims (it may be many seconds old), and the keeper follows that person
wherever they have moved since. So a picture's age does not matter, only that it is from this
stream (`LivePreview.stream_id`) and that the person is still followed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from coach.pose.tracking import Box, LifterKeeper
from coach.render.draw import Color, draw_boxes
from coach.render.overlay import thumbnail_jpeg

# Stream seconds between two previews: the page reads one at most about once a second.
PREVIEW_EVERY_S = 1.0
# The preview's longest side: big enough to click on a person, small enough to send each second.
PREVIEW_MAX_SIDE_PX = 640
LIFTER_BOX_BGR: Color = (0, 140, 255)  # orange: no verdict colour (red, green, grey) is orange
OTHER_BOX_BGR: Color = (200, 200, 200)

NO_PICTURE = "There is no picture of the live view yet: wait for the first frame."
NOBODY_THERE = "Nobody was found at that point of the picture, so the lifter stays the same."
STREAM_ENDED = "The stream has ended: press START, then pick the lifter."
LEFT_THE_VIEW = "That person has left the view, so the lifter stays the same."
EARLIER_STREAM = ("That picture is from an earlier stream, so the lifter stays the same: click "
                  "on the newest picture.")


@dataclass(frozen=True)
class LivePerson:
    """Someone followed on the live view.

    Attributes:
        track_id: their track (1, 2, ... in the order they were first seen this stream).
        box_xywh: where they were last seen, in the stream frame's pixels.
        lifter: whether they are the lifter.
    """

    track_id: int
    box_xywh: Box
    lifter: bool


@dataclass(frozen=True)
class LivePreview:
    """The latest analysed frame, small, with the people on it.

    Attributes:
        jpeg: the annotated frame with everyone's box, scaled down (see the module docstring).
        width_px, height_px: the STREAM frame's size; boxes and clicks are in these pixels,
            whatever the JPEG's own size.
        frame_index: the frame's index in the stream (0, 1, ...).
        t_s: seconds since the stream's first frame.
        people: everyone followed at that frame (seen within the tracker's `max_missed`
            frames: MediaPipe looks for people other than the one it tracks only every few
            frames).
        stream_id: the analyzer (stream) that made it; a click is refused on another's.
    """

    jpeg: bytes
    width_px: int
    height_px: int
    frame_index: int
    t_s: float
    people: tuple[LivePerson, ...]
    stream_id: str = ""


@dataclass(frozen=True)
class LifterChoice:
    """What a click did: whether the lifter changed, and why, in words for the lifter."""

    chosen: bool
    message: str


def people_in_view(keeper: LifterKeeper, frame_index: int) -> tuple[LivePerson, ...]:
    """Everyone the keeper still follows at this frame, by track id."""
    return tuple(LivePerson(t.track_id, t.box, t.track_id == keeper.lifter_id)
                 for t in sorted(keeper.tracker.alive(frame_index), key=lambda t: t.track_id))


def make_preview(annotated: NDArray[np.uint8], frame_index: int, t_s: float,
                 people: tuple[LivePerson, ...], stream_id: str = "") -> LivePreview:
    """The preview of one annotated (H, W, 3) uint8 frame (module docstring)."""
    height, width = annotated.shape[:2]
    boxed = draw_boxes(annotated, [
        (p.box_xywh, "lifter" if p.lifter else f"#{p.track_id}",
         LIFTER_BOX_BGR if p.lifter else OTHER_BOX_BGR) for p in people])
    scale = min(1.0, PREVIEW_MAX_SIDE_PX / max(width, height))
    jpeg = thumbnail_jpeg(boxed, width_px=max(1, round(width * scale)))
    return LivePreview(jpeg, int(width), int(height), frame_index, t_s, people, stream_id)


def person_at(people: tuple[LivePerson, ...], x_px: float, y_px: float) -> LivePerson | None:
    """The person whose box contains the point (the smallest when boxes nest), else None."""
    inside = [p for p in people
              if p.box_xywh[0] <= x_px <= p.box_xywh[0] + p.box_xywh[2]
              and p.box_xywh[1] <= y_px <= p.box_xywh[1] + p.box_xywh[3]]
    return min(inside, key=lambda p: p.box_xywh[2] * p.box_xywh[3], default=None)


def choose_at(keeper: LifterKeeper, preview: LivePreview | None, x_px: float, y_px: float,
              frame_index: int) -> LifterChoice:
    """Hand the lifter to the person at this point of the preview (module docstring).

    Args:
        keeper: the stream's keeper (the caller holds whatever guards it).
        preview: the picture the user clicked on; None before the first frame.
        x_px, y_px: the click, in the stream frame's pixels.
        frame_index: the latest frame analysed.

    Returns:
        Whether the lifter changed, and why in words; a click on nobody, or on someone who has
        left the view since, leaves the lifter as they were.
    """
    if preview is None:
        return LifterChoice(False, NO_PICTURE)
    person = person_at(preview.people, x_px, y_px)
    if person is None:
        return LifterChoice(False, NOBODY_THERE)
    if not keeper.choose(person.track_id, clicked_frame=preview.frame_index, frame=frame_index):
        return LifterChoice(False, LEFT_THE_VIEW)
    if person.lifter:
        return LifterChoice(True, "That is the lifter already; they stay the lifter for this "
                                  "set.")
    return LifterChoice(True, f"Person #{person.track_id} is the lifter from now on, for the "
                              "rest of this set (until STOP).")
