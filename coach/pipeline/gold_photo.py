"""The Gold page's use case: replace one view's gold pose from a coach's reference photo."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coach.core.errors import GoldAnnotationError, NoPersonFound
from coach.core.keypoints import Keypoints
from coach.form.gold import (
    CRITICAL_JOINTS,
    gold_from_keypoints,
    load_gold,
    poses_of_document,
    save_gold_override,
)
from coach.form.gold_schema import validate_gold
from coach.lift.classify import UNSURE
from coach.media.photo import load_image
from coach.pose.base import PoseEstimator
from coach.pose.select import choose_lifter
from coach.store.gold import TeamGoldStore


@dataclass(frozen=True)
class GoldReplacement:
    """A saved gold pose: where it went and how it looks."""

    path: Path
    keypoints: Keypoints


def replace_gold_from_photo(
    image: bytes,
    estimator: PoseEstimator,
    override_dir: Path,
    *,
    lift: str,
    view: str,
    phase: str,
) -> GoldReplacement:
    """Make a gold pose from the coach's reference photo, validate it, and save it.

    Raises:
        BadImage, NoPersonFound: the photo cannot give a pose.
        GoldAnnotationError: the pose does not pass the gold checks (message says why).
    """
    doc = gold_from_photo(image, estimator, lift=lift, view=view, phase=phase)
    validate_gold(doc)
    path = Path(save_gold_override(doc, override_dir))
    # Read it back through the same loader the scorer uses, so what is shown is what counts.
    pose = load_gold(lift, override_dir=override_dir).pose(view, phase)
    return GoldReplacement(path, pose.keypoints)


@dataclass(frozen=True)
class TeamGoldReplacement:
    """A team gold pose saved in the database: its override row id and how it looks."""

    override_id: int
    keypoints: Keypoints


def replace_team_gold_from_photo(
    image: bytes, estimator: PoseEstimator, gold: TeamGoldStore, team_id: int, *, lift: str,
    view: str, phase: str,
) -> TeamGoldReplacement:  # fmt: skip
    """Make a gold pose from the coach's reference photo, check it shows `lift`, validate it
    and store it as the team's gold (shared by every app instance on the database).

    Raises:
        BadImage, GoldAnnotationError: the photo cannot give a valid gold pose of `lift`.
        NotAllowed: the viewer does not coach the team.
    """
    doc = gold_from_photo(image, estimator, lift=lift, view=view, phase=phase)
    validate_gold(doc)
    pose = poses_of_document(doc, source="reference photo")[0]
    _require_lift(pose.keypoints, lift)
    override_id = gold.replace(team_id, doc)
    # Read it back through the loader the scorer uses, so what is shown is what counts.
    current = [o.document for o in gold.current(team_id, lift)]
    shown = load_gold(lift, overrides=current).pose(view, phase)
    return TeamGoldReplacement(override_id, shown.keypoints)


# A reference photo the classifier is this sure shows another lift is refused as gold.
OTHER_LIFT_REFUSAL_CONFIDENCE = 0.6


def _require_lift(kp: Keypoints, lift: str) -> None:
    from coach.lift.classify import classify_lift

    guess = classify_lift(kp)
    if guess.label not in (lift, UNSURE) and guess.confidence >= OTHER_LIFT_REFUSAL_CONFIDENCE:
        raise GoldAnnotationError(
            f"This reference photo looks like a {guess.label} ({guess.confidence:.0%} sure), "
            f"not a {lift}; use a photo of a good {lift}."
        )


GOLD_PHOTO_MAX_PIXELS = 50_000_000


def gold_from_photo(
    image: bytes | Path,
    estimator: Any,
    *,
    lift: str,
    view: str,
    phase: str,
    min_score: float = 0.3,
    click_xy: tuple[float, float] | None = None,
) -> dict[str, Any]:
    """A one-annotation gold document from a coach's own reference photo.

    Args:
        image: the photo's bytes or path.
        estimator: a `coach.pose.PoseEstimator`.
        lift, view, phase: what the photo shows.
        min_score: joints below this score count as not found.
        click_xy: pixel the coach clicked on the lifter, when several people are in frame.

    Raises:
        BadImage: the photo cannot be decoded.
        GoldAnnotationError: nobody found, or a critical joint (shoulders, elbows, wrists,
            hips, knees, ankles) not found with enough confidence.
    """
    loaded = load_image(image, max_pixels=GOLD_PHOTO_MAX_PIXELS)
    persons = estimator.estimate(loaded.bgr)
    try:
        person = choose_lifter(persons, (loaded.width_px, loaded.height_px), click_xy)
    except NoPersonFound as exc:
        raise GoldAnnotationError(
            "No person was found in the reference photo, so it cannot become a gold pose. "
            "Use a photo with the whole lifter in frame and well lit."
        ) from exc
    kp = person.keypoints.confident(min_score)
    absent = [j.label for j in CRITICAL_JOINTS if not kp.present(0)[j]]
    if absent:
        raise GoldAnnotationError(
            f"The reference photo does not clearly show the {', '.join(absent)} "
            f"(confidence below {min_score}). A gold pose needs shoulders, elbows, wrists, hips, "
            f"knees and ankles all visible: retake the photo from the {view} view with nothing "
            "blocking them."
        )
    name = image.name if isinstance(image, Path) else "uploaded-photo"
    source = (
        f"coach reference photo {name}, keypoints by {getattr(estimator, 'name', 'a pose model')}"
    )
    return gold_from_keypoints(
        kp, lift=lift, view=view, phase=phase, image_wh=(loaded.width_px, loaded.height_px),
        source=source, file_name=name,
    )  # fmt: skip
