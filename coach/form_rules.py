"""Form rules as data: the critical pairs per lift, their allowed ratio bands, the views that can
show them, and what a coach should read when one is off.

This file is configuration written as code (Sports2D style): every entry explains itself.
`coach/scoring.py` holds the algorithm and never hard-codes a pair, a band or a sentence.

Vocabulary
----------
- **pair**: two COCO-17 joints (`Joint` members, never integers). DESIGN.md gives the pairs
  without sides, e.g. bench (wrist, elbow); a side-less pair that lives on one side of the body
  is expanded into a LEFT pair and a RIGHT pair. Pairs across the body (wrist, wrist) stay one.
- **d**: the pair's normalised distance, `sqrt((dx / W)**2 + (dy / H)**2)`, unitless, where
  W, H are the lifter's box in pixels (see `coach.scoring` for the box rule).
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
- **flag**: the joints a coach sees highlighted when the pair is flagged.

When to change a band
---------------------
Widen a band when clean lifts (from several bodies, not one photo) get flagged; narrow it when
known faults slip through. Width bands absorb honest differences in stance and grip between
good lifters (a narrow-stance and a wide-stance squat are both good form), so they are wider
than strictly needed for one body. Every band must contain 1.0 (the gold itself) with room for
body proportions: different bodies move a normalised distance by roughly +-15 %.

Bench bands are the widest: seen from the feet end the body runs along the camera's axis, so
perspective moves every ratio by 20-30 % with camera height and distance alone. The squat thigh
band is wide because a near-vertical segment's tiny sideways part is divided by the narrow
side-view box width, which amplifies it. Calibrated on coach.synth lifters (random bodies,
variation 1 SD, cameras within 5 deg of the view, pitch 0-15 deg): about 95 % of clean poses
stay inside every band, while the test faults (15+ deg valgus, 1.4x deadlift grip, 25+ deg
bench elbow flare) fall outside.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from coach.errors import BadInput
from coach.keypoints import Joint

J = Joint

LIFTS: tuple[str, ...] = ("squat", "bench", "deadlift")
# Gold views, one gold annotation each (DESIGN.md section 1). "front" for bench = camera at the
# lifter's feet end.
GOLD_VIEWS: tuple[str, ...] = ("front", "left", "right")
# Views the camera can be estimated to be in (coach.view); "oblique" is anything in between.
CAMERA_VIEWS: tuple[str, ...] = ("front", "left", "right", "oblique")
# Phases per lift: the gold has one pose per phase and view; the lifter is compared with the
# nearest phase (coach.scoring.nearest_phase).
PHASES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "squat": ("standing", "bottom"),
        "bench": ("lockout", "chest"),
        "deadlift": ("setup", "lockout"),
    }
)

# A gold distance below this (unitless, fraction of the box) cannot anchor a ratio: dividing by
# almost nothing turns keypoint jitter into huge ratios. Such a gold view abstains on the pair
# (verdict "not_judgeable"). 0.03 is about 5 cm on a 1.8 m lifter. Raise it if side-view gold
# widths that survive perspective start producing verdicts.
MIN_GOLD_DISTANCE: float = 0.03

# Views that see a pair alike when it is not vertical: left and right are mirror images.
VIEW_GROUP: Mapping[str, str] = MappingProxyType(
    {"front": "front", "left": "side", "right": "side", "oblique": "oblique"}
)

_WIDTH_VIEWS = frozenset({"front"})  # widths: only straight-on (front, or bench feet end)
_LENGTH_VIEWS = frozenset({"front", "left", "right", "oblique"})  # limb lengths: any view


@dataclass(frozen=True)
class PairRule:
    """One critical pair of one lift, with its band, visibility and wording.

    Attributes:
        a, b: the two joints; d is measured from a to b.
        name: short human name used in notes, e.g. "knee width".
        band: (low, high) allowed ratio d_lifter / d_gold, unitless, low < 1 < high.
        views: camera (and gold) views that can show the pair.
        hidden_in: (view, phase) pairs where the pair is foreshortened past use.
        view_invariant_in: phases where the pair is vertical, so views compare across.
        width_box_excludes: joints left out of the box width W for this pair, replacing the
            lift's `WIDTH_BOX_EXCLUDES` (None: use the lift's).
        too_small: reason shown when the ratio is below `band[0]`.
        too_large: reason shown when the ratio is above `band[1]`.
        flag: joints highlighted when the pair is flagged.
        why: why this band and these views (for maintainers).
    """

    a: Joint
    b: Joint
    name: str
    band: tuple[float, float]
    views: frozenset[str]
    too_small: str
    too_large: str
    why: str
    flag: tuple[Joint, ...] = ()
    hidden_in: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    view_invariant_in: frozenset[str] = field(default_factory=frozenset)
    width_box_excludes: frozenset[Joint] | None = None

    @property
    def joints(self) -> tuple[Joint, Joint]:
        return (self.a, self.b)

    @property
    def flag_joints(self) -> tuple[Joint, ...]:
        """Joints to highlight: `flag` when given, else both joints of the pair."""
        return self.flag or (self.a, self.b)

    def can_show(self, view: str, phase: str) -> bool:
        """True when a camera (or gold) in `view` can judge this pair at `phase`."""
        return view in self.views and (view, phase) not in self.hidden_in

    def comparable(self, camera: str, gold_view: str, phase: str) -> bool:
        """True when a photo from `camera` may be judged against the gold seen from `gold_view`:
        both can show the pair and they see it alike (same view group, or a vertical pair)."""
        if not (self.can_show(camera, phase) and self.can_show(gold_view, phase)):
            return False
        return phase in self.view_invariant_in or VIEW_GROUP[camera] == VIEW_GROUP[gold_view]


def _per_side(left: PairRule) -> tuple[PairRule, PairRule]:
    """The LEFT rule as written and its RIGHT twin (joints swapped side, 'left' -> 'right')."""
    swap = {j: Joint[j.name.replace("LEFT_", "RIGHT_")] for j in Joint if j.name.startswith("LEFT")}

    def side(text: str) -> str:
        return text.replace("left", "right").replace("Left", "Right")

    right = PairRule(
        a=swap.get(left.a, left.a),
        b=swap.get(left.b, left.b),
        name=side(left.name),
        band=left.band,
        views=left.views,
        too_small=side(left.too_small),
        too_large=side(left.too_large),
        why=left.why,
        flag=tuple(swap.get(j, j) for j in left.flag),
        hidden_in=left.hidden_in,
        view_invariant_in=left.view_invariant_in,
    )
    return left, right


_SQUAT: tuple[PairRule, ...] = (
    PairRule(
        J.LEFT_WRIST, J.RIGHT_WRIST, "grip width", (0.70, 1.50), _WIDTH_VIEWS,
        too_small="hands much closer together on the bar than the gold: grip too narrow",
        too_large="hands much wider on the bar than the gold: grip too wide",
        why="Back-squat grip varies a lot between good lifters, so the band is wide. "
            "A width: front only.",
    ),
    PairRule(
        J.LEFT_KNEE, J.RIGHT_KNEE, "knee width", (0.70, 1.50), _WIDTH_VIEWS,
        too_small="knees much narrower than the gold (and than the feet): knees caving in "
                  "(valgus)",
        too_large="knees pushed out much wider than the gold",
        why="Valgus is the fault that matters, so the low end is the tight one (30 % "
            "narrower; at the bottom, natural toe-out and stance differences alone move "
            "knee width by -30..+20 % on synthetic lifters, and 15 deg of valgus reads 0.64). "
            "Pushing the knees out is usually cued, so the high end is generous. "
            "A width: front only.",
    ),
    PairRule(
        J.LEFT_ANKLE, J.RIGHT_ANKLE, "stance width", (0.70, 1.50), _WIDTH_VIEWS,
        too_small="feet much closer together than the gold: stance too narrow",
        too_large="feet much wider apart than the gold: stance too wide",
        why="Stance width is personal (narrow to wide stance are all good squats); only "
            "large departures are flagged. A width: front only.",
    ),
    *_per_side(
        PairRule(
            J.LEFT_HIP, J.LEFT_KNEE, "left thigh", (0.70, 1.60), _LENGTH_VIEWS,
            too_small="left thigh looks shorter than the gold's: hip height or knee travel "
                      "differs (check squat depth)",
            too_large="left thigh looks longer than the gold's: hips sitting back or knees "
                      "drifting forward more than the gold",
            why="The projected thigh encodes depth and knee travel. Standing, it is vertical "
                "(every view sees it alike). At the bottom it points forward: from the front "
                "it points at the camera and a 3/4 view shortens it, so only side views judge.",
            hidden_in=frozenset({("front", "bottom"), ("oblique", "bottom")}),
            view_invariant_in=frozenset({"standing"}),
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
    *_per_side(
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
    *_per_side(
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
        J.LEFT_WRIST, J.RIGHT_WRIST, "grip width", (0.75, 1.30), _WIDTH_VIEWS,
        too_small="hands much closer than the gold: grip too narrow (hands will rub the "
                  "knees)",
        too_large="hands far wider than the gold: grip far too wide (longer pull, weaker "
                  "lockout)",
        why="A conventional grip sits just outside the knees, so grip width varies little "
            "between good lifters. A width: front only.",
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
        J.LEFT_ANKLE, J.RIGHT_ANKLE, "stance width", (0.70, 1.50), _WIDTH_VIEWS,
        too_small="feet much closer than the gold: stance too narrow",
        too_large="feet much wider than the gold: stance too wide for a conventional pull "
                  "(is this a sumo deadlift?)",
        why="Stance varies between good lifters; only large departures count. A width: "
            "front only.",
    ),
    PairRule(
        J.LEFT_KNEE, J.RIGHT_KNEE, "knee width", (0.70, 1.50), _WIDTH_VIEWS,
        too_small="knees much narrower than the gold (and than the feet): knees caving in "
                  "(valgus)",
        too_large="knees pushed out much wider than the gold",
        why="Knees caving in during the pull is the fault to catch; the low end is the tight "
            "one. A width: front only.",
    ),
)  # fmt: skip

# The rules, per lift. Order is the order of the report.
PAIR_RULES: Mapping[str, tuple[PairRule, ...]] = MappingProxyType(
    {"squat": _SQUAT, "bench": _BENCH, "deadlift": _DEADLIFT}
)

# Joints left out of the lifter's box WIDTH W (coach.scoring, box rule); H uses every joint.
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
