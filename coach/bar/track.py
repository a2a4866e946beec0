"""Following the bar's end through a clip: plate candidates per frame, chosen with the lifter's
wrists and the clip's consistency, with the wrists as the fallback.

Why this way (seen on the fixtures' side-on clips, docs/bar-path.md): on its own the
detector misses the working plate in some frames and fires on logos, racks and background
plates. Two things tell the working plate apart:
- In a side view the bar points at the camera, so its end sits next to the hands: a candidate
  farther than `MAX_WRIST_DISTANCE` plate diameters from the wrists' midpoint is not it.
- The working plate moves with the hands, so its offset from the wrists stays nearly constant;
  a logo or a rack keeps still while the hands move. After a first pick per frame, the clip's
  median offset is taken and picks farther than `MAX_OFFSET_SPREAD` diameters from it are
  replaced by the candidate nearest the wrists + median offset, or dropped.
Frames with no plate kept use the wrists' midpoint (plus the median offset when the plate was
seen at all), labelled "wrists". Frames without wrists or plate are gaps.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from coach.bar.detector import PlateBox, PlateFinder
from coach.bar.types import BarSource

# Candidates the detector gives the tracker: lower than its single-photo threshold (0.286),
# as the prototype suggested, since the wrists and the clip reject the extra false ones.
PROPOSAL_THRESHOLD = 0.15
# The bar's end lies within about a plate's diameter of the hands' midpoint in a side view
# (hands on the bar ~20-40 cm in from the plate, seen nearly end-on); 1.5 leaves room for
# oblique views and the detector's centre error.
MAX_WRIST_DISTANCE = 1.5
# Width of the wrist prior, in plate diameters: a candidate at 0.75 D loses ~40 % of its score.
WRIST_PRIOR_SIGMA = 0.75
# A kept plate's offset from the wrists may differ from the clip's median by this many diameters.
MAX_OFFSET_SPREAD = 0.5
# Fewer kept plates than this and the clip's offset and scale are not trusted.
MIN_PLATE_FRAMES = 5
# A kept "plate" must travel at least this share of the hands' vertical travel: the bar moves
# with the hands, a logo does not.
STATIC_SHARE = 0.3
# The crop the detector sees around the wrists, as a share of the lifter's box's long side:
# a plate (45 cm) is about a quarter of a lifter's height, so it fills about a third of the
# crop, the size the detector was trained on most (plates 4-50 % of the frame).
CROP_BODY_FRACTION = 1.2
MIN_CROP_PX = 160


def crop_box(wrist_xy: NDArray[np.float64], body_box: tuple[float, float, float, float] | None,
             width: int, height: int) -> tuple[int, int, int, int] | None:  # fmt: skip
    """(x0, y0, x1, y1) square around the wrists sized from the lifter's box, shifted to lie
    inside the image (trimmed when the image is smaller); None without wrists or a box."""
    if body_box is None or not np.isfinite(wrist_xy).all():
        return None
    side = max(MIN_CROP_PX, round(CROP_BODY_FRACTION * max(body_box[2], body_box[3])))
    side = min(side, max(width, height))
    x0 = int(np.clip(round(wrist_xy[0] - side / 2), 0, max(0, width - side)))
    y0 = int(np.clip(round(wrist_xy[1] - side / 2), 0, max(0, height - side)))
    return x0, y0, min(width, x0 + side), min(height, y0 + side)


def frame_candidates(
    detector: PlateFinder, bgr: NDArray[np.uint8], wrist_xy: NDArray[np.float64],
    body_box: tuple[float, float, float, float] | None,
) -> list[PlateBox]:  # fmt: skip
    """Plate candidates in one frame, in that frame's pixels: the detector looks at a crop
    around the wrists when there are wrists, else at the whole frame."""
    box = crop_box(wrist_xy, body_box, bgr.shape[1], bgr.shape[0])
    if box is None:
        return merge_overlapping(detector.detect(bgr))
    x0, y0, x1, y1 = box
    found = detector.detect(np.ascontiguousarray(bgr[y0:y1, x0:x1]))
    return merge_overlapping(
        [PlateBox(b.cx_px + x0, b.cy_px + y0, b.w_px, b.h_px, b.score) for b in found]
    )


def merge_overlapping(boxes: Sequence[PlateBox]) -> list[PlateBox]:
    """Keep the best of candidates whose centres lie within half a box of each other: the
    detector fires several times on one plate (its rim, its hub) at low thresholds."""
    kept: list[PlateBox] = []
    for b in sorted(boxes, key=lambda c: -c.score):
        if all(np.hypot(b.cx_px - k.cx_px, b.cy_px - k.cy_px) > 0.5 * max(k.diameter_px,
               b.diameter_px) for k in kept):  # fmt: skip
            kept.append(b)
    return kept


def _first_pick(cands: Sequence[PlateBox], wrist: NDArray[np.float64]) -> PlateBox | None:
    """Highest score x wrist prior among candidates near the wrists."""
    best, best_value = None, 0.0
    for c in cands:
        d = float(np.hypot(c.cx_px - wrist[0], c.cy_px - wrist[1])) / max(c.diameter_px, 1.0)
        if d > MAX_WRIST_DISTANCE:
            continue
        value = c.score * float(np.exp(-0.5 * (d / WRIST_PRIOR_SIGMA) ** 2))
        if value > best_value:
            best, best_value = c, value
    return best


def _nearest(cands: Sequence[PlateBox], target: NDArray[np.float64], limit_px: float
             ) -> PlateBox | None:  # fmt: skip
    dists = [float(np.hypot(c.cx_px - target[0], c.cy_px - target[1])) for c in cands]
    if not dists or min(dists) > limit_px:
        return None
    return cands[int(np.argmin(dists))]


def choose_plates(
    candidates: Sequence[Sequence[PlateBox]], wrists_xy: NDArray[np.floating[Any]],
) -> tuple[NDArray[np.float64], tuple[BarSource, ...], float]:  # fmt: skip
    """The bar's end per frame from plate candidates and the wrists (rules in the module doc).

    Args:
        candidates: per frame, plate candidates in the same pixels as `wrists_xy`.
        wrists_xy: (T, 2) wrists' midpoint per frame, NaN where unknown.

    Returns:
        raw (T, 2) positions (NaN in gaps), per-frame sources, and the median diameter (px) of
        the plates kept (NaN when fewer than `MIN_PLATE_FRAMES` were kept).
    """
    wrists = np.asarray(wrists_xy, dtype=np.float64)
    if len(candidates) != len(wrists):
        raise ValueError(f"{len(candidates)} candidate lists for {len(wrists)} frames")
    picks: list[PlateBox | None] = [
        _first_pick(c, w) if np.isfinite(w).all() else None
        for c, w in zip(candidates, wrists, strict=True)
    ]
    kept = [t for t, p in enumerate(picks) if p is not None]
    offset = np.full(2, np.nan)
    if len(kept) >= MIN_PLATE_FRAMES and _moves_with_hands(picks, wrists):
        offsets = np.array([[picks[t].cx_px, picks[t].cy_px] for t in kept]) - wrists[kept]  # type: ignore[union-attr]
        offset = np.median(offsets, axis=0)
        diameter = float(np.median([picks[t].diameter_px for t in kept]))  # type: ignore[union-attr]
        for t, w in enumerate(wrists):
            if np.isfinite(w).all():
                picks[t] = _nearest(candidates[t], w + offset, MAX_OFFSET_SPREAD * diameter)
    else:
        picks = [None] * len(picks)
    return _positions(picks, wrists, offset)


def _moves_with_hands(picks: Sequence[PlateBox | None], wrists: NDArray[np.float64]) -> bool:
    """False when the hands travel over a plate's diameter but the kept "plate" barely moves:
    then it is a logo or a rack that happened to sit at the hands' usual offset."""
    kept = [t for t, p in enumerate(picks) if p is not None]
    if len(kept) < MIN_PLATE_FRAMES:
        return True
    ys = np.array([picks[t].cy_px for t in kept])  # type: ignore[union-attr]
    diameter = float(np.median([picks[t].diameter_px for t in kept]))  # type: ignore[union-attr]
    hands = np.ptp(wrists[kept, 1])
    return bool(hands < diameter or np.ptp(ys) >= STATIC_SHARE * hands)


Chosen = tuple[NDArray[np.float64], tuple[BarSource, ...], float]


def _positions(picks: Sequence[PlateBox | None], wrists: NDArray[np.float64],
               offset: NDArray[np.float64]) -> Chosen:  # fmt: skip
    xy = np.full((len(picks), 2), np.nan)
    source: list[BarSource] = []
    shift = offset if np.isfinite(offset).all() else np.zeros(2)
    for t, p in enumerate(picks):
        if p is not None:
            xy[t] = (p.cx_px, p.cy_px)
            source.append("plate")
        elif np.isfinite(wrists[t]).all():
            xy[t] = wrists[t] + shift
            source.append("wrists")
        else:
            source.append("none")
    diameters = [p.diameter_px for p in picks if p is not None]
    diameter = float(np.median(diameters)) if len(diameters) >= MIN_PLATE_FRAMES else float("nan")
    if not np.isfinite(diameter):  # too few plates to trust: everything is from the wrists
        source = ["wrists" if s == "plate" else s for s in source]
        for t, p in enumerate(picks):
            if p is not None:
                xy[t] = wrists[t] + shift if np.isfinite(wrists[t]).all() else np.nan
    return xy, tuple(source), diameter
