"""Picking the lifter on the live view: the latest-frame picture in the snapshot (rate-limited,
small), and a click that hands the lifter to the clicked person for the rest of the stream.

Two replay people on every frame: the squatter in the middle (the first choice, "largest near
the centre") and a second, standing person of the same size off to the left.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
import pytest

from coach.core.settings import Settings
from coach.live.analyzer import LiveAnalyzer
from coach.live.preview import (
    EARLIER_STREAM,
    LEFT_THE_VIEW,
    NO_PICTURE,
    NOBODY_THERE,
    PREVIEW_MAX_SIDE_PX,
    STREAM_ENDED,
    LivePerson,
    person_at,
)
from coach.live.recorder import LiveRecorder
from coach.live.state import LiveFrame
from coach.pose.replay import ReplayEstimator
from coach.pose.tracking import MAX_MISSED
from tests.squat_replay import blank_frame, squat_person

SHIFT_PX = -220  # the second person stands here, left of the squatter (boxes do not touch)
FPS = 30.0
FPS_INT = 30


def _second_person() -> dict[str, Any]:
    person = squat_person(0.0)
    x, y, w, h = person["bbox"]
    return {"bbox": [x + SHIFT_PX, y, w, h],
            "keypoints": [[px + SHIFT_PX, py, s] for px, py, s in person["keypoints"]]}


def _two_people(n: int, *, second_until: int | None = None) -> ReplayEstimator:
    frames = []
    for i in range(n):
        lifter = squat_person(0.5 - 0.5 * np.cos(4 * np.pi * i / n))
        present = second_until is None or i <= second_until
        frames.append({"persons": [_second_person(), lifter] if present else [lifter]})
    return ReplayEstimator.from_json({"frames": frames})


def _centre(box: list[float]) -> tuple[float, float]:
    return box[0] + box[2] / 2, box[1] + box[3] / 2


def _mean_x(frame: LiveFrame) -> float:
    assert frame.keypoints is not None
    return float(np.nanmean(frame.keypoints.xy[0, :, 0]))


def _run(analyzer: LiveAnalyzer, frames: range, size_wh: tuple[int, int] = (640, 480)) -> None:
    for i in frames:
        analyzer.process(np.full((size_wh[1], size_wh[0], 3), 90, np.uint8), i / FPS)


def test_the_latest_frame_is_in_the_snapshot_about_once_a_second() -> None:
    analyzer = LiveAnalyzer(_two_people(90), Settings(), lift=None)
    assert analyzer.snapshot().preview is None
    seen: list[int] = []
    for i in range(75):  # 2.5 s at 30 fps
        _run(analyzer, range(i, i + 1), size_wh=(1280, 720))
        preview = analyzer.snapshot().preview
        assert preview is not None
        if not seen or seen[-1] != preview.frame_index:
            seen.append(preview.frame_index)
    assert seen == [0, 30, 60]  # frame 0, then each time a second of stream time has passed
    preview = analyzer.snapshot().preview
    assert preview is not None and (preview.width_px, preview.height_px) == (1280, 720)
    picture = cv2.imdecode(np.frombuffer(preview.jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert picture.shape[:2] == (360, PREVIEW_MAX_SIDE_PX)  # small, the frame's aspect kept
    assert len(preview.jpeg) < 80_000
    assert [(p.track_id, p.lifter) for p in preview.people] == [(1, False), (2, True)]
    assert analyzer.snapshot().lifter_reason == (
        "largest near the centre on frame 0, tracked since frame 0")


def test_the_preview_shows_everyone_boxed_the_lifter_in_its_own_colour() -> None:
    analyzer = LiveAnalyzer(_two_people(10), Settings(), lift=None)
    _run(analyzer, range(1))
    preview = analyzer.snapshot().preview
    assert preview is not None
    picture = cv2.imdecode(np.frombuffer(preview.jpeg, np.uint8), cv2.IMREAD_COLOR)
    for person in preview.people:
        x, y, _, h = (round(v) for v in person.box_xywh)
        edge = picture[y + h // 2, x - 1:x + 2].astype(int)  # the box's left edge, mid-height
        blue, red = edge[:, 0].max(), edge[:, 2].max()
        if person.lifter:
            assert red > 200 and blue < 100, edge  # orange
        else:
            assert min(blue, red) > 150, edge  # light grey


def test_a_click_on_the_second_person_makes_them_the_lifter_from_the_next_frame() -> None:
    frames: list[LiveFrame] = []
    analyzer = LiveAnalyzer(_two_people(60), Settings(), lift=None, sink=frames.append)
    _run(analyzer, range(10))
    assert all(_mean_x(f) > 250 for f in frames), "the squatter in the middle comes first"
    x, y = _centre(_second_person()["bbox"])
    choice = analyzer.choose_lifter_at(x, y)
    assert choice.chosen and "#1" in choice.message
    assert analyzer.snapshot().lifter_reason == "clicked on frame 0, tracked since frame 0"
    _run(analyzer, range(10, 40))
    assert all(_mean_x(f) < 150 for f in frames[10:]), "the clicked person is the lifter"
    snap = analyzer.snapshot()
    assert snap.frames_with_person == 40
    assert snap.lifter_reason.startswith("clicked")
    assert snap.preview is not None and [p.lifter for p in snap.preview.people] == [True, False]


def test_a_click_on_nobody_keeps_the_lifter_and_says_so() -> None:
    frames: list[LiveFrame] = []
    analyzer = LiveAnalyzer(_two_people(60), Settings(), lift=None, sink=frames.append)
    _run(analyzer, range(5))
    before = analyzer.snapshot().lifter_reason
    choice = analyzer.choose_lifter_at(620, 20)  # the top-right corner: nobody there
    assert not choice.chosen and choice.message == NOBODY_THERE
    _run(analyzer, range(5, 20))
    assert all(_mean_x(f) > 250 for f in frames)
    assert analyzer.snapshot().lifter_reason == before


def test_a_click_on_someone_who_has_left_since_keeps_the_lifter() -> None:
    frames: list[LiveFrame] = []
    analyzer = LiveAnalyzer(_two_people(90, second_until=5), Settings(), lift=None,
                            sink=frames.append)
    _run(analyzer, range(31))  # the frame-30 picture still shows them (seen 25 frames ago)
    preview = analyzer.snapshot().preview
    assert preview is not None and preview.frame_index == 30 and len(preview.people) == 2
    _run(analyzer, range(31, 6 + MAX_MISSED + 1))  # now their track has ended
    x, y = _centre(_second_person()["bbox"])
    choice = analyzer.choose_lifter_at(x, y)
    assert not choice.chosen and choice.message == LEFT_THE_VIEW
    assert analyzer.snapshot().lifter_reason.startswith("largest near the centre")


def test_no_click_before_the_first_frame_nor_after_the_stream_ended() -> None:
    analyzer = LiveAnalyzer(_two_people(10), Settings(), lift=None)
    assert analyzer.choose_lifter_at(100, 200).message == NO_PICTURE
    _run(analyzer, range(3))
    analyzer.close()
    assert analyzer.choose_lifter_at(100, 200).message == STREAM_ENDED


def test_a_click_lasts_only_for_the_stream_it_was_made_on() -> None:
    frames: list[LiveFrame] = []

    def factory() -> tuple[LiveAnalyzer, Any]:
        return LiveAnalyzer(_two_people(60), Settings(), lift=None, sink=frames.append), (
            lambda: None)

    recorder = LiveRecorder(factory)
    assert recorder.choose_lifter_at(100, 200).message == STREAM_ENDED  # not started yet
    for i in range(5):
        recorder.process(blank_frame(), i / FPS)
    first = recorder.snapshot()
    assert first is not None and first.preview is not None
    assert recorder.choose_lifter_at(*_centre(_second_person()["bbox"]), first.preview).chosen
    for i in range(5, 10):
        recorder.process(blank_frame(), i / FPS)
    assert all(_mean_x(f) < 150 for f in frames[5:10])
    recorder.stop()
    assert recorder.choose_lifter_at(100, 200).message == STREAM_ENDED
    for i in range(5):  # START again: a new analyzer, the usual first choice
        recorder.process(blank_frame(), i / FPS)
    assert all(_mean_x(f) > 250 for f in frames[10:])
    snap = recorder.snapshot()
    assert snap is not None and snap.lifter_reason.startswith("largest near the centre")
    # A click on the last stream's picture (a page still showing it) changes nothing.
    choice = recorder.choose_lifter_at(*_centre(_second_person()["bbox"]), first.preview)
    assert not choice.chosen and choice.message == EARLIER_STREAM
    for i in range(5, 8):
        recorder.process(blank_frame(), i / FPS)
    assert all(_mean_x(f) > 250 for f in frames[10:])


def test_a_click_is_resolved_on_the_picture_it_was_made_on() -> None:
    """The second person walks right after the first picture: a click where they WERE on that
    picture chooses them, even seconds later (the page does not refresh it while the user
    aims)."""
    frames = []
    for i in range(FPS_INT * 10):
        walker, dx = _second_person(), min(4 * i, 120)
        walker["bbox"][0] += dx
        walker["keypoints"] = [[x + dx, y, s] for x, y, s in walker["keypoints"]]
        frames.append({"persons": [walker, squat_person(0.0)]})
    analyzer = LiveAnalyzer(ReplayEstimator.from_json({"frames": frames}), Settings(),
                            lift=None)
    _run(analyzer, range(1))
    first = analyzer.snapshot().preview  # the frame-0 picture a slow page may still show
    _run(analyzer, range(1, 40))
    newest = analyzer.snapshot().preview
    assert first is not None and newest is not None and newest.frame_index == 30
    where = _centre(_second_person()["bbox"])  # where they stood on frame 0, not on frame 30
    assert analyzer.choose_lifter_at(*where).message == NOBODY_THERE  # not on the newest
    _run(analyzer, range(40, len(frames)))  # 10 s on
    choice = analyzer.choose_lifter_at(*where, first)
    assert choice.chosen and "#1" in choice.message
    assert analyzer.snapshot().lifter_reason == "clicked on frame 0, tracked since frame 0"


@pytest.mark.parametrize(("xy", "expected"), [
    ((50, 50), 2), ((15, 15), 1), ((150, 150), None), ((0, 0), 1),
], ids=["nested-smaller-wins", "outer-only", "outside", "on-the-edge"])
def test_person_at_picks_the_smallest_box_containing_the_point(
    xy: tuple[float, float], expected: int | None,
) -> None:
    people = (LivePerson(1, (0, 0, 100, 100), True), LivePerson(2, (40, 40, 30, 30), False))
    person = person_at(people, *xy)
    assert (person.track_id if person else None) == expected
