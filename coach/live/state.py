"""The live engine's data: what one processed frame yields, the display snapshot, and the
lock-guarded counters the snapshot is read from.

Streamlit-free. `coach.live.analyzer.LiveAnalyzer` fills `LiveCounters` under its state lock
and copies them into a frozen `LiveState`; the helpers below summarise those copies and turn
an analysed frame into the `LiveFrame` its sink gets.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from coach.core.flags import Flag
from coach.core.keypoints import Keypoints
from coach.live.preview import LivePreview
from coach.live.rep_tracker import LiveRep
from coach.pipeline.photo import FrameAnalysis

# Recent frames kept for the angle traces: ~10 s at 30 fps is what a coach watches live.
TRACE_FRAMES = 300
# Latency percentiles and fps are over this many recent frames (a few seconds), so the numbers
# on screen follow what the lifter sees now rather than the warm-up.
STATS_FRAMES = 120
# The lift shown is the most common confident label over this many recent frames: one frame's
# classification flickers while the lifter moves between positions.
LIFT_VOTE_FRAMES = 45


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
    flags: tuple[Flag, ...] = ()
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
        last_rep_cue: the cue of the last rep's most confident fault (what is spoken), None
            when that rep had none.
        rep_faults: (rep number, fault name, words, confidence) of every fault found so far.
        preview: the latest frame, small, with everyone followed on it (about once a second;
            `coach.live.preview`); None before the first frame.
        lifter_reason: why the lifter is who they are ("largest near the centre on frame 0,
            tracked since frame 0", "clicked on frame 120, tracked since frame 3"); empty
            before anyone was found.
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
    last_rep_cue: str | None = None
    rep_faults: tuple[tuple[int, str, str, float], ...] = ()
    preview: LivePreview | None = None
    lifter_reason: str = ""


@dataclass
class LiveCounters:
    """The analyzer's mutable summary; read and written only under its state lock."""

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
    last_rep_cue: str | None = None
    rep_faults: tuple[tuple[int, str, str, float], ...] = ()
    preview: LivePreview | None = None
    lifter_reason: str = ""


def vote_lift(labels: list[str]) -> tuple[str, float]:
    """Most common confident label and its share of the confident frames."""
    if not labels:
        return "—", 0.0
    named = [label for label in labels if label != "unsure"]
    if not named:
        return "unsure", 0.0
    label, n = Counter(named).most_common(1)[0]
    return label, n / len(named)


def frames_per_s(done_at_s: list[float]) -> float:
    """Frames per second from the completion times (s) of recent frames; 0 with too few."""
    if len(done_at_s) < 2 or done_at_s[-1] <= done_at_s[0]:
        return 0.0
    return (len(done_at_s) - 1) / (done_at_s[-1] - done_at_s[0])


def percentile(values: list[float], q: float) -> float:
    """The `q`-th percentile (0..100) of `values`; NaN when there are none."""
    return float(np.percentile(values, q)) if values else float("nan")


def flags_of(result: FrameAnalysis | None) -> tuple[Flag, ...]:
    """The joints flagged on a frame (none without form verdicts or without a lifter)."""
    if result is None or result.form is None:
        return ()
    return tuple(result.form.flags)


def live_frame(
    index: int,
    rel_t_s: float,
    result: FrameAnalysis | None,
    flags: tuple[Flag, ...],
    thumb: bytes | None,
) -> LiveFrame:
    """What the sink gets for one processed frame (`LiveFrame`; `result` None = nobody)."""
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
