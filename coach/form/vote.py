"""The vote: per-view calls on each pair, "front / side lift in good form", and the 2-of-3 flag.

The rules are written once, in `coach.form.scoring`'s module docstring (items 3-5, 9, 10, and the
reason and confidence paragraph); this module holds the verdict types and the pure functions
that apply them. `coach.form.scoring` re-exports every public name here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from coach.core.keypoints import Joint
from coach.core.lifts import GOLD_VIEWS
from coach.form.rules import PairRule

OK, BAD, NOT_JUDGEABLE, MISSING = "ok", "bad", "not_judgeable", "missing"

RESULT_GOOD_BOTH = "good form: matches the front and the side gold"
RESULT_FRONT_GOOD = "front lift in good form"
RESULT_SIDE_GOOD = "side lift in good form"
RESULT_BAD = "bad form"
RESULT_NO_VERDICT = "no clear fault: some views disagree, but no pair reached the vote"
RESULT_NOT_JUDGEABLE = "not judgeable from this view"


@dataclass(frozen=True)
class PairVerdict:
    """One pair against one gold view. `ratio` = value / gold (NaN when either is missing)."""

    gold: float
    ratio: float
    verdict: str  # "ok" | "bad" | "not_judgeable" | "missing"


@dataclass(frozen=True)
class PairResult:
    """One critical pair: the lifter's normalised distance and its verdict per gold view."""

    joints: tuple[Joint, Joint]
    value: float
    per_view: dict[str, PairVerdict]
    name: str = ""


@dataclass(frozen=True)
class ViewVote:
    """What one gold view says: the pairs it calls bad, and whether it judged anything at all."""

    bad_pairs: tuple[tuple[Joint, Joint], ...]
    calls_bad: bool
    agrees: bool  # judged >= 1 pair and called none bad


@dataclass(frozen=True)
class Vote:
    per_view: dict[str, ViewVote]
    front_lift_good: bool
    side_lift_good: bool
    result: str
    flagged_pairs: tuple[tuple[Joint, Joint], ...] = ()


def pair_is_flagged(per_view: Mapping[str, PairVerdict]) -> bool:
    """The vote on one pair: bad calls >= min(2, views that judged it), and at least one."""
    judged = [v.verdict for v in per_view.values() if v.verdict in (OK, BAD)]
    bad = judged.count(BAD)
    return bad >= 1 and bad >= min(2, len(judged))


def _log_width(band: tuple[float, float]) -> float:
    """The band's width in log space. A one-sided band (an open edge at 0 or infinity: that
    side is no fault) counts twice the distance from the gold (1.0) to its closed edge."""
    low, high = band
    if low > 0 and math.isfinite(high):
        return math.log(high / low)
    edge = low if low > 0 else high
    return 2.0 * abs(math.log(edge)) if 0 < edge < math.inf else 1.0


def band_confidence(ratio: float, band: tuple[float, float]) -> float:
    """min(1, 0.5 + how far outside the band, in log band widths); 0 inside the band."""
    low, high = band
    if low <= ratio <= high:
        return 0.0
    edge = low if ratio < low else high
    return min(1.0, 0.5 + abs(math.log(ratio / edge)) / _log_width(band))


def flag_reason(rule: PairRule, pr: PairResult, camera: str) -> tuple[str, float]:
    """(reason, band confidence) of a flagged pair (direction rule: coach.form.scoring
    docstring)."""
    bad = {v: pv for v, pv in pr.per_view.items() if pv.verdict == BAD}
    small = {v: pv.ratio < rule.band[0] for v, pv in bad.items()}
    if camera in bad:
        is_small = small[camera]
    else:
        n_small = sum(small.values())
        is_small = n_small * 2 > len(small) or (
            n_small * 2 == len(small)
            and max(bad.values(), key=lambda pv: band_confidence(pv.ratio, rule.band)).ratio
            < rule.band[0]
        )
    conf = min(band_confidence(bad[v].ratio, rule.band) for v in bad if small[v] == is_small)
    return (rule.too_small if is_small else rule.too_large), conf


def pair_words(joints: tuple[Joint, Joint]) -> str:
    """"left knee - right knee": a pair without a rule name."""
    return f"{joints[0].label} - {joints[1].label}"


def vote(pairs: tuple[PairResult, ...], camera_view: str | None = None) -> Vote:
    """The source's per-view calls, good-form rules and 2-of-3 vote (scoring docstring 3-5, 9, 10).

    Args:
        pairs: the pair results, each with a verdict per gold view (front, left, right).
        camera_view: the camera's view; None (unknown) applies the source's rules unchanged.

    Returns:
        Vote: per-view bad pairs, front/side good form, the flagged pairs (empty when the lift
        is in good form from the front or the side) and a one-line result.
    """
    per_view = {}
    for v in GOLD_VIEWS:
        bad = tuple(p.joints for p in pairs if p.per_view[v].verdict == BAD)
        judged = any(p.per_view[v].verdict in (OK, BAD) for p in pairs)
        per_view[v] = ViewVote(bad, bool(bad), judged and not bad)
    front = per_view["front"].agrees and camera_view in (None, "front", "oblique")
    side = (per_view["left"].agrees and per_view["right"].agrees
            and camera_view in (None, "left", "right", "oblique"))
    flagged = () if front or side else tuple(p.joints for p in pairs if pair_is_flagged(p.per_view))
    judged_any = any(pv.verdict in (OK, BAD) for p in pairs for pv in p.per_view.values())
    if front and side:
        result = RESULT_GOOD_BOTH
    elif front:
        result = RESULT_FRONT_GOOD
    elif side:
        result = RESULT_SIDE_GOOD
    elif flagged:
        result = f"{RESULT_BAD}: " + ", ".join(p.name or pair_words(p.joints) for p in pairs
                                                if p.joints in flagged)
    elif not judged_any:
        result = RESULT_NOT_JUDGEABLE
    else:
        result = RESULT_NO_VERDICT
    return Vote(per_view, front, side, result, flagged)
