"""Form verdicts for one lifter: lift -> view -> gold of the nearest phase -> pairs and vote.

This module only wires the pure pieces together (classify, view, gold, scoring, angles) and
shapes their results for the CLI, the overlay and the pages. The rules themselves are
documented in coach/form/scoring.py and coach/form/rules.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from coach.core.angles import compute_angles
from coach.core.keypoints import Joint, PersonPose
from coach.core.settings import Settings
from coach.form.gold import GoldSet, TeamGold, active_team_gold, load_gold
from coach.form.scoring import NOT_JUDGEABLE, Flag, FormReport, assess_form, report_to_dict
from coach.form.scoring_json import json_number
from coach.form.view import ViewEstimate, estimate_view
from coach.lift.classify import UNSURE, LiftPrediction, classify_lift, given_lift


@dataclass(frozen=True)
class FormOutcome:
    """Everything the form check says about one frame.

    `report` is None when the lift is unsure (nothing is scored, and `notes` says why).
    `gold_angles_deg` are the gold's angles at the phase the lifter was compared with.
    """

    lift: LiftPrediction
    view: ViewEstimate
    report: FormReport | None
    angles_deg: dict[str, float]
    gold_angles_deg: dict[str, float]
    notes: tuple[str, ...]

    @property
    def flags(self) -> tuple[Flag, ...]:
        return () if self.report is None else self.report.flagged

    @property
    def top_cue(self) -> str:
        """The one thing to fix first: the most confident flag's reason, or a positive word."""
        if self.report is None:
            return self.notes[0] if self.notes else ""
        if not self.flags:
            return "looks good from here"
        top = max(self.flags, key=lambda f: f.confidence)
        return f"{top.label}: {top.reason}"


def gold_override_dir(settings: Settings) -> Path:
    """Where a coach's replacement gold views live (Gold standards page)."""
    return Path(settings.data_dir) / "gold"


def gold_for(lift: str, settings: Settings) -> GoldSet:
    """The gold set, reloaded only when a coach's override files change."""
    override = gold_override_dir(settings)
    stamp = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in override.glob("*.json"))) \
        if override.is_dir() else ()
    return _gold_cached(lift, str(override), stamp, active_team_gold())


@lru_cache(maxsize=64)
def _gold_cached(
    lift: str, override: str, stamp: tuple[tuple[str, int], ...], team: TeamGold
) -> GoldSet:
    """Keyed by the team gold's row ids: a replaced or reverted view reloads the set."""
    return load_gold(lift, override_dir=Path(override), overrides=team.documents)


def evaluate_form(person: PersonPose, lift: str, settings: Settings) -> FormOutcome:
    """Classify (or take) the lift, estimate the view and score against the gold.

    Args:
        person: the lifter, keypoints already thresholded (NaN = not found).
        lift: "auto" to classify, or "squat" / "bench" / "deadlift".

    Raises:
        BadInput: an unknown lift name. GoldAnnotationError: a broken gold file.
    """
    kp = person.keypoints
    prediction = classify_lift(kp) if lift == "auto" else given_lift(lift)
    view = estimate_view(kp)
    angles = compute_angles(kp)
    if prediction.label == UNSURE:
        probs = prediction.probabilities
        guess = max(probs, key=lambda name: probs[name])
        note = (f"lift unclear (best guess {guess}, {prediction.confidence:.0%}): "
                "choose the lift to get form verdicts")
        return FormOutcome(prediction, view, None, angles, {}, (note,))
    gold = gold_for(prediction.label, settings)
    angles_3d = {phase: gold.pose("front", phase).angles_deg for phase in gold.phases}
    report = assess_form(kp, prediction.label, gold.as_mapping(), view=view,
                         gold_angles_3d_deg=angles_3d)
    gold_view = view.view if view.view in gold.views else "front"
    gold_pose = gold.pose(gold_view, report.phase)
    # Like with like: 3D lifter angles against the gold's true angles; 2D (image) lifter angles
    # against the gold's angles as measured in that view's image.
    gold_angles = dict(gold_pose.angles_deg if kp.world_xyz is not None
                       else gold_pose.angles_2d_deg or gold_pose.angles_deg)
    notes = ((report.variant,) if report.variant else ()) + report.not_judgeable + report.missing
    return FormOutcome(prediction, view, report, angles, gold_angles, notes)


def joint_statuses(outcome: FormOutcome) -> dict[Joint, tuple[str, str]]:
    """Per joint in a critical pair: ("flagged" | "good" | "unjudgeable", short label).

    A joint is flagged when any flag names it; unjudgeable when every pair it belongs to is
    not judgeable from this view; good otherwise. Joints in no critical pair are "good".
    """
    out: dict[Joint, tuple[str, str]] = {j: ("good", "") for j in Joint}
    if outcome.report is None:
        return out
    judged: set[Joint] = set()
    in_pairs: set[Joint] = set()
    for pair in outcome.report.pairs:
        in_pairs.update(pair.joints)
        if any(v.verdict != NOT_JUDGEABLE for v in pair.per_view.values()):
            judged.update(pair.joints)
    for joint in in_pairs - judged:
        out[joint] = ("unjudgeable", "?")
    for flag in outcome.flags:
        out[Joint[flag.joint.upper()]] = ("flagged", _short(flag.reason))
    return out


def _short(reason: str) -> str:
    """A label that fits beside a joint: the reason up to its first clause, at most 24 chars."""
    head = reason.split(";")[0].split(",")[0].split("(")[0].strip()
    return head if len(head) <= 24 else head[:23] + "…"


def form_to_json(outcome: FormOutcome) -> dict[str, object]:
    """The form part of the CLI JSON (schema in the README)."""
    lift = {
        "label": outcome.lift.label,
        "probabilities": {k: round(v, 4) for k, v in outcome.lift.probabilities.items()},
        "confidence": round(outcome.lift.confidence, 4),
        "source": outcome.lift.source,
    }
    view = {"label": outcome.view.view, "yaw_deg": json_number(outcome.view.yaw_deg, 2),
            "confidence": json_number(outcome.view.confidence, 2)}
    out: dict[str, object] = {"lift": lift, "view": view, "phase": None, "pairs": [],
                              "vote": None, "flagged_joints": [], "not_judgeable": [],
                              "missing": [], "notes": list(outcome.notes)}
    if outcome.report is not None:
        scored = report_to_dict(outcome.report)
        out.update({k: scored[k] for k in ("phase", "pairs", "vote", "flagged_joints",
                                           "not_judgeable", "missing")})
    out["angles_deg"] = {k: json_number(v, 2) for k, v in outcome.angles_deg.items()}
    out["gold_angles_deg"] = {k: json_number(v, 2)
                              for k, v in outcome.gold_angles_deg.items()}
    return out


__all__ = ["FormOutcome", "evaluate_form", "form_to_json", "gold_for", "joint_statuses"]
