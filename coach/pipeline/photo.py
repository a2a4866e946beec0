"""The photo/frame pipeline: decode -> downscale -> pose -> pick the lifter -> threshold.

Every stage is timed; coordinates are always reported in ORIGINAL image pixels even when the
model saw a downscaled copy. Form verdicts (lift, view, pairs, vote, flags, angles) are added
by `coach.pipeline.form_check.evaluate_form` when requested.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from coach.core.errors import NoPersonFound
from coach.core.keypoints import PersonPose
from coach.core.settings import Settings
from coach.form.fault_check import FaultVerdict, fault_json, judge_photo
from coach.form.fault_gates import feet_trusted_for
from coach.media.photo import LoadedImage, downscale_for_inference, load_image, person_to_original
from coach.pipeline.persons_json import feet_to_list, persons_to_json
from coach.pose.base import PoseEstimator
from coach.pose.select import pick_lifter
from coach.pose.tracking import LifterKeeper

if TYPE_CHECKING:
    from coach.pipeline.form_check import FormOutcome


@dataclass(frozen=True)
class FrameAnalysis:
    """One analysed image. `person.keypoints` is already thresholded (NaN = not found)."""

    backend: str
    width_px: int
    height_px: int
    person: PersonPose
    persons_found: int
    timings_ms: dict[str, float]
    form: FormOutcome | None = field(default=None)
    faults: tuple[FaultVerdict, ...] = ()  # the catalogue's faults a single photo can show
    # Everyone found (original pixels, unthresholded), the lifter's index among them, why the
    # lifter was chosen, and each person's track id when frames are tracked (else empty).
    persons: tuple[PersonPose, ...] = field(default=())
    lifter_index: int = 0
    lifter_reason: str = ""
    track_ids: tuple[int, ...] = field(default=())


class _Timer:
    """Collects per-stage wall-clock times in milliseconds."""

    def __init__(self) -> None:
        self.ms: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.ms[name] = self.ms.get(name, 0.0) + (time.perf_counter() - t0) * 1000.0


def decode_photo(source: bytes | str | Path, settings: Settings) -> tuple[LoadedImage, float]:
    """Decode and validate a photo before any model is loaded; returns it and the ms it took.

    Raises:
        BadImage: empty, not an image, truncated, or over `settings.max_image_pixels`.
    """
    t0 = time.perf_counter()
    image = load_image(source, max_pixels=settings.max_image_pixels)
    return image, (time.perf_counter() - t0) * 1000.0


def analyze_photo(
    source: bytes | str | Path | LoadedImage,
    estimator: PoseEstimator,
    settings: Settings,
    *,
    click_xy: tuple[float, float] | None = None,
    lift: str | None = None,
    decode_ms: float | None = None,
) -> tuple[FrameAnalysis, NDArray[np.uint8]]:
    """Decode a photo (unless given decoded) and analyse it.

    Args:
        source: encoded image bytes, a path, or an image from `decode_photo`.
        decode_ms: with an image from `decode_photo`, the time it took (counted in the
            timings as the "decode" stage).
        click_xy: a point (original pixels) on the person to analyse instead of the default.
        lift: None for keypoints only; "auto" to classify the lift; or "squat"/"bench"/"deadlift"
            to give it. Anything but None adds form verdicts.

    Returns:
        The analysis and the decoded upright BGR image (for drawing).

    Raises:
        BadImage: the photo cannot be used. NoPersonFound: nobody in it.
    """
    timer = _Timer()
    if isinstance(source, LoadedImage):
        image = source
        if decode_ms is not None:
            timer.ms["decode"] = decode_ms
    else:
        image, decode_ms = decode_photo(source, settings)
        timer.ms["decode"] = decode_ms
    result = _analyze(image.bgr, estimator, settings, timer, click_xy=click_xy, lift=lift)
    return with_photo_faults(result), image.bgr


def analyze_frame(
    bgr: NDArray[np.uint8],
    estimator: PoseEstimator,
    settings: Settings,
    *,
    click_xy: tuple[float, float] | None = None,
    lift: str | None = None,
    keeper: LifterKeeper | None = None,
    frame_index: int = 0,
) -> FrameAnalysis:
    """Analyse one already-decoded BGR frame (video and webcam path). Same stages as a photo.

    Args:
        keeper: follows people over a clip's or a live stream's frames and keeps one lifter
            (`coach.pose.tracking`); None picks the lifter in this frame alone.
        frame_index: this frame's index, for the keeper.

    Raises:
        NoPersonFound: nobody in the frame, or (with a keeper) the lifter is not in it.
    """
    return _analyze(bgr, estimator, settings, _Timer(), click_xy=click_xy, lift=lift,
                    keeper=keeper, frame_index=frame_index)


def _analyze(
    bgr: NDArray[np.uint8],
    estimator: PoseEstimator,
    settings: Settings,
    timer: _Timer,
    *,
    click_xy: tuple[float, float] | None,
    lift: str | None,
    keeper: LifterKeeper | None = None,
    frame_index: int = 0,
) -> FrameAnalysis:
    height_px, width_px = bgr.shape[:2]
    with timer.stage("resize"):
        small, scale = downscale_for_inference(bgr, settings.inference_max_side_px)
    with timer.stage("pose"):
        persons = estimator.estimate(small)
    with timer.stage("select"):
        persons = [person_to_original(p, scale) for p in persons] if scale != 1.0 else persons
        ids, index, reason = _select(persons, (width_px, height_px), click_xy, keeper,
                                     frame_index)
        lifter = persons[index]
        lifter = PersonPose(
            lifter.keypoints.confident(settings.min_keypoint_score),
            lifter.bbox_xywh,
            lifter.detection_score,
            lifter.silhouette,
        )
    form = None
    if lift is not None:
        from coach.pipeline.form_check import evaluate_form

        with timer.stage("form"):
            form = evaluate_form(lifter, lift, settings)
    timer.ms["total"] = sum(timer.ms.values())
    return FrameAnalysis(
        backend=estimator.name,
        width_px=int(width_px),
        height_px=int(height_px),
        person=lifter,
        persons_found=len(persons),
        timings_ms={k: round(v, 2) for k, v in timer.ms.items()},
        form=form,
        persons=tuple(persons),
        lifter_index=index,
        lifter_reason=reason,
        track_ids=tuple(ids),
    )


def _select(
    persons: list[PersonPose], image_wh: tuple[int, int], click_xy: tuple[float, float] | None,
    keeper: LifterKeeper | None, frame_index: int,
) -> tuple[list[int], int, str]:
    """(track ids, the lifter's index, why) in one frame; raises NoPersonFound."""
    if not persons:
        raise NoPersonFound(
            "no person found in this picture: make sure the whole lifter is in frame "
            "and well lit"
        )
    if keeper is None:
        index, reason = pick_lifter(persons, image_wh, click_xy)
        return [], index, reason
    ids, lifter = keeper.update(frame_index, persons, image_wh)
    if lifter is None:
        raise NoPersonFound("the lifter is not in this frame (someone else may be)")
    return ids, lifter, keeper.reason


def analysis_to_json(result: FrameAnalysis) -> dict[str, object]:
    """The CLI's JSON object (schema documented in the README)."""
    x, y, w, h = result.person.bbox_xywh
    out: dict[str, object] = {
        "backend": result.backend,
        "image": {"width": result.width_px, "height": result.height_px},
        "person": {
            "bbox": [round(x, 2), round(y, 2), round(w, 2), round(h, 2)],
            "keypoints": result.person.keypoints.to_list(),
            "feet": feet_to_list(result.person.keypoints),
        },
        "persons_found": result.persons_found,
        "timings_ms": result.timings_ms,
    }
    out.update(persons_to_json(result.persons, result.lifter_index, result.lifter_reason,
                               result.track_ids))
    if result.form is not None:
        from coach.pipeline.form_check import form_to_json

        out.update(form_to_json(result.form))
        out["faults"] = [fault_json(f, None) for f in result.faults]
    return out


def with_photo_faults(result: FrameAnalysis) -> FrameAnalysis:
    """The photo's analysis with the faults its one moment can show (`judge_photo`)."""
    form = result.form
    if form is None or form.report is None:
        return result
    faults = judge_photo(form.lift.label, form.report.phase, result.person.keypoints,
                         form.view.view, feet_trusted=feet_trusted_for(result.backend))  # fmt: skip
    return replace(result, faults=faults)
