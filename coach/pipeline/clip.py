"""A clip of a set: frames -> keypoints -> smoothed angle traces -> reps -> per-rep verdicts
-> DTW against a reference rep.

Per rep, the form verdicts of coach/pipeline/form_check.py run at the rep's key positions (the
bottom and
lockout frames), and the rep's key angles are aligned with the reference rep by DTW
(coach/reps/dtw.py). Each rep's start and bottom poses are also checked against the reference's
with a limit taken from the reference itself (GyML's statistical check, coach/reps/check.py).
The reference is the shipped gold rep (the synthetic gold lifter of coach/synth/lifter.py, textbook
angles, swept from the first phase to the second and back), or a coach's own recorded set
(`coach.reps.reference.reference_from_clip`) passed as `reference`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from coach.bar.analyze import BarCollector
from coach.bar.export import bar_to_json
from coach.bar.types import BarAnalysis
from coach.core.angles import angle_traces
from coach.core.errors import BadInput, NoPersonFound
from coach.core.keypoints import Keypoints, PersonPose
from coach.core.settings import Settings
from coach.core.smoothing import smooth_keypoints
from coach.form.back import BackCollector
from coach.form.fault_check import (
    FaultVerdict,
    fault_json,
    judge_rep,
    rep_frames,
    rep_view,
)
from coach.form.fault_gates import feet_trusted_for
from coach.form.fault_measures import RepFrames
from coach.form.scoring_json import json_number
from coach.lift.classify import UNSURE, LiftPrediction, classify_sequence, given_lift
from coach.media.video import VideoInfo, iter_frames, probe_video
from coach.pipeline.clip_tracking import (
    ClipPeople,
    FrameHook,
    clip_people_to_json,
    track_lifter,
)
from coach.pipeline.form_check import FormOutcome, evaluate_form
from coach.pose.base import PoseEstimator
from coach.reps.check import RepCheck, check_angles_for, check_rep, pose_at, reps_frames
from coach.reps.dtw import ALIGN_ANGLES, RepComparison, compare_reps
from coach.reps.reference import ReferenceRep, comparison_traces, gold_reference
from coach.reps.segment import key_angle_trace, reps_from_angles, top_hold_end
from coach.reps.types import Rep

log = logging.getLogger(__name__)

# MediaPipe resizes to 256 px inside; decoding straight to 640 px saves the big resize.
ANALYSIS_MAX_SIDE_PX = 640
# A lift's joints move well below 3 Hz, so 15 fps samples them ~5x faster than they change;
# the fixture clips' hand counts were validated at this rate (tests/reps/test_segment_real.py).
DEFAULT_ANALYSIS_FPS = 15.0
# Low-pass for keypoints before angles: pose jitter sits above 3 Hz, a rep below 1 Hz.
SMOOTHING_CUTOFF_HZ = 3.0
__all__ = ["ClipAnalysis", "RepVerdict", "analyze_video", "video_to_json"]


@dataclass(frozen=True)
class RepVerdict:
    """One rep: its faults from the catalogue (judged over the rep's own moments, from the
    view the camera had), the joint-pair verdicts at the bottom and at lockout, its DTW
    comparison, and GyML's check of its start and bottom poses against the reference (`check`:
    a distance, reported but not a fault, since being further from one gold pose can be good)."""

    rep: Rep
    bottom: FormOutcome | None
    lockout: FormOutcome | None
    comparison: RepComparison | None
    check: RepCheck | None = None
    faults: tuple[FaultVerdict, ...] = ()
    view: str = "unknown"

    @property
    def flagged_faults(self) -> tuple[FaultVerdict, ...]:
        return tuple(f for f in self.faults if f.flagged)

    def feedback(self) -> str:
        """e.g. 'rep 3: hips rising first off the floor: 14 deg (limit 8 deg) at 1.3 s; at the
        bottom, left knee: knees caving in'."""
        parts = [f.words() for f in self.flagged_faults]
        parts += [f"at the {where}, {flag.label}: {flag.reason}"
                  for where, outcome in (("bottom", self.bottom), ("lockout", self.lockout))
                  if outcome is not None for flag in outcome.flags]
        return f"rep {self.rep.index + 1}: " + ("; ".join(parts) if parts else "no faults flagged")


