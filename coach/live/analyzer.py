"""The live analyzer: analyse webcam frames as they come, draw them, measure, and count reps.

Streamlit-free so it runs under pytest, a CLI or any worker thread. The Live page wraps it in a
streamlit-webrtc frame callback.

Freshest-frame policy: `LiveAnalyzer.process` is synchronous and serialised. The caller must
never queue frames for it. streamlit-webrtc's `async_processing=True` mode guarantees this: its
worker drains every frame that arrived while the previous call was busy and hands only the
LAST one to the callback (`streamlit_webrtc/process.py`, `AsyncMediaProcessTrack._worker_thread`
plus `CallbackAttachableProcessor.recv_queued`, which calls `recv(frames[-1])`). As a second
line of defence `process` skips a frame whose timestamp is not newer than the last one it
analysed, so a late, out-of-order frame can never overwrite a fresher result.

Recording: every processed frame is handed to a `FrameSink` as soon as it is analysed (e.g.
`coach.live.writer.StoreFrameWriter`).

Reps: with a lift named (or, on "auto", once the recent frames agree on one), every frame also
feeds a `coach.live.rep_tracker.LiveRepTracker` (the clip's rep segmentation, made causal). Each
counted rep is in the snapshot (`rep_count`, `last_rep`) and goes to a `RepSink` at once, e.g.
`StoreFrameWriter.add_rep`, which stores it after the frames before it.

The lifter: a `LifterKeeper` follows everyone and keeps the lifter chosen on the first frame;
about once a second the snapshot carries a small picture of the latest frame with everyone's
box (`coach.live.preview`), and a click on it (`choose_lifter_at`) makes the clicked person the
lifter from the next frame on, for the rest of the stream.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from coach.core.angles import compute_angles
from coach.core.errors import LiftCoachError, NoPersonFound
from coach.core.flags import Flag
from coach.core.settings import Settings
from coach.form.fault_gates import feet_trusted_for
from coach.form.gold import TeamGold, use_team_gold
from coach.live.preview import (
    EARLIER_STREAM,
    PREVIEW_EVERY_S,
    STREAM_ENDED,
    LifterChoice,
    LivePreview,
    choose_at,
    make_preview,
    people_in_view,
)
from coach.live.rep_tracker import LiveRep, LiveRepTracker
from coach.live.state import (
    FrameSink,
    LiveCounters,
    LiveState,
    RepSink,
    flags_of,
    frames_per_s,
    live_frame,
    percentile,
    vote_lift,
)
from coach.pipeline.annotate import annotate
from coach.pipeline.photo import FrameAnalysis, analyze_frame
from coach.pose.base import PoseEstimator, follow_lifter
from coach.pose.tracking import LifterKeeper
from coach.render.overlay import thumbnail_jpeg

# Flagged frames get a thumbnail at most this often, to keep the database small.
THUMBNAIL_EVERY_S = 0.5
# On "auto", reps are counted for the voted lift once this many recent frames voted and this
# share of them agree; before a rep is counted, a changed vote restarts the count.
AUTO_LIFT_MIN_VOTES = 15
AUTO_LIFT_MIN_SHARE = 0.6
COUNTED_LIFTS = ("squat", "deadlift", "bench")


log = logging.getLogger(__name__)


class ClosableEstimator(Protocol):
    """An estimator that holds resources (MediaPipe graphs do)."""

    def close(self) -> None: ...


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
        gold: TeamGold | None = None,
    ) -> None:
        """Args:
        estimator: made with `video=True` (one per stream: it tracks between frames).
        lift: "auto" to classify each frame, the lift the user named, or None for keypoints
            only (no form checks, no angles, no reps).
        sink: receives every processed frame (e.g. a `StoreFrameWriter`); must not block.
        clock: seconds, monotonic; injectable for tests.
        rep_sink: receives each counted rep (e.g. `StoreFrameWriter.add_rep`); must not block.
        gold: the team's gold overrides to judge against (read on the page's thread at START,
            since this runs on streamlit-webrtc's worker, where the page's context is not set);
            None = the shipped gold.
        """
        self._estimator = estimator
        self._settings = settings
        self._lift = lift
        self._sink = sink
        self._clock = clock
        self._process_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._c = LiveCounters()
        self._first_t_s: float | None = None
        self._last_t_s: float | None = None
        self._last_thumb_t_s = -np.inf
        self._last_preview_t_s = -np.inf
        self._stream_id = uuid.uuid4().hex  # marks this stream's previews (choose_lifter_at)
        self._closed = False
        self._rep_sink = rep_sink
        self._gold = gold or TeamGold()
        self._reps: LiveRepTracker | None = None
        # Everyone is tracked; the lifter picked on the first frame (or clicked) stays the
        # lifter, so someone walking past never takes over the count.
        self._keeper = LifterKeeper()
        if lift in COUNTED_LIFTS:
            self._reps = LiveRepTracker(lift, feet_trusted=feet_trusted_for(self.backend))

    def choose_lifter_at(self, x_px: float, y_px: float, on: LivePreview | None = None
                         ) -> LifterChoice:  # fmt: skip
        """Make the person at this point of a preview the lifter from the next frame on, for
        the rest of the stream; a point on nobody changes nothing.

        Args:
            x_px, y_px: the click, in the stream frame's pixels (`LivePreview.width_px`).
            on: the preview clicked on (of this stream, however old); None = the latest.

        Returns:
            Whether the lifter changed, and a message for the lifter saying what happened.
        """
        with self._process_lock:  # the keeper is the worker's: wait for the frame in hand
            if self._closed:
                return LifterChoice(False, STREAM_ENDED)
            with self._state_lock:
                latest_preview, latest = self._c.preview, self._c.processed - 1
            if on is not None and on.stream_id != self._stream_id:
                return LifterChoice(False, EARLIER_STREAM)
            preview = on or latest_preview
            choice = choose_at(self._keeper, preview, float(x_px), float(y_px), latest)
            with self._state_lock:
                self._c.lifter_reason = self._keeper.reason
            if choice.chosen and self._keeper.lifter_id is not None:
                lifter = self._keeper.tracker.tracks[self._keeper.lifter_id]
                follow_lifter(self._estimator, lifter.box)
        return choice

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
            with use_team_gold(self._gold):
                return self._process_locked(bgr, t_s - self._first_t_s)

    def _process_locked(self, bgr: NDArray[np.uint8], rel_t_s: float) -> NDArray[np.uint8]:
        started = self._clock()
        result: FrameAnalysis | None = None
        error: str | None = None
        try:
            result = analyze_frame(bgr, self._estimator, self._settings, lift=self._lift,
                                   keeper=self._keeper, frame_index=self._c.processed)
            if result.lifter_index > 0:  # a video estimator lists the one it tracks first
                follow_lifter(self._estimator, result.person.bbox_xywh)
        except NoPersonFound:
            pass
        except LiftCoachError as exc:
            # The form checks failed (e.g. no classifier model): keep drawing the skeleton and
            # recording keypoints, and say why there are no verdicts.
            error = str(exc)
            result = self._keypoints_only(bgr)
        out = annotate(bgr, result) if result is not None else bgr
        flags = flags_of(result)
        index = self._c.processed
        thumb = self._maybe_thumbnail(out, rel_t_s) if flags else None
        self._keep_preview(out, index, rel_t_s)
        elapsed_ms = (self._clock() - started) * 1000.0
        self._record(result, flags, rel_t_s, elapsed_ms, error)
        if self._sink is not None:
            self._sink(live_frame(index, rel_t_s, result, flags, thumb))
        try:
            self._count_reps(result, flags, rel_t_s)
        except Exception:  # a fault in the rep check must not end the lifter's stream
            log.exception("the rep check failed on live frame %d", index)
            with self._state_lock:
                self._c.last_error = "the rep check failed on this frame; the stream goes on"
        return out

    def _count_reps(
        self, result: FrameAnalysis | None, flags: tuple[Flag, ...], rel_t_s: float
    ) -> None:
        """Feed the rep tracker (every frame, so its frame numbers are the frames' indices)."""
        tracker = self._rep_tracker()
        if tracker is None:
            return
        angles_2d = pose = None
        if result is not None:
            kp = result.person.keypoints
            angles_2d = compute_angles(kp, use_3d=False)
            # The form check already measured the pose angles (3D when there are world points).
            pose = result.form.angles_deg if result.form is not None else compute_angles(kp)
        words = tuple(f"{f.label}: {f.reason}" for f in flags)
        kp_now = result.person.keypoints if result is not None else None
        self._emit_rep(tracker.update(rel_t_s, angles_2d, pose, words, kp_now))

    def _rep_tracker(self) -> LiveRepTracker | None:
        if self._lift != "auto":
            return self._reps
        with self._state_lock:
            votes = list(self._c.lift_votes)
        lift, share = vote_lift(votes)
        agreed = len(votes) >= AUTO_LIFT_MIN_VOTES and share >= AUTO_LIFT_MIN_SHARE
        if agreed and lift in COUNTED_LIFTS and (self._reps is None or (
                self._reps.lift != lift and self._reps.count == 0)):
            # Frames before the vote agreed are not counted; the lifter is usually setting up.
            self._reps = LiveRepTracker(lift, first_frame=self._c.processed - 1,
                                        feet_trusted=feet_trusted_for(self.backend))
        return self._reps

    def _emit_rep(self, rep: LiveRep | None) -> None:
        if rep is None or self._reps is None:
            return
        with self._state_lock:
            self._c.rep_count = self._reps.count
            self._c.last_rep = rep.feedback
            self._c.last_rep_cue = rep.top_cue
            self._c.rep_faults += tuple(
                (rep.rep.index + 1, f.fault.name, f.words(), f.confidence)
                for f in rep.faults if f.flagged
            )
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

    def _keep_preview(self, annotated: NDArray[np.uint8], index: int, rel_t_s: float) -> None:
        """About once a second, the picture the page shows for picking the lifter."""
        if rel_t_s - self._last_preview_t_s < PREVIEW_EVERY_S:
            return
        self._last_preview_t_s = rel_t_s
        preview = make_preview(annotated, index, rel_t_s, people_in_view(self._keeper, index),
                               self._stream_id)
        with self._state_lock:
            self._c.preview = preview

    def _record(
        self,
        result: FrameAnalysis | None,
        flags: tuple[Flag, ...],
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
            c.lifter_reason = self._keeper.reason
            # An error stays on screen until a frame finds the lifter again (the service is back).
            c.last_error = error or (None if result is not None else c.last_error)
            if result is None:
                return
            c.with_person += 1
            if form is not None:
                c.lift_votes.append(form.lift.label)
                c.view = form.view.view
                c.trace.append((rel_t_s, dict(form.angles_deg)))
            best = max(flags, key=lambda f: f.confidence, default=None)
            c.top_cue = None if best is None else f"{best.label}: {best.reason}"

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
            rep_cue, rep_faults = c.last_rep_cue, c.rep_faults
            preview, lifter_reason = c.preview, c.lifter_reason
        lift, share = vote_lift(votes)
        names = sorted({name for _, angles in trace for name in angles})
        return LiveState(
            lift=lift,
            lift_confidence=share,
            view=view,
            top_cue=cue,
            trace_t_s=tuple(t for t, _ in trace),
            traces={n: tuple(float(a.get(n, np.nan)) for _, a in trace) for n in names},
            fps=frames_per_s(done),
            latency_p50_ms=percentile(latencies, 50),
            latency_p95_ms=percentile(latencies, 95),
            frames_processed=counts[0],
            frames_with_person=counts[1],
            frames_skipped_stale=counts[2],
            last_error=error,
            rep_count=reps[0],
            last_rep=reps[1],
            rep_lift=reps[2] or None,
            last_rep_cue=rep_cue,
            rep_faults=rep_faults,
            preview=preview,
            lifter_reason=lifter_reason,
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
