"""The live (webcam) engine: analyse frames as they come, draw them, measure, and record them.

Streamlit-free so it runs under pytest, a CLI or any worker thread. The Live page wraps it in a
streamlit-webrtc frame callback. This module is the engine's public face; the code lives in:

- `coach.live_state`: the frame, flag and snapshot types (`LiveFrame`, `LiveFlag`,
  `LiveState`), the sink types and the lock-guarded counters a snapshot is copied from.
- `coach.live_analyzer`: `LiveAnalyzer` (the freshest-frame policy, thumbnails, rep counting
  on "auto") and `thumbnail_jpeg`.
- `coach.live_writer`: `StoreFrameWriter`, the sink that stores frames and reps on its own
  thread.
- `coach.live_recorder`: `LiveRecorder`, one stream's lifecycle (an analyzer per start).
- `coach.live_reps`: rep counting, made causal (`LiveRepTracker`, `LiveRep`).
"""

from __future__ import annotations

from coach.live_analyzer import (
    AUTO_LIFT_MIN_SHARE,
    AUTO_LIFT_MIN_VOTES,
    COUNTED_LIFTS,
    THUMBNAIL_EVERY_S,
    THUMBNAIL_WIDTH_PX,
    ClosableEstimator,
    LiveAnalyzer,
    thumbnail_jpeg,
)
from coach.live_recorder import LiveRecorder
from coach.live_reps import LiveRep
from coach.live_state import (
    LIFT_VOTE_FRAMES,
    STATS_FRAMES,
    TRACE_FRAMES,
    FrameSink,
    LiveFlag,
    LiveFrame,
    LiveState,
    RepSink,
)
from coach.live_writer import StoreFrameWriter

__all__ = [
    "AUTO_LIFT_MIN_SHARE",
    "AUTO_LIFT_MIN_VOTES",
    "COUNTED_LIFTS",
    "LIFT_VOTE_FRAMES",
    "STATS_FRAMES",
    "THUMBNAIL_EVERY_S",
    "THUMBNAIL_WIDTH_PX",
    "TRACE_FRAMES",
    "ClosableEstimator",
    "FrameSink",
    "LiveAnalyzer",
    "LiveFlag",
    "LiveFrame",
    "LiveRecorder",
    "LiveRep",
    "LiveState",
    "RepSink",
    "StoreFrameWriter",
    "thumbnail_jpeg",
]