@dataclass(frozen=True)
class ClipAnalysis:
    """Everything measured on one clip. `keypoints` are smoothed, in original pixels."""

    backend: str
    info: VideoInfo
    t_s: NDArray[np.float64]
    keypoints: Keypoints
    lift: LiftPrediction
    traces: dict[str, NDArray[np.float64]]  # 2D image angles, what reps are counted on
    reps: tuple[RepVerdict, ...]
    timings_ms: dict[str, float]
    fps_processed: float
    reference: ReferenceRep | None = None
    compare_traces: dict[str, NDArray[np.float64]] | None = None  # what DTW and checks used
    people: ClipPeople | None = None  # everyone tracked, and which one is the lifter
    bar: BarAnalysis | None = None  # the bar's path and per-rep speeds (coach/bar)

    @property
    def analysed_fps(self) -> float:
        span = float(self.t_s[-1] - self.t_s[0]) if len(self.t_s) > 1 else 0.0
        return (len(self.t_s) - 1) / span if span > 0 else self.info.fps


def _track_frames(
    path: Path, estimator: PoseEstimator, settings: Settings, info: VideoInfo,
    target_fps: float | None, progress: Callable[[float], None] | None,
    click_xy: tuple[float, float] | None = None, on_frame: FrameHook | None = None,
) -> tuple[list[float], list[Keypoints], dict[str, float], ClipPeople]:
    """Pose per frame, keeping one lifter for the whole clip (coach/pipeline/clip_tracking.py:
    everyone is tracked; frames without the lifter are missing, never someone else)."""
    frames = iter_frames(path, target_fps=target_fps, max_side_px=ANALYSIS_MAX_SIDE_PX,
                         max_pixels=settings.max_image_pixels, progress=progress)
    return track_lifter(frames, estimator, settings, info.width_px, click_xy, on_frame)


def analyze_video(
    path: str | Path,
    estimator: PoseEstimator,
    settings: Settings,
    *,
    lift: str = "auto",
    target_fps: float | None = DEFAULT_ANALYSIS_FPS,
    reference: ReferenceRep | Mapping[str, NDArray[np.float64]] | None = None,
    progress: Callable[[float], None] | None = None,
    click_xy: tuple[float, float] | None = None,
) -> ClipAnalysis:
    """Analyse a clip of a set.

    Args:
        path: MP4/MOV/WebM.
        estimator: made with `video=True` for MediaPipe (tracking between frames).
        lift: "auto" (classified over the whole clip) or a lift name.
        target_fps: analyse at this rate (default 15 fps); None = every source frame.
        reference: the reference rep (`coach.reps.reference`: the shipped gold, or a coach's set
            from `reference_from_clip`); None = the shipped gold of the clip's lift. A plain
            {name: (M,) degrees} mapping replaces only the gold's DTW traces.
        progress: fraction done in [0, 1].
        click_xy: a point on the lifter in the clip's first frame (original pixels); None =
            the largest person near the centre.

    Raises:
        BadVideo: the clip can't be used. NoPersonFound: nobody in it. BadInput: unknown lift,
            or a reference rep of another lift than the clip's.
    """
    path = Path(path)
    t_start = time.perf_counter()
    info = probe_video(path)
    bar_pass = BarCollector(info.width_px)  # fed each decoded frame: one decode per clip
    back_pass = BackCollector()

    def on_frame(index: int, bgr: NDArray[np.uint8], kp: Keypoints,
                 person: PersonPose | None) -> None:  # fmt: skip
        bar_pass.add(index, bgr, kp)
        back_pass.add(index, person)

    times, frames, timings, people = _track_frames(path, estimator, settings, info,
                                                   target_fps, progress, click_xy, on_frame)
    if not any(f.present().any() for f in frames):
        raise NoPersonFound(f"no lifter was found in any frame of {path.name}: "
                       "film the whole body, well lit")
    t_s = np.asarray(times, dtype=np.float64)
    t0 = time.perf_counter()
    fps = _fps(t_s, info.fps)
    kp = smooth_keypoints(Keypoints.stack(frames), fps=fps, cutoff_hz=SMOOTHING_CUTOFF_HZ)
    # 2D image angles count the fixture clips best: MediaPipe's 3D world knees and hips never
    # straighten past ~155 deg, which hides lockouts (see coach/reps/segment.py).
    traces = angle_traces(kp, use_3d=False)
    prediction = classify_sequence(kp) if lift == "auto" else given_lift(lift)
    timings["smooth_classify"] = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    verdicts: tuple[RepVerdict, ...] = ()
    ref: ReferenceRep | None = None
    # DTW compares like with like: the gold rep is 3D, so use 3D angles when we have them.
    dtw_traces = comparison_traces(kp, traces)
    reps: list[Rep] = []
    if prediction.label != UNSURE:
        reps = reps_from_angles(traces, prediction.label, fps=fps, t_s=t_s)
    t1 = time.perf_counter()
    # The bar before the faults: the faults that read the bar's position use it.
    bar = bar_pass.finish(kp, t_s, reps, settings, fps=fps)
    bar_finish_s = time.perf_counter() - t1
    # Its detector ran in the pose loop, whose "pose" time leaves it out.
    timings["bar"] = bar.timings_ms["total"] if bar is not None else 0.0
    if prediction.label != UNSURE:
        ref = _resolve_reference(reference, prediction.label)
        verdicts = _rep_verdicts(kp, traces, dtw_traces, reps, fps, prediction.label, ref,
                                 settings, feet_trusted_for(estimator.name), plate_xy(bar),
                                 back_pass.finish(len(frames)))
    timings["reps_verdicts"] = (time.perf_counter() - t0 - bar_finish_s) * 1000
    total_s = time.perf_counter() - t_start
    timings["total"] = total_s * 1000
    return ClipAnalysis(estimator.name, info, t_s, kp, prediction, traces, verdicts,
                        {k: round(v, 1) for k, v in timings.items()}, len(frames) / total_s,
                        ref, dtw_traces, people, bar)


