"""Live rep counting: the clip's segmentation fed one webcam frame at a time, plus a verdict for
each counted rep. Streamlit-free; `coach.live.analyzer.LiveAnalyzer` drives it.

Same chain as `coach.pipeline.clip.analyze_video`, made causal:
- key angle = `coach.reps.segment.key_angle_trace` of the 2D image angles (what clips are counted
on);
- smoothing: the clip path low-passes keypoints at 3 Hz forwards and backwards, which needs
  the future; live, the key angle goes through a causal one-pole low-pass at the same 3 Hz
  (about 50 ms of lag), restarted after a gap of more than `MAX_GAP_S` without a lifter;
- `coach.reps.segment.LiveRepCounter`, i.e. the same `AngleStateMachine` with the lift's documented
  thresholds, without `calibrate_top` (it needs the whole clip);
- each counted rep is judged against its lift's fault catalogue (`coach.form.fault_check`) on
  the frames from its top to the frame it was counted at (live has no frames after that, so
  the lockout is judged on that frame), and gets the form flags seen at its bottom frame, in the
  clip's words: "rep 3: hips rising first ...; at the bottom, ..."; GyML's check of its start
  and bottom poses against the reference (`coach.reps.check`) is kept for information.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from coach.core.keypoints import Keypoints
from coach.form.fault_check import FaultVerdict, judge_rep, rep_frames, rep_view
from coach.reps.check import RepCheck, check_angles_for, check_rep
from coach.reps.reference import ReferenceRep, gold_reference, lift_key_angle
from coach.reps.segment import LiveRepCounter
from coach.reps.types import Rep

CUTOFF_HZ = 3.0  # as coach.pipeline.clip.SMOOTHING_CUTOFF_HZ
MAX_GAP_S = 0.5
HISTORY_FRAMES = 3000  # ~100 s at 30 fps: longer than any rep
LIVE_FPS = 30.0  # only sizes the lockout window, which live cuts at the rep's last frame anyway


@dataclass(frozen=True)
class LiveRep:
    """A rep counted live, with its verdict.

    Attributes:
        rep: frames are the analyzer's frame indices, times seconds since its first frame.
        check: GyML's start/bottom check against the reference (None if not judged).
        bottom_flags: "joint: reason" of the form flags on the bottom frame.
        feedback: e.g. "rep 3: at the bottom, left knee 24° more bent than the reference ...".
    """

    rep: Rep
    check: RepCheck | None
    bottom_flags: tuple[str, ...]
    feedback: str
    faults: tuple[FaultVerdict, ...] = ()

    @property
    def top_cue(self) -> str | None:
        """The cue of the rep's most confident fault; None for a rep without one."""
        flagged = [f for f in self.faults if f.flagged]
        return max(flagged, key=lambda f: f.confidence).fault.cue if flagged else None


@dataclass
class _Seen:
    key_deg: float
    pose: Mapping[str, float]
    flags: tuple[str, ...]
    keypoints: Keypoints | None = None
    angles_2d: Mapping[str, float] | None = None


class CausalLowpass:
    """One-pole low-pass for an irregularly sampled signal: alpha = 1 - exp(-2 pi fc dt)."""

    def __init__(self, cutoff_hz: float = CUTOFF_HZ, max_gap_s: float = MAX_GAP_S) -> None:
        self.cutoff_hz, self.max_gap_s = cutoff_hz, max_gap_s
        self._last: tuple[float, float] | None = None

    def __call__(self, t_s: float, value: float) -> float:
        """The filtered value at `t_s`; NaN passes through and leaves the state alone."""
        if not math.isfinite(value):
            return math.nan
        if self._last is None or not 0 < t_s - self._last[0] <= self.max_gap_s:
            self._last = (t_s, value)
            return value
        alpha = 1.0 - math.exp(-2.0 * math.pi * self.cutoff_hz * (t_s - self._last[0]))
        out = self._last[1] + alpha * (value - self._last[1])
        self._last = (t_s, out)
        return out


