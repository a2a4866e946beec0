"""A clip's reps against its reference: a coach's recorded set as the reference, and the
correction arrows on a frame of a compared rep."""

from __future__ import annotations

from coach.pipeline.clip import ClipAnalysis, RepVerdict
from coach.render.arrows import JointArrow, aligned_differences, correction_arrows
from coach.reps.reference import ReferenceRep, reference_from_reps


def clip_frame_differences(analysis: ClipAnalysis, verdict: RepVerdict, frame: int) -> dict[
    str, float
]:
    """Reference minus lifter per compared angle at clip frame `frame` of `verdict`'s rep.

    Uses the rep's DTW alignment with the clip's reference (`coach.pipeline.clip.analyze_video`);
    {} when the rep was not compared or `frame` lies outside it.
    """
    comparison, reference = verdict.comparison, analysis.reference
    traces, rep = analysis.compare_traces, verdict.rep
    if comparison is None or reference is None or traces is None:
        return {}
    if not rep.start_frame <= frame <= rep.end_frame:
        return {}
    window = slice(rep.start_frame, rep.end_frame + 1)
    names = [j.joint for j in comparison.joints
             if j.joint in traces and j.joint in reference.traces]
    user = {name: traces[name][window] for name in names}
    ref = {name: reference.traces[name] for name in names}
    return aligned_differences(user, ref, comparison.alignment.path, frame - rep.start_frame)


def clip_frame_arrows(
    analysis: ClipAnalysis, verdict: RepVerdict, frame: int, *, scale: float = 1.0
) -> tuple[JointArrow, ...]:
    """The correction arrows on clip frame `frame`, in the pixels of an image `scale` times the
    clip's size (e.g. the 640 px frame the page shows)."""
    kp = analysis.keypoints.frame(frame)
    scaled = kp.scaled(scale)
    return correction_arrows(scaled, clip_frame_differences(analysis, verdict, frame))


def reference_from_clip(
    analysis: ClipAnalysis, *, rep_index: int | None = None, name: str = "coach clip"
) -> ReferenceRep:
    """A coach's recorded good set as the reference (see `coach.reps.reference`).

    Args:
        analysis: `analyze_video` of the good set (its lift must be known).
        rep_index: 0-based rep whose traces become the DTW reference; None = the most typical.
        name: how the source is named (e.g. the file name).

    Raises:
        BadVideo: the clip's lift is unknown or it shows no complete rep.
    """
    return reference_from_reps(
        analysis.lift.label, [v.rep for v in analysis.reps], analysis.keypoints,
        analysis.traces, rep_index=rep_index, name=name,
    )  # fmt: skip
