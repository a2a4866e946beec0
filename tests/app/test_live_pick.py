"""The Live page's "pick the lifter": the reason line, the latest frame to click on, and a click
that reaches this tab's running analyzer, on two replay people (a squatter in the middle, a
second person standing to the left).

webrtc_streamer is patched out as in test_app_pages.py. AppTest has no Plotly element, so a
click is sent the way the browser sends it: the chart's widget state (its selection, as JSON)
in the next run's widget states, through AppTest's own `_run` (the public `run` sends only the
widgets AppTest knows). That runs the page's real selection callback.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest

from coach.live.preview import NOBODY_THERE
from tests.app.test_app_pages import FakeWebrtc, _page, _store
from tests.app.test_app_pages import app_env as app_env  # the fixture, shared
from tests.squat_replay import squat_person
from ui import state

SHIFT_PX = -220


def _second_person() -> dict[str, Any]:
    person = squat_person(0.0)
    x, y, w, h = person["bbox"]
    return {"bbox": [x + SHIFT_PX, y, w, h],
            "keypoints": [[px + SHIFT_PX, py, s] for px, py, s in person["keypoints"]]}


@pytest.fixture
def two_people(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> FakeWebrtc:
    """The replay backend plays two people; the webrtc widget is a fake that is playing."""
    import streamlit_webrtc

    frames = [{"persons": [_second_person(), squat_person(i / 40)]} for i in range(40)]
    replay = app_env / "two.json"
    replay.write_text(json.dumps({"frames": frames}))
    monkeypatch.setenv("LIFTCOACH_REPLAY", str(replay))
    fake = FakeWebrtc(playing=True)
    monkeypatch.setattr(streamlit_webrtc, "webrtc_streamer", fake)
    return fake


def _stream(fake: FakeWebrtc, frames: range) -> None:
    callback = fake.kwargs["video_frame_callback"]
    for i in frames:
        frame = av.VideoFrame.from_ndarray(np.full((480, 640, 3), 90, np.uint8), format="bgr24")
        frame.pts, frame.time_base = i, Fraction(1, 30)  # 30 fps
        callback(frame)


def _picker(at: AppTest) -> Any:
    charts = [c for c in at.get("plotly_chart") if "live.pick" in c.proto.id]
    assert len(charts) == 1, "no lifter picker on the page"
    return charts[0]


def _run_open(at: AppTest, click_xy: tuple[float, float] | None = None) -> AppTest:
    """Run as the browser would with the expander open (AppTest does not send a stateful
    expander's state) and, optionally, the picker's point nearest (x, y) clicked."""
    widgets = at._tree.get_widget_states()
    expanders = [e for e in at.expander if e.proto.id]
    widgets.widgets.extend(WidgetState(id=e.proto.id, bool_value=True) for e in expanders)
    if click_xy is not None:
        x, y = click_xy
        selection = {"selection": {"points": [{"x": x, "y": y, "point_index": 0}],
                                   "point_indices": [0], "box": [], "lasso": []}}
        widgets.widgets.append(WidgetState(id=_picker(at).proto.id,
                                           string_value=json.dumps(selection)))
    return at._run(widgets)


def _unescaped(at: AppTest, kind: str) -> list[str]:
    return [str(e.value).replace("\\", "") for e in at.get(kind)]


def test_a_click_on_the_live_view_makes_that_person_the_lifter(
    two_people: FakeWebrtc, app_env: Path,
) -> None:
    at = _page("live.py")
    at.run()
    at.text_input(key="live.athlete").input("Bo").run()
    _stream(two_people, range(5))
    at.run()
    assert not at.exception
    assert ("Lifter: largest near the centre on frame 0, tracked since frame 0 · 2 people in "
            "view") in _unescaped(at, "caption")
    assert not [c for c in at.get("plotly_chart") if "live.pick" in c.proto.id], (
        "the picture is drawn only while the expander is open")
    at.session_state[state.LIVE_PICK_OPEN] = True
    at.run()
    spec = json.loads(_picker(at).proto.spec)
    assert spec["layout"]["images"][0]["source"].startswith("data:image/jpeg;base64,")
    assert spec["layout"]["xaxis"]["range"] == [0, 640]  # the stream frame's pixels
    assert "2 people in view at 0 s" in " ".join(_unescaped(at, "caption"))
    assert at.button(key="live.pick.newest").label == "Show the newest picture"

    _run_open(at, (620, 20))  # the top-right corner: nobody there
    assert not at.exception
    assert _unescaped(at, "warning") == [NOBODY_THERE]
    _run_open(at, (108, 200))  # on the person to the left
    assert not at.exception
    assert any("Person #1 is the lifter" in s for s in _unescaped(at, "success"))
    _stream(two_people, range(5, 12))
    _run_open(at)
    assert any(c.startswith("Lifter: clicked on frame 0, tracked since frame 0")
               for c in _unescaped(at, "caption"))
    session = _store(app_env).list_sessions(athlete="Bo")[0]
    frames = _store(app_env).load_session(session.id).frames
    xs = [float(np.nanmean(f.keypoints.xy[0, :, 0])) for f in frames if f.keypoints]
    assert len(xs) == 12 and min(xs[:5]) > 250 and max(xs[5:]) < 150, xs

    # STOP, then START: a fresh stream, the usual first choice, the old message gone.
    two_people.playing = False
    at.run()
    two_people.playing = True
    at.run()
    _stream(two_people, range(3))
    at.session_state[state.LIVE_PICK_OPEN] = True  # the expander came back closed
    at.run()
    assert not at.exception
    assert any(c.startswith("Lifter: largest near the centre") for c in _unescaped(at, "caption"))
    assert not [s for s in _unescaped(at, "success") if "lifter" in s]
    assert _picker(at).proto.id.endswith("live.pick.2")  # a new widget: no old selection
