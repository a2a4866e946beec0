"""Plate fixture reading and detection accuracy measures, shared by
scripts/train_plate_detector.py and scripts/measure_bar.py (never imported by coach/).

The fixture (`barbell-plates_roboflow_via_BichraiX`, CC BY 4.0) is read in place, never copied.
Boxes are (cx, cy, w, h) in pixels; predictions carry a score as a 5th value.

* Centre error: each labelled plate is paired one-to-one with the nearest unused prediction
  (greedy, closest pairs first); error = centre distance / the labelled box's diagonal. A pair
  farther apart than MISS_DISTANCE diagonals is not that plate, so the label is a miss
  (error = inf), as is a label with no prediction. Median and p90 are over all labels, misses
  included (so p90 = inf when more than 10 % are missed).
* Recall / precision at IoU >= 0.5: predictions in score order each take the unused label they
  overlap most, if IoU >= 0.5.
* AP50: area under the precision/recall curve at IoU 0.5 (all-point interpolation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

SPLITS = ("train", "valid", "test")
PLATES_DIR = "barbell-plates_roboflow_via_BichraiX"
MISS_DISTANCE = 0.5


@dataclass(frozen=True)
class Sample:
    """One labelled image: its path and its plate boxes in pixels (cx, cy, w, h)."""

    image_path: Path
    boxes: np.ndarray


def source_name(path: Path) -> str:
    """Roboflow names are `<source>_<ext>.rf.<hash>.jpg`; the source groups augmented copies."""
    return path.name.split(".rf.")[0]


def read_labels(label_path: Path, width: int, height: int) -> np.ndarray:
    """A YOLO label file (class cx cy w h, normalised) as pixel boxes (N, 4)."""
    rows: list[list[float]] = []
    if label_path.exists():
        for line in label_path.read_text().splitlines():
            parts = line.split()
            if len(parts) == 5:
                _, cx, cy, w, h = map(float, parts)
                rows.append([cx * width, cy * height, w * width, h * height])
    return np.asarray(rows, dtype=np.float32).reshape(-1, 4)


def load_split(root: Path, split: str) -> list[Sample]:
    """One split's images with pixel boxes (`root` = the fixture folder)."""
    samples: list[Sample] = []
    for image_path in sorted((root / split / "images").iterdir()):
        image = cv2.imread(str(image_path))
        if image is None:
            continue
        height, width = image.shape[:2]
        boxes = read_labels(root / split / "labels" / (image_path.stem + ".txt"), width, height)
        samples.append(Sample(image_path, boxes))
    return samples


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU between (N, 4+) and (M, 4+) cx,cy,w,h boxes -> (N, M)."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)))
    a0, a1 = a[:, None, :2] - a[:, None, 2:4] / 2, a[:, None, :2] + a[:, None, 2:4] / 2
    b0, b1 = b[None, :, :2] - b[None, :, 2:4] / 2, b[None, :, :2] + b[None, :, 2:4] / 2
    inter = np.clip(np.minimum(a1, b1) - np.maximum(a0, b0), 0, None).prod(-1)
    union = a[:, None, 2:4].prod(-1) + b[None, :, 2:4].prod(-1) - inter
    return inter / np.maximum(union, 1e-9)


def centre_errors(labels: np.ndarray, preds: np.ndarray) -> np.ndarray:
    """Per-label centre error in label diagonals (inf = missed), greedy nearest pairing."""
    errors = np.full(len(labels), np.inf)
    if len(labels) == 0 or len(preds) == 0:
        return errors
    diag = np.hypot(labels[:, 2], labels[:, 3])
    dist = np.linalg.norm(labels[:, None, :2] - preds[None, :, :2], axis=-1) / diag[:, None]
    used_l: set[int] = set()
    used_p: set[int] = set()
    for flat in np.argsort(dist, axis=None):
        i, j = divmod(int(flat), dist.shape[1])
        if dist[i, j] > MISS_DISTANCE:
            break
        if i in used_l or j in used_p:
            continue
        used_l.add(i)
        used_p.add(j)
        errors[i] = dist[i, j]
    return errors


