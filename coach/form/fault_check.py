"""Judge one rep against its lift's fault catalogue, from the view the camera had.

The vote, honestly: the catalogue's limits come from the literature, not from a gold pose, and
one clip shows the lifter from one camera view. So each fault is judged by that one view when
the catalogue says it can show the fault (`views_judged` = 1, "1 of 1 view could judge"), and
not at all otherwise (`views_judged` = 0, "can't judge from a front view"). The three-view gold
vote of the source still decides the joint-pair flags (coach.form.vote), reported beside.
When a rep's keypoints cannot show a fault at all, `coach.form.fault_gates` says why.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from coach.core.angles import angle_traces
from coach.core.flags import Flag
from coach.core.keypoints import Foot, Joint, Keypoints
from coach.form.fault_gates import (
    LEGS_LOST,
    LOCKOUT_CUT,
    TRUNK_LOST,
    UNTRUSTED_FEET,
    legs_lost,
    reads_legs,
    reads_trunk,
    trunk_lost,
)
from coach.form.fault_measures import MEASURES, RepFrames
from coach.form.faults import Fault, confidence, faults_for
from coach.form.scoring_json import json_number
from coach.form.view import estimate_view

# The lockout is judged over at least this long after the rep's end, or over the whole hold at
# the top when that is longer (the lifter's best frame there); a clip must run this long past
# the end for its lockout to be judged at all (`LOCKOUT_CUT`).
LOCKOUT_WINDOW_S = 0.5
# A third of the way up is "out of the bottom" (docs/fault-limits.md, rep moments).
EARLY_ASCENT_SHARE = 1 / 3
# A rep's view is voted over at most this many of its frames: a second of a rep at 15 fps, so a
# slow 8 s grind costs no more to judge than a quick pull (each vote is an `estimate_view`).
VIEW_VOTES = 15
VIEW_CLASS = {"left": "side", "right": "side", "front": "front", "oblique": "oblique"}


@dataclass(frozen=True)
class FaultVerdict:
    """One fault of the catalogue on one rep.

    `status` is "fault" (past the limit), "ok", or "cannot_judge" (with `note` saying why).
    `value` is NaN and `frame` None when nothing was measured.
    """

    fault: Fault
    status: str
    value: float
    frame: int | None
    confidence: float
    view: str
    views_judged: int
    votes_bad: int
    note: str = ""

    @property
    def flagged(self) -> bool:
        return self.status == "fault"

    def words(self) -> str:
        """e.g. 'hips rising first off the floor: 14.2 deg (limit 8 deg)'."""
        if self.status == "cannot_judge":
            return f"{self.fault.name}: {self.note}"
        limit = self.fault.limit
        assert limit is not None  # a measured fault has a limit
        return (f"{self.fault.name}: {_num(self.value)} {limit.unit} "
                f"(limit {_num(limit.value)} {limit.unit})")

    def cue(self) -> str:
        """What to do, saying so when the call is advisory (`Fault.advisory`)."""
        advisory = f" ({self.fault.advisory})" if self.fault.advisory else ""
        return self.fault.cue + advisory

    def to_flag(self) -> Flag:
        """The one flag type, so faults are stored, reviewed and exported like flags."""
        return Flag(self.fault.joints[0], f"{self.words()} — {self.cue()}", self.confidence)


def _num(value: float) -> str:
    """Three significant figures, whole numbers from 10 up: 0.075, 0.13, 5.5, 14."""
    return f"{value:.3g}" if abs(value) < 10 else f"{value:.0f}"


def facing(kp: Keypoints, frames: range) -> int:
    """+1 when the lifter faces right in the picture, -1 left, 0 unknown: the nose ahead of
    the ears and the toes ahead of the heels, voted over the frames."""
    ears = kp.midpoint(Joint.LEFT_EAR, Joint.RIGHT_EAR)[:, 0]
    cues = [kp.xy[:, Joint.NOSE, 0] - ears]
    for toe, heel in ((Foot.LEFT_BIG_TOE, Foot.LEFT_HEEL), (Foot.RIGHT_BIG_TOE, Foot.RIGHT_HEEL)):
        cues.append(kp.feet[:, toe, 0] - kp.feet[:, heel, 0])
    window = np.concatenate([c[frames.start:frames.stop] for c in cues])
    votes = np.sign(window[np.isfinite(window)])
    total = float(votes.sum())
    return 0 if total == 0 else int(np.sign(total))


def rep_view(kp: Keypoints, frames: Iterable[int]) -> str:
    """The camera's view of the lifter over a rep, voted over its frames (`VIEW_VOTES` of them,
    evenly spread): first the view's class (side, front, oblique: what decides which faults
    can be judged), then the most common view of that class. A few frames (the start, bottom
    and end alone) let one misread frame decide, and a handheld camera that drifts between
    "left" and "right" is still side-on."""
    chosen = list(frames)
    if len(chosen) > VIEW_VOTES:
        spread = np.linspace(0, len(chosen) - 1, VIEW_VOTES).round().astype(int)
        chosen = [chosen[i] for i in spread]
    labels = [estimate_view(kp, t).view for t in chosen if kp.present(t).sum() >= 6]
    if not labels:
        return "unknown"
    seen_as = Counter(VIEW_CLASS[v] for v in labels).most_common(1)[0][0]
    return Counter(v for v in labels if VIEW_CLASS[v] == seen_as).most_common(1)[0][0]


def rep_frames(kp: Keypoints, lift: str, start: int, bottom: int, end: int, fps: float,
               bar_xy: NDArray[np.float64] | None = None,
               back_arc: NDArray[np.float64] | None = None, *, hold_end: int | None = None,
               whole_clip: bool = True) -> RepFrames:  # fmt: skip
    """The moments of one rep (see `RepFrames`; `bar_xy` is the bar where its plate was seen,
    `back_arc` the back's outline per frame).

    The lockout runs `LOCKOUT_WINDOW_S` past the rep's end, or to `hold_end`, the last frame
    the lifter holds the top (`coach.reps.segment.top_hold_end`), when that is later: a
    referee judges the position held, not the first frame back up. `whole_clip` says `kp` is
    the whole clip, so a lockout window that runs past its last frame was cut off by the
    clip's end (`RepFrames.lockout_cut`); live passes False, judging a rep on its frames up to
    its end.
    """
    last = len(kp) - 1
    early = bottom + max(1, math.ceil((end - bottom) * EARLY_ASCENT_SHARE))
    if lift == "deadlift":
        early = _hands_pass_knees(kp, bottom, end) or early
    window = max(1, round(LOCKOUT_WINDOW_S * fps))
    lockout_end = min(last, max(end + window, hold_end if hold_end is not None else end))
    return RepFrames(start, bottom, end, min(early, end), lockout_end,
                     facing(kp, range(start, end + 1)), bar_xy, back_arc,
                     lockout_cut=whole_clip and end + window > last)


def _hands_pass_knees(kp: Keypoints, bottom: int, end: int) -> int | None:
    """The first frame after the bottom where the hands are up past the knees; None when the
    hands were not seen below the knees at the bottom (then the third-of-the-way rule holds)."""
    hands = kp.midpoint(Joint.LEFT_WRIST, Joint.RIGHT_WRIST)[bottom:end + 1, 1]
    knees = kp.midpoint(Joint.LEFT_KNEE, Joint.RIGHT_KNEE)[bottom:end + 1, 1]
    if not hands[0] > knees[0]:  # image y points down: below the knees is larger
        return None
    above = np.flatnonzero(hands <= knees)
    return bottom + int(above[0]) if len(above) else None


def judge_rep(lift: str, kp: Keypoints, traces: Mapping[str, NDArray[np.float64]],
              frames: RepFrames, view: str, *, feet_trusted: bool = True
              ) -> tuple[FaultVerdict, ...]:  # fmt: skip
    """Every fault of the lift's catalogue on one rep seen from `view` ("left", "front", ...).

    `feet_trusted` False (a backend whose feet are not measured to 2 cm, see
    `feet_trusted_for`) turns the faults that read foot points to about 2 cm into "can't judge".
    So does a rep where the pose model lost the legs (`legs_lost`) for the faults that read
    the hips or knees, one where it turned the trunk upside down (`trunk_lost`) for those that
    read the shoulders or hips, and a clip that ends before the lockout was held
    (`RepFrames.lockout_cut`) for the faults judged at the lockout.
    """
    seen_as = VIEW_CLASS.get(view, "unknown")
    lost = seen_as in ("side", "oblique") and legs_lost(kp, traces, frames, lift)
    upside_down = trunk_lost(kp, frames, lift)
    return tuple(
        _cannot(f, view, UNTRUSTED_FEET) if f.needs_precise_feet and not feet_trusted
        else _cannot(f, view, LOCKOUT_CUT) if frames.lockout_cut and f.moment == "lockout"
        else _cannot(f, view, TRUNK_LOST) if upside_down and reads_trunk(f)
        else _cannot(f, view, LEGS_LOST) if lost and reads_legs(f)
        else _judge(f, kp, traces, frames, view, seen_as) for f in faults_for(lift)
    )


def _judge(fault: Fault, kp: Keypoints, traces: Mapping[str, NDArray[np.float64]],
           frames: RepFrames, view: str, seen_as: str) -> FaultVerdict:  # fmt: skip
    if fault.limit is None:
        return _cannot(fault, view, f"can't judge from keypoints: it needs {fault.needs}")
    if seen_as not in fault.views:
        where = "this view" if seen_as == "unknown" else f"a {view} view"
        shown = " or ".join(sorted(fault.views))
        return _cannot(fault, view, f"can't judge from {where}: film from the {shown}")
    measured = MEASURES[fault.measure](kp, traces, frames)
    if measured is None:
        needs = fault.needs or "the " + ", ".join(j.replace("_", " ") for j in fault.joints)
        return _cannot(fault, view, f"can't judge: {needs} were not found")
    bad = measured.value > fault.limit.value
    return FaultVerdict(fault, "fault" if bad else "ok", measured.value, measured.frame,
                        confidence(fault, measured.value, measured.quality), view, 1, int(bad),
                        "1 of 1 view could judge" + BAR_NOTES[measured.source]
                        + (f"; {fault.advisory}" if fault.advisory else ""))  # fmt: skip


# Which the bar faults read (`coach.form.hands`), said beside the vote.
BAR_NOTES = {"": "", "plate": "; the bar from its plate",
             "wrists": "; the bar from the hands (its plate not seen in most of the rep)"}


def _cannot(fault: Fault, view: str, note: str) -> FaultVerdict:
    return FaultVerdict(fault, "cannot_judge", math.nan, None, 0.0, view, 0, 0, note)


# Which moments of a rep a photo at each gold phase shows.
PHASE_MOMENTS: Mapping[str, frozenset[str]] = {
    "standing": frozenset({"lockout"}), "bottom": frozenset({"bottom"}),
    "setup": frozenset({"setup"}), "lockout": frozenset({"lockout"}),
    "chest": frozenset({"bottom"}),
}


def judge_photo(lift: str, phase: str, kp: Keypoints, view: str, *, feet_trusted: bool = True
                ) -> tuple[FaultVerdict, ...]:  # fmt: skip
    """The faults one photo can show: those judged at the moment its phase is (a squat's
    bottom shows depth, a lockout shows the lockout), never those that compare moments."""
    traces = angle_traces(kp, use_3d=False)
    frames = RepFrames(0, 0, 0, 0, 0, facing(kp, range(1)))
    shown = PHASE_MOMENTS.get(phase, frozenset())
    out = []
    for verdict in judge_rep(lift, kp, traces, frames, view, feet_trusted=feet_trusted):
        fault = verdict.fault
        if verdict.status != "cannot_judge" and fault.over_time:
            verdict = _cannot(fault, view, "needs a clip: it compares moments of the rep")
        elif verdict.status != "cannot_judge" and fault.moment not in shown:
            verdict = _cannot(fault, view, f"judged at the {fault.moment.replace('_', ' ')}; "
                                           f"this photo shows the {phase}")
        out.append(verdict)
    return tuple(out)


def fault_json(f: FaultVerdict, t_s: NDArray[np.float64] | None) -> dict[str, object]:
    """One fault verdict as JSON (schema in the README); `t_s` None for a photo."""
    limit = f.fault.limit
    moment = None if f.frame is None or t_s is None else json_number(t_s[f.frame], 3)
    return {
        "id": f.fault.id, "name": f.fault.name, "status": f.status, "moment": f.fault.moment,
        "moment_s": moment, "value": json_number(f.value, 3),
        "limit": None if limit is None else limit.value,
        "unit": None if limit is None else limit.unit,
        "views_judged": f.views_judged, "votes_bad": f.votes_bad,
        "confidence": json_number(f.confidence, 3), "cue": f.fault.cue, "note": f.note,
        "source": None if limit is None else limit.source,
    }
