"""Form scoring: critical-pair distances against three gold views, then the 2-of-3 vote.

How a photo is judged (this text is the coaches' reference; the README quotes it)
--------------------------------------------------------------------------------
The source ("How Good Is Your Pose?", DESIGN.md section 1), as implemented here:

1. **Distance.** For each critical pair of the lift (coach/form_rules.py),
   `d = sqrt(((x2 - x1) / W)**2 + ((y2 - y1) / H)**2)`. W, H are the LIFTER'S BOX, not the
   image (the source used the image; we don't, so framing and zoom don't matter).
   *Box rule:* the tight box around the keypoints present in BOTH the lifter and every gold
   view of the compared phase, computed the same way for the lifter and for each gold pose;
   H is that box's height, and W its width over those joints minus the ones the lift's width
   pairs measure (form_rules.WIDTH_BOX_EXCLUDES, or a pair's own `width_box_excludes`; from
   the front W is then about the shoulder width). Otherwise the widest pair defines W and
   always measures exactly 1: a far-too-wide deadlift grip would read 1.0 and shrink every
   other width instead. We use keypoints, not the detector box, because the gold has no
   detector box, detectors pad their boxes differently (and include the bar), and one rule
   for both sides is what makes the ratio fair. The shared joint set means a lost ankle
   shrinks both boxes alike.
2. **Phase.** The lifter is compared with the gold of the nearest phase (`nearest_phase`).
3. **Per view.** `ratio = d_lifter / d_gold` against each gold view (front, left, right). A view
   whose ratio is outside the pair's band calls the pair, and so the lift, bad.
4. **Good form.** If no pair is bad against the front view, it is a *front lift in good form*.
   If no pair is bad against the left view nor against the right view, it is a *side lift in good
   form*. (A view "agrees" only when it judged at least one pair.)
5. **Vote.** When the lift is neither, a pair is flagged when at least 2 of the 3 gold views call
   it bad; its joints are reported with a reason.
6. **Missing joints.** A pair with a joint the pose model did not find is left out (verdict
   "missing") and the report says which joint was missing.

Our additions (view awareness, not in the source)
-------------------------------------------------
7. **Camera view.** The camera's view is estimated (coach/view.py) or given. A pair the CAMERA'S
   view cannot show (form_rules `views` / `hidden_in`: e.g. knee width from a side or oblique
   view) is "not_judgeable" against every gold view, is never flagged, and the report says
   "knee width can't be judged from a side view".
8. **Gold view.** A gold view abstains on a pair ("not_judgeable") when it cannot show the pair
   (knee width in the left gold is a collapsed projection), when its gold distance is below
   `MIN_GOLD_DISTANCE`, or when it sees the pair differently from the camera: a gold view only
   judges photos from its own view group (front with front; left and right, mirror images,
   with each other), except at phases where the pair is vertical (form_rules
   `view_invariant_in`: a standing thigh, a bench forearm), which every view sees alike. The
   source let all three views vote on everything, so a front photo was always "bad" against
   the side golds' collapsed widths, and every width was flagged whenever anything was off.
   A photo from one side judged against the other side's gold is compared with the gold's
   mirror pair (the lifter's near-side left forearm with the gold's near-side right forearm).
9. **Vote with abstentions.** Flagged when bad calls >= min(2, views that can judge the pair):
   2 of 3 when all three gold views can judge it (the source's rule), 2 of 2 when one abstains,
   and the single front view for widths, which only the front can show.

10. **Good form from the camera's side.** "Front lift in good form" is only declared for a
   photo taken from the front (or oblique), "side lift in good form" only for one from a side
   (or oblique). Otherwise a front photo with flared elbows would pass as a "side lift in good
   form" because the side golds, which can only compare its vertical forearms, agree.

The reason for a flagged pair says "too small" or "too large" as seen by the gold view matching
the camera when that view called it bad, else by the majority of the views that called it bad.
Flag confidence = (lowest keypoint score of the pair's two joints) x (band confidence), where
band confidence = min(1, 0.5 + m) and m is how far the ratio lies outside the band, in widths
of the band in log space (just outside: 0.5; half a band width or more outside: 1.0), taking
the weakest of the agreeing bad calls. A joint flagged by several pairs gets one Flag with the
highest confidence and every reason.

A gold pose scored against its own gold flags nothing in any view: its ratios are all 1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from coach.errors import GoldAnnotationError
from coach.form_rules import (
    GOLD_VIEWS,
    MIN_GOLD_DISTANCE,
    PHASES,
    WIDTH_BOX_EXCLUDES,
    PairRule,
    rules_for,
)
from coach.keypoints import MIRROR, Joint, Keypoints
from coach.view import ViewEstimate, estimate_view

GoldMapping = Mapping[str, Mapping[str, Keypoints]]  # view -> phase -> Keypoints (T >= 1)

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


@dataclass(frozen=True)
class Flag:
    """A joint in bad form, why, and how sure we are (see the module docstring)."""

    joint: Joint
    reason: str
    confidence: float


@dataclass(frozen=True)
class FormReport:
    lift: str
    phase: str
    view: ViewEstimate
    pairs: tuple[PairResult, ...]
    vote: Vote
    flagged: tuple[Flag, ...]
    not_judgeable: tuple[str, ...]
    missing: tuple[str, ...]


def box_wh(
    kp: Keypoints, t: int = 0, joints: NDArray[np.bool_] | None = None
) -> tuple[float, float]:
    """(W, H) pixels of the tight box around the present joints of frame t.

    Args:
        kp: keypoints; t: frame; joints: optional (17,) mask restricting which joints count.

    Returns:
        (W, H); (NaN, NaN) when no joint counts.
    """
    mask = kp.present(t) if joints is None else kp.present(t) & joints
    pts = kp.xy[t][mask]
    if len(pts) == 0:
        return float("nan"), float("nan")
    span = pts.max(axis=0) - pts.min(axis=0)
    return float(span[0]), float(span[1])


def lift_box_wh(
    kp: Keypoints,
    lift: str,
    joints: NDArray[np.bool_],
    t: int = 0,
    width_excludes: frozenset[Joint] | None = None,
) -> tuple[float, float]:
    """The lifter's box for `lift` (module docstring, item 1), pixels: W over `joints` minus
    `width_excludes` (default `form_rules.WIDTH_BOX_EXCLUDES[lift]`), H over all of `joints`."""
    excludes = WIDTH_BOX_EXCLUDES[lift] if width_excludes is None else width_excludes
    width_joints = joints.copy()
    width_joints[list(excludes)] = False
    return box_wh(kp, t, width_joints)[0], box_wh(kp, t, joints)[1]


def pair_distance_norm(
    kp: Keypoints, a: Joint, b: Joint, box_wh: tuple[float, float], t: int = 0
) -> float:
    """DESIGN's d = sqrt(((xb - xa) / W)^2 + ((yb - ya) / H)^2), unitless.

    Args:
        kp: keypoints in pixels. a, b: the pair. t: frame.
        box_wh: (W, H) of the LIFTER'S box in pixels (rule: module docstring, item 1).

    Returns:
        d; NaN if either joint is missing or W or H is not positive.
    """
    w, h = box_wh
    if not (w > 0 and h > 0):
        return float("nan")
    dx, dy = (kp.xy[t, b] - kp.xy[t, a]).astype(np.float64)
    return float(math.sqrt((dx / w) ** 2 + (dy / h) ** 2))


def _shape(xy: NDArray[np.float64]) -> NDArray[np.float64]:
    """Points centred on their box centre and divided by the box's longer side."""
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    side = float(max(hi - lo))
    return (xy - (lo + hi) / 2) / side if side > 0 else np.zeros_like(xy)


