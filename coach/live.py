"""The live (webcam) engine: analyse frames as they come, draw them, measure, and record them.

Streamlit-free so it runs under pytest, a CLI or any worker thread. The Live page wraps it in a
streamlit-webrtc frame callback.

Freshest-frame policy: `LiveAnalyzer.process` is synchronous and serialised. The caller must
never queue frames for it. streamlit-webrtc's `async_processing=True` mode guarantees this: its
worker drains every frame that arrived while the previous call was busy and hands only the
LAST one to the callback (`streamlit_webrtc/process.py`, `AsyncMediaProcessTrack._worker_thread`
plus `CallbackAttachableProcessor.recv_queued`, which calls `recv(frames[-1])`). As a second
line of defence `process` skips a frame whose timestamp is not newer than the last one it
analysed, so a late, out-of-order frame can never overwrite a fresher result.

Recording: every processed frame is handed to a `FrameSink` as soon as it is analysed.
`StoreFrameWriter` is the sink that writes rows with `Store.add_frame` on its own thread, so the
database's latency never adds to the frame's, and each row is committed as it comes (closing the
tab loses nothing already analysed).

Reps: with a lift named (or, on "auto", once the recent frames agree on one), every frame also
feeds a `coach.live_reps.LiveRepTracker` (the clip's rep segmentation, made causal). Each
counted rep is in the snapshot (`rep_count`, `last_rep`) and goes to a `RepSink` at once, e.g.
`StoreFrameWriter.add_rep`, which stores it after the frames before it.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import cv2
import numpy as np
from numpy.typing import NDArray

from coach.analysis import FrameAnalysis, analyze_frame
from coach.angles import compute_angles
from coach.errors import LiftCoachError, NoPersonFound
from coach.keypoints import Keypoints
from coach.live_reps import LiveRep, LiveRepTracker
from coach.overlay import annotate, encode_jpeg
from coach.pose.base import PoseEstimator
from coach.settings import Settings

if TYPE_CHECKING:
    from coach.store import Store

log = logging.getLogger(__name__)

# Recent frames kept for the angle traces: ~10 s at 30 fps is what a coach watches live.
TRACE_FRAMES = 300
# Latency percentiles and fps are over this many recent frames (a few seconds), so the numbers
# on screen follow what the lifter sees now rather than the warm-up.
STATS_FRAMES = 120
# The lift shown is the most common confident label over this many recent frames: one frame's
# classification flickers while the lifter moves between positions.
LIFT_VOTE_FRAMES = 45
# Flagged frames get a thumbnail at most this often, to keep the database small.
THUMBNAIL_EVERY_S = 0.5
THUMBNAIL_WIDTH_PX = 240
# On "auto", reps are counted for the voted lift once this many recent frames voted and this
# share of them agree; before a rep is counted, a changed vote restarts the count.
AUTO_LIFT_MIN_VOTES = 15
AUTO_LIFT_MIN_SHARE = 0.6
COUNTED_LIFTS = ("squat", "deadlift", "bench")


@dataclass(frozen=True)
class LiveFlag:
    """One flagged joint on one frame: joint name (`Joint.name.lower()`), reason, confidence."""

    joint: str
    reason: str
    confidence: float


@dataclass(frozen=True)
class LiveFrame:
    """What the engine hands to its sink for one processed frame.

    Attributes:
        index: 0, 1, 2 ... in processing order within this live session.
        t_s: seconds since the first processed frame of the session.
        keypoints: the lifter's thresholded keypoints (T=1), None when nobody was found.
        angles_deg: joint angles by name (empty when nobody was found).
        lift: this frame's lift label (or "unsure"), None when nobody was found.
        view: this frame's estimated camera view, None when unknown.
        flags: joints flagged on this frame.
        thumbnail_jpeg: a small JPEG of the annotated frame (only on some flagged frames).
    """

    index: int
    t_s: float
    keypoints: Keypoints | None
    angles_deg: dict[str, float]
    lift: str | None
    view: str | None
    flags: tuple[LiveFlag, ...] = ()
    thumbnail_jpeg: bytes | None = None


FrameSink = Callable[[LiveFrame], None]
RepSink = Callable[[LiveRep], None]


@dataclass(frozen=True)
class LiveState:
    """A consistent snapshot of the engine for display.

    Attributes:
        lift: the lift voted over recent frames, or "unsure" / "—" (nothing seen yet).
        lift_confidence: share of recent confident frames that named that lift, in [0, 1].
        view: the latest frame's camera view, None when unknown.
        top_cue: the most confident flag of the latest frame, in words; None when nothing is
            flagged.
        trace_t_s: times (s since start) of the recent frames with a person.
        traces: angle name -> degrees at each time in `trace_t_s` (NaN where not measured).
        fps: frames processed per second over the recent window.
        latency_p50_ms, latency_p95_ms: server-side processing time per frame (pose, form,
            drawing), over the recent window.
        frames_processed: frames analysed since start.
        frames_with_person: of those, frames where a lifter was found.
        frames_skipped_stale: frames refused because they were not newer than the last one.
        last_error: the last error message a frame raised, if any.
        rep_count: reps counted so far in this stream.
        last_rep: the last counted rep's verdict in words ("rep 3: ..."), None before one.
        rep_lift: the lift reps are being counted for, None while not counting.
    """

    lift: str
    lift_confidence: float
    view: str | None
    top_cue: str | None
    trace_t_s: tuple[float, ...]
    traces: dict[str, tuple[float, ...]]
    fps: float
    latency_p50_ms: float
    latency_p95_ms: float
    frames_processed: int
    frames_with_person: int
    frames_skipped_stale: int = 0
    last_error: str | None = None
    rep_count: int = 0
    last_rep: str | None = None
    rep_lift: str | None = None


class ClosableEstimator(Protocol):
    """An estimator that holds resources (MediaPipe graphs do)."""

    def close(self) -> None: ...


@dataclass
class _Counters:
    processed: int = 0
    with_person: int = 0
    skipped_stale: int = 0
    last_error: str | None = None
    lift_votes: deque[str] = field(default_factory=lambda: deque(maxlen=LIFT_VOTE_FRAMES))
    latencies_ms: deque[float] = field(default_factory=lambda: deque(maxlen=STATS_FRAMES))
    done_at_s: deque[float] = field(default_factory=lambda: deque(maxlen=STATS_FRAMES))
    trace: deque[tuple[float, dict[str, float]]] = field(
        default_factory=lambda: deque(maxlen=TRACE_FRAMES)
    )
    view: str | None = None
    top_cue: str | None = None
    rep_count: int = 0
    last_rep: str | None = None
    rep_lift: str | None = None


class LiveAnalyzer:
    """Analyses live frames one at a time and keeps a thread-safe summary.

    `process` may be called from any thread (streamlit-webrtc calls it from its worker);
    `snapshot` from any other (the page's polling fragment). Two locks: one serialises
    processing (the video-mode estimator tracks between frames, so order matters), the other
    guards the summary, and is held only for a copy so the page never waits on the model.
    """

    def __init__(
        self,
        estimator: PoseEstimator,
        settings: Settings,
        *,
        lift: str | None = "auto",
        sink: FrameSink | None = None,
        clock: Callable[[], float] = time.perf_counter,
        rep_sink: RepSink | None = None,
    ) -> None:
        """Args:
        estimator: made with `video=True` (one per stream: it tracks between frames).
        lift: "auto" to classify each frame, the lift the user named, or None for keypoints
            only (no form checks, no angles, no reps).
        sink: receives every processed frame (e.g. a `StoreFrameWriter`); must not block.
        clock: seconds, monotonic; injectable for tests.
        rep_sink: receives each counted rep (e.g. `StoreFrameWriter.add_rep`); must not block.
        """
        self._estimator = estimator
        self._settings = settings
        self._lift = lift
        self._sink = sink
        self._clock = clock
        self._process_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._c = _Counters()
        self._first_t_s: float | None = None
        self._last_t_s: float | None = None
        self._last_thumb_t_s = -np.inf
        self._closed = False
        self._rep_sink = rep_sink
        self._reps: LiveRepTracker | None = None
        if lift in COUNTED_LIFTS:
            self._reps = LiveRepTracker(lift)

    @property
    def backend(self) -> str:
        """Name of the pose backend that runs."""
        return self._estimator.name

    def process(self, bgr: NDArray[np.uint8], t_s: float | None = None) -> NDArray[np.uint8]:
        """Analyse one frame and return it annotated (the input itself when skipped).

        Args:
            bgr: (H, W, 3) uint8 frame.
            t_s: the frame's capture time in seconds (any origin, increasing); None uses the
                engine's clock.

        Returns:
            (H, W, 3) uint8 frame with the skeleton and flagged joints drawn.
        """
        with self._process_lock:
            if self._closed:
                return bgr
            t_s = self._clock() if t_s is None else float(t_s)
            if self._last_t_s is not None and t_s <= self._last_t_s:
                with self._state_lock:
                    self._c.skipped_stale += 1
                return bgr
            self._last_t_s = t_s
            if self._first_t_s is None:
                self._first_t_s = t_s
            return self._process_locked(bgr, t_s - self._first_t_s)

    def _process_locked(self, bgr: NDArray[np.uint8], rel_t_s: float) -> NDArray[np.uint8]:
        started = self._clock()
        result: FrameAnalysis | None = None
        error: str | None = None
        try:
            result = analyze_frame(bgr, self._estimator, self._settings, lift=self._lift)
        except NoPersonFound:
            pass
        except LiftCoachError as exc:
            # The form checks failed (e.g. no classifier model): keep drawing the skeleton and
            # recording keypoints, and say why there are no verdicts.
            error = str(exc)
            result = self._keypoints_only(bgr)
        out = annotate(bgr, result) if result is not None else bgr
        flags = _flags_of(result)
        index = self._c.processed
        thumb = self._maybe_thumbnail(out, rel_t_s) if flags else None
        elapsed_ms = (self._clock() - started) * 1000.0
        self._record(result, flags, rel_t_s, elapsed_ms, error)
        if self._sink is not None:
            self._sink(_live_frame(index, rel_t_s, result, flags, thumb))
        self._count_reps(result, flags, rel_t_s)
        return out

    def _count_reps(
        self, result: FrameAnalysis | None, flags: tuple[LiveFlag, ...], rel_t_s: float
    ) -> None:
        """Feed the rep tracker (every frame, so its frame numbers are the frames' indices)."""
        tracker = self._rep_tracker()
        if tracker is None:
            return
        angles_2d = pose = None
        if result is not None:
            kp = result.person.keypoints
            angles_2d, pose = compute_angles(kp, use_3d=False), compute_angles(kp)
        words = tuple(f"{f.joint.replace('_', ' ')}: {f.reason}" for f in flags)
        self._emit_rep(tracker.update(rel_t_s, angles_2d, pose, words))

    def _rep_tracker(self) -> LiveRepTracker | None:
        if self._lift != "auto":
            return self._reps
        with self._state_lock:
            votes = list(self._c.lift_votes)
        lift, share = _vote_lift(votes)
        agreed = len(votes) >= AUTO_LIFT_MIN_VOTES and share >= AUTO_LIFT_MIN_SHARE
        if agreed and lift in COUNTED_LIFTS and (self._reps is None or (
                self._reps.lift != lift and self._reps.count == 0)):
            # Frames before the vote agreed are not counted; the lifter is usually setting up.
            self._reps = LiveRepTracker(lift, first_frame=self._c.processed - 1)
        return self._reps

    def _emit_rep(self, rep: LiveRep | None) -> None:
        if rep is None or self._reps is None:
            return
        with self._state_lock:
            self._c.rep_count = self._reps.count
            self._c.last_rep = rep.feedback
            self._c.rep_lift = self._reps.lift
        if self._rep_sink is not None:
            self._rep_sink(rep)

    def _keypoints_only(self, bgr: NDArray[np.uint8]) -> FrameAnalysis | None:
        try:
            return analyze_frame(bgr, self._estimator, self._settings, lift=None)
        except LiftCoachError:
            return None

    def _maybe_thumbnail(self, annotated: NDArray[np.uint8], rel_t_s: float) -> bytes | None:
        if rel_t_s - self._last_thumb_t_s < THUMBNAIL_EVERY_S:
            return None
        self._last_thumb_t_s = rel_t_s
        return thumbnail_jpeg(annotated)

    def _record(
        self,
        result: FrameAnalysis | None,
        flags: tuple[LiveFlag, ...],
        rel_t_s: float,
        elapsed_ms: float,
        error: str | None,
    ) -> None:
        form = None if result is None else result.form
        with self._state_lock:
            c = self._c
            c.processed += 1
            c.latencies_ms.append(elapsed_ms)
            c.done_at_s.append(self._clock())
            c.last_error = error or c.last_error
            if result is None:
                return
            c.with_person += 1
            if form is not None:
                c.lift_votes.append(form.lift.label)
                c.view = form.view.view
                c.trace.append((rel_t_s, dict(form.angles_deg)))
            best = max(flags, key=lambda f: f.confidence, default=None)
            c.top_cue = None if best is None else f"{best.joint.replace('_', ' ')}: {best.reason}"

    def snapshot(self) -> LiveState:
        """A consistent copy of the summary (cheap; safe from any thread)."""
        with self._state_lock:
            c = self._c
            votes = list(c.lift_votes)
            latencies = list(c.latencies_ms)
            done = list(c.done_at_s)
            trace = list(c.trace)
            counts = (c.processed, c.with_person, c.skipped_stale)
            view, cue, error = c.view, c.top_cue, c.last_error
            reps = (c.rep_count, c.last_rep, c.rep_lift or (self._reps and self._reps.lift))
        lift, share = _vote_lift(votes)
        names = sorted({name for _, angles in trace for name in angles})
        return LiveState(
            lift=lift,
            lift_confidence=share,
            view=view,
            top_cue=cue,
            trace_t_s=tuple(t for t, _ in trace),
            traces={n: tuple(float(a.get(n, np.nan)) for _, a in trace) for n in names},
            fps=_fps(done),
            latency_p50_ms=_percentile(latencies, 50),
            latency_p95_ms=_percentile(latencies, 95),
            frames_processed=counts[0],
            frames_with_person=counts[1],
            frames_skipped_stale=counts[2],
            last_error=error,
            rep_count=reps[0],
            last_rep=reps[1],
            rep_lift=reps[2] or None,
        )

    def close(self) -> None:
        """Stop accepting frames and free the estimator. Safe to call twice."""
        with self._process_lock:
            if self._closed:
                return
            self._closed = True
            if self._reps is not None:
                self._emit_rep(self._reps.finish())  # a lockout the STOP cut short counts
        closer: Any = getattr(self._estimator, "close", None)
        if callable(closer):
            closer()


def _flags_of(result: FrameAnalysis | None) -> tuple[LiveFlag, ...]:
    if result is None or result.form is None:
        return ()
    return tuple(
        LiveFlag(f.joint.name.lower(), f.reason, float(f.confidence)) for f in result.form.flags
    )


def _live_frame(
    index: int,
    rel_t_s: float,
    result: FrameAnalysis | None,
    flags: tuple[LiveFlag, ...],
    thumb: bytes | None,
) -> LiveFrame:
    if result is None:
        return LiveFrame(index, rel_t_s, None, {}, None, None)
    form = result.form
    return LiveFrame(
        index=index,
        t_s=rel_t_s,
        keypoints=result.person.keypoints,
        angles_deg={} if form is None else dict(form.angles_deg),
        lift=None if form is None else form.lift.label,
        view=None if form is None else form.view.view,
        flags=flags,
        thumbnail_jpeg=thumb,
    )


def _vote_lift(labels: list[str]) -> tuple[str, float]:
    """Most common confident label and its share of the confident frames."""
    if not labels:
        return "—", 0.0
    named = [label for label in labels if label != "unsure"]
    if not named:
        return "unsure", 0.0
    label, n = Counter(named).most_common(1)[0]
    return label, n / len(named)


def _fps(done_at_s: list[float]) -> float:
    if len(done_at_s) < 2 or done_at_s[-1] <= done_at_s[0]:
        return 0.0
    return (len(done_at_s) - 1) / (done_at_s[-1] - done_at_s[0])


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def thumbnail_jpeg(bgr: NDArray[np.uint8], width_px: int = THUMBNAIL_WIDTH_PX) -> bytes:
    """A small JPEG of a frame, `width_px` wide, keeping the aspect ratio."""
    height, width = bgr.shape[:2]
    if width > width_px:
        size = (width_px, max(1, round(height * width_px / width)))
        bgr = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA).astype(np.uint8)
    return encode_jpeg(bgr, quality=80)


_STOP = object()


class StoreFrameWriter:
    """A `FrameSink` that writes each frame to a stored session on its own thread.

    Frames are queued (never dropped: every analysed frame is recorded) and committed one by
    one, so rows appear in the database within milliseconds of being analysed. `close` waits for
    the queue to drain and ends the session.
    """

    def __init__(self, store: Store, session_id: int) -> None:
        self.store = store
        self.session_id = session_id
        self._queue: queue.Queue[object] = queue.Queue()
        self._lock = threading.Lock()
        self._written = 0
        self._errors: list[str] = []
        self._closed = False
        self._thread = threading.Thread(
            target=self._run, name=f"liftcoach-live-writer-{session_id}", daemon=True
        )
        self._thread.start()

    def __call__(self, frame: LiveFrame) -> None:
        """Queue one frame for writing (returns at once)."""
        self._queue.put(frame)

    @property
    def written(self) -> int:
        """Frames committed so far."""
        with self._lock:
            return self._written

    @property
    def errors(self) -> tuple[str, ...]:
        """Messages of writes the database refused."""
        with self._lock:
            return tuple(self._errors)

    def add_rep(self, rep: LiveRep) -> None:
        """Queue one counted rep (a `RepSink`); it is stored after the frames queued before it,
        so `Store.add_rep` attaches their flags to it."""
        self._queue.put(rep)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            assert isinstance(item, LiveFrame | LiveRep)
            try:
                self._write(item)
            except LiftCoachError as exc:  # StorageError: keep the stream going, report it
                what = f"frame {item.index}" if isinstance(item, LiveFrame) else "rep"
                log.warning("live %s not stored: %s", what, exc)
                with self._lock:
                    self._errors.append(str(exc))
                continue
            if isinstance(item, LiveFrame):
                with self._lock:
                    self._written += 1

    def _write(self, item: LiveFrame | LiveRep) -> None:
        from coach.store.records import FlagRecord

        if isinstance(item, LiveRep):
            r = item.rep
            self.store.add_rep(self.session_id, index=r.index, start_s=r.start_s,
                               bottom_s=r.bottom_s, end_s=r.end_s, verdict=item.feedback)
            return
        self.store.add_frame(
            self.session_id,
            index=item.index,
            t_s=item.t_s,
            keypoints=item.keypoints,
            angles_deg=item.angles_deg,
            lift=item.lift,
            view=item.view,
            thumbnail_jpeg=item.thumbnail_jpeg,
            flags=[FlagRecord(f.joint, f.reason, f.confidence) for f in item.flags],
        )

    def close(self, timeout_s: float = 30.0) -> None:
        """Write what is queued, then end the session. Safe to call twice."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._queue.put(_STOP)
        self._thread.join(timeout_s)
        try:
            self.store.end_session(self.session_id)
        except LiftCoachError as exc:
            log.warning("live session %d not closed cleanly: %s", self.session_id, exc)


class LiveRecorder:
    """One live stream's lifecycle: a new analyzer (and stored session) per start.

    The first frame after a start builds a `LiveAnalyzer` with `factory`; `stop` (the stream
    ended: STOP pressed, tab closed, connection lost) closes it and its sink. The last
    analyzer's snapshot stays readable after the stop, so the page can still show it.
    Thread-safe: frames come from the WebRTC worker, `stop` from the event loop or the page.
    """

    def __init__(self, factory: Callable[[], tuple[LiveAnalyzer, Callable[[], None]]]) -> None:
        """Args:
        factory: returns a fresh analyzer and a function that releases what it holds
            (closes the writer and ends the session).
        """
        self._factory = factory
        self._lock = threading.Lock()
        self._analyzer: LiveAnalyzer | None = None
        self._release: Callable[[], None] | None = None
        self._last: LiveAnalyzer | None = None
        self._sessions = 0
        self._error: str | None = None

    def process(self, bgr: NDArray[np.uint8], t_s: float | None = None) -> NDArray[np.uint8]:
        """Analyse a frame of the current stream, starting one if none is running."""
        with self._lock:
            if self._analyzer is None:
                try:
                    self._analyzer, self._release = self._factory()
                except LiftCoachError as exc:
                    # The stream cannot be analysed (no backend, no database): show the
                    # camera as is and let the page say why, rather than killing the stream.
                    self._error = str(exc)
                    return bgr
                self._error = None
                self._last = self._analyzer
                self._sessions += 1
            analyzer = self._analyzer
        return analyzer.process(bgr, t_s)

    @property
    def error(self) -> str | None:
        """Why the current stream could not start, if it could not."""
        with self._lock:
            return self._error

    def stop(self) -> None:
        """End the current stream (if any): close the analyzer and release its session."""
        with self._lock:
            analyzer, release = self._analyzer, self._release
            self._analyzer, self._release = None, None
        if analyzer is not None:
            analyzer.close()
        if release is not None:
            release()

    @property
    def running(self) -> bool:
        """Whether a stream is being analysed now."""
        with self._lock:
            return self._analyzer is not None

    @property
    def streams_started(self) -> int:
        """How many streams (sessions) this recorder has started."""
        with self._lock:
            return self._sessions

    def snapshot(self) -> LiveState | None:
        """The current (or last) stream's state; None before the first frame."""
        with self._lock:
            analyzer = self._last
        return None if analyzer is None else analyzer.snapshot()
