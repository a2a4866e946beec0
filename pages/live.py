"""Live page: the webcam with the skeleton and flags drawn, the lift, a cue, the rep count and
the last rep's verdict (optionally spoken), live angle traces, and the measured speed. Who the
lifter is and why, and a picture of the live view to click on when it is the wrong person.
Every analysed frame and counted rep is saved to a new live session per START."""

from __future__ import annotations

import math

import streamlit as st

from coach.core.errors import LiftCoachError
from coach.lift.classify import LIFT_NAMES
from ui import auth, charts, live, loaders, state, tables

# How often the panel beside the video refreshes while streaming.
REFRESH_S = 1.0

st.title("🎥 Live coach")
st.caption(
    "Press START to use your camera. Only the newest frame is ever analysed, so what you see "
    "never lags behind; the numbers below are measured on the server."
)
settings = loaders.settings()
try:
    store = loaders.store()
except LiftCoachError as exc:
    st.error(str(exc))
    st.stop()
rec, config = live.recorder(settings, store)
left, right = st.columns(2)
athlete = auth.athlete_input(left, "live.athlete")
lift = right.selectbox("Lift", ["auto", *LIFT_NAMES], key="live.lift",
                       format_func=lambda v: "detect automatically" if v == "auto" else v)
config.update(athlete, lift, loaders.current_team_gold())  # read by the worker at START
speak = st.checkbox("Speak the rep count and the cue", key=state.LIVE_SPEAK,
                    help="Your browser's speech; it speaks only when the count or cue changes.")

video_col, panel_col = st.columns([3, 2])
with video_col:
    status = live.streamer(settings, rec, config)
    if status.error:
        st.error(status.error)
    if status.session_id is not None:
        st.caption(f"Recording to session #{status.session_id} (see the Sessions page).")


def _ms(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.0f} ms"


@st.fragment
def lifter_picker() -> None:
    """A picture of the live view to click the lifter on. Not polled: it reruns only on its
    own widgets (opening it, a click, "newest picture"); a second polling fragment cost the
    stream a quarter of its analysed frames in the browser test."""
    live.lifter_picker(rec)


@st.fragment(run_every=REFRESH_S if status.playing else None)
def panel() -> None:
    """Polls the recorder's lock-protected snapshot; never touches the worker's objects."""
    snap = rec.snapshot()
    if snap is None:
        st.info("Waiting for the first frame…" if status.playing else "Not started.")
        return
    a, b, r = st.columns(3)
    a.metric("Lift", snap.lift, f"{snap.lift_confidence:.0%} of recent frames",
             delta_color="off", delta_arrow="off")
    b.metric("Camera view", snap.view or "—")
    r.metric("Reps", snap.rep_count, snap.rep_lift or "waiting for the lift",
             delta_color="off", delta_arrow="off")
    if snap.last_rep:
        st.info(f"**Last rep:** {snap.last_rep}")
    if snap.rep_faults:
        st.dataframe(tables.rep_faults_table(snap.rep_faults), hide_index=True,
                     key="live.faults")
    text = live.utterance(snap, st.session_state.setdefault(state.LIVE_SPOKEN, {}))
    if speak and text:
        live.speak(text)
    if snap.top_cue:
        st.warning(f"**Cue:** {snap.top_cue}")
    else:
        st.success("No joint flagged on the latest frame.")
    c, d, e = st.columns(3)
    c.metric("Frames / s", f"{snap.fps:.1f}")
    d.metric("Latency p50", _ms(snap.latency_p50_ms))
    e.metric("Latency p95", _ms(snap.latency_p95_ms))
    st.markdown(
        f"Frames analysed: **{snap.frames_processed}** · with a skeleton: "
        f"**{snap.frames_with_person}** · stale frames skipped: {snap.frames_skipped_stale}"
    )
    if snap.last_error:
        st.caption(f"Last frame error: {snap.last_error}")
    line = live.lifter_line(snap)
    if line:
        st.caption(line)
    if snap.traces:
        st.plotly_chart(charts.live_traces(snap), key="live.traces")


with video_col:
    if status.playing:
        lifter_picker()
with panel_col:
    panel()
