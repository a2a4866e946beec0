"""ViTPose backend, top-down: RT-DETR finds the people, ViTPose reads every person's crop.

Both models come from `transformers` (`from_pretrained`), as hub ids or local directories.
Everything returned is in ORIGINAL-image pixels: when `inference_max_side_px` shrinks the
photo for the detector, only the detector sees the small copy (its boxes are relative to the
whole image, so they scale back exactly), and ViTPose crops the original pixels.

A COCO-WholeBody checkpoint (133 keypoints, `coach.pose.vitpose_heads`) also fills
`Keypoints.feet_xy` with its six foot points; a COCO checkpoint leaves the feet missing.

Keypoint scores are ViTPose heatmap maxima clipped to [0, 1] and are NOT thresholded here
(the pipeline applies `Keypoints.confident` once). One exception, which is a conversion and not
a threshold: a joint whose heatmap has no positive peak gets NaN, because the image processor
itself marks such joints as "no location" (-1) before decoding. Foot points follow both rules.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from coach.core.errors import BadImage, SettingsError
from coach.core.keypoints import N_FEET, N_JOINTS, Keypoints, PersonPose
from coach.pose.hf_loading import import_stack, load_model, pick_dtype, resolve_device
from coach.pose.vitpose_heads import PoseHead, head_heatmaps, num_experts, pose_head

log = logging.getLogger(__name__)

BoxXYWH = tuple[float, float, float, float]
Detection = tuple[BoxXYWH, float]

_MIN_BOX_SIDE_PX = 2.0


class ViTPoseEstimator:
    """Top-down COCO-17 pose (plus the six foot points from a COCO-WholeBody head): detector
    boxes, then ONE batched ViTPose pass over all crops.

    One instance is meant to be shared by every session of a process: inference is guarded by
    a lock, and runs under `torch.inference_mode()`.
    """

    name = "vitpose"

    def __init__(
        self,
        pose_model: str,
        detector_model: str,
        device: str = "auto",
        *,
        person_threshold: float = 0.3,
        max_people: int = 8,
        inference_max_side_px: int | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        """Load both models and their image processors.

        Args:
            pose_model: ViTPose hub id or local directory (LIFTCOACH_VITPOSE).
            detector_model: RT-DETR hub id or local directory (LIFTCOACH_DETECTOR).
            device: "auto" (CUDA when present, else CPU), "cpu", "cuda" or "cuda:N".
                CUDA runs in bf16 when the GPU supports it, else fp16; CPU runs in fp32.
            person_threshold: detector score in [0, 1] a person box must exceed.
            max_people: keep at most this many people, highest detector score first.
            inference_max_side_px: shrink photos to this longest side for the detector only.
            progress: called with short human-readable messages while loading.

        Raises:
            SettingsError: a bad threshold, count, side length or device string.
            BackendUnavailable: torch/transformers missing, no CUDA for a cuda device,
                weights that are neither local nor downloadable, or a ViTPose head that is
                neither COCO's (17 keypoints) nor COCO-WholeBody's (133).
        """
        _check_options(person_threshold, max_people, inference_max_side_px)
        self.person_threshold = person_threshold
        self.max_people = max_people
        self.inference_max_side_px = inference_max_side_px
        torch, transformers = import_stack()
        self._torch = torch
        self.device = resolve_device(torch, device)
        self.dtype = pick_dtype(torch, self.device)
        report = progress or (lambda message: None)
        self._pose_processor, self._pose = load_model(
            "ViTPose", pose_model, "LIFTCOACH_VITPOSE",
            transformers.VitPoseForPoseEstimation, (self.device, self.dtype), report,
        )  # fmt: skip
        # ViTPose+ checkpoints hold one expert per training dataset; the head says which one
        # (COCO 0, COCO-WholeBody 5) and whether feet come with the body.
        self.head: PoseHead = pose_head(self._pose.config, pose_model)
        self.is_moe = num_experts(self._pose.config) > 1
        self._detector_processor, self._detector = load_model(
            "person detector", detector_model, "LIFTCOACH_DETECTOR",
            transformers.AutoModelForObjectDetection, (self.device, self.dtype), report,
        )  # fmt: skip
        self.person_label = _person_label(self._detector.config.id2label)
        self._lock = threading.Lock()

    def estimate(self, image_bgr: NDArray[np.uint8]) -> list[PersonPose]:
        """Every person in an (H, W, 3) uint8 BGR image: detector boxes, then one pose batch.

        Returns:
            Up to `max_people` poses, highest detector score first, in original pixels;
            an empty list when nobody is found.

        Raises:
            BadImage: not an (H, W, 3) uint8 array.
        """
        rgb = _to_rgb(image_bgr)
        detections = self._detect_rgb(rgb)
        return self._pose_rgb(rgb, [box for box, _ in detections], [s for _, s in detections])

    def detect(self, image_bgr: NDArray[np.uint8]) -> list[Detection]:
        """Person boxes `((x, y, w, h), score)` in original pixels, highest score first.

        Raises:
            BadImage: not an (H, W, 3) uint8 array.
        """
        return self._detect_rgb(_to_rgb(image_bgr))

    def estimate_boxes(
        self,
        image_bgr: NDArray[np.uint8],
        boxes_xywh: list[BoxXYWH],
        detection_scores: list[float] | None = None,
    ) -> list[PersonPose]:
        """The pose step alone: one batched ViTPose pass over the given person boxes.

        Args:
            image_bgr: (H, W, 3) uint8 BGR image.
            boxes_xywh: person boxes (x, y, w, h) in original pixels.
            detection_scores: one score per box, kept on each PersonPose (default 1.0).

        Returns:
            One PersonPose per box, in the same order.

        Raises:
            BadImage: not an (H, W, 3) uint8 array.
            ValueError: scores and boxes differ in number.
        """
        scores = [1.0] * len(boxes_xywh) if detection_scores is None else list(detection_scores)
        if len(scores) != len(boxes_xywh):
            raise ValueError(f"{len(boxes_xywh)} boxes but {len(scores)} detection scores")
        return self._pose_rgb(_to_rgb(image_bgr), list(boxes_xywh), scores)

    def _detect_rgb(self, rgb: NDArray[np.uint8]) -> list[Detection]:
        height_px, width_px = rgb.shape[:2]
        small = _downscale(rgb, self.inference_max_side_px)
        inputs = self._detector_processor(images=small, return_tensors="pt")
        pixel_values = inputs["pixel_values"].to(self.device, self.dtype)
        with self._lock, self._torch.inference_mode():
            out = self._detector(pixel_values=pixel_values)
            # fp32 before post-processing: scaled to pixels in bf16, box edges at 1920 px would
            # land on an 8 px grid.
            raw = SimpleNamespace(logits=out.logits.float(), pred_boxes=out.pred_boxes.float())
        # pred_boxes are relative to the whole image, so the ORIGINAL size maps them back
        # exactly, however small the copy the detector saw.
        result = self._detector_processor.post_process_object_detection(
            raw, target_sizes=[(height_px, width_px)], threshold=self.person_threshold
        )[0]
        return _person_boxes(
            result["boxes"].cpu().numpy(), result["scores"].cpu().numpy(),
            result["labels"].cpu().numpy(), self.person_label, (width_px, height_px),
        )[: self.max_people]  # fmt: skip

    def estimate_boxes_many(
        self,
        images_bgr: list[NDArray[np.uint8]],
        boxes_xywh: list[list[BoxXYWH]],
        detection_scores: list[list[float]],
    ) -> list[list[PersonPose]]:
        """The pose step for several images in ONE ViTPose batch (e.g. concurrent callers).

        Returns:
            Per image, one PersonPose per box, in the same order.

        Raises:
            BadImage: an image that is not (H, W, 3) uint8.
            ValueError: the three lists differ in length, or scores and boxes in number.
        """
        if not len(images_bgr) == len(boxes_xywh) == len(detection_scores):
            raise ValueError("one list of boxes and one of scores per image")
        for boxes, scores in zip(boxes_xywh, detection_scores, strict=True):
            if len(boxes) != len(scores):
                raise ValueError(f"{len(boxes)} boxes but {len(scores)} detection scores")
        rgbs = [_to_rgb(image) for image in images_bgr]
        return self._pose_many(rgbs, [list(b) for b in boxes_xywh], detection_scores)

    def _pose_rgb(
        self, rgb: NDArray[np.uint8], boxes: list[BoxXYWH], scores: list[float]
    ) -> list[PersonPose]:
        return self._pose_many([rgb], [boxes], [scores])[0]

    def _pose_many(
        self, rgbs: list[NDArray[np.uint8]], boxes: list[list[BoxXYWH]],
        scores: list[list[float]],
    ) -> list[list[PersonPose]]:  # fmt: skip
        keep = [i for i, image_boxes in enumerate(boxes) if image_boxes]
        out: list[list[PersonPose]] = [[] for _ in rgbs]
        if not keep:
            return out
        box_lists = [[[float(v) for v in box] for box in boxes[i]] for i in keep]
        inputs = self._pose_processor(
            images=[rgbs[i] for i in keep], boxes=box_lists, return_tensors="pt"
        )
        pixel_values = inputs["pixel_values"].to(self.device, self.dtype)
        with self._lock, self._torch.inference_mode():
            heatmaps = head_heatmaps(self._torch, self._pose, pixel_values, self.head,
                                     self.is_moe)  # fmt: skip
        results = self._pose_processor.post_process_pose_estimation(
            SimpleNamespace(heatmaps=heatmaps), boxes=box_lists
        )
        crop_wh = (self._pose_processor.size["width"], self._pose_processor.size["height"])
        for i, image_results in zip(keep, results, strict=True):
            out[i] = [
                _to_person(res, box, score, crop_wh, self.head.has_feet)
                for res, box, score in zip(image_results, boxes[i], scores[i], strict=True)
            ]
        return out


def _check_options(threshold: float, max_people: int, max_side_px: int | None) -> None:
    if not 0.0 <= threshold <= 1.0:
        raise SettingsError(f"person threshold must be between 0 and 1, got {threshold}")
    if max_people < 1:
        raise SettingsError(f"max_people must be at least 1, got {max_people}")
    if max_side_px is not None and max_side_px < 32:
        raise SettingsError(f"inference_max_side_px must be at least 32, got {max_side_px}")


def _person_label(id2label: dict[int, str] | None) -> int:
    """The class id named 'person'; 0 (COCO's person) when the labels carry no names."""
    for label_id, label in (id2label or {}).items():
        if str(label).strip().lower() == "person":
            return int(label_id)
    return 0


def _person_boxes(
    boxes_xyxy: NDArray[np.floating[Any]], scores: NDArray[np.floating[Any]],
    labels: NDArray[np.integer[Any]], person_label: int, size_px: tuple[int, int],
) -> list[Detection]:  # fmt: skip
    """Person boxes clipped to the image, as xywh, highest score first; slivers dropped."""
    width_px, height_px = size_px
    found: list[Detection] = []
    for (x0, y0, x1, y1), score, label in zip(boxes_xyxy, scores, labels, strict=True):
        if int(label) != person_label:
            continue
        x0, x1 = float(np.clip(x0, 0, width_px)), float(np.clip(x1, 0, width_px))
        y0, y1 = float(np.clip(y0, 0, height_px)), float(np.clip(y1, 0, height_px))
        if x1 - x0 >= _MIN_BOX_SIDE_PX and y1 - y0 >= _MIN_BOX_SIDE_PX:
            found.append(((x0, y0, x1 - x0, y1 - y0), float(score)))
    return sorted(found, key=lambda det: -det[1])


def crop_region_xywh(box: BoxXYWH, crop_size_px: tuple[int, int]) -> BoxXYWH:
    """The image region ViTPose sees for a person box, as (x, y, w, h) pixels.

    Same rule as the image processor (`box_to_center_and_scale`): the box is widened or
    heightened to the crop's aspect ratio (width/height), then padded by 1.25 about its centre.
    """
    x, y, w, h = box
    aspect = crop_size_px[0] / crop_size_px[1]
    w, h = (w, w / aspect) if w > aspect * h else (h * aspect, h)
    w, h = w * 1.25, h * 1.25
    return x + box[2] / 2 - w / 2, y + box[3] / 2 - h / 2, w, h


def _to_person(
    result: dict[str, Any], box: BoxXYWH, detection_score: float, crop_size_px: tuple[int, int],
    has_feet: bool = False,
) -> PersonPose:  # fmt: skip
    """Adapter: one post-processed ViTPose result -> PersonPose in original pixels.

    The result holds the 17 body joints, then (`has_feet`, a COCO-WholeBody head) the six
    foot points in `Foot` order; without feet, the feet stay missing (NaN, score 0).
    """
    n_points = N_JOINTS + N_FEET if has_feet else N_JOINTS
    xy = result["keypoints"].cpu().numpy().astype(np.float32).reshape(n_points, 2)
    raw = result["scores"].cpu().numpy().astype(np.float32).reshape(n_points)
    # DARK sub-pixel refinement can extrapolate on a flat peak; the model only saw the crop.
    cx, cy, cw, ch = crop_region_xywh(box, crop_size_px)
    xy[:, 0] = np.clip(xy[:, 0], cx, cx + cw)
    xy[:, 1] = np.clip(xy[:, 1], cy, cy + ch)
    xy[~(raw > 0)] = np.nan  # the processor's "no location" (-1) sentinel, see module doc
    score = np.clip(np.nan_to_num(raw, nan=0.0), 0.0, 1.0)
    feet = (xy[None, N_JOINTS:], score[None, N_JOINTS:]) if has_feet else (None, None)
    kp = Keypoints(xy[None, :N_JOINTS], score[None, :N_JOINTS], None, *feet)
    box_px = (float(box[0]), float(box[1]), float(box[2]), float(box[3]))
    return PersonPose(kp, box_px, float(detection_score))


def _to_rgb(image_bgr: NDArray[np.uint8]) -> NDArray[np.uint8]:
    if (
        not isinstance(image_bgr, np.ndarray) or image_bgr.dtype != np.uint8
        or image_bgr.ndim != 3 or image_bgr.shape[2] != 3 or min(image_bgr.shape[:2]) < 1
    ):  # fmt: skip
        shape = getattr(image_bgr, "shape", None)
        raise BadImage(f"expected a colour photo (height x width x 3, 8-bit), got shape {shape}")
    return np.ascontiguousarray(image_bgr[:, :, ::-1])


def _downscale(rgb: NDArray[np.uint8], max_side_px: int | None) -> NDArray[np.uint8]:
    """A copy whose longest side is at most max_side_px (area-averaged); the input if it fits."""
    height_px, width_px = rgb.shape[:2]
    if max_side_px is None or max(height_px, width_px) <= max_side_px:
        return rgb
    import cv2

    factor = max_side_px / max(height_px, width_px)
    size = (max(1, round(width_px * factor)), max(1, round(height_px * factor)))
    return np.asarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