def pose_distance(kp: Keypoints, other: Keypoints, t: int = 0, t_other: int = 0) -> float:
    """Mean distance between two poses over the joints present in both, unitless.

    Each pose is centred on its box and scaled by the box's longer side (keeps the aspect ratio,
    which is what separates standing from the bottom of a squat). Inf when < 2 joints are shared.
    """
    common = kp.present(t) & other.present(t_other)
    if common.sum() < 2:
        return float("inf")
    a = _shape(kp.xy[t][common].astype(np.float64))
    b = _shape(other.xy[t_other][common].astype(np.float64))
    return float(np.linalg.norm(a - b, axis=1).mean())


def _check_gold(lift: str, gold: GoldMapping) -> None:
    for view in GOLD_VIEWS:
        for phase in PHASES[lift]:
            if phase not in gold.get(view, {}):
                raise GoldAnnotationError(
                    f"the {lift} gold has no {view!r} view for phase {phase!r}; it needs "
                    f"views {', '.join(GOLD_VIEWS)} and phases {', '.join(PHASES[lift])}"
                )


def nearest_phase(kp: Keypoints, lift: str, gold: GoldMapping, t: int = 0) -> str:
    """The gold phase closest to frame t: min over phases of min over gold views of
    `pose_distance`, also trying the lifter with left and right labels swapped (seen from
    behind, a symmetric pose is the front view with the sides swapped).
    Ties and no shared joints go to the lift's first phase.

    Raises:
        GoldAnnotationError: when the gold lacks a view or phase.
    """
    rules_for(lift)
    _check_gold(lift, gold)
    frame = kp.frame(t)
    swap = [int(j) for j in MIRROR]
    candidates = (frame, Keypoints(frame.xy[:, swap], frame.score[:, swap]))
    best, best_d = PHASES[lift][0], float("inf")
    for phase in PHASES[lift]:
        d = min(pose_distance(c, gold[v][phase]) for v in GOLD_VIEWS for c in candidates)
        if d < best_d:
            best, best_d = phase, d
    return best


