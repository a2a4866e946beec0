"""Accounts page: admins manage accounts and teams; coaches invite athletes onto their teams.

Names are shown in tables and plain text only: a name is never rendered as Markdown.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from coach.auth.viewer import ROLES
from coach.core.errors import LiftCoachError
from coach.store.accounts import Accounts
from ui import loaders

st.title("👥 Accounts and teams")
try:
    accounts = Accounts(loaders.store())
    viewer = loaders.viewer()
    teams = accounts.teams()
    people = accounts.accounts()
except LiftCoachError as exc:
    st.error(str(exc))
    st.stop()


def run(action: str, call: Callable[[], object]) -> None:
    """Run a change, then say what happened (as plain text) or why not."""
    try:
        call()
    except LiftCoachError as exc:
        st.error(str(exc))
        return
    st.session_state["accounts.done"] = action
    st.rerun()


if done := st.session_state.pop("accounts.done", None):
    st.success(done)
st.subheader("Teams")
st.dataframe({"team": [t.name for t in teams], "coaches": [", ".join(t.coaches) for t in teams],
              "athletes": [", ".join(t.athletes) for t in teams]},
             hide_index=True, key="accounts.teams")  # fmt: skip
st.subheader("Accounts")
st.dataframe({"username": [a.username for a in people], "role": [a.role for a in people],
              "teams": [", ".join(a.teams) for a in people],
              "disabled": [a.disabled for a in people]},
             hide_index=True, key="accounts.people")  # fmt: skip
team_ids = {t.name: t.id for t in teams}
roles = list(ROLES) if viewer.is_admin else ["athlete"]

with st.form("accounts.create", clear_on_submit=True):
    st.markdown("**New account**")
    a, b, c, d = st.columns(4)
    username = a.text_input("Username")
    password = b.text_input("First password (10+ characters)", type="password")
    role = c.selectbox("Role", roles)
    team = d.selectbox("Team", ["(none)", *team_ids] if viewer.is_admin else list(team_ids))
    if st.form_submit_button("Create account"):
        run("Account created.", lambda: accounts.create_user(
            username, password, role, team_ids.get(team or "")))

with st.form("accounts.invite", clear_on_submit=True):
    st.markdown("**Add an existing account to a team**")
    a, b, c = st.columns(3)
    who = a.text_input("Username", key="accounts.invite_name")
    team = b.selectbox("Team", list(team_ids), key="accounts.invite_team")
    as_role = c.selectbox("As", ["athlete", "coach"] if viewer.is_admin else ["athlete"])
    if st.form_submit_button("Add to team") and team is not None:
        run("Added to the team.", lambda: accounts.add_member(team_ids[team], who, as_role))

if viewer.is_admin:
    with st.form("accounts.team", clear_on_submit=True):
        st.markdown("**New team**")
        a, b = st.columns(2)
        name = a.text_input("Team name")
        coach = b.text_input("Coach's username (optional)")
        if st.form_submit_button("Create team"):
            run("Team created.", lambda: accounts.create_team(name, coach.strip() or None))
    with st.form("accounts.change"):
        st.markdown("**Change an account**")
        a, b, c = st.columns(3)
        who = a.selectbox("Account", [p.username for p in people])
        new_role = b.selectbox("Role", list(ROLES))
        disabled = c.checkbox("Disabled")
        if st.form_submit_button("Save") and who is not None:
            run("Account changed.", lambda: accounts.change_account(who, role=new_role,
                                                                    disabled=disabled))
