"""Glue between streamlit-webrtc and `coach.live`: one recorder per browser tab.

Threads: the frame callback runs on streamlit-webrtc's worker thread and the end-of-stream
callback on aiortc's event loop, so neither touches `st.*`; everything they need (settings,
store, athlete, lift) is resolved on the script thread and captured in a `LiveConfig`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import av
import streamlit as st

from coach.core.settings import Settings
from coach.form.gold import TeamGold
from coach.live.analyzer import LiveAnalyzer
from coach.live.preview import LifterChoice, LivePreview
from coach.live.recorder import LiveRecorder
from coach.live.state import LiveState
from coach.live.writer import StoreFrameWriter
from coach.pose.base import create_estimator
from coach.store.store import Store
from ui import charts, state
from ui.text import plain

# The fake camera and most webcams deliver 640x480; asking for it keeps latency predictable.
MEDIA_CONSTRAINTS = {"video": {"width": {"ideal": 640}, "height": {"ideal": 480}}, "audio": False}


class LiveConfig:
    """What the next START records under; written by the page, read by the worker thread."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self._lock = threading.Lock()
        self._athlete = ""
        self._lift = "auto"
        self._gold = TeamGold()
        self.session_id: int | None = None

    def update(self, athlete: str, lift: str, gold: TeamGold) -> None:
        with self._lock:
            self._athlete, self._lift, self._gold = athlete.strip(), lift, gold

    def current(self) -> tuple[str, str, TeamGold]:
        with self._lock:
            return self._athlete, self._lift, self._gold


def _factory(config: LiveConfig) -> Callable[[], tuple[LiveAnalyzer, Callable[[], None]]]:
    """Builds, per START: a video-mode estimator (it tracks, so one per stream, never shared),
    a new live session, and a writer that stores every frame as it comes."""

    def build() -> tuple[LiveAnalyzer, Callable[[], None]]:
        athlete, lift, gold = config.current()
        settings, store = config.settings, config.store
        estimator = create_estimator(settings.backend, settings, live=True)
        athlete_id = store.get_or_create_athlete(athlete or "Live athlete")
        session_id = store.start_session(
            athlete_id, "live", lift=None if lift == "auto" else lift, backend=estimator.name
        )
        config.session_id = session_id
        writer = StoreFrameWriter(store, session_id)
        analyzer = LiveAnalyzer(estimator, settings, lift=lift, sink=writer,
                                rep_sink=writer.add_rep, gold=gold)
        return analyzer, writer.close

    return build


def recorder(settings: Settings, store: Store) -> tuple[LiveRecorder, LiveConfig]:
    """This tab's recorder and its config, created on first use."""
    if state.LIVE_RECORDER not in st.session_state:
        config = LiveConfig(settings, store)
        st.session_state[state.LIVE_CONFIG] = config
        st.session_state[state.LIVE_RECORDER] = LiveRecorder(_factory(config))
    return st.session_state[state.LIVE_RECORDER], st.session_state[state.LIVE_CONFIG]


def frame_callback(rec: LiveRecorder) -> Callable[[av.VideoFrame], av.VideoFrame]:
    """The webrtc video callback. With `async_processing=True` streamlit-webrtc passes it only
    the newest frame and drops the ones that arrived while it was busy (see coach.live)."""

    def callback(frame: av.VideoFrame) -> av.VideoFrame:
        bgr = frame.to_ndarray(format="bgr24")
        out = rec.process(bgr, frame.time)
        return av.VideoFrame.from_ndarray(out, format="bgr24")

    return callback


@dataclass(frozen=True)
class StreamStatus:
    """What the page shows under the video."""

    playing: bool
    session_id: int | None
    error: str | None


def streamer(settings: Settings, rec: LiveRecorder, config: LiveConfig) -> StreamStatus:
    """Render the WebRTC widget and keep the recorder in step with it."""
    import streamlit_webrtc as webrtc

    ctx = webrtc.webrtc_streamer(
        key="live",
        mode=webrtc.WebRtcMode.SENDRECV,
        rtc_configuration={"iceServers": list(settings.ice_servers)},
        media_stream_constraints=MEDIA_CONSTRAINTS,
        video_frame_callback=frame_callback(rec),
        on_video_ended=rec.stop,
        async_processing=True,
    )
    playing = bool(ctx.state.playing)
    if not playing and not ctx.state.signalling and rec.running:
        rec.stop()  # STOP pressed: end the session even if the track's end event was missed
    return StreamStatus(playing, config.session_id, rec.error)