def _rep_verdicts(
    kp: Keypoints, traces: dict[str, NDArray[np.float64]],
    dtw_traces: dict[str, NDArray[np.float64]], reps: list[Rep], fps: float, lift: str,
    ref: ReferenceRep, settings: Settings, feet_trusted: bool,
    bar_xy: NDArray[np.float64] | None, back_arc: NDArray[np.float64] | None = None,
) -> tuple[RepVerdict, ...]:  # fmt: skip
    """Judge each rep counted on the 2D angles (`bar_xy`: the bar where its plate was seen;
    `back_arc`: the back's outline per frame, `coach.form.back`)."""
    key = key_angle_trace(traces, lift)
    tops = reps_frames(reps, key)
    # The faults read only the joints the model says it saw, as a photo's and a live frame's
    # do (`Settings.min_keypoint_score`): a joint hidden behind a plate is missing, not a guess.
    seen = kp.confident(settings.min_keypoint_score)
    seen_traces = angle_traces(seen, use_3d=False)
    return tuple(
        _rep_verdict(r, kp, dtw_traces, f, lift, ref, settings,
                     rep_frames(seen, lift, r.start_frame, r.bottom_frame, r.end_frame, fps,
                                bar_xy, back_arc, hold_end=top_hold_end(key, r.end_frame)),
                     feet_trusted, seen, seen_traces)
        for r, f in zip(reps, tops, strict=True)
    )


def plate_xy(bar: BarAnalysis | None) -> NDArray[np.float64] | None:
    """(T, 2) the bar's smoothed path where its plate was detected, NaN elsewhere; None when
    the bar was not tracked or no plate was seen (the faults then read the wrists)."""
    if bar is None or bar.path.px_per_cm is None:
        return None
    plate = np.asarray([s == "plate" for s in bar.path.source])
    return np.where(plate[:, None], bar.path.xy_px, np.nan)


def _resolve_reference(
    reference: ReferenceRep | Mapping[str, NDArray[np.float64]] | None, lift: str
) -> ReferenceRep:
    if reference is None:
        return gold_reference(lift)
    if not isinstance(reference, ReferenceRep):
        return replace(gold_reference(lift), traces=dict(reference), source="given traces")
    if reference.lift != lift:
        raise BadInput(
            f"the reference rep is a {reference.lift} but this clip is a {lift}: compare a "
            "clip with a reference of the same lift"
        )
    return reference


def _fps(t_s: NDArray[np.float64], fallback: float) -> float:
    if len(t_s) < 2:
        return fallback
    step = float(np.median(np.diff(t_s)))
    return 1.0 / step if step > 0 else fallback


def _rep_verdict(rep: Rep, kp: Keypoints, traces: dict[str, NDArray[np.float64]],
                 frames: dict[str, int], lift: str, reference: ReferenceRep,
                 settings: Settings, moments: RepFrames, feet_trusted: bool, seen: Keypoints,
                 seen_traces: dict[str, NDArray[np.float64]]) -> RepVerdict:
    outcomes = [_form_at(kp, i, lift, settings) for i in (rep.bottom_frame, rep.end_frame)]
    window = slice(rep.start_frame, rep.end_frame + 1)
    joints = tuple(j for j in ALIGN_ANGLES[lift] if j in reference.traces)
    comparison = None
    if joints and rep.end_frame > rep.start_frame:
        user = {j: traces[j][window] for j in joints}
        comparison = compare_reps(user, reference.traces, joints)
    poses = {pos: pose_at(traces, i) for pos, i in frames.items()}
    check = check_rep(poses, frames, reference.poses, reference.limits_deg,
                      check_angles_for(lift))
    view = rep_view(seen, range(rep.start_frame, rep.end_frame + 1))
    return RepVerdict(rep, outcomes[0], outcomes[1], comparison, check,
                      judge_rep(lift, seen, seen_traces, moments, view,
                                feet_trusted=feet_trusted), view)


