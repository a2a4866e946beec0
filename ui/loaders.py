"""Process-wide cached resources. Models are loaded once per process and shared by every
browser session, so everything returned here must be thread-safe (the backends lock their
inference)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from coach.auth.limits import AnalysisLimiter
from coach.auth.viewer import NotAllowed, Viewer
from coach.core.settings import Settings, load_settings
from coach.form.gold import TeamGold, use_team_gold
from coach.pipeline.jobs import JobRunner
from coach.pose.base import PoseEstimator, create_estimator
from coach.store.gold import TeamGoldStore
from coach.store.store import Store
from ui import state

if TYPE_CHECKING:
    from coach.pipeline.clip_session import VideoResult


@st.cache_resource
def app_settings() -> Settings:
    """The settings, for sign-in itself (pages call `settings()`)."""
    return load_settings()


def settings() -> Settings:
    """The settings, for a page: every page calls this first, so it is where a page opened
    without a signed-in person (Streamlit also serves each pages/ file at its own address,
    without app.py) draws the sign-in form and stops instead."""
    _require_signed_in()
    return app_settings()


def _require_signed_in() -> None:
    """Draw the sign-in form and stop unless someone is signed in (or single-user mode)."""
    if app_settings().single_user or st.session_state.get(state.AUTH_VIEWER) is not None:
        return
    from ui import auth

    if auth.signed_in() is None:
        auth.sign_in()


@st.cache_resource(show_spinner="Loading the pose model…")
def estimator(backend: str) -> PoseEstimator:
    """One photo-mode estimator per backend name, shared across sessions."""
    return create_estimator(backend, app_settings())


@st.cache_resource(show_spinner="Opening the session database…")
def database() -> Store:
    """The session database, one connection pool per process (SQLAlchemy engines are
    thread-safe; each Store call uses its own short transaction).

    Bound to the operator: only `ui.auth` uses it (to sign people in). Pages use `store()`.
    """
    return Store.open(app_settings().resolved_database_url, viewer=Viewer.operator())


def store() -> Store:
    """The session database as the signed-in viewer of this tab sees it (every query filtered).

    Draws the sign-in form and stops the run when nobody is signed in in this tab.

    Raises:
        NotAllowed: still nobody (cannot happen after the form; kept as a last guard).
    """
    _require_signed_in()
    viewer = st.session_state.get(state.AUTH_VIEWER)
    if viewer is None and app_settings().single_user:
        viewer = Viewer.operator()
    if viewer is None:
        raise NotAllowed("sign in first (reload the page)")
    return database().as_viewer(viewer)


def viewer() -> Viewer:
    """The signed-in viewer of this tab (the operator in single-user mode)."""
    return store().viewer


def current_team_gold() -> TeamGold:
    """The signed-in person's team gold now (database); empty when they have no team."""
    gold = TeamGoldStore(store())
    team = gold.team_id()
    docs = gold.current(team) if team is not None else []
    return TeamGold(tuple(o.id for o in docs), tuple(o.document for o in docs))


@contextmanager
def team_gold() -> Iterator[None]:
    """Judge analyses in the block against the signed-in person's team gold (database)."""
    with use_team_gold(current_team_gold()):
        yield


def gold_override_dir() -> Path:
    """Where the coach's own gold poses live (<data_dir>/gold), the folder the scorer reads."""
    from coach.pipeline.form_check import gold_override_dir as override_dir

    return override_dir(app_settings())


@st.cache_resource
def _limiter() -> AnalysisLimiter:
    return AnalysisLimiter(app_settings().max_concurrent_analyses)


def analysis_slot() -> AbstractContextManager[None]:
    """Hold one of the signed-in person's analysis slots (TooBusy when all are taken)."""
    return _limiter().slot(viewer().username)


@st.cache_resource(on_release=lambda runner: runner.shutdown())
def analysis_jobs() -> JobRunner[VideoResult]:
    """The process's background analyses (coach/pipeline/jobs.py), shared by every tab; each
    holds one of its owner's `analysis_slot`s while it waits and runs."""
    return JobRunner(_limiter(), workers=app_settings().analysis_workers)
