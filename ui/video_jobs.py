"""The Video page's analyses as background jobs (coach/pipeline/jobs.py): start one, follow it in
a fragment that reruns on a timer, and hand the finished set to the page.

The tab keeps only the job's id and the upload's name (state.VIDEO_JOB), so a rerun reads the
same job again; a reloaded tab (a new browser session) takes up the signed-in person's newest
job not yet collected. The job is read with the viewer's name, so nobody else's can be.
"""

from __future__ import annotations

import streamlit as st

from coach.core.errors import BadInput
from coach.core.settings import Settings
from coach.pipeline.clip_session import VideoResult, analyse_set
from ui import loaders, state
from ui.text import plain

# How often the progress bar asks the job: one small fragment rerun each, not the whole page.
POLL_S = 1.0
GONE = ("it is no longer here (collected in another tab, or the app restarted); a finished set "
        "is saved: see the Sessions page")  # fmt: skip


def cannot(name: str, message: str) -> str:
    """The failure line the page shows, naming the upload (both as plain text)."""
    return f"This clip ({plain(name)}) cannot be analysed: {plain(message, 400)}"


def start(
    clip: tuple[str, bytes], settings: Settings, *, athlete: str, lift: str, fps: float | None,
    reference: tuple[str, bytes] | None = None, click_xy: tuple[float, float] | None = None,
) -> None:  # fmt: skip
    """Queue the analysis of `clip` (name, bytes) for this tab, judged against the signed-in
    person's team gold; it replaces the set shown.

    Raises:
        LiftCoachError: TooBusy (this person runs as many analyses as allowed), or the team
            gold could not be read.
    """
    store = loaders.store()
    with loaders.team_gold():  # its ContextVar travels into the job (JobRunner.submit)
        job_id = loaders.analysis_jobs().submit(
            store.viewer.username, clip[0],
            lambda progress: analyse_set(
                clip, settings, store, athlete=athlete, lift=lift, fps=fps,
                reference_clip=reference, progress=progress, click_xy=click_xy,
            ),
        )  # fmt: skip
    st.session_state[state.VIDEO_JOB] = (job_id, clip[0])
    st.session_state.pop(state.VIDEO_FAILED, None)
    st.session_state.pop(state.VIDEO_RESULT, None)


def repick(result: VideoResult, click_xy: tuple[float, float], settings: Settings) -> None:
    """Analyse `result`'s set again as asked before, with the lifter at `click_xy` (original
    pixels of the first frame); saved as a new session, like the Photo page's re-pick.

    Raises:
        LiftCoachError: as `start`; BadInput when the set was not kept for a new analysis.
    """
    asked = result.request
    if asked is None:
        raise BadInput("this set was not kept for a new analysis: upload it again")
    start(asked.clip, settings, athlete=asked.athlete, lift=asked.lift, fps=asked.fps,
          reference=asked.reference_clip, click_xy=click_xy)  # fmt: skip


def current() -> tuple[str, str] | None:
    """(job id, upload name) this tab follows; in a fresh tab with nothing shown yet, the
    signed-in person's newest job not yet collected."""
    followed: tuple[str, str] | None = st.session_state.get(state.VIDEO_JOB)
    shown = state.VIDEO_RESULT in st.session_state or state.VIDEO_FAILED in st.session_state
    if followed is None and not shown:
        job = loaders.analysis_jobs().latest(loaders.viewer().username)
        if job is not None:
            followed = st.session_state[state.VIDEO_JOB] = (job.id, job.name)
    return followed


@st.fragment(run_every=POLL_S)
def follow(job_id: str, name: str) -> None:
    """The job's progress bar, named after the upload. Once the job has ended, its set (or its
    failure) goes into session state and the whole page reruns to show it."""
    runner, owner = loaders.analysis_jobs(), loaders.viewer().username
    job = runner.get(job_id, owner)
    if job is not None and not job.finished:
        st.progress(job.fraction, text=f"{plain(name)}: {plain(job.text)}")
        return
    done = runner.claim(job_id, owner)
    del st.session_state[state.VIDEO_JOB]
    if done is not None and done.error is None:
        st.session_state[state.VIDEO_RESULT] = done.result
    else:
        st.session_state[state.VIDEO_FAILED] = cannot(name, GONE if done is None else
                                                      done.error or "")  # fmt: skip
    st.rerun(scope="app")