def _form_at(kp: Keypoints, t: int, lift: str, settings: Settings) -> FormOutcome | None:
    frame = kp.frame(t)
    box = frame.bbox_xywh()
    if box is None:
        return None
    return evaluate_form(PersonPose(frame, box, 1.0), lift, settings)


def _outcome_flags(where: str, outcome: FormOutcome | None) -> list[dict[str, object]]:
    if outcome is None:
        return []
    return [{"position": where, "joint": f.joint, "reason": f.reason,
             "confidence": json_number(f.confidence, 3)} for f in outcome.flags]




def _comparison_json(c: RepComparison | None) -> dict[str, object] | None:
    if c is None:
        return None
    return {
        "mean_cost_deg": json_number(c.alignment.mean_cost_deg, 2),
        "joints": [{"joint": j.joint, "mean_abs_deg": json_number(j.mean_abs_deg, 2),
                    "mean_signed_deg": json_number(j.mean_signed_deg, 2),
                    "max_abs_deg": json_number(j.max_abs_deg, 2),
                    "max_at_fraction": json_number(j.max_at_fraction, 2)} for j in c.joints],
    }


def _check_json(check: RepCheck | None, t_s: NDArray[np.float64]) -> dict[str, object] | None:
    if check is None:
        return None
    out: dict[str, object] = {}
    for p in check.positions:
        worst = p.difference.worst
        out[p.position] = {
            "t_s": json_number(t_s[p.frame], 3),
            "difference_deg": json_number(p.difference.distance_deg, 2),
            "limit_deg": json_number(p.limit_deg, 2), "flagged": p.flagged,
            "worst_angle": None if worst is None else worst[0],
            "worst_diff_deg": None if worst is None else json_number(worst[1], 2),
        }
    return out


def _reference_json(ref: ReferenceRep | None) -> dict[str, object] | None:
    if ref is None:
        return None
    return {"source": ref.source, "lift": ref.lift, "angles_3d": ref.angles_3d,
            "limits_deg": {k: json_number(v, 2) for k, v in ref.limits_deg.items()},
            "spread_deg": {k: json_number(v, 2) for k, v in ref.spread_deg.items()}}


def video_to_json(result: ClipAnalysis) -> dict[str, object]:
    """The `analyze-video --json` object (schema in the README)."""
    reps = [{
        "index": v.rep.index + 1,
        "start_s": json_number(v.rep.start_s, 3), "bottom_s": json_number(v.rep.bottom_s, 3),
        "end_s": json_number(v.rep.end_s, 3),
        "view": v.view,
        "faults": [fault_json(f, result.t_s) for f in v.faults],
        "flags": _outcome_flags("bottom", v.bottom) + _outcome_flags("lockout", v.lockout),
        "feedback": v.feedback(),
        "dtw": _comparison_json(v.comparison),
        "check": _check_json(v.check, result.t_s),
    } for v in result.reps]
    info = result.info
    return {
        "backend": result.backend,
        "video": {"width": info.width_px, "height": info.height_px,
                  "fps": json_number(info.fps, 2),
                  "duration_s": json_number(info.duration_s, 3), "rotation_deg": info.rotation_deg},
        "lift": {"label": result.lift.label, "source": result.lift.source,
                 "confidence": json_number(result.lift.confidence, 4),
                 "probabilities": {k: json_number(p, 4)
                                   for k, p in result.lift.probabilities.items()}},
        "rep_count": len(result.reps),
        "reps": reps,
        "traces": {"t_s": [json_number(t, 3) for t in result.t_s],
                   **{name: [json_number(v, 1) for v in trace]
                      for name, trace in result.traces.items()}},
        "reference": _reference_json(result.reference),
        "frames_analysed": len(result.t_s),
        "timings_ms": result.timings_ms,
        "fps_processed": json_number(result.fps_processed, 2),
        **clip_people_to_json(result.people),
        "bar": None if result.bar is None else bar_to_json(result.bar),
    }
