"""The fault catalogue per lift, as data: what a coach calls, when, from where, and its limit.

Every fault is measured on the lifter's own keypoints over one rep and compared with a limit
taken from the literature or a federation rule (the citation sits beside each number; the
research behind them, with how each source was checked, is docs/fault-limits.md). None was
fitted to the labelled clips we report on.

Conventions (pinned by tests/form/test_faults.py):
- A measure is oriented so that LARGER IS WORSE; a rep has the fault when the measure is
  past `limit.value`. `limit.clearly_bad` is where a coach would call it without doubt.
- Confidence (a convention, not literature): 0.5 just past the limit, rising linearly to 1.0 at
  `clearly_bad`, times the lowest keypoint score of the joints measured. So a call made from
  shaky keypoints never looks sure. An `advisory` fault (a limit never validated on lifts)
  stays at 0.5.
- `views` are the camera views that can show the fault from 2D keypoints ("side" = the lifter's
  left or right side to the camera, "front", "oblique"); from any other view the answer is
  "can't judge from here", never a guess.
- A fault whose `limit` is None cannot be judged at all, and says so on every rep. (The
  rounded back was one: keypoints do not see the spine. It is now read from the lifter's
  silhouette, `coach.form.back`, where the pose model gives one.)
- Margins: no limit is tighter than what 2D keypoints can measure. Sagittal joint angles from
  one 2D view carry 4-6 deg of error (Stenum et al. 2021, PLoS Comput Biol 17:e1008935; Schurr
  et al. 2017, IJSPT 12:163), so angle limits sit at about twice that, and hip and knee joint
  centres can be 30-50 mm off (Needham et al. 2021, Sci Rep 11:20673), about 0.1 thigh length.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

SIDE = frozenset({"side"})
SIDE_OR_OBLIQUE = frozenset({"side", "oblique"})
FRONT = frozenset({"front"})
SIDE_OR_FRONT = frozenset({"side", "front"})
# When in the rep a fault is judged.
MOMENTS = ("setup", "descent", "bottom", "early_ascent", "concentric", "lockout", "whole_rep")


@dataclass(frozen=True)
class Limit:
    """Where a measure becomes a fault, where it is clearly bad, and who says so."""

    value: float
    clearly_bad: float
    unit: str
    source: str


@dataclass(frozen=True)
class Fault:
    """One fault a coach calls (see the module docstring for the conventions)."""

    id: str
    name: str
    cue: str
    views: frozenset[str]
    moment: str
    measure: str  # a key of coach.form.fault_measures.MEASURES
    limit: Limit | None
    joints: tuple[str, ...]  # drawn when the fault is shown (Joint or Foot names)
    needs: str = ""  # what the camera must see, said when it can't
    over_time: bool = False  # compares moments of a rep, so a single photo cannot show it
    # Reads foot points to a precision (about 2 cm) that only a pose model with measured foot
    # accuracy gives; see `coach.form.fault_check.judge_rep(feet_trusted=...)`.
    needs_precise_feet: bool = False
    # Set when the limit is borrowed from outside lifting and was never validated there: the
    # call is advisory, its confidence at most 0.5 (docs/fault-limits.md, D4), and the text
    # says why beside the vote.
    advisory: str = ""


_TRUNK_CONVENTION = (
    "convention: about twice the 4-6 deg error of 2D sagittal angles (Stenum et al. 2021; "
    "Schurr et al. 2017)"
)

SQUAT: tuple[Fault, ...] = (
    Fault("depth_not_reached", "depth not reached", "sit deeper: hip crease below the knee",
          SIDE, "bottom", "squat_depth_shortfall",
          Limit(0.10, 0.26, "thigh lengths",
                "IPF Technical Rules (squat: the top surface of the legs at the hip joint lower "
                "than the top of the knees); as joint centres with a 0.10 thigh-length band for "
                "joint-centre error (Needham et al. 2021)"),
          ("left_hip", "right_hip", "left_knee", "right_knee")),
    Fault("knees_caving", "knees caving in", "push the knees out over the toes",
          FRONT, "bottom", "knee_valgus_fppa",
          Limit(13.0, 22.0, "deg",
                "frontal-plane projection angle: normal range up to 13 deg (Herrington & Munro "
                "2010); the change from standing must also exceed the 9 deg smallest detectable "
                "difference (Munro, Herrington & Carolan 2012)"),
          ("left_knee", "right_knee"), over_time=True),
    Fault("heels_lifting", "heels lifting", "keep the whole foot down, weight mid-foot",
          SIDE_OR_OBLIQUE, "whole_rep", "heel_rise",
          Limit(0.08, 0.20, "foot lengths",
                "convention on the feet-flat guideline (Lorenzetti et al. 2018, BMC Sports Sci "
                "Med Rehabil 10:14); coaching only, the IPF allows rocking heel to toe"),
          ("left_heel", "right_heel"), needs="the heels and toes", over_time=True,
          needs_precise_feet=True),
    Fault("hips_rise_first", "hips rising first (good-morning squat)",
          "drive the chest up with the hips out of the bottom",
          SIDE, "early_ascent", "trunk_lean_gain",
          Limit(10.0, 20.0, "deg", _TRUNK_CONVENTION + "; some added lean is normal out of "
                "the hole (Larsen et al. 2021, Front Sports Act Living 3:691459)"),
          ("left_shoulder", "right_shoulder", "left_hip", "right_hip"), over_time=True),
    Fault("lateral_shift", "shifting to one side", "keep the hips centred over both feet",
          FRONT, "early_ascent", "hip_shift",
          Limit(0.075, 0.15, "stance widths",
                "derived from the 15% left-right asymmetry threshold (BMC Sports Sci Med Rehabil "
                "2020, doi:10.1186/s13102-020-00191-y); Sato & Heise 2012, JSCR 26:342"),
          ("left_hip", "right_hip"), over_time=True),
    Fault("incomplete_lockout", "incomplete lockout", "stand all the way up, knees locked",
          SIDE, "lockout", "knee_lockout_deficit",
          Limit(10.0, 20.0, "deg",
                "IPF Technical Rules (upright with the knees locked at the start and the "
                "end): short of the lifter's own locked start, or of 165 deg without one "
                "(docs/fault-limits.md S6); " + _TRUNK_CONVENTION),
          ("left_knee", "right_knee")),
)

DEADLIFT: tuple[Fault, ...] = (
    Fault("hips_rise_first", "hips rising first off the floor", "push the floor away: chest "
          "and hips rise together", SIDE_OR_OBLIQUE, "early_ascent", "trunk_lean_gain",
          Limit(8.0, 20.0, "deg",
                "knees-then-hips sequence (Hales, Johnson & Johnson 2009, JSCR 23:2574; "
                "Rippetoe & Kilgore, Starting Strength); " + _TRUNK_CONVENTION),
          ("left_shoulder", "right_shoulder", "left_hip", "right_hip"), over_time=True),
    Fault("squat_deadlift", "squatting the deadlift (hips too low)",
          "hips higher, shoulders over the bar at the start",
          SIDE_OR_OBLIQUE, "setup", "shoulders_behind_bar",
          Limit(0.10, 0.30, "upper-arm lengths",
                "coaching model: shoulders slightly in front of the bar at liftoff (Rippetoe & "
                "Kilgore, Starting Strength; Escamilla et al. 2000, MSSE 32:1265); no "
                "published number"),
          ("left_shoulder", "right_shoulder", "left_wrist", "right_wrist")),
    Fault("bar_drift", "bar drifting away from the legs", "keep the bar over mid-foot, "
          "dragging up the legs", SIDE_OR_OBLIQUE, "concentric", "bar_ahead_of_midfoot",
          Limit(0.25, 0.50, "foot lengths",
                "base-of-support derivation: balance over mid-foot (Rippetoe & Kilgore, "
                "Starting Strength); no published tolerance"),
          ("left_wrist", "right_wrist", "left_heel", "right_heel"), needs="the hands and feet",
          needs_precise_feet=True),
    Fault("rounded_back", "rounded back", "brace and keep the back flat",
          SIDE, "concentric", "back_rounding",
          Limit(0.143, 0.178, "arc depth / length",
                "the back's outline (the lifter's silhouette, coach/form/back.py) bowed more "
                "than a hyperkyphotic spine standing: Cobb 50 deg (Koele, Lems & Willems 2020, "
                "Front Endocrinol 11:5) as a Flexicurve kyphosis index, Cobb = 315 x index + 5 "
                "(Greendale et al. 2011, Osteoporos Int 22:1897); clearly bad at Cobb 61, the "
                "11 deg SD of that conversion further; not validated against spine imaging"),
          ("left_shoulder", "right_shoulder", "left_hip", "right_hip"),
          needs="the lifter's silhouette and facing (a clip filmed from the side, on the "
                "embedded pose model)",
          advisory="advisory: a limit from standing posture, not validated on lifts"),
    Fault("incomplete_lockout", "incomplete lockout", "finish tall: knees and hips straight",
          SIDE, "lockout", "deadlift_lockout_deficit",
          Limit(10.0, 20.0, "deg",
                "IPF Technical Rules (knees straight, shoulders back); " + _TRUNK_CONVENTION),
          ("left_knee", "right_knee", "left_hip", "right_hip")),
    Fault("leaning_back", "leaning far back at the top", "stand straight, don't lean back",
          SIDE, "lockout", "lean_back",
          Limit(15.0, 25.0, "deg",
                "coaching convention (no published angle); the IPF only asks for shoulders "
                "back; " + _TRUNK_CONVENTION),
          ("left_shoulder", "right_shoulder", "left_hip", "right_hip")),
    Fault("heels_lifting", "heels lifting", "keep the weight mid-foot",
          SIDE_OR_OBLIQUE, "concentric", "heel_rise",
          Limit(0.08, 0.20, "foot lengths",
                "convention on the feet-flat guideline (Lorenzetti et al. 2018); coaching "
                "only, the IPF allows rocking heel to toe"),
          ("left_heel", "right_heel"), needs="the heels and toes", over_time=True,
          needs_precise_feet=True),
)

BENCH: tuple[Fault, ...] = (
    Fault("elbows_flared", "elbows flared at the chest", "tuck the elbows to about 45-75 deg",
          FRONT, "bottom", "elbow_flare",
          Limit(75.0, 90.0, "deg",
                "upper arm at most ~75 deg from the trunk (Rippetoe & Kilgore, Starting "
                "Strength); 90 deg is the at-risk position (Green & Comfort 2007, Strength "
                "Cond J 29:10)"),
          ("left_elbow", "right_elbow")),
    Fault("uneven_lockout", "uneven lockout", "press both arms out evenly",
          FRONT, "lockout", "bar_tilt",
          Limit(5.0, 10.0, "deg",
                "IPF Technical Rules forbid 'pronounced uneven extension' with no number; "
                "convention at about twice the 2D angle error"),
          ("left_wrist", "right_wrist")),
    Fault("incomplete_lockout", "incomplete lockout", "lock the elbows at the top",
          SIDE_OR_FRONT, "lockout", "elbow_lockout_deficit",
          Limit(10.0, 25.0, "deg",
                "IPF Technical Rules (arms locked at the start signal and at completion): "
                "short of the lifter's own locked unrack, or of 165 deg without one "
                "(docs/fault-limits.md B3); " + _TRUNK_CONVENTION),
          ("left_elbow", "right_elbow")),
    Fault("bar_path_end", "bar path ends away from over the shoulders",
          "finish with the bar over the shoulders", SIDE, "lockout", "lockout_toward_feet",
          Limit(10.0, 20.0, "deg",
                "direction from bar-path studies (Madsen & McLaughlin 1984; Duffey & Challis "
                "2007, JSCR 21:556); the number is a convention, read as the change from the "
                "locked unrack (docs/fault-limits.md B4)"),
          ("left_wrist", "right_wrist", "left_shoulder", "right_shoulder")),
    Fault("hips_off_bench", "hips lifting off the bench", "keep the glutes on the bench",
          SIDE, "concentric", "hip_rise",
          Limit(0.06, 0.15, "torso lengths",
                "IPF Technical Rules (buttocks in contact with the bench; 2009 briefing allows "
                "partial contact); convention"),
          ("left_hip", "right_hip"), over_time=True),
)

FAULTS: Mapping[str, tuple[Fault, ...]] = MappingProxyType(
    {"squat": SQUAT, "deadlift": DEADLIFT, "bench": BENCH}
)


def faults_for(lift: str) -> tuple[Fault, ...]:
    """The catalogue of one lift; unknown lifts have none."""
    return FAULTS.get(lift, ())


def confidence(fault: Fault, value: float, quality: float) -> float:
    """0.5 just past the limit to 1.0 at `clearly_bad`, times the keypoints' quality (see the
    module docstring); 0 when not past the limit."""
    if fault.limit is None or not value > fault.limit.value:
        return 0.0
    span = fault.limit.clearly_bad - fault.limit.value
    excess = min(1.0, (value - fault.limit.value) / span) if span > 0 else 1.0
    sure = 0.5 if fault.advisory else 0.5 + 0.5 * excess
    return round(sure * max(0.0, min(1.0, quality)), 3)
