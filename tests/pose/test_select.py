"""Choosing the lifter: largest near the centre by default, or the clicked person."""

from __future__ import annotations

import numpy as np
import pytest

from coach.core.errors import NoPersonFound
from coach.core.keypoints import Keypoints, PersonPose
from coach.pose.select import choose_lifter

IMAGE_WH = (1000, 800)


def person(x: float, y: float, w: float, h: float, score: float = 0.9) -> PersonPose:
    return PersonPose(Keypoints.single(np.full((17, 2), np.nan)), (x, y, w, h), score)


def test_single_person_is_chosen() -> None:
    only = person(0, 0, 10, 10)
    assert choose_lifter([only], IMAGE_WH) is only


def test_largest_person_near_centre_wins() -> None:
    lifter = person(350, 200, 300, 500)  # centred
    small_spotter = person(420, 250, 150, 300)  # centred but smaller
    assert choose_lifter([small_spotter, lifter], IMAGE_WH) is lifter


def test_centre_beats_equal_size_at_the_edge() -> None:
    centred = person(400, 250, 200, 300)
    at_edge = person(0, 0, 200, 300)
    assert choose_lifter([at_edge, centred], IMAGE_WH) is centred
    assert choose_lifter([centred, at_edge], IMAGE_WH) is centred


def test_much_bigger_person_off_centre_still_wins() -> None:
    close_lifter = person(0, 0, 600, 800)  # fills the left side, box centre off-centre
    distant = person(480, 380, 40, 40)  # tiny, dead centre
    assert choose_lifter([distant, close_lifter], IMAGE_WH) is close_lifter


def test_box_area_outside_the_image_does_not_count() -> None:
    mostly_outside = person(-2000, -2000, 2300, 2300)  # huge box, little of it in view
    inside = person(350, 200, 300, 400)
    assert choose_lifter([mostly_outside, inside], IMAGE_WH) is inside


def test_tie_goes_to_higher_detection_score() -> None:
    weak = person(400, 300, 200, 200, score=0.4)
    strong = person(400, 300, 200, 200, score=0.8)
    assert choose_lifter([weak, strong], IMAGE_WH) is strong


def test_click_inside_a_box_selects_it_even_if_smaller() -> None:
    big = person(300, 100, 400, 600)
    side = person(800, 300, 100, 200)
    assert choose_lifter([big, side], IMAGE_WH, click_xy=(850, 400)) is side


def test_click_outside_all_boxes_selects_nearest_centre() -> None:
    left = person(0, 300, 100, 200)  # centre (50, 400)
    right = person(700, 300, 100, 200)  # centre (750, 400)
    assert choose_lifter([left, right], IMAGE_WH, click_xy=(600, 420)) is right
    assert choose_lifter([left, right], IMAGE_WH, click_xy=(200, 100)) is left


def test_click_in_nested_boxes_selects_smallest() -> None:
    outer = person(100, 100, 600, 600)
    inner = person(300, 300, 100, 150)
    assert choose_lifter([inner, outer], IMAGE_WH, click_xy=(350, 350)) is inner
    assert choose_lifter([inner, outer], IMAGE_WH, click_xy=(150, 150)) is outer


def test_no_people_raises_no_person_found() -> None:
    with pytest.raises(NoPersonFound, match="Nobody was found"):
        choose_lifter([], IMAGE_WH)
    with pytest.raises(NoPersonFound):
        choose_lifter([], IMAGE_WH, click_xy=(10, 10))
