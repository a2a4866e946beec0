"""Video page: upload a set, count and judge its reps against the gold or a coach's own set,
see the angle traces, the rep table and each rep's key frames beside the reference."""

from __future__ import annotations

import streamlit as st

from coach.bar.export import bar_chart_inputs, bar_reps_csv, rep_row
from coach.core.errors import LiftCoachError
from coach.lift.classify import LIFT_NAMES
from coach.pipeline.clip_session import ACCEPTED_TYPES, FPS_CHOICES, VideoResult
from coach.pipeline.clip_tables import chart_inputs, faults_table, reps_table
from ui import auth, charts, loaders, picker, state, video_jobs
from ui.text import plain

st.title("🎬 Video check")
st.caption(
    "Upload a clip of a set (MP4, MOV or WebM, up to 10 minutes). Each rep is counted and "
    "checked for the faults a coach calls (depth, hips rising first, lockout, bar drift...) "
    "from the view the camera had; a fault the view cannot show is marked \"can't judge\". "
    "Each rep is also compared with the reference rep (DTW)."
)
settings = loaders.settings()
a, b, c = st.columns(3)
athlete = auth.athlete_input(a, "video.athlete")
lift = b.selectbox("Lift", ["auto", *LIFT_NAMES], key="video.lift",
                   format_func=lambda v: "detect automatically" if v == "auto" else v)
fps_label = c.selectbox("Analysis rate", list(FPS_CHOICES), key="video.fps")
clip = st.file_uploader("Clip of the set", type=list(ACCEPTED_TYPES), key=state.VIDEO_UPLOAD)
source = st.radio("Compare with", ["the shipped gold rep", "a coach's recorded good set"],
                  horizontal=True, key="video.reference_kind")
reference = None
if source != "the shipped gold rep":
    reference = st.file_uploader("The coach's good set (a clip)", type=list(ACCEPTED_TYPES),
                                 key=state.VIDEO_REFERENCE_UPLOAD)
ready = clip is not None and athlete.strip() and (reference is not None or source.endswith("rep"))
followed = video_jobs.current()
busy = followed is not None  # one analysis per tab at a time
if st.button("Analyse", type="primary", disabled=not ready or busy, key="video.analyse"):
    assert clip is not None
    try:
        video_jobs.start(
            (clip.name, clip.getvalue()), settings, athlete=athlete, lift=lift,
            fps=FPS_CHOICES[fps_label],
            reference=None if reference is None else (reference.name, reference.getvalue()),
        )  # fmt: skip
    except LiftCoachError as exc:
        st.error(video_jobs.cannot(clip.name, str(exc)))
        st.stop()
    st.rerun()  # the button now reads as busy, and the progress bar takes over
if followed is not None:
    video_jobs.follow(*followed)
    st.stop()
if state.VIDEO_FAILED in st.session_state:
    st.error(st.session_state[state.VIDEO_FAILED])
    st.stop()

result: VideoResult | None = st.session_state.get(state.VIDEO_RESULT)
if result is None:
    st.info("Enter the athlete's name, add a clip and press **Analyse**.")
    st.stop()

analysis = result.analysis
if result.session_id is not None:
    st.success(f"Saved for {plain(result.athlete)} as session #{result.session_id} "
               "(see the Sessions page).")
m1, m2, m3, m4 = st.columns(4)
m1.metric("Lift", analysis.lift.label, analysis.lift.source, delta_color="off", delta_arrow="off")
m2.metric("Reps", len(analysis.reps))
m3.metric("Frames analysed", len(analysis.t_s), f"{analysis.fps_processed:.1f} fps processed",
          delta_color="off", delta_arrow="off")
m4.metric("Reference", analysis.reference.source if analysis.reference else "—")
if analysis.people is not None and result.preview_jpeg is not None:
    st.caption(f"Lifter: {plain(analysis.people.lifter_reason)}.")
    click = picker.pick_point(
        result.preview_jpeg, analysis.info.width_px, analysis.info.height_px,
        label="Wrong person? Pick the lifter on the first frame "
              f"({result.persons_found} people found)", key="video.lifter",
    )  # fmt: skip
    if click is not None and click != result.click_xy:
        try:
            video_jobs.repick(result, click, settings)
        except LiftCoachError as exc:
            st.error(video_jobs.cannot(result.name, str(exc)))
            st.stop()
        st.rerun()
if analysis.reference is not None:
    ref = analysis.reference
    limits = ", ".join(f"{k} {v:.0f}°" for k, v in ref.limits_deg.items())
    st.caption(f"Reference: {ref.source} ({'3D' if ref.angles_3d else '2D image'} angles). "
               f"Pose limits from its own spread: {limits}.")
st.plotly_chart(charts.clip_traces(**chart_inputs(analysis)), key="video.traces")

st.subheader("Reps")
if not analysis.reps:
    st.warning("No complete rep was found: film the whole body, side-on, through full reps.")
    st.stop()
st.dataframe(reps_table(analysis), hide_index=True, key="video.reps")
if analysis.bar is not None:
    st.subheader("Bar path and speed")
    st.caption(f"Bar speeds are {analysis.bar.label}. Scale from "
               f"{analysis.bar.path.plate_diameter_mm:.0f} mm plates (set LIFTCOACH_PLATE_MM "
               "for others); source 'wrists' = the hands stood in for the plate.")
    st.plotly_chart(charts.bar_path(**bar_chart_inputs(analysis.bar)), key="video.bar")
    st.dataframe([rep_row(analysis.bar, r) for r in analysis.bar.reps], key="video.bar_reps")
    st.download_button("Bar speeds (CSV)", bar_reps_csv(analysis.bar), "bar_speeds.csv",
                       key="video.bar_csv")

st.subheader("Faults per rep")
st.caption("Each fault is judged from the one view this clip shows, against a limit from the "
           "coaching or biomechanics literature (see the README): \"1 of 1 view could judge\".")
faults = faults_table(analysis)
st.dataframe(faults, hide_index=True, key="video.faults")
found = {f"rep {k + 1}: {name}": key for key, frame in result.fault_frames.items()
         for k, name in [(frame.rep_index, frame.fault_id.replace("_", " "))]}
if found:
    chosen = st.selectbox("Show a fault", list(found), key="video.fault")
    shown = result.fault_frames[found[chosen]]
    st.image(shown.rgb, caption=shown.caption)
else:
    st.success("No fault was found on any rep from this view.")

st.subheader("Key frames beside the reference")
rep_no = st.selectbox("Rep", [v.rep.index + 1 for v in analysis.reps], key="video.rep")
frames = result.keyframes.get(rep_no - 1, ())
st.markdown(analysis.reps[rep_no - 1].feedback())
for frame in frames:
    left, right = st.columns([3, 2])
    left.image(frame.lifter_rgb, caption=f"rep {rep_no}, {frame.position} at {frame.t_s:.2f} s "
               "(arrows: toward the reference's angle)")
    right.image(frame.reference_rgb, caption=f"reference at the {frame.position}")
    for words in frame.arrows:
        left.caption(words)
