"""The IoU tracker and the lifter keeper: stable ids, a walker crossing in front never takes
the lifter's track, a click chooses, a lost lifter is taken up only where they stood."""

from __future__ import annotations

import numpy as np
import pytest

from coach.core.keypoints import N_JOINTS, Keypoints, PersonPose
from coach.pose.tracking import MAX_MISSED, LifterKeeper, PersonTracker, box_iou

WH = (640, 480)


def _person(x: float, y: float, w: float, h: float, score: float = 0.9) -> PersonPose:
    kp = Keypoints.single(np.full((N_JOINTS, 2), np.nan), np.zeros(N_JOINTS))
    return PersonPose(kp, (x, y, w, h), score)


@pytest.mark.parametrize(("a", "b", "expected"), [
    ((0, 0, 10, 10), (0, 0, 10, 10), 1.0),
    ((0, 0, 10, 10), (5, 0, 10, 10), 50 / 150),
    ((0, 0, 10, 10), (20, 20, 5, 5), 0.0),
    ((0, 0, 0, 0), (0, 0, 0, 0), 0.0),
], ids=["same", "half", "apart", "empty"])
def test_box_iou(a: tuple[float, ...], b: tuple[float, ...], expected: float) -> None:
    assert box_iou(a, b) == pytest.approx(expected)  # type: ignore[arg-type]


def test_a_still_person_keeps_one_id_and_a_newcomer_gets_another() -> None:
    tracker = PersonTracker()
    ids = [tracker.update(f, [_person(250 + f, 100, 140, 300)]) for f in range(10)]
    assert {i[0] for i in ids} == {1}
    both = tracker.update(10, [_person(10, 100, 100, 280), _person(260, 100, 140, 300)])
    assert both == [2, 1]


def _crossing(frame: int) -> PersonPose:
    """A walker 5 % bigger than the lifter, crossing from left to right in front of them."""
    return _person(-150 + 40 * frame, 90, 150, 320)


def test_a_walker_crossing_in_front_never_becomes_the_lifter() -> None:
    keeper = LifterKeeper()
    lifter_box = (250.0, 100.0, 140.0, 300.0)
    for frame in range(25):
        bob = 10 * np.sin(frame / 3)  # the lifter squats a little: the box moves
        persons = [_person(lifter_box[0], lifter_box[1] + bob, 140, 300 - bob)]
        if 3 <= frame <= 20:
            persons.insert(0, _crossing(frame))  # listed first, and as large
        ids, index = keeper.update(frame, persons, WH)
        assert index is not None and persons[index].bbox_xywh[0] == lifter_box[0], frame
        assert ids[index] == keeper.lifter_id == 1
    assert keeper.reason == "largest near the centre on frame 0, tracked since frame 0"


def test_a_click_chooses_the_person_off_centre() -> None:
    keeper = LifterKeeper(click_xy=(50, 200))
    persons = [_person(250, 100, 140, 300), _person(10, 100, 100, 280)]
    _, index = keeper.update(0, persons, WH)
    assert index == 1 and keeper.reason.startswith("clicked on frame 0")
    _, index = keeper.update(1, list(reversed(persons)), WH)
    assert index == 0  # same person, whatever the order


def test_the_lifter_hidden_briefly_keeps_their_track() -> None:
    keeper = LifterKeeper()
    keeper.update(0, [_person(250, 100, 140, 300)], WH)
    for frame in range(1, 5):  # hidden: only someone else, far off
        _, index = keeper.update(frame, [_person(0, 100, 100, 280)], WH)
        assert index is None
    ids, index = keeper.update(5, [_person(0, 100, 100, 280), _person(252, 100, 140, 300)], WH)
    assert index == 1 and ids[1] == 1


def test_a_lost_lifter_is_taken_up_only_where_they_stood() -> None:
    keeper = LifterKeeper()
    keeper.update(0, [_person(250, 100, 140, 300)], WH)
    gone = MAX_MISSED + 2
    _, index = keeper.update(gone, [_person(0, 100, 100, 280)], WH)
    assert index is None  # someone elsewhere never becomes the lifter
    _, index = keeper.update(gone + 1, [_person(0, 100, 100, 280), _person(255, 100, 140, 300)],
                             WH)
    assert index == 1 and "taken up again" in keeper.reason


def test_an_empty_frame_has_no_lifter() -> None:
    keeper = LifterKeeper()
    assert keeper.update(0, [], WH) == ([], None)
    assert keeper.lifter_id is None


def test_a_later_click_hands_the_lifter_to_that_track_for_good() -> None:
    keeper = LifterKeeper()
    lifter, spotter = _person(250, 100, 140, 300), _person(10, 100, 100, 280)
    for frame in range(3):
        ids, index = keeper.update(frame, [lifter, spotter], WH)
        assert index == 0
    assert keeper.choose(ids[1], clicked_frame=1, frame=2)
    assert keeper.reason == "clicked on frame 1, tracked since frame 0"
    for frame in range(3, 25):  # the old lifter stays put: the clicked person stays the lifter
        persons = [lifter, _person(10 + frame, 100, 100, 280)]
        if 5 <= frame <= 20:
            persons.insert(0, _crossing(frame))
        ids, index = keeper.update(frame, persons, WH)
        assert index is not None and ids[index] == 2, frame


def test_a_click_on_an_ended_track_changes_nothing() -> None:
    keeper = LifterKeeper()
    keeper.update(0, [_person(250, 100, 140, 300), _person(10, 100, 100, 280)], WH)
    gone = MAX_MISSED + 1
    for frame in range(1, gone + 1):  # the spotter left after frame 0
        keeper.update(frame, [_person(250, 100, 140, 300)], WH)
    assert not keeper.choose(2, clicked_frame=0, frame=gone)
    assert not keeper.choose(99, clicked_frame=0, frame=gone)
    assert keeper.lifter_id == 1 and keeper.reason.startswith("largest near the centre")