def _view_words(view: str) -> str:
    return {"left": "a side", "right": "a side", "oblique": "an oblique (3/4)"}.get(
        view, f"a {view}"
    )


def _verdict(rule: PairRule, value: float, gold_d: float, camera: str, gold_view: str,
             phase: str) -> PairVerdict:
    ratio = value / gold_d if math.isfinite(value) and gold_d > 0 else float("nan")
    if not (math.isfinite(value) and math.isfinite(gold_d)):
        return PairVerdict(gold_d, ratio, MISSING)
    if not rule.comparable(camera, gold_view, phase):
        return PairVerdict(gold_d, ratio, NOT_JUDGEABLE)
    if gold_d < MIN_GOLD_DISTANCE:
        return PairVerdict(gold_d, ratio, NOT_JUDGEABLE)
    low, high = rule.band
    return PairVerdict(gold_d, ratio, OK if low <= ratio <= high else BAD)


def _gold_distance(
    gold: Keypoints, rule: PairRule, box: tuple[float, float], camera: str, gold_view: str
) -> float:
    """d of the rule's pair in one gold view. A photo from one side judged against the OTHER
    side's gold uses the gold's mirror pair (left forearm <-> right forearm): left and right
    views are mirror images, and this keeps near side with near side under perspective."""
    a, b = rule.a, rule.b
    if {camera, gold_view} == {"left", "right"}:
        a, b = MIRROR[a], MIRROR[b]
    return pair_distance_norm(gold, a, b, box)


def pair_is_flagged(per_view: Mapping[str, PairVerdict]) -> bool:
    """The vote on one pair: bad calls >= min(2, views that judged it), and at least one."""
    judged = [v.verdict for v in per_view.values() if v.verdict in (OK, BAD)]
    bad = judged.count(BAD)
    return bad >= 1 and bad >= min(2, len(judged))


