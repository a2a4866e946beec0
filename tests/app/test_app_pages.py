"""AppTest per page, on the replay backend with a temp data folder. webrtc_streamer is patched
out (it crashes under AppTest); the real browser tests in tests/browser cover the live path."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import cv2
import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from coach.auth.viewer import Viewer
from coach.core.flags import Flag
from coach.store.store import Store
from tests.squat_replay import squat_person, write_squat_replay
from ui import state
from ui.text import plain

REPO = Path(__file__).resolve().parents[2]
TIMEOUT_S = 60


@pytest.fixture
def app_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Replay backend + temp data dir; cached settings/store/estimators from other tests cleared."""
    replay = write_squat_replay(tmp_path / "replay.json", 40)
    monkeypatch.setenv("LIFTCOACH_BACKEND", "replay")
    monkeypatch.setenv("LIFTCOACH_REPLAY", str(replay))
    monkeypatch.setenv("LIFTCOACH_DATA", str(tmp_path / "data"))
    # These tests are about the pages, not sign-in (tests/app/test_auth_pages.py): one lifter
    # on this computer, as `LIFTCOACH_SINGLE_USER=1 make run` gives.
    monkeypatch.setenv("LIFTCOACH_SINGLE_USER", "1")
    monkeypatch.setattr(st, "get_option", _loopback_address(st.get_option))
    for var in ("DATABASE_URL", "LIFTCOACH_CONFIG", "LIFTCOACH_ICE_SERVERS"):
        monkeypatch.delenv(var, raising=False)
    st.cache_resource.clear()
    yield tmp_path
    st.cache_resource.clear()


def _loopback_address(get_option: Any) -> Any:
    """config.get_option, but server.address is 127.0.0.1 (`make run` binds it so)."""
    return lambda key: "127.0.0.1" if key == "server.address" else get_option(key)


def _store(app_env: Path) -> Store:
    url = f"sqlite:///{(app_env / 'data' / 'liftcoach.sqlite3').resolve()}"
    return Store.open(url, viewer=Viewer.operator())


def _page(name: str) -> AppTest:
    return AppTest.from_file(str(REPO / "pages" / name), default_timeout=TIMEOUT_S)


def _jpeg(width: int = 640, height: int = 480) -> bytes:
    ok, buf = cv2.imencode(".jpg", np.full((height, width, 3), 120, np.uint8))
    assert ok
    return buf.tobytes()


def _texts(at: AppTest) -> str:
    parts = [e.value for e in at.markdown] + [e.value for e in at.caption]
    parts += [e.value for e in at.success] + [e.value for e in at.info]
    return "\n".join(str(p) for p in parts)


def _table_with(at: AppTest, column: str, nth: int = 0) -> Any:
    """The nth st.dataframe whose columns include `column` (dataframes have no widget key)."""
    tables = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(tables) > nth, f"no table with a {column!r} column"
    return tables[nth]


def test_app_navigation_opens_the_photo_page(app_env: Path) -> None:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT_S).run()
    assert not at.exception
    assert at.title[0].value.endswith("Photo check")


