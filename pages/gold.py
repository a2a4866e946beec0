"""Gold standards page: the gold pose of each lift from each view, and the coach's own."""

from __future__ import annotations

import streamlit as st

from coach.core.errors import LiftCoachError
from coach.lift.classify import LIFT_NAMES
from coach.pipeline import gold_photo as gold
from coach.render.canvas import skeleton_canvas
from ui import loaders

st.title("🥇 Gold standards")
st.caption(
    "Each lift is judged against gold poses of good form seen from the front, left and right. "
    "Replace a view with a pose from your own reference photo; it is saved under the data "
    "folder and used from the next analysis on."
)
settings = loaders.settings()
override_dir = loaders.gold_override_dir()
left, right = st.columns(2)
lift = left.selectbox("Lift", list(LIFT_NAMES), key="gold.lift")
try:
    from coach.form.gold import load_gold

    gold_set = load_gold(lift, override_dir=override_dir)
except LiftCoachError as exc:
    st.error(str(exc))
    st.stop()
phase = right.selectbox("Phase", list(gold_set.phases), key="gold.phase")

for view, col in zip(gold_set.views, st.columns(len(gold_set.views)), strict=True):
    with col:
        st.subheader(view)
        try:
            pose = gold_set.pose(view, phase)
        except LiftCoachError as exc:
            st.error(str(exc))
            continue
        st.image(skeleton_canvas(pose.keypoints), caption=f"{lift} · {view} · {phase}")
        st.dataframe(
            {"angle": [n.replace("_", " ") for n in pose.angles_deg],
             "degrees": [round(v, 1) for v in pose.angles_deg.values()]},
            hide_index=True, key=f"gold.angles.{view}",
        )

st.header("Use your own reference photo")
with st.form("gold.replace"):
    a, b = st.columns(2)
    view = a.selectbox("View to replace", list(gold_set.views))
    st.caption(f"Lift: {lift} · phase: {phase} (choose them above)")
    photo = b.file_uploader("Reference photo of good form", type=["jpg", "jpeg", "png", "webp"])
    submitted = st.form_submit_button("Replace this view's gold", type="primary")
if submitted:
    if photo is None:
        st.error("Choose a reference photo first.")
        st.stop()
    try:
        saved = gold.replace_gold_from_photo(
            photo.getvalue(), loaders.estimator(settings.backend), override_dir,
            lift=lift, view=view, phase=phase,
        )
    except LiftCoachError as exc:
        st.error(f"This photo cannot be used as gold: {exc}")
        st.stop()
    st.success(f"Saved the new {lift} {view} gold ({phase}) to {saved.path}.")
    st.image(skeleton_canvas(saved.keypoints), caption="new gold pose")
