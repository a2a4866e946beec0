"""Form scoring: critical-pair distances against three gold views, then the 2-of-3 vote.

How a photo is judged (this text is the coaches' reference; the README quotes it)
--------------------------------------------------------------------------------
The source ("How Good Is Your Pose?", DESIGN.md section 1), as implemented here:

1. **Distance.** For each critical pair of the lift (coach/form/rules.py),
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
2. **Phase.** The lifter is compared with the gold of the nearest phase (`nearest_phase`,
   coach/form/phase.py: by the phase-defining 3D angles when there are world points, else a 2D
   cue measured per lift).
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
7. **Camera view.** The camera's view is estimated (coach/form/view.py) or given. A pair the
CAMERA'S
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
Flag confidence = (lowest keypoint score of the joints measured) x (band confidence), where
band confidence = min(1, 0.5 + m) and m is how far the ratio lies outside the band, in widths
of the band in log space (just outside: 0.5; half a band width or more outside: 1.0), taking
the weakest of the agreeing bad calls. A joint flagged by several pairs gets one Flag with the
highest confidence and every reason.

A gold pose scored against its own gold flags nothing in any view: its ratios are all 1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from coach.core.flags import Flag
from coach.core.keypoints import MIRROR, Joint, Keypoints
from coach.form.phase import GoldMapping, nearest_phase, pose_distance
from coach.form.rules import (
    GOLD_VIEWS,
    MIN_GOLD_DISTANCE,
    PHASES,
    VARIANTS,
    WIDTH_BOX_EXCLUDES,
    PairRule,
    Variant,
    rules_for,
)
from coach.form.scoring_json import report_to_dict
from coach.form.view import ViewEstimate, estimate_view
from coach.form.vote import (
    BAD,
    MISSING,
    NOT_JUDGEABLE,
    OK,
    RESULT_BAD,
    RESULT_FRONT_GOOD,
    RESULT_GOOD_BOTH,
    RESULT_NO_VERDICT,
    RESULT_NOT_JUDGEABLE,
    RESULT_SIDE_GOOD,
    PairResult,
    PairVerdict,
    ViewVote,
    Vote,
    band_confidence,
    flag_reason,
    pair_is_flagged,
    vote,
)

__all__ = [
    "BAD", "MISSING", "NOT_JUDGEABLE", "OK", "RESULT_BAD", "RESULT_FRONT_GOOD",
    "RESULT_GOOD_BOTH", "RESULT_NOT_JUDGEABLE", "RESULT_NO_VERDICT", "RESULT_SIDE_GOOD",
    "Flag", "FormReport", "GoldMapping", "PairResult", "PairVerdict", "ViewVote", "Vote",
    "assess_form", "band_confidence", "box_wh", "lift_box_wh", "nearest_phase",
    "pair_distance_norm", "pair_is_flagged", "pose_distance", "report_to_dict", "vote",
]  # fmt: skip

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
    variant: str | None = None  # the recognised variant's note (item 12), None for none


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


def _measure(kp: Keypoints, rule: PairRule, a: Joint, b: Joint, box: tuple[float, float],
             t: int = 0) -> float:
    """The rule's measurement of pair (a, b): d, or d over the reference pair's d when the rule
    has `relative_to` (item 11). A reference shorter than `MIN_GOLD_DISTANCE` gives 0.0, which
    makes a gold view abstain like any gold distance too short to anchor a ratio."""
    d = pair_distance_norm(kp, a, b, box, t)
    if rule.relative_to is None:
        return d
    ref = pair_distance_norm(kp, *rule.relative_to, box, t)
    if not (math.isfinite(d) and math.isfinite(ref)):
        return float("nan")
    return d / ref if ref >= MIN_GOLD_DISTANCE else 0.0


def _gold_distance(
    gold: Keypoints, rule: PairRule, box: tuple[float, float], camera: str, gold_view: str
) -> float:
    """d of the rule's pair in one gold view. A photo from one side judged against the OTHER
    side's gold uses the gold's mirror pair (left forearm <-> right forearm): left and right
    views are mirror images, and this keeps near side with near side under perspective."""
    a, b = rule.a, rule.b
    if {camera, gold_view} == {"left", "right"}:
        a, b = MIRROR[a], MIRROR[b]
    return _measure(gold, rule, a, b, box)


def _merge_flags(raw: list[Flag]) -> tuple[Flag, ...]:
    by_joint: dict[str, list[Flag]] = {}
    for f in raw:
        by_joint.setdefault(f.joint, []).append(f)
    out = []
    for joint, flags in by_joint.items():
        flags.sort(key=lambda f: -f.confidence)
        reasons = list(dict.fromkeys(f.reason for f in flags))
        out.append(Flag(joint, "; ".join(reasons), flags[0].confidence))
    return tuple(sorted(out, key=lambda f: int(Joint[f.joint.upper()])))


def _notes(rule: PairRule, kp: Keypoints, t: int, camera: ViewEstimate, phase: str,
           pr: PairResult, lift: str) -> tuple[str | None, str | None]:
    """(missing note, not-judgeable note) for one pair; None where there is nothing to say."""
    lost = [j.label for j in rule.measured_joints if not kp.present(t)[j]]
    if lost:
        return f"{rule.name} left out: {' and '.join(lost)} not found", None
    if any(pv.verdict == MISSING for pv in pr.per_view.values()):
        return f"{rule.name} left out: the gold pose lacks one of its joints", None
    judged_in = rule.judged_phases(PHASES[lift])
    if phase not in judged_in:
        return None, f"{rule.name} is only judged at the {' and '.join(judged_in)}"
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


def _score_pairs(
    rules: tuple[PairRule, ...],
    kp: Keypoints,
    t: int,
    golds: Mapping[str, Keypoints],
    boxes: Mapping[frozenset[Joint] | None, _Boxes],
    camera: str,
    phase: str,
) -> tuple[PairResult, ...]:
    """Each rule's value and its verdict against every gold view (items 1, 3, 7, 8, 11)."""
    out = []
    for rule in rules:
        lifter_box, gold_boxes = boxes[rule.width_box_excludes]
        value = _measure(kp, rule, rule.a, rule.b, lifter_box, t)
        per_view = {
            v: _verdict(rule, value, _gold_distance(golds[v], rule, gold_boxes[v], camera, v),
                        camera, v, phase)
            for v in GOLD_VIEWS
        }
        out.append(PairResult(rule.joints, value, per_view, rule.name))
    return tuple(out)


