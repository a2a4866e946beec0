"""The BlazePose person detector's SSD anchors, decoding and weighted NMS, in numpy.

Settings follow MediaPipe 0.10.21's `pose_detection_cpu.pbtxt` (checked against its source):
- input: the whole image letterboxed to 224x224, RGB in [-1, 1], zero border;
- anchors: SsdAnchorsCalculator, 5 layers, strides 8/16/32/32/32, fixed anchor size, 2 anchors
  per layer and cell -> 2254 anchors;
- decode: x/y/w/h scale 224, 4 keypoints (mid-hip, full-body scale point, mid-shoulder,
  upper-body scale point), sigmoid score with the logit clipped at +-100;
- weighted NMS at IoU 0.3.

The decoded "box" is a fixed 0.2 x input-side square around the face for every confident
anchor (measured), so it says where a person is but not how big: person boxes come from the
landmarks (coach/pose/blazepose/people.py).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

INPUT_SIZE = 224
NUM_ANCHORS = 2254
NUM_KEYPOINTS = 4
_STRIDES = (8, 16, 32, 32, 32)
_SCORE_CLIP = 100.0

Array = NDArray[np.float64]


def ssd_anchors() -> NDArray[np.float32]:
    """(2254, 2) anchor centres (x, y) normalised to [0, 1]; widths and heights are all 1."""
    centres: list[Array] = []
    layer = 0
    while layer < len(_STRIDES):
        # Layers sharing a stride share a grid; each adds an aspect-1 anchor and an
        # interpolated-scale one, so 2 anchors per layer per cell.
        last = layer
        while last < len(_STRIDES) and _STRIDES[last] == _STRIDES[layer]:
            last += 1
        side = int(np.ceil(INPUT_SIZE / _STRIDES[layer]))
        ys, xs = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
        grid = np.stack([(xs + 0.5) / side, (ys + 0.5) / side], axis=-1).reshape(-1, 2)
        centres.append(np.repeat(grid, 2 * (last - layer), axis=0))
        layer = last
    anchors = np.concatenate(centres).astype(np.float32)
    if anchors.shape != (NUM_ANCHORS, 2):
        raise AssertionError(f"anchor layout changed: {anchors.shape}")
    return anchors


def letterbox_matrix(width: int, height: int, size: int = INPUT_SIZE) -> Array:
    """(2, 3) affine map from image px to the letterboxed model input px (long side = size,
    centred), as MediaPipe's ImageToTensorCalculator with keep_aspect_ratio."""
    scale = size / max(width, height)
    return np.array([[scale, 0.0, size / 2 - scale * width / 2],
                     [0.0, scale, size / 2 - scale * height / 2]])


def decode(
    raw_boxes: NDArray[np.float32], raw_scores: NDArray[np.float32],
    anchors: NDArray[np.float32], min_score: float,
) -> tuple[Array, Array, Array]:
    """Decode raw SSD outputs, keeping anchors scoring at least `min_score`.

    Args:
        raw_boxes: (2254, 12) cx, cy, w, h, then 4 (x, y) keypoints, in input px relative to
            the anchor centre.
        raw_scores: (2254,) logits.
        anchors: (2254, 2) from `ssd_anchors`.
        min_score: probability threshold in [0, 1].

    Returns:
        boxes (N, 4) xyxy, keypoints (N, 4, 2), scores (N,); coordinates normalised to the
        224x224 input.
    """
    logits = np.clip(raw_scores.astype(np.float64), -_SCORE_CLIP, _SCORE_CLIP)
    scores = 1.0 / (1.0 + np.exp(-logits))
    keep = scores >= min_score
    reg, anc = raw_boxes[keep].astype(np.float64) / INPUT_SIZE, anchors[keep]
    centre = reg[:, 0:2] + anc
    half = reg[:, 2:4] / 2
    boxes = np.concatenate([centre - half, centre + half], axis=1)
    keypoints = reg[:, 4:].reshape(-1, NUM_KEYPOINTS, 2) + anc[:, None, :]
    return boxes, keypoints, scores[keep]


def iou(box: Array, boxes: Array) -> Array:
    """IoU of one xyxy box (4,) against many (N, 4); (N,), 0 where the union is empty."""
    x0 = np.maximum(box[0], boxes[:, 0])
    y0 = np.maximum(box[1], boxes[:, 1])
    x1 = np.minimum(box[2], boxes[:, 2])
    y1 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    union = area + areas - inter
    out: Array = np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)
    return out


def weighted_nms(
    boxes: Array, keypoints: Array, scores: Array, threshold: float
) -> tuple[Array, Array, Array]:
    """MediaPipe's WEIGHTED non-max suppression.

    Each cluster (IoU > threshold with its best member) becomes the score-weighted mean of its
    boxes and keypoints and keeps the best member's score.

    Returns:
        boxes (M, 4), keypoints (M, K, 2), scores (M,), by descending score.
    """
    order = np.argsort(-scores, kind="stable")
    out_b, out_k, out_s = [], [], []
    while order.size:
        top = order[0]
        in_cluster = iou(boxes[top], boxes[order]) > threshold
        members = order[in_cluster]
        weights = scores[members][:, None]
        out_b.append((boxes[members] * weights).sum(0) / weights.sum())
        out_k.append((keypoints[members] * weights[:, :, None]).sum(0) / weights.sum())
        out_s.append(scores[top])
        order = order[~in_cluster]
    if not out_s:
        return np.zeros((0, 4)), np.zeros((0, keypoints.shape[1], 2)), np.zeros(0)
    return np.array(out_b), np.array(out_k), np.array(out_s)
