"""Process-wide cached resources. Models are loaded once per process and shared by every
browser session, so everything returned here must be thread-safe (the backends lock their
inference)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from coach.core.settings import Settings, load_settings
from coach.pose.base import PoseEstimator, create_estimator
from coach.store.store import Store


@st.cache_resource
def settings() -> Settings:
    return load_settings()


@st.cache_resource(show_spinner="Loading the pose model…")
def estimator(backend: str) -> PoseEstimator:
    """One photo-mode estimator per backend name, shared across sessions."""
    return create_estimator(backend, settings())


@st.cache_resource(show_spinner="Opening the session database…")
def store() -> Store:
    """The session database, one connection pool per process (SQLAlchemy engines are
    thread-safe; each Store call uses its own short transaction)."""
    return Store.open(settings().resolved_database_url)


def gold_override_dir() -> Path:
    """Where the coach's own gold poses live (<data_dir>/gold), the folder the scorer reads."""
    from coach.pipeline.form_check import gold_override_dir as override_dir

    return override_dir(settings())