def iou_hits(labels: np.ndarray, preds: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """For predictions in descending score order: is each a hit at IoU >= threshold?"""
    hits = np.zeros(len(preds), dtype=bool)
    if len(labels) == 0 or len(preds) == 0:
        return hits
    ious = iou_matrix(preds, labels)
    free = np.ones(len(labels), dtype=bool)
    for j in range(len(preds)):
        candidates = np.where(free, ious[j], -1.0)
        best = int(np.argmax(candidates))
        if candidates[best] >= threshold:
            hits[j] = True
            free[best] = False
    return hits


@dataclass
class Tally:
    """Accumulates per-image results at one score threshold, plus scored hits for AP."""

    errors: list[float] = field(default_factory=list)
    n_labels: int = 0
    n_preds: int = 0
    n_hits: int = 0
    scored: list[tuple[float, bool]] = field(default_factory=list)

    def add(self, labels: np.ndarray, preds: np.ndarray, threshold: float) -> None:
        """Add one image; `preds` (M, 5) holds every candidate, kept if >= `threshold`."""
        preds = preds[np.argsort(-preds[:, 4])] if len(preds) else preds.reshape(0, 5)
        hits_all = iou_hits(labels, preds)
        self.scored.extend(zip(preds[:, 4].tolist(), hits_all.tolist(), strict=False))
        kept = preds[preds[:, 4] >= threshold]
        self.errors.extend(centre_errors(labels, kept).tolist())
        self.n_labels += len(labels)
        self.n_preds += len(kept)
        self.n_hits += int(iou_hits(labels, kept).sum())

    def summary(self) -> dict[str, float]:
        """Median and p90 centre error, miss rate, recall, precision and AP50."""
        errors = np.asarray(self.errors)
        matched = errors[np.isfinite(errors)]
        return {
            "centre_err_median": percentile_with_misses(errors, 50),
            "centre_err_p90": percentile_with_misses(errors, 90),
            "centre_err_p90_matched": float(np.percentile(matched, 90))
            if len(matched)
            else float("nan"),
            "centre_miss_rate": float(1 - len(matched) / max(len(errors), 1)),
            "recall50": self.n_hits / max(self.n_labels, 1),
            "precision50": self.n_hits / max(self.n_preds, 1),
            "ap50": average_precision(self.scored, self.n_labels),
            "labels": float(self.n_labels),
            "preds": float(self.n_preds),
        }


def percentile_with_misses(errors: np.ndarray, q: float) -> float:
    """Percentile where misses (inf) rank last: inf if the q-th percentile falls among them."""
    if len(errors) == 0:
        return float("nan")
    big = 1e9  # stands in for inf, since interpolating between infs gives nan
    value = float(np.percentile(np.where(np.isfinite(errors), errors, big), q))
    # Matched errors are at most MISS_DISTANCE, so anything above 1 was pulled up by a miss.
    return float("inf") if value > 1.0 else value


def average_precision(scored: list[tuple[float, bool]], n_labels: int) -> float:
    """AP at IoU 0.5 from (score, hit) pairs over a whole split, all-point interpolation."""
    if not scored or n_labels == 0:
        return 0.0
    order = sorted(scored, key=lambda pair: -pair[0])
    hits = np.array([hit for _, hit in order], dtype=float)
    tp = np.cumsum(hits)
    recall = tp / n_labels
    precision = tp / np.arange(1, len(hits) + 1)
    # Make precision monotone from the right, then integrate over recall steps.
    precision = np.maximum.accumulate(precision[::-1])[::-1]
    recall = np.concatenate([[0.0], recall])
    return float(np.sum((recall[1:] - recall[:-1]) * precision))


def best_f1_threshold(tallies: dict[float, Tally]) -> float:
    """Score threshold whose recall/precision at IoU 0.5 has the highest F1."""

    def f1(t: Tally) -> float:
        s = t.summary()
        return 2 * s["recall50"] * s["precision50"] / max(s["recall50"] + s["precision50"], 1e-9)

    return max(tallies, key=lambda thr: f1(tallies[thr]))