def test_photo_page_analyses_uploads_and_saves_a_session(app_env: Path) -> None:
    at = _page("photo.py").run()
    assert not at.exception and at.button[0].disabled  # nothing to analyse yet
    at.text_input(key="photo.athlete").input("Ada")
    at.selectbox(key="photo.lift").set_value("squat")  # the browser test covers "auto"
    at.file_uploader(key=state.PHOTO_UPLOADS).set_value(
        [("a.jpg", _jpeg(), "image/jpeg"), ("broken.jpg", b"\xff\xd8 not a jpeg", "image/jpeg"),
         ("b.jpg", _jpeg(), "image/jpeg")]
    )  # fmt: skip
    at.run()
    at.button[0].click().run()
    assert not at.exception
    batch = at.session_state[state.PHOTO_BATCH]
    assert [r.error is None for r in batch.results] == [True, False, True]
    assert any(r"broken\.jpg" in e.value for e in at.error), "a bad upload must show st.error"
    assert at.tabs and len(at.tabs) == 3
    # Real content: the flags table and the per-view vote table of the first photo.
    flags = _table_with(at, "reason")
    assert list(flags.columns) == ["joint", "reason", "confidence"]
    vote = _table_with(at, "gold view")
    assert set(vote["gold view"]) == {"front", "left", "right"}
    assert len([d for d in at.dataframe if "gold view" in d.value.columns]) == 2  # per photo
    assert at.get("plotly_chart"), "angle charts missing"
    assert (at.metric[0].label, at.metric[0].value) == ("Lift", "squat")
    sessions = _store(app_env).list_sessions(athlete="Ada")
    assert len(sessions) == 1 and sessions[0].kind == "photo" and sessions[0].frame_count == 2
    assert f"session #{sessions[0].id}" in _texts(at)
    # The uploader is emptied once the batch is saved: pressing again saves nothing new.
    assert at.button[0].disabled
    assert len(_store(app_env).list_sessions(athlete="Ada")) == 1


