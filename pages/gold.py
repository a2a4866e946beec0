"""Gold standards page: the gold pose of each lift from each view, and the team's own.

A coach replaces a view with a pose from their own reference photo; it is stored in the
database for their team (who, when), used by every app instance, and can be reverted.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from coach.core.errors import LiftCoachError
from coach.form.gold import load_gold
from coach.lift.classify import LIFT_NAMES
from coach.pipeline import gold_photo as gold
from coach.render.canvas import skeleton_canvas
from coach.store.accounts import Accounts
from coach.store.gold import TeamGoldStore
from ui import loaders
from ui.text import plain

st.title("🥇 Gold standards")
st.caption(
    "Each lift is judged against gold poses of good form seen from the front, left and right. "
    "A coach replaces a view with a pose from their own reference photo: it is kept for their "
    "team, used from the next analysis on, and can be reverted to the shipped gold."
)
settings = loaders.settings()
try:
    store = loaders.store()
    team_store = TeamGoldStore(store)
    teams = {t.id: t.name for t in Accounts(store).teams()}
    team_id = team_store.team_id()
except LiftCoachError as exc:
    st.error(str(exc))
    st.stop()
left, mid, right = st.columns(3)
lift = left.selectbox("Lift", list(LIFT_NAMES), key="gold.lift")
if store.viewer.is_admin and teams:
    team_id = mid.selectbox("Team", list(teams), format_func=teams.__getitem__, key="gold.team")
try:
    current = team_store.current(team_id, lift) if team_id is not None else []
    gold_set = load_gold(lift, override_dir=loaders.gold_override_dir(),
                         overrides=[o.document for o in current])  # fmt: skip
except LiftCoachError as exc:
    st.error(str(exc))
    st.stop()
if team_id is not None:
    mid.text(f"Team: {teams.get(team_id, team_id)}")
phase = right.selectbox("Phase", list(gold_set.phases), key="gold.phase")

for view, col in zip(gold_set.views, st.columns(len(gold_set.views)), strict=True):
    with col:
        st.subheader(view)
        pose = gold_set.pose(view, phase)
        st.image(skeleton_canvas(pose.keypoints), caption=f"{lift} · {view} · {phase}")
        st.dataframe(
            {"angle": [n.replace("_", " ") for n in pose.angles_deg],
             "degrees": [round(v, 1) for v in pose.angles_deg.values()]},
            hide_index=True, key=f"gold.angles.{view}",
        )

coaches_team = team_id is not None and (store.viewer.is_admin or team_id in
                                        store.viewer.coached_team_ids)
if team_id is None or not coaches_team:
    st.info("Only a team's coach changes its gold.")
    st.stop()
st.header("The team's own gold")
history = team_store.history(team_id, lift)
if history:
    st.dataframe(pd.DataFrame({
        "id": [o.id for o in history], "view": [o.view for o in history],
        "phase": [o.phase for o in history], "set by": [o.set_by for o in history],
        "set at": [o.set_at for o in history],
        "in force": [o in current for o in history],
        "reverted at": [o.reverted_at for o in history],
    }), hide_index=True, key="gold.history")  # fmt: skip
    in_force = {o.id: f"#{o.id} · {o.view} · {o.phase} · by {o.set_by}" for o in current}
    if in_force:
        a, b = st.columns([3, 1], vertical_alignment="bottom")
        chosen = a.selectbox("Revert", list(in_force), format_func=in_force.__getitem__)
        if b.button("Revert to the previous gold", key="gold.revert") and chosen is not None:
            try:
                team_store.revert(chosen)
            except LiftCoachError as exc:
                st.error(str(exc))
                st.stop()
            st.rerun()

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
        saved = gold.replace_team_gold_from_photo(
            photo.getvalue(), loaders.estimator(settings.backend), team_store, team_id,
            lift=lift, view=view, phase=phase,
        )
    except LiftCoachError as exc:
        st.error(f"This photo cannot be used as gold: {plain(str(exc), 400)}")
        st.stop()
    st.success(f"Saved the new {lift} {view} gold ({phase}) for {plain(teams.get(team_id, ''))} "
               f"as #{saved.override_id}.")
    st.image(skeleton_canvas(saved.keypoints), caption="new gold pose")
