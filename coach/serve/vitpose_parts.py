"""The ViTPose backend cut into the parts that Serve places apart: the person detector (GPU),
the crop step and decoding (CPU, in the ingress), and the keypoint model (GPU, batched).

Each part computes exactly what `coach.pose.vitpose_backend.ViTPoseEstimator` computes for its
step, with the same adapters (imported from there), so a photo gives the same keypoints in
process and through Serve (pinned by tests/serve/test_app.py). No Ray here.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
from numpy.typing import NDArray

from coach.core.errors import BackendUnavailable
from coach.core.keypoints import PersonPose
from coach.pose import vitpose_backend as vb
from coach.pose.hf_loading import import_stack, load_model, pick_dtype, resolve_device
from coach.pose.vitpose_heads import PoseHead, head_heatmaps, num_experts, pose_head


class DetectorPart:
    """RT-DETR person boxes for several images in one batch."""

    def __init__(
        self, detector_model: str, device: str = "auto", *, person_threshold: float = 0.3,
        max_people: int = 8, inference_max_side_px: int | None = None,
    ) -> None:  # fmt: skip
        torch, transformers = import_stack()
        self._torch = torch
        self.device = resolve_device(torch, device)
        self.dtype = pick_dtype(torch, self.device)
        self._processor, self._model = load_model(
            "person detector", detector_model, "LIFTCOACH_DETECTOR",
            transformers.AutoModelForObjectDetection, (self.device, self.dtype), lambda m: None,
        )  # fmt: skip
        self.person_label = vb._person_label(self._model.config.id2label)
        self.person_threshold, self.max_people = person_threshold, max_people
        self.inference_max_side_px = inference_max_side_px

    def detect_many(self, images_bgr: list[NDArray[np.uint8]]) -> list[list[vb.Detection]]:
        """Per image, person boxes `((x, y, w, h), score)` in its pixels, best first."""
        rgbs = [vb._to_rgb(image) for image in images_bgr]
        smalls = [vb._downscale(rgb, self.inference_max_side_px) for rgb in rgbs]
        inputs = self._processor(images=smalls, return_tensors="pt")
        pixel_values = inputs["pixel_values"].to(self.device, self.dtype)
        with self._torch.inference_mode():
            out = self._model(pixel_values=pixel_values)
            raw = SimpleNamespace(logits=out.logits.float(), pred_boxes=out.pred_boxes.float())
        sizes = [(int(rgb.shape[0]), int(rgb.shape[1])) for rgb in rgbs]
        results = self._processor.post_process_object_detection(
            raw, target_sizes=sizes, threshold=self.person_threshold
        )
        return [
            vb._person_boxes(
                r["boxes"].cpu().numpy(), r["scores"].cpu().numpy(), r["labels"].cpu().numpy(),
                self.person_label, (w, h),
            )[: self.max_people]
            for r, (h, w) in zip(results, sizes, strict=True)
        ]  # fmt: skip


class CropPart:
    """The ViTPose image processor alone: person crops in, and heatmaps back to PersonPose."""

    def __init__(self, pose_model: str) -> None:
        import_stack()
        from transformers import AutoConfig, AutoImageProcessor

        local = Path(pose_model).expanduser().is_dir()
        try:
            self._processor = AutoImageProcessor.from_pretrained(pose_model, local_files_only=local)
            config = AutoConfig.from_pretrained(pose_model, local_files_only=local)
        except (OSError, ValueError) as exc:
            raise BackendUnavailable(f"ViTPose processor {pose_model!r} cannot be loaded: "
                                     f"{str(exc).splitlines()[0]}") from None  # fmt: skip
        # The same head rule as KeypointPart: it says whether foot maps follow the body's.
        self.head: PoseHead = pose_head(config, pose_model)
        size = self._processor.size
        self.crop_wh = (int(size["width"]), int(size["height"]))

    def crops(self, image_bgr: NDArray[np.uint8], boxes: list[vb.BoxXYWH]) -> NDArray[np.float32]:
        """(n, 3, H, W) float32 model inputs, one per box (the processor's affine crop)."""
        box_lists = [[[float(v) for v in box] for box in boxes]]
        inputs = self._processor(images=vb._to_rgb(image_bgr), boxes=box_lists,
                                 return_tensors="np")  # fmt: skip
        return np.asarray(inputs["pixel_values"], dtype=np.float32)

    def decode(
        self, heatmaps: NDArray[np.float32], boxes: list[vb.BoxXYWH], scores: list[float]
    ) -> list[PersonPose]:
        """(n, K, h, w) heatmaps of one image's boxes (K = `head.n_decoded`: 17, or 23 with
        the feet) -> one PersonPose per box."""
        import torch

        box_lists = [[[float(v) for v in box] for box in boxes]]
        results = self._processor.post_process_pose_estimation(
            SimpleNamespace(heatmaps=torch.from_numpy(np.ascontiguousarray(heatmaps))),
            boxes=box_lists,
        )[0]
        return [
            vb._to_person(res, box, score, self.crop_wh, self.head.has_feet)
            for res, box, score in zip(results, boxes, scores, strict=True)
        ]


class KeypointPart:
    """The ViTPose model alone: a batch of crops in, heatmaps out."""

    def __init__(self, pose_model: str, device: str = "auto") -> None:
        torch, transformers = import_stack()
        self._torch = torch
        self.device = resolve_device(torch, device)
        self.dtype = pick_dtype(torch, self.device)
        _, self._model = load_model(
            "ViTPose", pose_model, "LIFTCOACH_VITPOSE", transformers.VitPoseForPoseEstimation,
            (self.device, self.dtype), lambda m: None,
        )  # fmt: skip
        self.head: PoseHead = pose_head(self._model.config, pose_model)
        self.is_moe = num_experts(self._model.config) > 1

    def heatmaps(self, crops: NDArray[np.float32]) -> NDArray[np.float32]:
        """(n, 3, H, W) float32 crops -> (n, K, h, w) float32 heatmaps, K = `head.n_decoded`
        (the face and hand maps of a whole-body head never leave the replica)."""
        torch = self._torch
        pixel_values = torch.from_numpy(np.ascontiguousarray(crops)).to(self.device, self.dtype)
        with torch.inference_mode():
            out = head_heatmaps(torch, self._model, pixel_values, self.head, self.is_moe)
        return np.asarray(out.numpy(), dtype=np.float32)
