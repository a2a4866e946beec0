"""coach.live without Streamlit: the replay backend, a real SQLite store in tmp_path."""

from __future__ import annotations

import asyncio
import threading
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from coach.auth.viewer import Viewer
from coach.core.keypoints import Joint, Keypoints
from coach.core.settings import Settings
from coach.live.analyzer import LiveAnalyzer
from coach.live.recorder import LiveRecorder
from coach.live.writer import StoreFrameWriter
from coach.pose.replay import ReplayEstimator
from coach.store.store import Store
from tests.squat_replay import blank_frame, squat_replay_doc

J = Joint











@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(f"sqlite:///{tmp_path / 'live.sqlite3'}", viewer=Viewer.operator())
    yield s
    s.close()


def _estimator(n: int = 60, empty_every: int = 0) -> ReplayEstimator:
    return ReplayEstimator.from_json(squat_replay_doc(n, empty_every=empty_every))


def _session(store: Store) -> int:
    return store.start_session(store.get_or_create_athlete("Ada"), "live", backend="replay")


def test_process_draws_the_skeleton_and_counts() -> None:
    analyzer = LiveAnalyzer(_estimator(), Settings(), lift=None)
    frame = blank_frame()
    out = analyzer.process(frame, 0.0)
    assert out.shape == frame.shape and out.dtype == np.uint8
    assert np.count_nonzero(out != frame) > 500, "no skeleton drawn"
    assert np.all(frame == 90), "the input frame must not be modified"
    for i in range(1, 10):
        analyzer.process(blank_frame(), i / 30)
    snap = analyzer.snapshot()
    assert snap.frames_processed == 10 and snap.frames_with_person == 10
    assert 0 < snap.latency_p50_ms <= snap.latency_p95_ms < 1000
    assert snap.fps > 0


def test_frames_without_a_person_pass_through_and_are_counted() -> None:
    analyzer = LiveAnalyzer(_estimator(10, empty_every=2), Settings(), lift=None)
    outs = [analyzer.process(blank_frame(), i / 30) for i in range(10)]
    snap = analyzer.snapshot()
    assert (snap.frames_processed, snap.frames_with_person) == (10, 5)
    assert np.all(outs[1] == 90), "a frame with nobody in it is returned as is"


def test_a_frame_older_than_the_last_is_never_analysed() -> None:
    analyzer = LiveAnalyzer(_estimator(), Settings(), lift=None)
    analyzer.process(blank_frame(), 1.0)
    stale = blank_frame()
    assert analyzer.process(stale, 0.5) is stale
    assert analyzer.process(blank_frame(), 1.0) is not None
    snap = analyzer.snapshot()
    assert snap.frames_processed == 1 and snap.frames_skipped_stale == 2


def test_fps_and_latency_come_from_the_clock() -> None:
    now = [0.0]

    def clock() -> float:
        return now[0]

    class SlowReplay(ReplayEstimator):
        def estimate(self, image_bgr):  # type: ignore[no-untyped-def]
            now[0] += 0.020  # every frame "takes" 20 ms of model time
            return super().estimate(image_bgr)

    est = SlowReplay.from_json(squat_replay_doc(10))
    analyzer = LiveAnalyzer(est, Settings(), lift=None, clock=clock)
    for i in range(31):
        now[0] = i / 30.0  # frames arrive at 30 fps
        analyzer.process(blank_frame(), now[0])
    snap = analyzer.snapshot()
    assert snap.latency_p50_ms == pytest.approx(20.0, abs=0.5)
    assert snap.fps == pytest.approx(30.0, rel=0.02)


def test_every_frame_is_stored_as_it_comes(store: Store) -> None:
    session_id = _session(store)
    writer = StoreFrameWriter(store, session_id)
    analyzer = LiveAnalyzer(_estimator(20, empty_every=4), Settings(), lift=None, sink=writer)
    for i in range(20):
        analyzer.process(blank_frame(), 100.0 + i / 30)
    deadline = time.monotonic() + 10
    while writer.written < 20 and time.monotonic() < deadline:
        time.sleep(0.01)
    # Written BEFORE close: a dropped tab (no close) loses nothing already analysed.
    assert writer.written == 20
    detail = store.load_session(session_id)
    assert [f.index for f in detail.frames] == list(range(20))
    assert detail.frames[0].t_s == 0.0 and detail.frames[-1].t_s == pytest.approx(19 / 30)
    assert sum(f.keypoints is None for f in detail.frames) == 5
    kp = detail.frames[0].keypoints
    assert kp is not None and np.allclose(kp.point(J.LEFT_KNEE), (350, 330), atol=0.01)
    writer.close()
    assert store.load_session(session_id).ended_at is not None
    assert writer.errors == ()


