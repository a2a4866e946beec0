"""Photo page: upload photos, pick the lifter, see the lift, view, flags, vote and angles."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from coach.core.errors import LiftCoachError
from coach.lift.classify import LIFT_NAMES
from coach.pipeline.photo_batch import (
    ACCEPTED_TYPES,
    PhotoBatch,
    PhotoResult,
    analyse_batch,
    repick_lifter,
)
from ui import auth, charts, loaders, picker, state, tables
from ui.text import plain


def _show_progress(bar: DeltaGenerator, fraction: float, text: str) -> None:
    """The batch's progress callback (`bar.progress` returns the element; a callback
    returns nothing)."""
    bar.progress(fraction, text=text)


st.title("📷 Photo check")
st.caption(
    "Upload one or more photos of a squat, bench press or deadlift. Joints are drawn red when "
    "flagged, green when fine, grey when this camera view cannot judge them."
)
settings = loaders.settings()
left, right = st.columns(2)
athlete = auth.athlete_input(left, "photo.athlete")
lift = right.selectbox("Lift", ["auto", *LIFT_NAMES], key="photo.lift",
                       format_func=lambda v: "detect automatically" if v == "auto" else v)
# A new key after each saved batch empties the uploader, so a second press cannot save the
# same photos again as another session.
upload_round = st.session_state.get(state.PHOTO_UPLOADS_ROUND, 0)
uploads = st.file_uploader("Photos", type=list(ACCEPTED_TYPES), accept_multiple_files=True,
                           key=f"{state.PHOTO_UPLOADS}.{upload_round}" if upload_round
                           else state.PHOTO_UPLOADS)
if st.button("Analyse", type="primary", disabled=not uploads or not athlete.strip()):
    bar = st.progress(0.0, text="Loading the pose model…")
    try:
        with loaders.analysis_slot(), loaders.team_gold():
            done = analyse_batch(
                [(u.name, u.getvalue()) for u in uploads or []],
                loaders.estimator(settings.backend), settings, loaders.store(),
                athlete=athlete, lift=lift,
                progress=lambda f, text: _show_progress(bar, f, text),
            )
    except LiftCoachError as exc:
        st.error(str(exc))
        st.stop()
    st.session_state[state.PHOTO_BATCH] = done
    st.session_state[state.PHOTO_UPLOADS_ROUND] = upload_round + 1
    st.rerun()

batch: PhotoBatch | None = st.session_state.get(state.PHOTO_BATCH)
if batch is None:
    st.info("Enter the athlete's name, add photos and press **Analyse**.")
    st.stop()
if batch.session_ids:
    st.success(f"Saved for {plain(batch.athlete)} as session #{batch.session_ids[-1]} "
               "(see the Sessions page).")


def show_result(batch: PhotoBatch, result: PhotoResult, index: int) -> None:
    """One photo: annotated image, verdicts, tables, angle chart."""
    if result.error is not None or result.analysis is None:
        st.error(f"{plain(result.name)}: {plain(result.error or '', 400)}")
        return
    form = result.form
    image_col, facts_col = st.columns([3, 2])
    image_col.image(result.annotated_jpeg, caption=plain(result.name), width="stretch")
    with facts_col:
        if form is not None:
            sure = f"{form.lift.confidence:.0%} sure ({form.lift.source})"
            st.metric("Lift", form.lift.label, sure, delta_color="off", delta_arrow="off")
            st.metric("Camera view", form.view.view, f"{form.view.confidence:.0%} sure",
                      delta_color="off", delta_arrow="off")
            st.subheader("Flagged joints")
            flags = tables.flags_table(form)
            if flags.empty:
                st.success("No joint flagged.")
            st.dataframe(flags, hide_index=True, key=f"photo.flags.{index}")
            for note in form.notes:
                st.caption(f"ℹ️ {note}")
        st.caption(f"{result.analysis.backend} · {result.analysis.timings_ms['total']:.0f} ms")
    if form is not None and form.report is not None:
        st.subheader("Per-view vote")
        st.caption(f"Result: {tables.vote_result(result.form_json)}")
        st.dataframe(tables.vote_table(result.form_json), hide_index=True,
                     key=f"photo.vote.{index}")
        with st.expander("Critical pairs vs each gold view"):
            st.dataframe(tables.pairs_table(result.form_json), hide_index=True,
                         key=f"photo.pairs.{index}")
    if form is not None:
        st.plotly_chart(charts.angles_vs_gold(form.angles_deg, form.gold_angles_deg),
                        key=f"photo.angles.{index}")
    a = result.analysis
    assert result.preview_jpeg is not None
    click = picker.pick_point(result.preview_jpeg, a.width_px, a.height_px,
                              label=f"Wrong person? Pick the lifter ({a.persons_found} found)",
                              key=f"photo.lifter.{index}")  # fmt: skip
    if click is not None and click != result.click_xy:
        try:
            new = repick_lifter(batch, index, click, loaders.estimator(settings.backend),
                                settings, loaders.store())
        except LiftCoachError as exc:
            st.error(str(exc))
            st.stop()
        st.session_state[state.PHOTO_BATCH] = new
        st.rerun()


analysed = batch.analysed
if len(analysed) > 1:
    st.plotly_chart(
        charts.angle_traces(
            [r.name for r in analysed], [r.form.angles_deg if r.form else {} for r in analysed],
            x_title="photo (upload order)", title="Joint angles across the photos",
        ),
        key="photo.across",
    )
if len(batch.results) == 1:
    show_result(batch, batch.results[0], 0)
else:
    for i, (tab, result) in enumerate(
        zip(st.tabs([plain(r.name, 40) for r in batch.results]), batch.results, strict=True)
    ):
        with tab:
            show_result(batch, result, i)
