"""Form rules as data: the critical pairs per lift, their allowed ratio bands, the views that can
show them, and what a coach should read when one is off.

This file is configuration written as code (Sports2D style): every entry explains itself.
`coach/form/scoring.py` holds the algorithm and never hard-codes a pair, a band or a sentence.

Vocabulary
----------
- **pair**: two COCO-17 joints (`Joint` members, never integers). DESIGN.md gives the pairs
  without sides, e.g. bench (wrist, elbow); a side-less pair that lives on one side of the body
  is expanded into a LEFT pair and a RIGHT pair. Pairs across the body (wrist, wrist) stay one.
- **d**: the pair's normalised distance, `sqrt((dx / W)**2 + (dy / H)**2)`, unitless, where
  W, H are the lifter's box in pixels (see `coach.form.scoring` for the box rule).
- **ratio**: `d_lifter / d_gold` for the same pair, against ONE gold view. Unitless; 1.0 means
  "the same as the gold".
- **band** `(low, high)`: the ratios that still count as good form. Outside it, that gold view
  "calls the pair bad". Bands are multiplicative, so they are nearly symmetric in log space
  (0.75 .. 1.33 is "25 % narrower .. 33 % wider", i.e. the same factor either way).
- **views**: the CAMERA views that can show the pair at all. A view not listed makes the pair
  "not judgeable" (never flagged): widths between a left and a right joint collapse to almost
  nothing in a side view, and an oblique (3/4) view shrinks them by cos(yaw), i.e. 13 to 50 %,
  which would read as "too narrow" on a lifter in perfect form. The same table says which GOLD
  views can show the pair: a gold view that cannot show it has nothing to compare with.
- **hidden_in**: (view, phase) combinations where an otherwise visible pair is foreshortened
  past use, e.g. the thigh (hip, knee) seen from the front at the bottom of a squat points
  straight at the camera.
- **view_invariant_in**: phases where the pair is (close to) vertical in the gold, so every
  camera around the lifter sees it alike (y does not change with yaw) and a photo from one
  view may be compared with the gold of another view. Elsewhere a gold view only judges photos
  from its own view group: front with front, side (left or right: mirror images) with side.
- **too_small / too_large**: the plain-words reason shown to the lifter when the ratio falls
  below / above the band. Written for the view where the pair is best seen (front for widths).
- **one-sided band**: a band edge of 0 or `math.inf` means that side is accepted technique,
  not a fault, and its reason is "" (e.g. knees pushed out wider than the gold: coached, not a
  fault). A band of `(0, inf)` is informational: the ratio is reported and never flagged.
- **relative_to**: a second pair the ratio is taken relative to, in the lifter and the gold
  alike: the pair's d divided by the reference pair's d. Knee width relative to stance width is
  what "knees caving in" means (knees inside the line of the feet); knee width alone reads a
  narrow stance as valgus.
- **variant**: a recognised technique variant (`VARIANTS`, e.g. the sumo deadlift), spotted from
  one pair's ratio, that replaces some bands with the variant's own and adds a note.
- **flag**: the joints a coach sees highlighted when the pair is flagged.

When to change a band
---------------------
First ask whether the direction is a fault at all: a band edge stands for a documented fault,
and variation that coaches teach or accept (knees out, a wide squat stance, a sumo pull) gets an
open edge or a variant, never a flag. Every closed edge cites where it comes from. Widen a band
when clean lifts (from several bodies, not one photo) get flagged; narrow it when
known faults slip through. Width bands absorb honest differences in stance and grip between
good lifters (a narrow-stance and a wide-stance squat are both good form), so they are wider
than strictly needed for one body. Every band must contain 1.0 (the gold itself) with room for
body proportions: different bodies move a normalised distance by roughly +-15 %.

Bench bands are the widest: seen from the feet end the body runs along the camera's axis, so
perspective moves every ratio by 20-30 % with camera height and distance alone. The squat thigh
band is wide because a mostly horizontal segment's projection is divided by the narrow
side-view box width, which amplifies differences in trunk lean. Bands whose edges are not cited
from the literature were calibrated on coach.synth.lifter lifters (random bodies, variation 1 SD,
cameras within 5 deg of the view, pitch 0-15 deg). `scripts/measure_flags.py` prints, per view,
how often constructed faults (valgus, a wide deadlift grip, bench elbow flare) are found and
how often clean lifters and accepted variants are flagged; the README's Accuracy section
quotes it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType

from coach.core.errors import BadInput
from coach.core.keypoints import Joint
from coach.core.lifts import CAMERA_VIEWS, GOLD_VIEWS, LIFTS, PHASES
from coach.form.pair_rule import VIEW_GROUP, PairRule, Variant, per_side

__all__ = [
    "CAMERA_VIEWS",
    "CRITICAL_PAIRS",
    "GOLD_VIEWS",
    "LIFTS",
    "MIN_GOLD_DISTANCE",
    "PAIR_RULES",
    "PHASES",
    "VARIANTS",
    "VIEW_GROUP",
    "WIDTH_BOX_EXCLUDES",
    "PairRule",
    "Variant",
    "rules_for",
]

J = Joint

# A gold distance below this (unitless, fraction of the box) cannot anchor a ratio: dividing by
# almost nothing turns keypoint jitter into huge ratios. Such a gold view abstains on the pair
# (verdict "not_judgeable"). 0.03 is about 5 cm on a 1.8 m lifter. Raise it if side-view gold
# widths that survive perspective start producing verdicts.
MIN_GOLD_DISTANCE: float = 0.03

_WIDTH_VIEWS = frozenset({"front"})  # widths: only straight-on (front, or bench feet end)
_LENGTH_VIEWS = frozenset({"front", "left", "right", "oblique"})  # limb lengths: any view

_ANKLES = (J.LEFT_ANKLE, J.RIGHT_ANKLE)
_OPEN = math.inf  # an open band edge: that side is accepted technique, not a fault


def _knee_cave(why: str) -> PairRule:
    """Knees caving in (valgus), judged relative to the stance: the same rule for every
    standing lift; `why` says what it means in that lift."""
    return PairRule(
        J.LEFT_KNEE, J.RIGHT_KNEE, "knee width", (0.70, _OPEN), _WIDTH_VIEWS,
        too_small="knees much narrower than the feet, compared with the gold: knees caving in "
                  "(valgus)",
        too_large="",
        relative_to=_ANKLES,
        why=why,
    )


_SQUAT: tuple[PairRule, ...] = (
    PairRule(
        J.LEFT_WRIST, J.RIGHT_WRIST, "grip width", (0.0, _OPEN), _WIDTH_VIEWS,
        too_small="", too_large="",
        why="Informational: the hands only hold the bar in place, and where they go depends on "
            "the variant (back squat: anywhere from just outside the shoulders to near the "
            "collars; front squat: hands at the shoulders; Zercher: bar in the elbows). None "
            "of that is a squat fault, so the pair is reported and never flagged. A width: "
            "front only.",
    ),
    _knee_cave(
        why="Valgus means the knees collapse inside the line of the feet, so the knees are "
            "measured relative to the stance: knee width / ankle width, lifter against gold "
            "(2D knee separation on its own depends on stance width and limb rotation as "
            "much as on valgus: Sigward, Havens & Powers 2011, J Athl Train 46(5):471-475; a "
            "narrow-stance squat is not valgus). One-sided: knees tracking out over the toes "
            "is what coaches cue (Schoenfeld 2010), so knees wider than the gold are never a "
            "fault. The low edge, on synthetic lifters seen from the front at the bottom: clean "
            "ones read 0.79 at the 5th percentile, a 0.85 (narrow) or a 2.0 (wide, toes out "
            "40 deg) stance 1.06 and 0.96, while 15 deg of valgus reads 0.72 (median) and 20 "
            "deg 0.59. Standing, knees sit over the ankles and valgus barely shows. A width: "
            "front only.",
    ),
    PairRule(
        J.LEFT_ANKLE, J.RIGHT_ANKLE, "stance width", (0.0, _OPEN), _WIDTH_VIEWS,
        too_small="", too_large="",
        why="Informational: good squats span a twofold range of stances and no study defines "
            "a stance fault. Escamilla, Fleisig, Lowry, Barrentine & Andrews 2001 (Med Sci "
            "Sports Exerc 33(6):984-998), 39 competitive powerlifters: narrow 107 +- 10 %, "
            "medium 142 +- 12 %, wide 169 +- 12 % of shoulder width. Swinton, Lloyd, Keogh, "
            "Agouris & Stewart 2012 (J Strength Cond Res 26(7):1805-1816): traditional squat "
            "48 +- 4 cm, powerlifting squat 90 +- 5 cm, box squat 92 +- 5 cm. Stance is chosen "
            "for the lifter's hips and the variant, so it is reported, never flagged; it still "
            "anchors the knee-width (valgus) check. A width: front only.",
    ),
    *per_side(
        PairRule(
            J.LEFT_HIP, J.LEFT_KNEE, "left thigh", (0.70, 1.60), _LENGTH_VIEWS,
            too_small="left thigh looks shorter than the gold's from the side: hips higher "
                      "or knees further forward than the gold (check squat depth)",
            too_large="left thigh looks longer than the gold's from the side: hips sitting "
                      "back or knees drifting forward more than the gold",
            why="The projected thigh encodes depth and knee travel at the BOTTOM, seen from "
                "the side. It is not judged standing: a standing thigh is vertical in every "
                "good squat, so a thigh that differs there only means the photo is mid-rep "
                "(or at the bottom of a variant the phase step mistook for standing, as in "
                "box, front and Zercher squats), not a fault. At the bottom the thigh points "
                "forward: from the front it points at the camera and a 3/4 view shortens it "
                "by an unknown cos(yaw), so only side views judge it.",
            hidden_in=frozenset({(v, "standing") for v in CAMERA_VIEWS}
                                | {("front", "bottom"), ("oblique", "bottom")}),
        )
    ),
)  # fmt: skip

_BENCH: tuple[PairRule, ...] = (
    PairRule(
        J.LEFT_WRIST, J.RIGHT_WRIST, "grip width", (0.65, 1.60), _WIDTH_VIEWS,
        too_small="hands much closer than the gold: grip too narrow for a bench press",
        too_large="hands much wider than the gold: grip too wide",
        why="Grip width sets the bar path and shoulder load. A width: from the feet end only.",
    ),
    *per_side(
        PairRule(
            J.LEFT_WRIST, J.LEFT_ELBOW, "left forearm", (0.60, 1.60), _LENGTH_VIEWS,
            too_small="left forearm not stacked under the bar like the gold's: elbow tucked "
                      "or drifting under the bar",
            too_large="left forearm tilted away from the gold's: elbows flared",
            why="A vertical forearm under the bar is the gold (so every view sees it alike "
                "in both phases); flared elbows tilt it. A limb length: every view shows it.",
            view_invariant_in=frozenset({"lockout", "chest"}),
        )
    ),
    PairRule(
        J.LEFT_ELBOW, J.RIGHT_ELBOW, "elbow width", (0.45, 1.25), _WIDTH_VIEWS,
        too_small="elbows much narrower than the gold: elbows tucked too far in",
        too_large="elbows much wider than the gold: elbows flared",
        why="Flared elbows (upper arm at 90 deg to the torso) are the classic bench fault "
            "and show as elbows wider than the hands, so W here keeps the wrists (elbow span "
            "relative to the grip: both at the same depth, so perspective from the feet end "
            "cancels). Clean synthetic lifters reach 1.22 (99th percentile); 25 deg of flare "
            "reads 1.30. The low end is loose: a tucked elbow is not a fault. A width: from "
            "the feet end only.",
        width_box_excludes=frozenset({J.LEFT_ELBOW, J.RIGHT_ELBOW, J.LEFT_KNEE, J.RIGHT_KNEE,
                                      J.LEFT_ANKLE, J.RIGHT_ANKLE}),
    ),
    *per_side(
        PairRule(
            J.LEFT_ELBOW, J.LEFT_SHOULDER, "left upper arm", (0.40, 1.60), _LENGTH_VIEWS,
            too_small="left upper arm at a different angle from the gold's: elbow flared out "
                      "toward the camera or tucked",
            too_large="left upper arm at a different angle from the gold's: elbows flared",
            why="The upper arm's angle to the torso is what flaring changes; its projected "
                "length follows. Vertical at lockout; at the chest it points down and out, so "
                "a 3/4 view can't judge it and front and side golds only judge their own view. "
                "At the chest its projection from the feet end spreads widely between good "
                "lifters (0.4..1.2 of the gold), so the low end is very loose.",
            hidden_in=frozenset({("oblique", "chest")}),
            view_invariant_in=frozenset({"lockout"}),
        )
    ),
)  # fmt: skip

_DEADLIFT: tuple[PairRule, ...] = (
    PairRule(
        J.LEFT_WRIST, J.RIGHT_WRIST, "grip width", (0.65, 1.40), _WIDTH_VIEWS,
        too_small="hands much closer than any conventional deadlift grip (hands will rub the "
                  "knees)",
        too_large="hands far wider than a conventional deadlift grip: grip far too wide "
                  "(longer pull, weaker lockout; fine only if this is a snatch-grip deadlift)",
        why="Escamilla et al. 2000 (Med Sci Sports Exerc 32(7):1265-1275), national-level "
            "lifters: conventional grips 55 +- 10 cm. Mean +- 2 SD is 35 to 75 cm, i.e. 0.67 "
            "to 1.44 of the gold's 52 cm; the high edge is rounded down to 1.40 because "
            "centimetres include body size, which W (about the shoulder width) divides out. "
            "A snatch grip is deliberately wider and is flagged with that caveat: from 2D "
            "keypoints it cannot be told from a too-wide conventional grip. The sumo "
            "variant (VARIANTS) opens the low edge. A width: front only.",
    ),
    PairRule(
        J.LEFT_HIP, J.RIGHT_HIP, "hip width", (0.70, 1.45), _WIDTH_VIEWS,
        too_small="hips look much narrower than the gold's: hips rotated (not square to the "
                  "bar)",
        too_large="hips look much wider than the gold's: hips shifted or rotated",
        why="Hip width barely changes with form, so the band is wide; it still catches a "
            "rotated pelvis. A width: front only.",
    ),
    PairRule(
        J.LEFT_ANKLE, J.RIGHT_ANKLE, "stance width", (0.45, _OPEN), _WIDTH_VIEWS,
        too_small="feet much closer than even a narrow conventional stance",
        too_large="",
        why="Escamilla et al. 2000: conventional stances 32 +- 8 cm, sumo 70 +- 11 cm (half "
            "of the national-level lifters pulled sumo). A wider stance than the gold is the "
            "sumo (or a semi-sumo) style, not a fault, so the band is open above; the low edge "
            "is the conventional mean - 2 SD (16 cm) over the gold's 34 cm, 0.47, rounded "
            "down. A width: front only.",
    ),
    _knee_cave(
        why="Knees caving in during the pull is the fault to catch: knee width relative to "
            "stance width, as for the squat (Sigward et al. 2011). Knees out is coached in "
            "both styles (the sumo pull pushes them out over the toes, Escamilla et al. "
            "2000), so the band is open above. A width: front only.",
    ),
)  # fmt: skip


_SUMO = Variant(
    name="sumo deadlift",
    pair=_ANKLES,
    min_ratio=1.5,
    inside=((J.LEFT_WRIST, J.RIGHT_WRIST), (J.LEFT_KNEE, J.RIGHT_KNEE)),
    bands=MappingProxyType({(J.LEFT_WRIST, J.RIGHT_WRIST): (0.0, 1.40)}),
    note="sumo stance recognised (feet far wider than a conventional pull): judged as a sumo "
         "deadlift, hands inside the knees are expected",
    why="Escamilla et al. 2000: stance 70 +- 11 cm sumo vs 32 +- 8 cm conventional; the two "
        "distributions meet at mean + 2 SD = mean - 2 SD = 48 cm, 1.5 x the conventional mean. "
        "Sumo lifters grip narrower (47 +- 4 vs 55 +- 10 cm) with the hands inside the legs, "
        "which is what makes a pull 'sumo' (so it is required too: a wide stance with the "
        "hands outside the knees is a wide conventional pull), and a narrow grip is no fault "
        "there.",
)  # fmt: skip

# Variants per lift, checked in order; the first recognised one applies.
VARIANTS: Mapping[str, tuple[Variant, ...]] = MappingProxyType(
    {"squat": (), "bench": (), "deadlift": (_SUMO,)}
)

# The rules, per lift. Order is the order of the report.
PAIR_RULES: Mapping[str, tuple[PairRule, ...]] = MappingProxyType(
    {"squat": _SQUAT, "bench": _BENCH, "deadlift": _DEADLIFT}
)

# Joints left out of the lifter's box WIDTH W (coach.form.scoring, box rule); H uses every joint.
# A width drawn around the joints it measures normalises them away: when the wrists are the
# widest points, wrist-wrist / W is exactly 1 whatever the grip, and a far-too-wide grip would
# instead shrink every other width. So W leaves out the joints of the lift's width pairs, and in
# the deadlift also the elbows, which follow the grip because the arms hang straight, and in
# the bench the knees and ankles, which from the feet end are so much nearer the camera than the
# arms that perspective, not the body, would set W. What is left (head, shoulders, hips, and
# the squat's elbows) still spans the body: from the front, W is then about the shoulder width.
# Change only together with the bands.
_EXTRA_WIDTH_EXCLUDES: Mapping[str, frozenset[Joint]] = MappingProxyType(
    {
        "squat": frozenset(),
        "bench": frozenset({J.LEFT_KNEE, J.RIGHT_KNEE, J.LEFT_ANKLE, J.RIGHT_ANKLE}),
        "deadlift": frozenset({J.LEFT_ELBOW, J.RIGHT_ELBOW}),
    }
)
WIDTH_BOX_EXCLUDES: Mapping[str, frozenset[Joint]] = MappingProxyType(
    {
        lift: frozenset(j for r in rules for j in r.joints if r.views == _WIDTH_VIEWS)
        | _EXTRA_WIDTH_EXCLUDES[lift]
        for lift, rules in PAIR_RULES.items()
    }
)

# The critical pairs per lift (DESIGN.md section 1, per-side pairs expanded), derived from the
# rules so the two can never disagree.
CRITICAL_PAIRS: Mapping[str, tuple[tuple[Joint, Joint], ...]] = MappingProxyType(
    {lift: tuple(rule.joints for rule in rules) for lift, rules in PAIR_RULES.items()}
)


def rules_for(lift: str) -> tuple[PairRule, ...]:
    """The pair rules of `lift`.

    Raises:
        BadInput: for an unknown lift, listing the valid ones.
    """
    try:
        return PAIR_RULES[lift]
    except KeyError:
        raise BadInput(f"unknown lift {lift!r}; expected one of {', '.join(LIFTS)}") from None