class LiveRepTracker:
    """Counts one lift's reps frame by frame and judges each one. Not thread-safe."""

    def __init__(
        self, lift: str, reference: ReferenceRep | None = None, *, first_frame: int = 0,
        feet_trusted: bool = False,
    ) -> None:
        """Args:
        lift: "squat", "deadlift" or "bench".
        reference: the reference rep; None = the shipped gold.
        first_frame: the caller's index of the first frame fed (reps report the caller's
            frame indices).
        feet_trusted: whether the backend's foot points can judge the foot faults
            (`coach.form.fault_gates.feet_trusted_for`).
        """
        self.lift = lift
        self.first_frame = first_frame
        self.feet_trusted = feet_trusted
        self.reference = reference if reference is not None else gold_reference(lift)
        self.counter = LiveRepCounter.for_lift(lift)
        self._angles = check_angles_for(lift)
        self._smooth = CausalLowpass()
        self._seen: deque[tuple[int, _Seen]] = deque(maxlen=HISTORY_FRAMES)
        self._frame = 0
        self._last_bottom = -1
        self.reps: list[LiveRep] = []

    @property
    def count(self) -> int:
        return len(self.reps)

    def update(
        self,
        t_s: float,
        angles_2d: Mapping[str, float] | None,
        pose_angles: Mapping[str, float] | None = None,
        flags: tuple[str, ...] = (),
        keypoints: Keypoints | None = None,
    ) -> LiveRep | None:
        """Feed one frame (call it for EVERY frame, with None when nobody was found).

        Args:
            t_s: seconds, increasing.
            angles_2d: the frame's 2D image angles (`compute_angles(kp, use_3d=False)`).
            pose_angles: the angles poses are compared on (3D when the backend gives world
                points, like the reference); defaults to `angles_2d`.
            flags: the frame's form flags in words.
            keypoints: the lifter's keypoints (T=1), for the rep's fault checks.

        Returns:
            The rep counted at this frame, if any.
        """
        key = math.nan
        if angles_2d:
            key = self._smooth(t_s, _key(angles_2d, self.lift))
            pose = pose_angles if pose_angles is not None else angles_2d
            self._seen.append((self._frame, _Seen(key, dict(pose), flags, keypoints,
                                                  dict(angles_2d))))
        self._frame += 1
        rep = self.counter.update(t_s, key)
        return None if rep is None else self._judge(rep)

    def finish(self) -> LiveRep | None:
        """End of the stream: a lockout cut short still counts."""
        rep = self.counter.finish()
        return None if rep is None else self._judge(rep)

    def _judge(self, rep: Rep) -> LiveRep:
        seen = dict(self._seen)
        # The top: the most open frame since the previous rep's bottom (see coach.reps.check).
        window = [(s.key_deg, i) for i, s in self._seen
                  if self._last_bottom < i <= rep.end_frame and math.isfinite(s.key_deg)]
        top = max(window)[1] if window else rep.start_frame
        self._last_bottom = rep.bottom_frame
        frames = {"start": top, "bottom": rep.bottom_frame}
        poses = {pos: seen[i].pose for pos, i in frames.items() if i in seen}
        check = check_rep(poses, frames, self.reference.poses, self.reference.limits_deg,
                          self._angles)  # fmt: skip
        bottom = seen.get(rep.bottom_frame)
        flags = bottom.flags if bottom is not None else ()
        # The faults' window is the rep's own, as in a clip: the top can lie after the bottom
        # (a deadlift's first pull starts at the floor, so its most open frame is the lockout).
        faults = rep_faults(self.lift, seen, rep.start_frame, rep.bottom_frame, rep.end_frame,
                            feet_trusted=self.feet_trusted)
        parts = [f.words() for f in faults if f.flagged] + [f"at the bottom, {f}" for f in flags]
        words = "; ".join(parts) if parts else "no faults flagged"
        shift = self.first_frame
        rep = replace(rep, start_frame=rep.start_frame + shift,
                      bottom_frame=rep.bottom_frame + shift, end_frame=rep.end_frame + shift)
        check = replace(check, positions=tuple(replace(p, frame=p.frame + shift)
                                               for p in check.positions))
        live = LiveRep(rep, check, flags, f"rep {rep.index + 1}: {words}", faults)
        self.reps.append(live)
        return live


def rep_faults(lift: str, seen: Mapping[int, _Seen], start: int, bottom: int, end: int, *,
               feet_trusted: bool = False) -> tuple[FaultVerdict, ...]:  # fmt: skip
    """The catalogue's faults on the frames seen from the rep's start to its end (frames where
    nobody was found are missing keypoints, never invented).

    Raises:
        ValueError: the frames are not in order (start <= bottom <= end).
    """
    if not start <= bottom <= end:
        raise ValueError(f"rep frames out of order: start {start}, bottom {bottom}, end {end}")
    frames = range(start, end + 1)
    kps = [seen[i].keypoints if i in seen else None for i in frames]
    if not any(k is not None for k in kps):
        return ()
    kp = Keypoints.stack([k if k is not None else Keypoints.missing() for k in kps])
    names = {n for i in frames if i in seen for n in (seen[i].angles_2d or {})}
    traces = {n: np.array([(seen[i].angles_2d or {}).get(n, math.nan) if i in seen
                           else math.nan for i in frames]) for n in names}  # fmt: skip
    b, e = bottom - start, end - start
    moments = rep_frames(kp, lift, 0, b, e, fps=LIVE_FPS, whole_clip=False)
    return judge_rep(lift, kp, traces, moments, rep_view(kp, range(e + 1)),
                     feet_trusted=feet_trusted)


def _key(angles: Mapping[str, float], lift: str) -> float:
    try:
        return lift_key_angle(angles, lift)
    except KeyError:
        return math.nan