def test_form_flags_and_angles_reach_the_store(store: Store) -> None:
    session_id = _session(store)
    writer = StoreFrameWriter(store, session_id)
    caving = ReplayEstimator.from_json(squat_replay_doc(30, knees_in_px=15.0))
    analyzer = LiveAnalyzer(caving, Settings(), lift="squat", sink=writer)
    for i in range(30):
        analyzer.process(blank_frame(), i / 30)
    writer.close()
    snap = analyzer.snapshot()
    assert snap.lift == "squat" and snap.lift_confidence == 1.0
    assert snap.traces and len(snap.trace_t_s) == 30
    detail = store.load_session(session_id)
    assert len(detail.frames) == 30
    assert all(f.lift == "squat" and f.angles_deg for f in detail.frames)
    # Knees caving in near the bottom: flags reach the store, on the knees, with thumbnails.
    flagged = [f for f in detail.frames if f.flags]
    assert len(flagged) >= 10, f"{len(flagged)} of 30 frames stored a flag"
    assert {flag.joint for f in flagged for flag in f.flags} <= {"left_knee", "right_knee"}
    assert all("cav" in flag.reason for f in flagged for flag in f.flags)
    assert any(f.has_thumbnail for f in flagged)


def test_recorder_starts_a_new_session_per_start(store: Store) -> None:
    writers: list[StoreFrameWriter] = []

    def factory() -> tuple[LiveAnalyzer, Any]:
        writer = StoreFrameWriter(store, _session(store))
        writers.append(writer)
        return LiveAnalyzer(_estimator(), Settings(), lift=None, sink=writer), writer.close

    recorder = LiveRecorder(factory)
    assert recorder.snapshot() is None and not recorder.running
    for i in range(5):
        recorder.process(blank_frame(), i / 30)
    recorder.stop()
    assert not recorder.running and recorder.snapshot().frames_processed == 5
    for i in range(3):
        recorder.process(blank_frame(), i / 30)  # timestamps restart: a new stream
    recorder.stop()
    recorder.stop()  # twice is harmless
    assert recorder.streams_started == 2
    counts = sorted(len(store.load_session(w.session_id).frames) for w in writers)
    assert counts == [3, 5]
    assert all(store.load_session(w.session_id).ended_at is not None for w in writers)


def test_recorder_reports_a_stream_that_cannot_start() -> None:
    from coach.core.errors import BackendUnavailable

    def factory() -> tuple[LiveAnalyzer, Any]:
        raise BackendUnavailable("no pose model here")

    recorder = LiveRecorder(factory)
    frame = blank_frame()
    assert recorder.process(frame, 0.0) is frame
    assert recorder.error == "no pose model here" and not recorder.running


def test_a_pose_service_outage_is_reported_then_cleared_when_it_is_back() -> None:
    from coach.core.errors import BackendUnavailable

    class Flaky(ReplayEstimator):
        down = True

        def estimate(self, image_bgr: np.ndarray) -> list:  # type: ignore[override]
            if self.down:
                raise BackendUnavailable("the pose service is not answering")
            return super().estimate(image_bgr)

    flaky = Flaky(_estimator()._frames)
    analyzer = LiveAnalyzer(flaky, Settings(), lift=None)
    analyzer.process(blank_frame(), 0.0)
    assert analyzer.snapshot().last_error == "the pose service is not answering"
    flaky.down = False
    analyzer.process(blank_frame(), 0.1)
    snap = analyzer.snapshot()
    assert snap.last_error is None and snap.frames_with_person == 1