def utterance(snap: LiveState, spoken: dict[str, object]) -> str | None:
    """What to say now: when a rep was counted, its number and the cue of its top fault
    ("3. Push the floor away ..."); None when no new rep. `spoken` (this tab's memory) is
    updated."""
    if snap.rep_count == spoken.get("count", 0):
        return None
    spoken["count"] = snap.rep_count
    parts = [str(snap.rep_count)] + ([snap.last_rep_cue] if snap.last_rep_cue else [])
    return ". ".join(parts)


def speak(text: str) -> None:
    """Say `text` once through the browser's speechSynthesis (the top page's, whose user
    clicked the checkbox, so autoplay rules allow it); the text is also left in the snippet's
    DOM (#liftcoach-speech) so tests can read what was said."""
    import streamlit.components.v1 as components

    payload = json.dumps(text)
    components.html(
        f"""<div id="liftcoach-speech">{text.replace("<", "&lt;")}</div><script>
(() => {{
  const text = {payload};
  try {{
    const w = (window.parent && window.parent.speechSynthesis) ? window.parent : window;
    const u = new w.SpeechSynthesisUtterance(text);
    w.speechSynthesis.speak(u);
  }} catch (e) {{ /* no speech in this browser: the text stays on screen */ }}
}})();
</script>""",
        height=0,
    )


def lifter_line(snap: LiveState) -> str | None:
    """Who the lifter is and why, and how many people are in view, in words (Markdown-safe)."""
    if not snap.lifter_reason or snap.preview is None:
        return None
    people = snap.preview.people
    seen = "" if any(p.lifter for p in people) else " (not in view now)"
    count = f"{len(people)} {'person' if len(people) == 1 else 'people'} in view"
    return f"Lifter: {plain(snap.lifter_reason)}{seen} · {count}"


def pick_at(rec: LiveRecorder, point: Mapping[str, Any], preview: LivePreview) -> LifterChoice:
    """A click on the picker: its axes are the stream frame's pixels (`charts.lifter_picker` is
    drawn at `preview.width_px` x `preview.height_px`), so the point goes to the analyzer as is,
    kept inside the frame, with the picture it was made on."""
    x = min(max(float(point["x"]), 0.0), float(preview.width_px))
    y = min(max(float(point["y"]), 0.0), float(preview.height_px))
    return rec.choose_lifter_at(x, y, preview)


def _on_pick(rec: LiveRecorder, key: str, preview: LivePreview, stream: int) -> None:
    """The picker's selection callback: it runs before the rerun, on the figure clicked (the
    next run may already draw a newer picture, a new element)."""
    points = st.session_state[key]["selection"]["points"]
    if points:
        st.session_state[state.LIVE_PICK_RESULT] = (stream, pick_at(rec, points[0], preview))


def lifter_picker(rec: LiveRecorder) -> None:
    """While streaming: the latest frame, everyone boxed, to click on the lifter, and what the
    last click did. The picture is read when the expander opens and on "newest picture" (it
    does not change under the cursor), and drawn only while the expander is open."""
    stream = rec.streams_started
    box = st.expander("Wrong person? Pick the lifter", key=state.LIVE_PICK_OPEN,
                      on_change="rerun")
    with box:
        done = st.session_state.get(state.LIVE_PICK_RESULT)
        if done is not None and done[0] == stream:
            (st.success if done[1].chosen else st.warning)(plain(done[1].message))
        if not box.open:
            return
        snap = rec.snapshot() if rec.running else None
        preview = None if snap is None else snap.preview
        if preview is None:
            st.caption("No picture of the live view yet.")
        else:
            n = len(preview.people)
            st.caption(f"{n} {'person' if n == 1 else 'people'} in view at {preview.t_s:.0f} s. "
                       "Click on the lifter: they stay the lifter until STOP.")
            key = f"live.pick.{stream}"
            st.plotly_chart(
                charts.lifter_picker(preview.jpeg, preview.width_px, preview.height_px),
                key=key, selection_mode="points",
                on_select=partial(_on_pick, rec, key, preview, stream))
        st.button("Show the newest picture", key="live.pick.newest")
