"""LiftCoach dashboard: page config, sign-in and navigation, nothing else."""

from __future__ import annotations

import streamlit as st

from ui import auth

st.set_page_config(page_title="LiftCoach", page_icon="🏋️", layout="wide")
viewer = auth.require_viewer()  # the sign-in form, and a stop, until someone is signed in
auth.sidebar(viewer)
pages = [
    st.Page("pages/photo.py", title="Photo", icon="📷", default=True),
    st.Page("pages/video.py", title="Video", icon="🎬", url_path="video"),
    st.Page("pages/live.py", title="Live", icon="🎥", url_path="live"),
    st.Page("pages/sessions.py", title="Sessions", icon="🗂️", url_path="sessions"),
    st.Page("pages/gold.py", title="Gold standards", icon="🥇", url_path="gold"),
]
if not viewer.is_athlete:
    pages.append(st.Page("pages/accounts.py", title="Accounts", icon="👥", url_path="accounts"))
st.navigation(pages).run()