def band_confidence(ratio: float, band: tuple[float, float]) -> float:
    """min(1, 0.5 + how far outside the band, in log band widths); 0 inside the band."""
    low, high = band
    if low <= ratio <= high:
        return 0.0
    edge = low if ratio < low else high
    return min(1.0, 0.5 + abs(math.log(ratio / edge)) / math.log(high / low))


def _flag_reason(rule: PairRule, pr: PairResult, camera: str) -> tuple[str, float]:
    """(reason, band confidence) of a flagged pair (direction rule: module docstring)."""
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


def vote(pairs: tuple[PairResult, ...], camera_view: str | None = None) -> Vote:
    """The source's per-view calls, good-form rules and 2-of-3 vote (module docstring 3-5, 9, 10).

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
        result = f"{RESULT_BAD}: " + ", ".join(p.name or _pair_words(p.joints) for p in pairs
                                                if p.joints in flagged)
    elif not judged_any:
        result = RESULT_NOT_JUDGEABLE
    else:
        result = RESULT_NO_VERDICT
    return Vote(per_view, front, side, result, flagged)


def _pair_words(joints: tuple[Joint, Joint]) -> str:
    return f"{joints[0].label} - {joints[1].label}"


def _merge_flags(raw: list[Flag]) -> tuple[Flag, ...]:
    by_joint: dict[Joint, list[Flag]] = {}
    for f in raw:
        by_joint.setdefault(f.joint, []).append(f)
    out = []
    for joint, flags in by_joint.items():
        flags.sort(key=lambda f: -f.confidence)
        reasons = list(dict.fromkeys(f.reason for f in flags))
        out.append(Flag(joint, "; ".join(reasons), flags[0].confidence))
    return tuple(sorted(out, key=lambda f: int(f.joint)))


def _notes(rule: PairRule, kp: Keypoints, t: int, camera: ViewEstimate, phase: str,
           pr: PairResult) -> tuple[str | None, str | None]:
    """(missing note, not-judgeable note) for one pair; None where there is nothing to say."""
    lost = [j.label for j in rule.joints if not kp.present(t)[j]]
    if lost:
        return f"{rule.name} left out: {' and '.join(lost)} not found", None
    if any(pv.verdict == MISSING for pv in pr.per_view.values()):
        return f"{rule.name} left out: the gold pose lacks one of its joints", None
    if not rule.can_show(camera.view, phase):
        at = f" at the {phase}" if camera.view in rule.views else ""
        return None, f"{rule.name} can't be judged from {_view_words(camera.view)} view{at}"
    if all(pv.verdict == NOT_JUDGEABLE for pv in pr.per_view.values()):
        return None, f"{rule.name} can't be judged: no gold view shows it at the {phase}"
    return None, None


_Boxes = tuple[tuple[float, float], dict[str, tuple[float, float]]]


def _boxes(
    kp: Keypoints,
    t: int,
    golds: Mapping[str, Keypoints],
    lift: str,
    shared: NDArray[np.bool_],
    rules: tuple[PairRule, ...],
) -> dict[frozenset[Joint] | None, _Boxes]:
    """(lifter box, gold box per view) for each distinct width rule among `rules`."""
    out: dict[frozenset[Joint] | None, _Boxes] = {}
    for excl in {r.width_box_excludes for r in rules}:
        out[excl] = (
            lift_box_wh(kp, lift, shared, t, excl),
            {v: lift_box_wh(g, lift, shared, 0, excl) for v, g in golds.items()},
        )
    return out


def assess_form(
    kp: Keypoints,
    lift: str,
    gold: GoldMapping,
    *,
    view: ViewEstimate | None = None,
    t: int = 0,
) -> FormReport:
    """Judge frame t of `kp` against the gold (rules: module docstring).

    Args:
        kp: the lifter's keypoints, pixels, NaN = not found (after `Keypoints.confident`).
        lift: "squat", "bench" or "deadlift".
        gold: plain mapping view -> phase -> Keypoints (frame 0 is used), views front/left/right.
        view: the camera's view; estimated from `kp` when None.
        t: frame index.

    Raises:
        BadInput: unknown lift. GoldAnnotationError: gold lacks a view or phase.
    """
    rules = rules_for(lift)
    camera = view if view is not None else estimate_view(kp, t)
    phase = nearest_phase(kp, lift, gold, t)
    golds = {v: gold[v][phase] for v in GOLD_VIEWS}
    shared = kp.present(t)
    for g in golds.values():
        shared = shared & g.present(0)
    boxes = _boxes(kp, t, golds, lift, shared, rules)

    pairs, raw_flags, missing, not_judgeable = [], [], [], []
    for rule in rules:
        lifter_box, gold_boxes = boxes[rule.width_box_excludes]
        value = pair_distance_norm(kp, rule.a, rule.b, lifter_box, t)
        per_view = {
            v: _verdict(rule, value, _gold_distance(golds[v], rule, gold_boxes[v], camera.view, v),
                        camera.view, v, phase)
            for v in GOLD_VIEWS
        }
        pr = PairResult(rule.joints, value, per_view, rule.name)
        pairs.append(pr)
        miss, nj = _notes(rule, kp, t, camera, phase, pr)
        missing += [miss] if miss else []
        not_judgeable += [nj] if nj else []
    pairs_t = tuple(pairs)
    tally = vote(pairs_t, camera.view)
    for rule, pr in zip(rules, pairs_t, strict=True):
        if pr.joints in tally.flagged_pairs:
            reason, conf = _flag_reason(rule, pr, camera.view)
            kp_conf = float(min(kp.score[t, rule.a], kp.score[t, rule.b]))
            raw_flags += [Flag(j, reason, round(kp_conf * conf, 3)) for j in rule.flag_joints]
    return FormReport(lift, phase, camera, pairs_t, tally, _merge_flags(raw_flags),
                      tuple(not_judgeable), tuple(missing))


def _num(x: float) -> float | None:
    """JSON-safe number: rounded to 4 decimals, None for NaN and infinities."""
    return round(float(x), 4) if math.isfinite(x) else None


def _names(joints: tuple[Joint, ...]) -> list[str]:
    return [j.name.lower() for j in joints]


def report_to_dict(report: FormReport) -> dict[str, object]:
    """The CLI JSON pieces: `lift`, `phase`, `view`, `pairs`, `vote`, `flagged_joints`, notes."""
    return {
        "lift": report.lift,
        "phase": report.phase,
        "view": {
            "label": report.view.view,
            "yaw_deg": _num(report.view.yaw_deg),
            "confidence": _num(report.view.confidence),
        },
        "pairs": [
            {
                "name": p.name,
                "joints": _names(p.joints),
                "value": _num(p.value),
                "per_view": {
                    v: {"gold": _num(pv.gold), "ratio": _num(pv.ratio), "verdict": pv.verdict}
                    for v, pv in p.per_view.items()
                },
            }
            for p in report.pairs
        ],
        "vote": {
            "per_view": {
                v: {"bad_pairs": [_names(bp) for bp in vv.bad_pairs], "calls_bad": vv.calls_bad,
                    "agrees": vv.agrees}
                for v, vv in report.vote.per_view.items()
            },
            "flagged_pairs": [_names(fp) for fp in report.vote.flagged_pairs],
            "front_lift_good": report.vote.front_lift_good,
            "side_lift_good": report.vote.side_lift_good,
            "result": report.vote.result,
        },
        "flagged_joints": [
            {"joint": f.joint.name.lower(), "reason": f.reason, "confidence": _num(f.confidence)}
            for f in report.flagged
        ],
        "not_judgeable": list(report.not_judgeable),
        "missing": list(report.missing),
    }
