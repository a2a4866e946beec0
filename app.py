"""LiftCoach dashboard: page config and navigation, nothing else."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="LiftCoach", page_icon="🏋️", layout="wide")
pages = [
    st.Page("pages/photo.py", title="Photo", icon="📷", default=True),
    st.Page("pages/video.py", title="Video", icon="🎬", url_path="video"),
    st.Page("pages/live.py", title="Live", icon="🎥", url_path="live"),
    st.Page("pages/sessions.py", title="Sessions", icon="🗂️", url_path="sessions"),
    st.Page("pages/gold.py", title="Gold standards", icon="🥇", url_path="gold"),
]
st.navigation(pages).run()
