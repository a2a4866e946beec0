"""The Photo page's work: analyse uploaded photos, keep the results, save them as a session.

Errors with one photo (not an image, truncated, too large, nobody in it) are kept with that
photo so the others still show; only a database failure stops the page (StorageError).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
from numpy.typing import NDArray

from coach.core.errors import BadInput, LiftCoachError
from coach.core.settings import Settings
from coach.pipeline.annotate import annotate
from coach.pipeline.photo import FrameAnalysis, analysis_to_json, analyze_photo
from coach.pose.base import PoseEstimator
from coach.render.overlay import encode_jpeg, thumbnail_jpeg
from coach.store.records import FrameDraft, SessionDraft
from coach.store.store import Store

if TYPE_CHECKING:
    from coach.pipeline.form_check import FormOutcome

# The picker's background image is downscaled to this longest side: it travels inside the
# figure's JSON, and 1080p photos would make every rerun slow.
PREVIEW_MAX_SIDE_PX = 960
ACCEPTED_TYPES: tuple[str, ...] = ("jpg", "jpeg", "png", "webp")


@dataclass(frozen=True)
class PhotoResult:
    """One uploaded photo and what became of it (either `analysis` or `error` is set)."""

    name: str
    data: bytes
    analysis: FrameAnalysis | None = None
    annotated_jpeg: bytes | None = None
    preview_jpeg: bytes | None = None
    thumbnail_jpeg: bytes | None = None
    error: str | None = None
    click_xy: tuple[float, float] | None = None

    @property
    def form(self) -> FormOutcome | None:
        return None if self.analysis is None else self.analysis.form

    @property
    def form_json(self) -> dict[str, Any]:
        """The CLI's JSON for this photo ({} when it failed)."""
        return {} if self.analysis is None else analysis_to_json(self.analysis)


@dataclass(frozen=True)
class PhotoBatch:
    """The photos analysed together, in upload order, and the session they were saved in."""

    athlete: str
    lift: str
    results: tuple[PhotoResult, ...]
    session_ids: tuple[int, ...] = ()

    @property
    def analysed(self) -> list[PhotoResult]:
        return [r for r in self.results if r.analysis is not None]


Progress = Callable[[float, str], None]


def analyse_one(
    name: str,
    data: bytes,
    estimator: PoseEstimator,
    settings: Settings,
    *,
    lift: str,
    click_xy: tuple[float, float] | None = None,
) -> PhotoResult:
    """Analyse one photo; a LiftCoachError becomes the result's `error`."""
    try:
        analysis, bgr = analyze_photo(data, estimator, settings, click_xy=click_xy, lift=lift)
        annotated = annotate(bgr, analysis)
    except LiftCoachError as exc:
        return PhotoResult(name, data, error=str(exc), click_xy=click_xy)
    return PhotoResult(
        name, data, analysis, encode_jpeg(annotated), _preview(bgr), thumbnail_jpeg(annotated),
        click_xy=click_xy,
    )


def analyse_batch(
    files: Sequence[tuple[str, bytes]],
    estimator: PoseEstimator,
    settings: Settings,
    store: Store,
    *,
    athlete: str,
    lift: str,
    progress: Progress | None = None,
) -> PhotoBatch:
    """Analyse photos in upload order and save the analysed ones as one photo session.

    Raises:
        BadInput: more photos than `settings.max_photos_per_batch`.
        NotAllowed: the viewer may not save for `athlete` (checked before any analysis).
        StorageError: the database refused the session (the analyses are lost with it).
    """
    if len(files) > settings.max_photos_per_batch:
        raise BadInput(
            f"{len(files)} photos at once is more than the {settings.max_photos_per_batch} "
            "allowed per batch; analyse them in smaller batches"
        )
    store.get_or_create_athlete(athlete)  # the name and the right to use it, before any work
    results = []
    for i, (name, data) in enumerate(files):
        if progress is not None:
            progress(i / len(files), f"Analysing {name} ({i + 1} of {len(files)})")
        results.append(analyse_one(name, data, estimator, settings, lift=lift))
    if progress is not None:
        progress(1.0, f"Analysed {len(files)} photo(s)")
    batch = PhotoBatch(athlete.strip(), lift, tuple(results))
    session_id = save_session(store, batch.athlete, batch.analysed, estimator.name, lift)
    return replace(batch, session_ids=() if session_id is None else (session_id,))


def repick_lifter(
    batch: PhotoBatch,
    index: int,
    click_xy: tuple[float, float],
    estimator: PoseEstimator,
    settings: Settings,
    store: Store,
) -> PhotoBatch:
    """Analyse photo `index` again with the person at `click_xy`, saved as a new session."""
    old = batch.results[index]
    new = analyse_one(old.name, old.data, estimator, settings, lift=batch.lift, click_xy=click_xy)
    note = f"{old.name}: lifter picked at ({click_xy[0]:.0f}, {click_xy[1]:.0f})"
    session_id = save_session(store, batch.athlete, [new], estimator.name, batch.lift, note)
    results = tuple(new if i == index else r for i, r in enumerate(batch.results))
    ids = batch.session_ids + (() if session_id is None else (session_id,))
    return replace(batch, results=results, session_ids=ids)


def save_session(
    store: Store,
    athlete: str,
    results: Sequence[PhotoResult],
    backend: str,
    lift: str,
    notes: str = "",
) -> int | None:
    """One photo session, written in one transaction: frame i is the i-th analysed photo
    (t_s = i, i.e. upload order)."""
    if not results:
        return None
    frames = []
    for i, result in enumerate(results):
        assert result.analysis is not None
        form = result.analysis.form
        frames.append(FrameDraft(
            i, float(i), result.analysis.person.keypoints,
            {} if form is None else dict(form.angles_deg),
            lift=None if form is None else form.lift.label,
            view=None if form is None else form.view.view,
            thumbnail_jpeg=result.thumbnail_jpeg,
            flags=() if form is None else (*form.flags, *(
                f.to_flag() for f in result.analysis.faults if f.flagged)),
        ))  # fmt: skip
    return store.record_session(SessionDraft(
        store.get_or_create_athlete(athlete), "photo", lift=_session_lift(results, lift),
        backend=backend, notes=notes, frames=tuple(frames),
    ))  # fmt: skip


def save_photo(store: Store, athlete: str, name: str, analysis: FrameAnalysis,
               annotated: NDArray[np.uint8], *, lift: str) -> int:  # fmt: skip
    """One analysed photo (the CLI's `--save`) as a photo session of `athlete`."""
    result = PhotoResult(name, b"", analysis, thumbnail_jpeg=thumbnail_jpeg(annotated))
    session_id = save_session(store, athlete, [result], analysis.backend, lift)
    assert session_id is not None  # one analysed photo always makes a session
    return session_id


def _session_lift(results: Sequence[PhotoResult], lift: str) -> str | None:
    if lift != "auto":
        return lift
    labels = [r.form.lift.label for r in results if r.form is not None]
    named = [label for label in labels if label != "unsure"]
    return Counter(named).most_common(1)[0][0] if named else None


def _preview(bgr: NDArray[np.uint8]) -> bytes:
    height, width = bgr.shape[:2]
    scale = PREVIEW_MAX_SIDE_PX / max(height, width)
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        bgr = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA).astype(np.uint8)
    return encode_jpeg(bgr, quality=80)

