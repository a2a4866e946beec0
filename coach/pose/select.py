"""Choosing the lifter among the people a backend found.

Without a click the lifter is the person with the highest

    score = visible box area (px², box clipped to the image) * centre_weight
    centre_weight = 1 - CENTRE_PENALTY * min(d / half_diagonal, 1)

where d is the distance from the box centre to the image centre and half_diagonal the
distance from the image centre to a corner. With CENTRE_PENALTY = 0.75 a person standing in a
corner counts a quarter of their area, so a spotter or a lifter on the next platform who
appears as large as the lifter but off to the side loses, while a clearly bigger (closer)
person still wins. Ties go to the higher detection score.

With a click the lifter is the person whose box contains the click (the smallest such box,
since a nested box is the more specific choice); if no box contains it, the person whose
box centre is nearest to the click.
"""

from __future__ import annotations

import math

from coach.core.errors import NoPersonFound
from coach.core.keypoints import PersonPose

CENTRE_PENALTY = 0.75
REASON_DEFAULT = "largest near the centre"
REASON_CLICKED = "clicked"


def choose_lifter(
    persons: list[PersonPose],
    image_wh: tuple[int, int],
    click_xy: tuple[float, float] | None = None,
) -> PersonPose:
    """Pick the lifter: the largest person near the centre, or the one the user clicked.

    Args:
        persons: people found in one image, boxes in that image's pixels.
        image_wh: (width, height) of the image in pixels.
        click_xy: optional (x, y) pixel the user clicked on.

    Returns:
        One of `persons` (see the module docstring for the rule).

    Raises:
        NoPersonFound: `persons` is empty.
    """
    return persons[pick_lifter(persons, image_wh, click_xy)[0]]


def pick_lifter(
    persons: list[PersonPose],
    image_wh: tuple[int, int],
    click_xy: tuple[float, float] | None = None,
) -> tuple[int, str]:
    """Like `choose_lifter`, but returns the lifter's index in `persons` and why it was chosen:
    "clicked" or "largest near the centre" (REASON_CLICKED, REASON_DEFAULT).

    Raises:
        NoPersonFound: `persons` is empty.
    """
    if not persons:
        raise NoPersonFound(
            "Nobody was found in the picture. Make sure your whole body is in the frame "
            "and well lit."
        )
    if click_xy is not None:
        return persons.index(_clicked(persons, click_xy)), REASON_CLICKED
    best = max(range(len(persons)),
               key=lambda i: (_centre_score(persons[i], image_wh), persons[i].detection_score))
    return best, REASON_DEFAULT


def _box_centre(person: PersonPose) -> tuple[float, float]:
    x, y, w, h = person.bbox_xywh
    return x + w / 2.0, y + h / 2.0


def _centre_score(person: PersonPose, image_wh: tuple[int, int]) -> float:
    """Clipped box area times the centre weight (module docstring)."""
    width, height = image_wh
    x, y, w, h = person.bbox_xywh
    visible_w = max(0.0, min(x + w, width) - max(x, 0.0))
    visible_h = max(0.0, min(y + h, height) - max(y, 0.0))
    cx, cy = _box_centre(person)
    half_diagonal = max(math.hypot(width, height) / 2.0, 1e-9)
    distance = math.hypot(cx - width / 2.0, cy - height / 2.0)
    weight = 1.0 - CENTRE_PENALTY * min(distance / half_diagonal, 1.0)
    return visible_w * visible_h * weight


def _clicked(persons: list[PersonPose], click_xy: tuple[float, float]) -> PersonPose:
    """The smallest box containing the click, else the nearest box centre."""
    cx, cy = click_xy
    containing = [
        p
        for p in persons
        if p.bbox_xywh[0] <= cx <= p.bbox_xywh[0] + p.bbox_xywh[2]
        and p.bbox_xywh[1] <= cy <= p.bbox_xywh[1] + p.bbox_xywh[3]
    ]
    if containing:
        return min(containing, key=lambda p: p.area_px)
    return min(persons, key=lambda p: math.dist(_box_centre(p), (cx, cy)))