def _recognised(lift: str, pairs: tuple[PairResult, ...], kp: Keypoints, t: int,
                box: tuple[float, float]) -> Variant | None:
    """The first of the lift's variants whose pair, as judged by the FRONT gold, reaches the
    variant's ratio and whose `inside` test holds in the photo (item 12); None when none."""
    for variant in VARIANTS[lift]:
        if variant.inside is not None:
            inner, outer = (pair_distance_norm(kp, *p, box, t) for p in variant.inside)
            if not inner < outer:  # False for NaN too: a missing joint recognises nothing
                continue
        for p in pairs:
            pv = p.per_view["front"]
            if p.joints == variant.pair and pv.verdict in (OK, BAD) and (
                pv.ratio >= variant.min_ratio
            ):
                return variant
    return None


def assess_form(
    kp: Keypoints,
    lift: str,
    gold: GoldMapping,
    *,
    view: ViewEstimate | None = None,
    t: int = 0,
    gold_angles_3d_deg: Mapping[str, Mapping[str, float]] | None = None,
) -> FormReport:
    """Judge frame t of `kp` against the gold (rules: module docstring).

    Args:
        kp: the lifter's keypoints, pixels, NaN = not found (after `Keypoints.confident`).
        lift: "squat", "bench" or "deadlift".
        gold: plain mapping view -> phase -> Keypoints (frame 0 is used), views front/left/right.
        view: the camera's view; estimated from `kp` when None.
        t: frame index.
        gold_angles_3d_deg: phase -> the gold's true angles; lets `nearest_phase` decide by
            3D key angles when `kp` has world points (coach/form/phase.py).

    Raises:
        BadInput: unknown lift. GoldAnnotationError: gold lacks a view or phase.
    """
    rules = rules_for(lift)
    camera = view if view is not None else estimate_view(kp, t)
    phase = nearest_phase(kp, lift, gold, t, gold_angles_3d_deg)
    golds = {v: gold[v][phase] for v in GOLD_VIEWS}
    shared = kp.present(t)
    for g in golds.values():
        shared = shared & g.present(0)
    boxes = _boxes(kp, t, golds, lift, shared, rules)
    pairs = _score_pairs(rules, kp, t, golds, boxes, camera.view, phase)
    variant = _recognised(lift, pairs, kp, t, next(iter(boxes.values()))[0])
    if variant is not None:
        rules = tuple(replace(r, band=variant.bands.get(r.joints, r.band)) for r in rules)
        pairs = _score_pairs(rules, kp, t, golds, boxes, camera.view, phase)

    raw_flags, missing, not_judgeable = [], [], []
    for rule, pr in zip(rules, pairs, strict=True):
        miss, nj = _notes(rule, kp, t, camera, phase, pr, lift)
        missing += [miss] if miss else []
        not_judgeable += [nj] if nj else []
    tally = vote(pairs, camera.view)
    for rule, pr in zip(rules, pairs, strict=True):
        if pr.joints in tally.flagged_pairs:
            reason, conf = flag_reason(rule, pr, camera.view)
            kp_conf = float(min(kp.score[t, j] for j in rule.measured_joints))
            raw_flags += [Flag(j.name.lower(), reason, float(round(kp_conf * conf, 3)))
                          for j in rule.flag_joints]  # fmt: skip
    return FormReport(lift, phase, camera, pairs, tally, _merge_flags(raw_flags),
                      tuple(not_judgeable), tuple(missing),
                      variant.note if variant is not None else None)
