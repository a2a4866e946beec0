"""LiftCoach dashboard: page config, sign-in and navigation, nothing else."""

from __future__ import annotations

import streamlit as st

from ui import auth

st.set_page_config(page_title="LiftCoach", page_icon="🏋️", layout="wide")
viewer = auth.signed_in()
pages = [
    st.Page("pages/photo.py", title="Photo", icon="📷", default=True),
    st.Page("pages/video.py", title="Video", icon="🎬", url_path="video"),
    st.Page("pages/live.py", title="Live", icon="🎥", url_path="live"),
    st.Page("pages/sessions.py", title="Sessions", icon="🗂️", url_path="sessions"),
    st.Page("pages/gold.py", title="Gold standards", icon="🥇", url_path="gold"),
]
if viewer is None or not viewer.is_athlete:
    pages.append(st.Page("pages/accounts.py", title="Accounts", icon="👥", url_path="accounts"))
# Registered before the sign-in form (hidden), so the address asked for opens after signing in
# and Streamlit never falls back to running a pages/ file on its own.
navigation = st.navigation(pages, position="sidebar" if viewer else "hidden")
if viewer is None:
    auth.sign_in()  # draws the form and stops this run
else:
    auth.sidebar(viewer)
    navigation.run()