def test_photo_page_shows_a_flagged_photo_joint_by_joint(app_env: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # A squat's bottom seen from the front with the knees caved 40 px in: the pair rules flag
    # it, so the page's flags table has rows (its joint column once crashed on the first one).
    replay = app_env / "caved.json"
    replay.write_text(json.dumps({"frames": [{"persons": [squat_person(1.0, knees_in_px=40)]}]}))
    monkeypatch.setenv("LIFTCOACH_REPLAY", str(replay))
    at = _page("photo.py").run()
    at.text_input(key="photo.athlete").input("Ada")
    at.selectbox(key="photo.lift").set_value("squat")
    at.file_uploader(key=state.PHOTO_UPLOADS).set_value([("caved.jpg", _jpeg(), "image/jpeg")])
    at.run()
    at.button[0].click().run()
    assert not at.exception
    flags = _table_with(at, "reason")
    assert len(flags) > 0, "the caved knees were not flagged"
    assert all("_" not in joint for joint in flags["joint"])  # "left knee", not "left_knee"


def test_photo_page_refuses_a_long_name_before_any_analysis(app_env: Path) -> None:
    at = _page("photo.py").run()
    at.text_input(key="photo.athlete").input("![t](http://127.0.0.1:9/t.png)" * 400)
    at.file_uploader(key=state.PHOTO_UPLOADS).set_value([("a.jpg", _jpeg(), "image/jpeg")])
    at.run()
    at.button[0].click().run()
    assert not at.exception and state.PHOTO_BATCH not in at.session_state
    assert len(at.error) == 1 and "1 to 200 characters" in at.error[0].value
    assert len(at.error[0].value) < 200  # a short prefix, not the whole name


def test_photo_page_explains_missing_inputs(app_env: Path) -> None:
    at = _page("photo.py").run()
    assert not at.exception
    assert "Analyse" in _texts(at)
    assert at.button[0].disabled


class FakeWebrtc:
    """Stands in for streamlit_webrtc.webrtc_streamer and remembers its arguments."""

    def __init__(self, playing: bool) -> None:
        self.playing = playing
        self.kwargs: dict[str, Any] = {}

    def __call__(self, **kwargs: Any) -> Any:
        self.kwargs = kwargs
        return SimpleNamespace(state=SimpleNamespace(playing=self.playing, signalling=False))


def test_live_page_streams_into_a_new_session(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import av
    import streamlit_webrtc

    fake = FakeWebrtc(playing=True)
    monkeypatch.setattr(streamlit_webrtc, "webrtc_streamer", fake)
    at = _page("live.py")
    at.run()
    assert not at.exception
    assert fake.kwargs["rtc_configuration"] == {"iceServers": []}
    assert fake.kwargs["async_processing"] is True
    at.text_input(key="live.athlete").input("Bo")
    at.selectbox(key="live.lift").set_value("squat").run()
    callback = fake.kwargs["video_frame_callback"]
    for i in range(12):  # what streamlit-webrtc's worker does with each freshest frame
        frame = av.VideoFrame.from_ndarray(np.full((480, 640, 3), 90, np.uint8), format="bgr24")
        frame.pts, frame.time_base = i * 3000, av.time_base  # type: ignore[attr-defined]
        out = callback(frame)
        assert out.to_ndarray(format="bgr24").shape == (480, 640, 3)
    at.run()
    assert not at.exception
    texts = _texts(at)
    assert "Frames analysed: **12**" in texts and "with a skeleton: **12**" in texts
    assert {m.label for m in at.metric} >= {"Lift", "Frames / s", "Latency p50", "Latency p95"}
    sessions = _store(app_env).list_sessions(athlete="Bo")
    assert len(sessions) == 1 and sessions[0].kind == "live"
    # STOP: the page ends the stream and the session.
    fake.playing = False
    at.run()
    recorder = at.session_state[state.LIVE_RECORDER]
    assert not recorder.running
    detail = _store(app_env).load_session(sessions[0].id)
    assert len(detail.frames) == 12 and detail.ended_at is not None


def _seed_session(app_env: Path) -> int:
    from coach.core.keypoints import Keypoints

    store = _store(app_env)
    athlete = store.get_or_create_athlete("Cy")
    sid = store.start_session(athlete, "video", lift="squat", backend="replay")
    for i in range(6):
        kp = Keypoints.from_list(squat_person(i / 5)["keypoints"])
        flags = [Flag("left_knee", "knee caves in", 0.8)] if i == 3 else []
        store.add_frame(
            sid, index=i, t_s=i / 10, keypoints=kp,
            angles_deg={"left_knee": 170 - 15 * i, "right_knee": 168 - 14 * i},
            lift="squat", view="front", thumbnail_jpeg=_jpeg(64, 48) if flags else None,
            flags=flags,
        )  # fmt: skip
    store.end_session(sid)
    return sid


def test_sessions_page_reviews_and_exports(app_env: Path) -> None:
    session_id = _seed_session(app_env)
    at = _page("sessions.py").run()
    assert not at.exception
    assert at.selectbox(key=state.SESSIONS_OPEN).value == session_id
    assert at.get("plotly_chart"), "angle traces missing"
    flags = _table_with(at, "thumbnail")
    assert flags.loc[0, "joint"] == "left knee" and flags.loc[0, "verdict"] == "pending"
    assert str(flags.loc[0, "thumbnail"]).startswith("data:image/jpeg;base64,")
    at.radio[0].set_value("reject")
    at.text_input[0].input("camera angle, knee is fine")
    at.button[0].click().run()  # the form's submit button
    assert not at.exception
    verdict = _store(app_env).load_session(session_id).flags[0].verdict
    assert verdict is not None and not verdict.accepted and verdict.note.startswith("camera")
    assert _table_with(at, "thumbnail").loc[0, "verdict"] == "rejected"
    downloads = at.get("download_button")
    assert len(downloads) == 2


def test_sessions_page_without_sessions(app_env: Path) -> None:
    at = _page("sessions.py").run()
    assert not at.exception
    assert "No sessions yet" in _texts(at)


def _coach_of_a_team(app_env: Path) -> Viewer:
    """A team "Red" with coach "cat" in the app's database; the coach's viewer."""
    from coach.store.accounts import Accounts

    with _store(app_env) as root:
        accounts = Accounts(root)
        accounts.create_first_admin("root", "a long passphrase")
        team = accounts.create_team("Red")
        accounts.create_user("cat", "a long passphrase", "coach", team_id=team)
        viewer = accounts.authenticate("cat", "a long passphrase")
    assert viewer is not None
    return viewer


def test_gold_page_draws_each_view_and_replaces_one(app_env: Path) -> None:
    from coach.store.gold import TeamGoldStore

    coach = _coach_of_a_team(app_env)
    at = _page("gold.py")
    at.session_state[state.AUTH_VIEWER] = coach
    at.run()
    assert not at.exception
    assert [h.value for h in at.subheader] == ["front", "left", "right"]
    assert len(at.get("image")) == 3, "one skeleton drawing per view"
    at.selectbox(key="gold.lift").set_value("squat").run()
    at.file_uploader[0].set_value(("ref.jpg", _jpeg(), "image/jpeg"))
    at.button[0].click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("Saved the new squat front gold" in s.value for s in at.success)
    assert not any("/" in s.value for s in at.success), "no server path in the message"
    assert not (app_env / "data" / "gold").exists(), "team gold lives in the database"
    with _store(app_env) as root:
        gold = TeamGoldStore(root.as_viewer(coach))
        (override,) = gold.current(coach.coached_team_ids[0], "squat")
        assert (override.view, override.phase, override.set_by) == ("front", "standing", "cat")
    at.run()
    at.button(key="gold.revert").click().run()
    with _store(app_env) as root:
        assert TeamGoldStore(root.as_viewer(coach)).current(coach.coached_team_ids[0]) == []


def test_gold_page_is_read_only_without_a_team(app_env: Path) -> None:
    at = _page("gold.py").run()  # single-user mode: the operator is on no team
    assert not at.exception and not at.file_uploader
    assert "Only a team's coach" in at.info[0].value


def test_gold_page_refuses_a_photo_without_a_person(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coach.store.gold import TeamGoldStore

    empty = app_env / "empty.json"
    empty.write_text('{"frames": [{"persons": []}]}')
    monkeypatch.setenv("LIFTCOACH_REPLAY", str(empty))
    coach = _coach_of_a_team(app_env)
    at = _page("gold.py")
    at.session_state[state.AUTH_VIEWER] = coach
    at.run()
    at.file_uploader[0].set_value(("ref.jpg", _jpeg(), "image/jpeg"))
    at.button[0].click().run()
    assert not at.exception
    assert at.error and "cannot be used as gold" in at.error[0].value
    with _store(app_env) as root:
        assert TeamGoldStore(root.as_viewer(coach)).history(coach.coached_team_ids[0]) == []


# --- Video page ----------------------------------------------------------------------------------


def _video_env(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> bytes:
    """A 70-frame clip (15 fps) and replay keypoints of 3 squats that match it frame by frame."""
    from tests.video_helpers import make_clip, squat_depths, squat_reps_doc, write_doc

    depths = squat_depths(3, 20, lead=5, tail=5)
    doc = write_doc(app_env / "set.json", squat_reps_doc(depths))
    monkeypatch.setenv("LIFTCOACH_REPLAY", str(doc))
    return make_clip(app_env / "set.mp4", n_frames=len(depths)).read_bytes()


def _analyse_video(at: AppTest, clip: tuple[str, bytes], athlete: str = "Ed") -> AppTest:
    at.text_input(key="video.athlete").input(athlete)
    at.selectbox(key="video.lift").set_value("squat")
    at.file_uploader(key=state.VIDEO_UPLOAD).set_value((clip[0], clip[1], "video/mp4"))
    at.run()
    return _until_done(at.button(key="video.analyse").click().run())


def _until_done(at: AppTest) -> AppTest:
    """Rerun the page until its background analysis has ended. (AppTest runs a fragment only
    within a whole run, never on its timer; each run shows the job's progress anew.)"""
    deadline = time.monotonic() + TIMEOUT_S
    while state.VIDEO_JOB in at.session_state:
        assert not at.exception, at.exception
        assert time.monotonic() < deadline, "the analysis did not finish"
        time.sleep(0.05)
        at.run()
    return at


def test_video_page_analyses_a_set_and_saves_it(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _video_env(app_env, monkeypatch)
    at = _page("video.py").run()
    assert not at.exception and at.button(key="video.analyse").disabled
    _analyse_video(at, ("set.mp4", data))
    assert not at.exception and not at.error, [e.value for e in at.error]
    reps = _table_with(at, "DTW max diff (°)")
    assert reps["rep"].tolist() == [1, 2, 3]
    assert all(reps["feedback"].str.startswith(("rep 1:", "rep 2:", "rep 3:")))
    assert reps["where"].str.contains("knee at").all()
    assert (at.metric[1].label, at.metric[1].value) == ("Reps", "3")
    # Every fault of the squat catalogue on every rep: judged, or why this front view can't.
    faults = _table_with(at, "cue / why not")
    assert len(faults) == 3 * 6 and set(faults["rep"]) == {1, 2, 3}
    blind = faults[faults["verdict"] == "can't judge"]
    assert len(blind) and blind["cue / why not"].str.contains("from a front view: film").all()
    assert at.get("plotly_chart"), "angle traces missing"
    assert len(at.get("image")) == 4, "bottom and lockout, each beside the reference"
    sessions = _store(app_env).list_sessions(athlete="Ed")
    assert len(sessions) == 1 and sessions[0].kind == "video"
    detail = _store(app_env).load_session(sessions[0].id)
    assert len(detail.frames) == 70 and detail.lift == "squat"
    assert [r.index for r in detail.reps] == [0, 1, 2]
    assert [r.verdict for r in detail.reps] == reps["feedback"].tolist()
    assert all(f.angles_deg and f.keypoints is not None for f in detail.frames)
    assert all(f.rep_index is not None for f in detail.flags), "flags belong to their rep"
    assert f"session #{sessions[0].id}" in _texts(at)
    # Another rep's key frames without analysing again.
    at.selectbox(key="video.rep").set_value(3).run()
    assert not at.exception and len(at.get("image")) == 4


def test_video_page_compares_with_a_coach_set(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _video_env(app_env, monkeypatch)
    at = _page("video.py").run()
    at.radio(key="video.reference_kind").set_value("a coach's recorded good set").run()
    at.file_uploader(key=state.VIDEO_REFERENCE_UPLOAD).set_value(("coach.mp4", data, "video/mp4"))
    _analyse_video(at, ("set.mp4", data), athlete="Flo")
    assert not at.exception and not at.error, [e.value for e in at.error]
    reps = _table_with(at, "feedback")
    # The same set against itself: within the reference's own limits.
    assert reps["feedback"].tolist() == [f"rep {i}: no faults flagged" for i in (1, 2, 3)]
    assert any("coach.mp4, rep" in str(m.value) for m in at.metric)
    notes = _store(app_env).list_sessions(athlete="Flo")
    detail = _store(app_env).load_session(notes[0].id)
    assert "reference: coach.mp4, rep" in detail.notes


def test_video_page_refuses_bad_clips_and_keeps_working(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import av

    from tests.video_helpers import make_clip

    data = _video_env(app_env, monkeypatch)
    audio = app_env / "memo.mp4"
    with av.open(str(audio), "w") as container:
        stream = container.add_stream("aac", rate=16000)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 16000), np.float32), format="fltp",
                                           layout="mono")  # fmt: skip
        frame.sample_rate = 16000
        for packet in [*stream.encode(frame), *stream.encode()]:
            container.mux(packet)
    long_clip = make_clip(app_env / "long.mp4", n_frames=605, fps=1, size=(64, 48))
    bad = {
        "empty.mp4": b"", "notes.mp4": b"squat 3x5 at 100 kg\n" * 50,
        "half.mp4": data[: len(data) // 2], "memo.mp4": audio.read_bytes(),
        "long.mp4": long_clip.read_bytes(),
    }  # fmt: skip
    at = _page("video.py").run()
    said = {}
    for name, payload in bad.items():
        _analyse_video(at, (name, payload))
        assert not at.exception, name
        assert at.error and "cannot be analysed" in at.error[0].value, name
        assert at.error[0].value.startswith(f"This clip ({plain(name)})"), name
        assert _store(app_env).list_sessions(athlete="Ed") == [], name
        said[name] = at.error[0].value
    assert "limit is 600 s" in said["long.mp4"]
    # The file is named as uploaded inside the message too (not a temporary file's name).
    assert plain("notes.mp4 is not a video we can read") in said["notes.mp4"]
    _analyse_video(at, ("set.mp4", data))
    assert not at.exception and not at.error
    assert len(_store(app_env).list_sessions(athlete="Ed")) == 1


def _progress(at: AppTest) -> list[tuple[float, str]]:
    return [(p.proto.value / 100, p.proto.text) for p in at.get("progress")]


@pytest.fixture
def held_analysis(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The Video page's analyses report a third of the way (then `reached` is set) and wait for
    `go` before they go on."""
    import ui.video_jobs
    from coach.pipeline.clip_session import analyse_set

    held = SimpleNamespace(reached=threading.Event(), go=threading.Event())

    def analyse_when_told(*args: Any, progress: Any, **kwargs: Any) -> Any:
        progress(0.3, "Analysing set.mp4…")
        held.reached.set()
        assert held.go.wait(TIMEOUT_S), "the test never let the analysis go on"
        return analyse_set(*args, progress=progress, **kwargs)

    monkeypatch.setattr(ui.video_jobs, "analyse_set", analyse_when_told)
    yield held
    held.go.set()  # a failing test must not leave a worker waiting


def test_video_page_analyses_off_the_script_run_and_survives_reruns_and_reloads(
    app_env: Path, monkeypatch: pytest.MonkeyPatch, held_analysis: Any
) -> None:
    data = _video_env(app_env, monkeypatch)
    at = _page("video.py").run()
    at.text_input(key="video.athlete").input("Ed")
    at.selectbox(key="video.lift").set_value("squat")
    at.file_uploader(key=state.VIDEO_UPLOAD).set_value(("my set.mp4", data, "video/mp4"))
    at.run()
    at.button(key="video.analyse").click().run()
    assert not at.exception and not at.error
    job = at.session_state[state.VIDEO_JOB]
    assert held_analysis.reached.wait(TIMEOUT_S)
    for _ in range(3):  # reruns (any click) show the same job's progress, named after the upload
        at.run()
        assert at.session_state[state.VIDEO_JOB] == job
        assert at.button(key="video.analyse").disabled
        assert _progress(at) == [(0.3, "my set\\.mp4: Analysing set\\.mp4…")]
        assert not at.dataframe
    reloaded = _page("video.py").run()  # the tab reloaded: a new session, the same person
    assert reloaded.session_state[state.VIDEO_JOB] == job and len(_progress(reloaded)) == 1
    held_analysis.go.set()
    _until_done(reloaded)
    assert not reloaded.exception and not reloaded.error, [e.value for e in reloaded.error]
    assert _table_with(reloaded, "feedback")["rep"].tolist() == [1, 2, 3]
    assert reloaded.session_state[state.VIDEO_RESULT].name == "my set.mp4"
    assert len(_store(app_env).list_sessions(athlete="Ed")) == 1
    at.run()  # the first session's job was collected by the reloaded one
    assert state.VIDEO_JOB not in at.session_state and "no longer here" in at.error[0].value


def test_video_page_refuses_an_analysis_over_the_persons_limit(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui import loaders

    data = _video_env(app_env, monkeypatch)
    monkeypatch.setenv("LIFTCOACH_MAX_ANALYSES", "1")
    at = _page("video.py").run()  # settings and limiter are made in the page's first run
    loaders._limiter().acquire("operator")  # a photo batch of the same person is running
    _analyse_video(at, ("set.mp4", data))
    assert not at.exception and state.VIDEO_JOB not in at.session_state
    assert at.error[0].value.startswith("This clip (set\\.mp4) cannot be analysed: you already")
    assert "the limit is 1" in at.error[0].value
    loaders._limiter().release("operator")
    at.button(key="video.analyse").click().run()
    _until_done(at)
    assert not at.error and _table_with(at, "feedback")["rep"].tolist() == [1, 2, 3]


def test_video_page_reanalyses_with_the_lifter_clicked_on_the_first_frame(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coach.core.keypoints import Joint
    from tests.video_helpers import make_clip, shifted, squat_depths, write_doc

    # Two people squat in step: one near the centre (hips at x ~344 px), one 220 px to its left.
    depths = squat_depths(3, 20, lead=5, tail=5)
    doc = {"frames": [{"persons": [squat_person(d), shifted(squat_person(d), -220.0)]}
                      for d in depths]}  # fmt: skip
    monkeypatch.setenv("LIFTCOACH_REPLAY", str(write_doc(app_env / "two.json", doc)))
    data = make_clip(app_env / "two.mp4", n_frames=len(depths)).read_bytes()
    at = _analyse_video(_page("video.py").run(), ("two people.mp4", data), athlete="Jo")
    assert not at.exception and not at.error, [e.value for e in at.error]
    first = at.session_state[state.VIDEO_RESULT]
    preview = cv2.imdecode(np.frombuffer(first.preview_jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert preview.shape[:2] == (480, 640) and first.persons_found == 2
    assert "Lifter: largest near the centre" in _texts(at)
    pick = "Wrong person? Pick the lifter on the first frame (2 people found)"
    assert [e.label for e in at.expander] == [pick]
    hips = first.analysis.keypoints.xy[:, Joint.LEFT_HIP, 0]
    assert float(np.nanmean(hips)) == pytest.approx(344.0, abs=2.0)
    at.number_input(key="video.lifter.x").set_value(100)
    at.number_input(key="video.lifter.y").set_value(300)
    _until_done(at.button(key="video.lifter.go").click().run())
    assert not at.exception and not at.error, [e.value for e in at.error]
    picked = at.session_state[state.VIDEO_RESULT]
    assert picked.click_xy == (100.0, 300.0) and picked.name == "two people.mp4"
    assert "Lifter: clicked" in _texts(at)
    hips = picked.analysis.keypoints.xy[:, Joint.LEFT_HIP, 0]
    assert float(np.nanmean(hips)) == pytest.approx(124.0, abs=2.0)  # the other one, all along
    assert _table_with(at, "feedback")["rep"].tolist() == [1, 2, 3]
    sessions = _store(app_env).list_sessions(athlete="Jo")
    assert len(sessions) == 2  # the re-pick is a new session, the first one stays
    notes = [_store(app_env).load_session(s.id).notes for s in sessions]
    assert sum("lifter picked at (100, 300)" in n for n in notes) == 1


def test_sessions_page_shows_reps_and_exports_them(app_env: Path) -> None:
    session_id = _seed_session(app_env)
    store = _store(app_env)
    store.add_rep(session_id, index=0, start_s=0.1, bottom_s=0.3, end_s=0.5,
                  verdict="rep 1: at the bottom, left knee: knee caves in")  # fmt: skip
    at = _page("sessions.py").run()
    assert not at.exception
    reps = _table_with(at, "flagged joints")
    assert reps.loc[0, "rep"] == 1 and reps.loc[0, "flags"] == 1
    assert reps.loc[0, "flagged joints"] == "left knee"
    labels = [d.proto.label for d in at.get("download_button")]
    assert sorted(labels) == ["Download CSV", "Download JSON", "Download reps CSV",
                              "Download reps JSON"]


def test_live_speech_says_each_new_rep_and_its_top_cue() -> None:
    from coach.live.state import LiveState
    from ui.live import utterance

    def snap(count: int, cue: str | None) -> LiveState:
        return LiveState("squat", 1.0, "left", None, (), {}, 20.0, 10.0, 20.0, 10, 10,
                         rep_count=count, last_rep_cue=cue)  # fmt: skip

    spoken: dict[str, object] = {}
    assert utterance(snap(0, None), spoken) is None
    assert utterance(snap(1, None), spoken) == "1"  # a clean rep: just its number
    assert utterance(snap(1, None), spoken) is None  # nothing new: silence
    assert utterance(snap(2, "sit deeper: hip crease below the knee"), spoken) == (
        "2. sit deeper: hip crease below the knee")
    assert utterance(snap(2, "sit deeper: hip crease below the knee"), spoken) is None


def test_sessions_page_shows_the_bar_to_the_coach(app_env: Path) -> None:
    from coach.store.records import FrameDraft, SessionDraft

    store = _store(app_env)
    athlete = store.get_or_create_athlete("Di")
    bar = {"bar": {"label": "for training use; not validated against a transducer",
                   "plate_diameter_mm": 450.0, "px_per_cm": 2.1,
                   "reps": [{"index": 1, "source": "plate", "drift_cm": 3.1, "range_cm": 52.0,
                             "mean_velocity_m_s": 0.61, "peak_velocity_m_s": 0.95,
                             "note": ""}]},
           "chart": {"series": [{"name": "rep 1 (plate)", "x": [0.0, 1.0], "y": [0.0, 50.0]}],
                     "unit": "cm", "label": "for training use"}}  # fmt: skip
    frames = tuple(FrameDraft(i, i / 10, None, {"left_knee": 150.0}) for i in range(3))
    store.record_session(SessionDraft(athlete, "video", lift="deadlift", frames=frames, bar=bar))
    at = _page("sessions.py").run()
    assert not at.exception
    speeds = _table_with(at, "mean speed (m/s)")
    assert speeds.loc[0, "mean speed (m/s)"] == 0.61 and speeds.loc[0, "source"] == "plate"
    assert any("not validated against a transducer" in c.value for c in at.caption)
    labels = [d.proto.label for d in at.get("download_button")]
    assert "Download bar speeds CSV" in labels


def _three_frame_deadlift(app_env: Path, bar: dict[str, Any] | None = None) -> Store:
    """The store, holding one video session of Di's: a deadlift of three frames."""
    from coach.store.records import FrameDraft, SessionDraft

    store = _store(app_env)
    athlete = store.get_or_create_athlete("Di")
    frames = tuple(FrameDraft(i, i / 10, None, {"left_knee": 150.0}) for i in range(3))
    store.record_session(SessionDraft(athlete, "video", lift="deadlift", frames=frames, bar=bar))
    return store


def test_sessions_page_says_so_when_a_saved_bar_is_damaged(app_env: Path) -> None:
    # A row edited by hand since (the store refuses to write one like it): the page says the
    # bar cannot be shown and shows the rest of the session.
    from sqlalchemy import update

    from coach.store.models import SessionBarRow

    store = _three_frame_deadlift(app_env, {
        "bar": {"label": "x", "plate_diameter_mm": 450.0, "reps": []},
        "chart": {"series": [], "unit": "cm", "label": "x"}})
    with store.write("damage the bar") as orm:
        orm.execute(update(SessionBarRow).values(document={"bar": {"reps": [7]}}))
    at = _page("sessions.py").run()
    assert not at.exception
    assert any("bar path cannot be shown" in w.value for w in at.warning)
    assert at.metric[1].value == "3"  # the frames are still there


def test_sessions_page_explains_a_frame_damaged_in_the_database(app_env: Path) -> None:
    from sqlalchemy import update

    from coach.store.models import FrameRow

    store = _three_frame_deadlift(app_env)
    with store.write("damage a frame") as orm:
        orm.execute(update(FrameRow).values(angles_deg={"left_knee": "not a number"}))
    at = _page("sessions.py").run()
    assert not at.exception
    assert any("damaged" in e.value for e in at.error)
