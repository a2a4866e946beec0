"""Sessions page: find a session by athlete and date, review its angles, reps and flags, and
export it (frames, and per rep)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import streamlit as st

from coach.bar.export import reps_csv_from_json
from coach.core.errors import LiftCoachError
from coach.store.checks import bar_document_problem
from ui import charts, loaders, state, tables
from ui.text import plain

st.title("🗂️ Sessions")
try:
    store = loaders.store()
    everything = store.list_sessions()
except LiftCoachError as exc:
    st.error(str(exc))
    st.stop()
if not everything:
    st.info("No sessions yet that you may see: analyse a photo or a clip, or start the live "
            "coach first.")
    st.stop()

left, right = st.columns(2)
athlete = left.selectbox("Athlete", ["everyone", *sorted({s.athlete for s in everything})],
                         key="sessions.athlete")
first_day = min(s.date for s in everything)
days = right.date_input("Started between", (first_day, max(date.today(), first_day)),
                        key="sessions.days")
picked = days if isinstance(days, tuple) else (days,)
since = datetime.combine(picked[0], time.min, UTC) if picked else None
until = datetime.combine(picked[-1] + timedelta(days=1), time.min, UTC) if picked else None
try:
    sessions = store.list_sessions(athlete=None if athlete == "everyone" else athlete,
                                   since=since, until=until)
except LiftCoachError as exc:
    st.error(str(exc))
    st.stop()
st.dataframe(tables.sessions_table(sessions), hide_index=True, key="sessions.list")
if not sessions:
    st.info("No session matches these filters.")
    st.stop()

labels = {s.id: f"#{s.id} · {s.athlete} · {s.kind} · {s.started_at:%Y-%m-%d %H:%M} · "
                f"{s.frame_count} frames, {s.flag_count} flags" for s in sessions}
session_id = st.selectbox("Open session", list(labels), format_func=labels.__getitem__,
                          key=state.SESSIONS_OPEN)
# A shared link (?session=ID) opens that session; the store refuses ids the viewer may not see
# exactly as it refuses ids that do not exist.
typed = str(st.query_params.get("session", ""))
if typed:
    if not typed.isdigit() or len(typed) > 18:
        st.error("The session in the address must be a number, like ?session=12.")
        st.stop()
    session_id = int(typed)
try:
    detail = store.load_session(session_id)
    thumbnails = tables.flag_thumbnails(store, detail)
except LiftCoachError as exc:
    st.error(str(exc))
    st.stop()

st.header(f"Session #{detail.id}: {plain(detail.athlete)}, {detail.kind}")
a, b, r, c, d = st.columns(5)
a.metric("Lift", detail.lift or "—")
b.metric("Frames", len(detail.frames))
r.metric("Reps", len(detail.reps))
c.metric("Flags", len(detail.flags))
d.metric("Backend", detail.backend or "—")
if detail.notes:
    st.text(detail.notes)  # plain text, never Markdown
if any(f.angles_deg for f in detail.frames):
    st.plotly_chart(charts.session_traces(detail), key="sessions.traces")
else:
    st.info("No joint angles were measured in this session.")

if detail.reps:
    st.subheader("Reps")
    st.dataframe(tables.session_reps_table(detail), hide_index=True, key="sessions.reps")

bar_problem = None if detail.bar is None else bar_document_problem(detail.bar)
if bar_problem is not None:
    st.warning(f"This session's bar path cannot be shown: {bar_problem}. The rest of the "
               "session is intact.")
elif detail.bar is not None:
    bar = detail.bar["bar"]
    st.subheader("Bar path and speed")
    st.caption(f"Bar speeds: {bar['label']}. Scale from {bar['plate_diameter_mm']:.0f} mm "
               "plates; \"wrists\" means the bar was not seen and the hands stand in.")
    st.plotly_chart(charts.bar_path(**detail.bar["chart"]), key="sessions.bar")
    st.dataframe(tables.bar_reps_table(bar), hide_index=True, key="sessions.bar_reps")
    st.download_button("Download bar speeds CSV", reps_csv_from_json(bar),
                       f"liftcoach-session-{detail.id}-bar.csv", "text/csv",
                       key="sessions.bar_csv")

st.subheader("Flags")
flags = tables.session_flags_table(detail, thumbnails)
if flags.empty:
    st.success("Nothing was flagged in this session.")
else:
    st.dataframe(flags, hide_index=True, key="sessions.flags", column_config={
        "thumbnail": st.column_config.ImageColumn("frame", width="small"),
        "confidence": st.column_config.ProgressColumn("confidence", min_value=0, max_value=1),
    })
    by_id = {f.id: f for f in detail.flags if f.id is not None}
    if store.viewer.is_athlete:
        st.caption("Your coach reviews these flags; their verdicts show in the table.")
    else:
        with st.form("sessions.review", clear_on_submit=False):
            st.markdown("**Review a flag**")
            flag_id = st.selectbox("Flag", list(by_id),
                                   format_func=lambda i: tables.flag_label(by_id[i]))
            verdict = st.radio("Verdict", ["accept", "reject"], horizontal=True)
            note = st.text_input("Note for the athlete (optional)")
            if st.form_submit_button("Save verdict"):
                try:
                    store.set_verdict(flag_id, accepted=verdict == "accept", note=note)
                except LiftCoachError as exc:
                    st.error(str(exc))
                    st.stop()
                st.rerun()

st.subheader("Export")
try:
    csv_bytes = store.export_csv(detail.id)
    json_text = json.dumps(store.export_json(detail.id), indent=2)
except LiftCoachError as exc:
    st.error(str(exc))
    st.stop()
x, y = st.columns(2)
x.download_button("Download CSV", csv_bytes, f"liftcoach-session-{detail.id}.csv", "text/csv",
                  key="sessions.csv")
y.download_button("Download JSON", json_text, f"liftcoach-session-{detail.id}.json",
                  "application/json", key="sessions.json")
if detail.reps:
    try:
        reps_csv = store.export_reps_csv(detail.id)
        reps_json = json.dumps(store.export_reps_json(detail.id), indent=2)
    except LiftCoachError as exc:
        st.error(str(exc))
        st.stop()
    x.download_button("Download reps CSV", reps_csv, f"liftcoach-session-{detail.id}-reps.csv",
                      "text/csv", key="sessions.reps_csv")
    y.download_button("Download reps JSON", reps_json,
                      f"liftcoach-session-{detail.id}-reps.json", "application/json",
                      key="sessions.reps_json")