def test_concurrent_callers_and_readers_are_safe() -> None:
    analyzer = LiveAnalyzer(_estimator(), Settings(), lift=None)
    stop = threading.Event()
    seen: list[int] = []

    def reader() -> None:
        while not stop.is_set():
            snap = analyzer.snapshot()
            assert snap.frames_with_person <= snap.frames_processed
            seen.append(snap.frames_processed)

    def writer(offset: int) -> None:
        for _ in range(40):
            analyzer.process(blank_frame(), None)

    threads = [threading.Thread(target=reader)] + [
        threading.Thread(target=writer, args=(k,)) for k in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads[1:]:
        t.join()
    stop.set()
    threads[0].join()
    snap = analyzer.snapshot()
    assert snap.frames_processed + snap.frames_skipped_stale == 80
    assert seen == sorted(seen), "counts seen by a reader never go backwards"


def test_streamlit_webrtc_async_mode_hands_over_only_the_freshest_frame() -> None:
    """The policy the Live page relies on, checked in streamlit-webrtc itself: frames arrive
    every 5 ms, the callback takes 40 ms, and every frame it gets is the newest one (or the
    one just before, when a frame lands between the queue drain and the call)."""
    av = pytest.importorskip("av")
    process = pytest.importorskip("streamlit_webrtc.process")
    models = pytest.importorskip("streamlit_webrtc.models")
    from aiortc.mediastreams import MediaStreamTrack

    produced = [0]
    handed: list[tuple[int, int]] = []

    class FastCamera(MediaStreamTrack):
        kind = "video"

        async def recv(self) -> Any:
            await asyncio.sleep(0.005)
            produced[0] += 1
            frame = av.VideoFrame.from_ndarray(blank_frame()[:48, :64], format="bgr24")
            frame.pts, frame.time_base = produced[0], Fraction(1, 200)
            return frame

    def slow_callback(frame: Any) -> Any:
        handed.append((frame.pts, produced[0]))
        time.sleep(0.040)
        return frame

    processor = models.CallbackAttachableProcessor(slow_callback, None, None)

    async def run() -> None:
        track = process.AsyncVideoProcessTrack(track=FastCamera(), processor=processor)
        for _ in range(150):
            await track.recv()
        track.stop()

    # A thread of its own: Playwright's sync API (session-scoped in the browser tests) may
    # already run an event loop on the main thread.
    runner = threading.Thread(target=lambda: asyncio.run(run()))
    runner.start()
    runner.join(60)
    assert len(handed) >= 5
    assert len(handed) < produced[0] / 3, "stale frames were processed instead of dropped"
    assert all(newest - pts <= 1 for pts, newest in handed), handed


# --- live rep counting -------------------------------------------------------------------------


def _squat_set_estimator(n_reps: int, frames_per_rep: int = 45) -> tuple[ReplayEstimator, int]:
    """A standing lead-in, `n_reps` squats of 1.5 s at 30 fps, a standing tail."""
    from tests.video_helpers import squat_depths, squat_reps_doc

    depths = squat_depths(n_reps, frames_per_rep, lead=20, tail=20)
    return ReplayEstimator.from_json(squat_reps_doc(depths)), len(depths)


@pytest.mark.parametrize("n_reps", [1, 4])
def test_live_counts_the_reps_of_a_synthetic_squat_set(n_reps: int) -> None:
    estimator, n_frames = _squat_set_estimator(n_reps)
    got = []
    analyzer = LiveAnalyzer(estimator, Settings(), lift="squat", rep_sink=got.append)
    for i in range(n_frames):
        analyzer.process(blank_frame(), i / 30)
    snap = analyzer.snapshot()
    assert snap.rep_count == n_reps and len(got) == n_reps
    assert snap.rep_lift == "squat"
    assert [r.rep.index for r in got] == list(range(n_reps))
    assert snap.last_rep is not None and snap.last_rep.startswith(f"rep {n_reps}: ")
    for live in got:  # frames are the analyzer's frame indices, times its seconds
        r = live.rep
        assert r.start_frame < r.bottom_frame < r.end_frame
        assert r.bottom_s == pytest.approx(r.bottom_frame / 30)
        assert live.check is not None and {p.position for p in live.check.positions} == {
            "start", "bottom"}


def test_live_count_equals_the_clip_count_on_the_same_keypoints() -> None:
    """The live path (causal) and the clip path (offline) share the state machine."""
    from coach.core.angles import angle_traces
    from coach.core.smoothing import smooth_keypoints
    from coach.reps.segment import reps_from_angles

    estimator, n_frames = _squat_set_estimator(3)
    frames = [estimator.estimate(blank_frame())[0].keypoints for _ in range(n_frames)]
    kp = smooth_keypoints(Keypoints.stack(frames), fps=30.0, cutoff_hz=3.0)
    offline = reps_from_angles(angle_traces(kp, use_3d=False), "squat", fps=30.0)
    estimator.reset()
    analyzer = LiveAnalyzer(estimator, Settings(), lift="squat")
    for i in range(n_frames):
        analyzer.process(blank_frame(), i / 30)
    assert analyzer.snapshot().rep_count == len(offline) == 3


def test_no_lift_means_no_counting_and_stop_counts_a_last_lockout() -> None:
    estimator, n_frames = _squat_set_estimator(2)
    plain = LiveAnalyzer(estimator, Settings(), lift=None)
    for i in range(n_frames):
        plain.process(blank_frame(), i / 30)
    assert plain.snapshot().rep_count == 0 and plain.snapshot().rep_lift is None
    # Cut the stream while the lifter holds the last lockout (before the 0.3 s hold is over):
    # the STOP still counts it.
    estimator.reset()
    got = []
    cut = LiveAnalyzer(estimator, Settings(), lift="squat", rep_sink=got.append)
    for i in range(20 + 2 * 45 - 2):
        cut.process(blank_frame(), i / 30)
    before = cut.snapshot().rep_count
    cut.close()
    assert (before, cut.snapshot().rep_count, len(got)) == (1, 2, 2)


def test_live_reps_are_stored_with_their_verdicts(store: Store) -> None:
    estimator, n_frames = _squat_set_estimator(3)
    session_id = _session(store)
    writer = StoreFrameWriter(store, session_id)
    analyzer = LiveAnalyzer(estimator, Settings(), lift="squat", sink=writer,
                            rep_sink=writer.add_rep)  # fmt: skip
    for i in range(n_frames):
        analyzer.process(blank_frame(), i / 30)
    analyzer.close()
    writer.close()
    detail = store.load_session(session_id)
    assert len(detail.frames) == n_frames and not writer.errors
    assert [r.index for r in detail.reps] == [0, 1, 2]
    assert all(r.verdict.startswith(f"rep {r.index + 1}: ") for r in detail.reps)
    assert all(r.start_s < r.bottom_s < r.end_s for r in detail.reps)


def test_auto_lift_counts_once_the_vote_agrees() -> None:
    estimator, n_frames = _squat_set_estimator(3)
    analyzer = LiveAnalyzer(estimator, Settings(), lift="auto")
    for i in range(n_frames):
        analyzer.process(blank_frame(), i / 30)
    snap = analyzer.snapshot()
    assert snap.lift == "squat" and snap.rep_lift == "squat"
    assert snap.rep_count == 3


def test_the_team_gold_set_at_start_is_in_force_on_the_worker_thread() -> None:
    """streamlit-webrtc calls `process` on its own thread, where the page's team-gold context is
    not set: the analyzer carries the gold it was given and sets it around each frame."""
    from coach.form.gold import TeamGold, active_team_gold

    seen: list[TeamGold] = []

    class Spy(ReplayEstimator):
        def estimate(self, image_bgr: np.ndarray) -> list:  # type: ignore[override]
            seen.append(active_team_gold())
            return super().estimate(image_bgr)

    team = TeamGold((7,), ({"info": {"lift": "squat"}},))
    analyzer = LiveAnalyzer(Spy(_estimator()._frames), Settings(), lift="squat", gold=team)
    worker = threading.Thread(target=lambda: [analyzer.process(blank_frame(), i / 30)
                                              for i in range(3)])  # fmt: skip
    worker.start()
    worker.join()
    assert len(seen) >= 3 and all(g == team for g in seen)
    assert active_team_gold() == TeamGold(), "the gold must not leak out of the frame"
    plain = LiveAnalyzer(Spy(_estimator()._frames), Settings(), lift=None)
    plain.process(blank_frame(), 0.0)
    assert seen[-1] == TeamGold()


def test_a_live_deadlift_from_the_floor_is_counted_and_judged(fixtures: Path) -> None:
    """The first pull starts at the floor, so the most open frame since the last bottom is its
    lockout, after its bottom: the faults' window once started there and crashed the stream
    (IndexError from the view estimate). The clip path counts 2 reps here."""
    from coach.media.video import iter_frames
    from coach.pose.mediapipe_backend import MediaPipeEstimator

    clip = fixtures / "gym-app-ai_TheSebitzu/videos/videos__deadlift.mp4"
    got: list[Any] = []
    with MediaPipeEstimator(video=True, others_every=10) as est:
        analyzer = LiveAnalyzer(est, Settings(), lift="deadlift", rep_sink=got.append)
        for frame in iter_frames(clip, target_fps=30, max_side_px=640):
            analyzer.process(frame.bgr, frame.t_s)
    assert [r.rep.index for r in got] == [0, 1]
    for live in got:
        assert live.faults, "each rep is judged against the deadlift catalogue"
        assert live.rep.start_frame <= live.rep.bottom_frame <= live.rep.end_frame


def test_rep_faults_refuses_frames_out_of_order() -> None:
    from coach.live.rep_tracker import rep_faults

    with pytest.raises(ValueError, match="out of order"):
        rep_faults("deadlift", {}, 10, 5, 20)


def test_a_failing_rep_check_is_reported_and_the_stream_goes_on(monkeypatch) -> None:
    from coach.live import rep_tracker

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise IndexError("a bug")

    monkeypatch.setattr(rep_tracker.LiveRepTracker, "update", broken)
    analyzer = LiveAnalyzer(_estimator(), Settings(), lift="squat")
    for i in range(3):
        out = analyzer.process(blank_frame(), i / 30)
        assert out.shape == blank_frame().shape
    snap = analyzer.snapshot()
    assert snap.frames_processed == 3
    assert snap.last_error == "the rep check failed on this frame; the stream goes on"
