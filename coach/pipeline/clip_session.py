"""The Video page's work: analyse an uploaded set (optionally against a coach's reference set),
draw its key frames next to the reference, and save it as a "video" session.

Everything a page shows is computed here once per analysis and kept in a `VideoResult`, so
reruns (choosing another rep) never decode or analyse again.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from coach.bar.export import bar_document
from coach.core.keypoints import Joint
from coach.core.settings import Settings
from coach.media.video import iter_frames
from coach.pipeline.clip import ClipAnalysis, RepVerdict, analyze_video
from coach.pipeline.clip_tables import frame_flags
from coach.pipeline.fault_frames import FaultFrame, fault_frames
from coach.pipeline.photo_batch import PREVIEW_MAX_SIDE_PX  # the picker's picture size
from coach.pipeline.reference import clip_frame_arrows, reference_from_clip
from coach.pose.base import create_estimator
from coach.render.arrows import arrows_xy
from coach.render.bar import draw_bar_path
from coach.render.canvas import skeleton_canvas
from coach.render.draw import draw_arrows, draw_skeleton
from coach.render.overlay import STATUS_COLORS_BGR, encode_jpeg, thumbnail_jpeg
from coach.reps.reference import ReferenceRep, reference_skeleton
from coach.store.records import FrameDraft, RepDraft, SessionDraft
from coach.store.store import Store

ACCEPTED_TYPES: tuple[str, ...] = ("mp4", "mov", "webm")
FPS_CHOICES: dict[str, float | None] = {
    "15 fps (recommended)": 15.0, "10 fps (faster)": 10.0, "30 fps": 30.0, "every frame": None,
}  # fmt: skip
KEYFRAME_MAX_SIDE_PX = 640  # what analyze_video decodes at, so frames and keypoints agree
_UNSAFE_IN_NAME = re.compile(r"[\x00-\x1f/\\]")
ARROW_BGR = (255, 0, 255)  # magenta: reads on skin, clothes and the red/green skeleton
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class KeyFrame:
    """One annotated key frame of a rep beside the reference at the same phase (RGB arrays)."""

    position: str  # "bottom" or "lockout"
    t_s: float
    lifter_rgb: NDArray[np.uint8]
    reference_rgb: NDArray[np.uint8]
    arrows: tuple[str, ...]  # "left knee: reference 12° more open" per arrow drawn


@dataclass(frozen=True, eq=False)
class SetRequest:
    """What one analysis was asked for, kept so the set can be analysed again with a click
    (the clip's bytes stay with the set shown in the tab, as the uploader keeps them too)."""

    clip: tuple[str, bytes]
    athlete: str
    lift: str
    fps: float | None
    reference_clip: tuple[str, bytes] | None = None


@dataclass(frozen=True, eq=False)
class VideoResult:
    """One analysed set: the analysis, its key frames per rep, and where it was saved.

    `preview_jpeg` is the first analysed frame (longest side PREVIEW_MAX_SIDE_PX), where a
    click picks the lifter; `click_xy` is the click this analysis used (original pixels).
    """

    name: str
    athlete: str
    analysis: ClipAnalysis
    keyframes: dict[int, tuple[KeyFrame, ...]]
    session_id: int | None
    fault_frames: dict[tuple[int, str], FaultFrame] = field(default_factory=dict)
    preview_jpeg: bytes | None = None
    click_xy: tuple[float, float] | None = None
    request: SetRequest | None = None

    @property
    def persons_found(self) -> int:
        """Everyone tracked in the clip (the lifter among them)."""
        people = self.analysis.people
        return 0 if people is None else len(people.tracks)


def _temp_clip(name: str, data: bytes, folder: Path) -> Path:
    """The upload written under its own name (only path separators and control characters
    replaced), so every message that names the file names the upload."""
    base = _UNSAFE_IN_NAME.sub("_", Path(name).name).strip(" .")[:120] or "clip"
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (f"{stem}{suffix}" if suffix[1:] in ACCEPTED_TYPES else f"{base}.mp4")
    path.write_bytes(data)
    return path


def _analyse(path: Path, settings: Settings, progress: Callable[[float], None], **kwargs: Any
             ) -> ClipAnalysis:  # fmt: skip
    """analyze_video with a fresh video-mode estimator (it tracks, so one per clip)."""
    estimator = create_estimator(settings.backend, settings, video=True)
    try:
        return analyze_video(path, estimator, settings, progress=progress, **kwargs)
    finally:
        closer = getattr(estimator, "close", None)
        if callable(closer):
            closer()


def analyse_set(
    clip: tuple[str, bytes],
    settings: Settings,
    store: Store,
    *,
    athlete: str,
    lift: str,
    fps: float | None,
    reference_clip: tuple[str, bytes] | None = None,
    progress: Progress | None = None,
    click_xy: tuple[float, float] | None = None,
) -> VideoResult:
    """Analyse a set (and first the coach's reference set, if given), draw and save it.

    Args:
        click_xy: a point on the lifter in the clip's first analysed frame (original pixels);
            None = the largest person near the centre.

    Raises:
        LiftCoachError: a bad clip (BadVideo), nobody in it, a reference without reps or of
            another lift, or a database failure.
    """
    report = progress or (lambda f, t: None)
    report(0.0, "loading the pose model…")
    lift_asked = lift  # a coach's set may name the lift below; a new click asks as before
    # The name and the right to save for it are checked before minutes of decoding.
    store.get_or_create_athlete(athlete or "Video athlete")
    with tempfile.TemporaryDirectory(prefix="liftcoach-video-") as tmp:
        reference: ReferenceRep | None = None
        share = 0.0
        if reference_clip is not None:
            share = 0.4
            ref_path = _temp_clip(reference_clip[0], reference_clip[1], Path(tmp) / "r")
            ref_text = f"analysing the reference set {reference_clip[0]} first…"
            ref = _analyse(ref_path, settings, lambda f: report(share * f, ref_text),
                           lift=lift, target_fps=fps)  # fmt: skip
            reference = reference_from_clip(ref, name=reference_clip[0])
            lift = reference.lift if lift == "auto" else lift
        path = _temp_clip(clip[0], clip[1], Path(tmp))
        text = "finding the lifter in each frame…"
        analysis = _analyse(path, settings, lambda f: report(share + (1 - share) * f, text),
                            lift=lift, target_fps=fps, reference=reference,
                            click_xy=click_xy)  # fmt: skip
        report(1.0, "drawing the key frames…")
        keyframes = key_frames(path, analysis, fps)
        drawn_faults = fault_frames(path, analysis, fps)
        preview = first_frame_jpeg(path, fps)
    session_id = save_video_session(store, athlete, clip[0], analysis, keyframes, click_xy)
    return VideoResult(clip[0], athlete.strip(), analysis, keyframes, session_id, drawn_faults,
                       preview, click_xy, SetRequest(clip, athlete, lift_asked, fps,
                                                     reference_clip))  # fmt: skip


def first_frame_jpeg(path: Path, fps: float | None) -> bytes | None:
    """The clip's first analysed frame (the one a click picks the lifter on), as a JPEG with
    its longest side at most PREVIEW_MAX_SIDE_PX; None when no frame decodes."""
    for frame in iter_frames(path, target_fps=fps, max_side_px=PREVIEW_MAX_SIDE_PX):
        return encode_jpeg(frame.bgr, quality=80)
    return None


def _lifter_panel(
    bgr: NDArray[np.uint8], analysis: ClipAnalysis, verdict: RepVerdict, frame: int,
    position: str,
) -> tuple[NDArray[np.uint8], tuple[str, ...]]:  # fmt: skip
    scale = bgr.shape[1] / analysis.info.width_px
    outcome = verdict.bottom if position == "bottom" else verdict.lockout
    flags = outcome.flags if outcome else ()
    red = {Joint[f.joint.upper()]: STATUS_COLORS_BGR["flagged"] for f in flags}
    arrows = clip_frame_arrows(analysis, verdict, frame, scale=scale)
    labels = {a.joint: f"{a.diff_deg:+.0f}" for a in arrows}  # OpenCV's font has no "°"
    out = draw_skeleton(bgr, analysis.keypoints.frame(frame).scaled(scale),
                        joint_colors_bgr=red, joint_labels=labels)  # fmt: skip
    if arrows:
        out = draw_arrows(out, *arrows_xy(arrows), ARROW_BGR)
    out = _with_bar_path(out, analysis, verdict.rep.index, frame, scale)
    words = tuple(f"{a.angle.replace('_', ' ')}: the reference is {abs(a.diff_deg):.0f}° "
                  f"{'more open' if a.diff_deg > 0 else 'more bent'}" for a in arrows)
    return out[..., ::-1].copy(), words


def _with_bar_path(bgr: NDArray[np.uint8], analysis: ClipAnalysis, rep: int, frame: int,
                   scale: float) -> NDArray[np.uint8]:  # fmt: skip
    """The rep's bar path up to this frame (coach/bar), when the bar was tracked."""
    bar = analysis.bar
    if bar is None or rep >= len(bar.reps):
        return bgr
    r = bar.reps[rep]
    sources = bar.path.source[r.start_frame:r.end_frame + 1]
    return draw_bar_path(bgr, r.xy_px * scale, sources, upto=frame - r.start_frame)


def key_frames(path: Path, analysis: ClipAnalysis, fps: float | None) -> dict[
    int, tuple[KeyFrame, ...]
]:
    """Per rep index: its bottom and lockout frames annotated (skeleton, flagged joints in red,
    DTW arrows toward the reference), each beside the reference's skeleton at that phase."""
    wanted: dict[int, list[tuple[int, str]]] = {}
    for k, v in enumerate(analysis.reps):
        for frame, position in ((v.rep.bottom_frame, "bottom"), (v.rep.end_frame, "lockout")):
            wanted.setdefault(frame, []).append((k, position))
    if not wanted or analysis.reference is None:
        return {}
    out: dict[int, list[KeyFrame]] = {k: [] for k in range(len(analysis.reps))}
    for decoded in iter_frames(path, target_fps=fps, max_side_px=KEYFRAME_MAX_SIDE_PX):
        for k, position in wanted.get(decoded.index, []):
            verdict = analysis.reps[k]
            lifter, words = _lifter_panel(decoded.bgr, analysis, verdict, decoded.index, position)
            yaw = _view_yaw(verdict)
            ref_pos = "bottom" if position == "bottom" else "start"
            ref = skeleton_canvas(reference_skeleton(analysis.reference, ref_pos, yaw))
            out[k].append(KeyFrame(position, float(analysis.t_s[decoded.index]), lifter, ref,
                                   words))  # fmt: skip
    return {k: tuple(sorted(v, key=lambda f: f.position != "bottom")) for k, v in out.items()}


def _view_yaw(verdict: RepVerdict) -> float:
    """The camera yaw to draw the gold from: the lifter's view class snapped to its axis
    (front 0, left 90, right -90), the estimated yaw for an oblique view, else the side."""
    outcome = verdict.bottom or verdict.lockout
    if outcome is None:
        return 90.0
    snapped = {"front": 0.0, "left": 90.0, "right": -90.0}
    return snapped.get(outcome.view.view, outcome.view.yaw_deg)


def save_video_session(
    store: Store, athlete: str, name: str, analysis: ClipAnalysis,
    keyframes: dict[int, tuple[KeyFrame, ...]] | None = None,
    click_xy: tuple[float, float] | None = None,
) -> int:  # fmt: skip
    """One "video" session: every analysed frame (smoothed keypoints, 2D angles), each rep
    (verdict = its feedback), the per-rep flags on their frames, and the bar's path and speeds,
    in ONE transaction (a crash part-way leaves no half-saved session). The notes name the
    clip, the reference and, when the lifter was picked by a click, where.

    Raises:
        StorageError: the database refused it.
    """
    lift = analysis.lift.label if analysis.lift.label != "unsure" else None
    notes = f"{name}; reference: {analysis.reference.source if analysis.reference else 'none'}"
    if click_xy is not None:
        notes += f"; lifter picked at ({click_xy[0]:.0f}, {click_xy[1]:.0f})"
    reps = tuple(
        RepDraft(v.rep.index, v.rep.start_s, v.rep.bottom_s, v.rep.end_s, v.feedback())
        for v in analysis.reps
    )
    thumbs = _thumbnails(analysis, keyframes or {})
    flags = frame_flags(analysis)
    frames = []
    for i, t in enumerate(analysis.t_s):
        kp = analysis.keypoints.frame(i)
        frames.append(FrameDraft(
            i, float(t), kp if kp.present().any() else None,
            {n: float(trace[i]) for n, trace in analysis.traces.items()}, lift=lift,
            thumbnail_jpeg=thumbs.get(i) if i in flags else None, flags=tuple(flags.get(i, ())),
        ))  # fmt: skip
    return store.record_session(SessionDraft(
        store.get_or_create_athlete(athlete or "Video athlete"), "video", lift=lift,
        backend=analysis.backend, notes=notes, frames=tuple(frames),
        reps=reps, bar=None if analysis.bar is None else bar_document(analysis.bar),
    ))  # fmt: skip


def _thumbnails(analysis: ClipAnalysis, keyframes: dict[int, tuple[KeyFrame, ...]]) -> dict[
    int, bytes
]:
    out = {}
    for k, frames in keyframes.items():
        rep = analysis.reps[k].rep
        for f in frames:
            frame = rep.bottom_frame if f.position == "bottom" else rep.end_frame
            out[frame] = thumbnail_jpeg(f.lifter_rgb[..., ::-1].copy())
    return out
