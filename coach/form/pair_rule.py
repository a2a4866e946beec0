"""The types of the form rules: `PairRule` (one critical pair, its band, visibility and
wording) and `Variant` (a recognised technique variant), with the camera-view vocabulary they
use. The rules themselves, and the vocabulary explained at length, are data in
`coach.form.rules`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from coach.core.keypoints import Joint
from coach.core.lifts import CAMERA_VIEWS

# Views the camera can be estimated to be in (coach.form.view); "oblique" is anything in between.

# Views that see a pair alike when it is not vertical: left and right are mirror images.
VIEW_GROUP: Mapping[str, str] = MappingProxyType(
    {"front": "front", "left": "side", "right": "side", "oblique": "oblique"}
)


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
        relative_to: a reference pair; the pair's d is divided by the reference's d (lifter
            and gold alike). None: the plain d.
        too_small: reason shown when the ratio is below `band[0]` ("" when band[0] is 0).
        too_large: reason shown when the ratio is above `band[1]` ("" when band[1] is inf).
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
    relative_to: tuple[Joint, Joint] | None = None

    @property
    def joints(self) -> tuple[Joint, Joint]:
        return (self.a, self.b)

    @property
    def measured_joints(self) -> tuple[Joint, ...]:
        """Every joint the measurement needs: the pair's and the reference pair's."""
        return (self.a, self.b) + (self.relative_to or ())

    @property
    def faults(self) -> tuple[bool, bool]:
        """(below the band is a fault, above the band is a fault): open edges are not."""
        return (self.band[0] > 0, math.isfinite(self.band[1]))

    def judged_phases(self, phases: tuple[str, ...]) -> tuple[str, ...]:
        """The phases (of `phases`) in which some camera view can judge this pair."""
        return tuple(ph for ph in phases if any(self.can_show(v, ph) for v in CAMERA_VIEWS))

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


def per_side(left: PairRule) -> tuple[PairRule, PairRule]:
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
        width_box_excludes=left.width_box_excludes,
        relative_to=left.relative_to,
    )
    return left, right


@dataclass(frozen=True)
class Variant:
    """A recognised variant of a lift, which the conventional gold would wrongly flag.

    Attributes:
        name: e.g. "sumo deadlift".
        pair: the pair that recognises it (front view only, as every width).
        min_ratio: recognised when the pair's ratio to the FRONT gold is at least this.
        inside: (inner pair, outer pair): also required, the inner pair is narrower than the
            outer one in the lifter's photo (e.g. hands inside the knees); None: no such test.
        bands: replacement bands for some pairs while the variant is recognised.
        note: what the lifter reads when it is recognised.
        why: the evidence for `min_ratio` and the bands.
    """

    name: str
    pair: tuple[Joint, Joint]
    min_ratio: float
    inside: tuple[tuple[Joint, Joint], tuple[Joint, Joint]] | None
    bands: Mapping[tuple[Joint, Joint], tuple[float, float]]
    note: str
    why: str
