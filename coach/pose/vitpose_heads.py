"""Which keypoints a ViTPose checkpoint's head predicts, and which ViTPose+ expert reads them.

Two heads are understood, told apart by the config's `num_labels` (the heatmap count):
- COCO, 17 keypoints: the body joints, `Joint` order.
- COCO-WholeBody, 133 keypoints: 17 body joints, then 6 foot points (17-22: left big toe, left
  small toe, left heel, right big toe, right small toe, right heel, our `Foot` order), then
  68 face and 42 hand points, which LiftCoach does not use (so they are never decoded).
  Order: COCO-WholeBody's DATA_FORMAT (github.com/jin-s13/COCO-WholeBody).

ViTPose+ backbones are mixtures of experts, one expert per training dataset, chosen per crop by
`dataset_index`: COCO 0, AiC 1, MPII 2, AP-10K 3, APT-36K 4, COCO-WholeBody 5 (transformers'
model_doc/vitpose.md; ViTPose's tools/model_split.py builds `coco.pth` from expert 0 and
`wholebody.pth` from expert 5 with the 133-keypoint head). The ViTPose+ checkpoints on the hub
(usyd-community/vitpose-plus-*) keep all six experts but only COCO's 17-keypoint head:
transformers' convert_vitpose_to_hf.py drops the other heads (`associate_keypoint_heads`), so
their expert 5 has no head to read it and they give no feet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coach.core.errors import BackendUnavailable
from coach.core.keypoints import N_FEET, N_JOINTS

COCO_WHOLEBODY_EXPERT = 5


@dataclass(frozen=True)
class PoseHead:
    """What one ViTPose head gives LiftCoach.

    `n_decoded` heatmaps are decoded (body joints first, then the feet when `has_feet`);
    `dataset_index` is the ViTPose+ expert passed when the backbone has experts.
    """

    name: str
    n_keypoints: int
    n_decoded: int
    has_feet: bool
    dataset_index: int


COCO_BODY = PoseHead("COCO", N_JOINTS, N_JOINTS, False, 0)
COCO_WHOLEBODY = PoseHead("COCO-WholeBody", 133, N_JOINTS + N_FEET, True, COCO_WHOLEBODY_EXPERT)
HEADS: dict[int, PoseHead] = {h.n_keypoints: h for h in (COCO_BODY, COCO_WHOLEBODY)}


def num_experts(config: Any) -> int:
    """How many experts the backbone's MLPs hold (1 for plain ViTPose)."""
    return int(getattr(config.backbone_config, "num_experts", 1))


def pose_head(config: Any, ref: str) -> PoseHead:
    """The head of a loaded `VitPoseConfig`, or one clear error naming the checkpoint.

    Args:
        config: the model's `VitPoseConfig`.
        ref: the checkpoint as the user set it (LIFTCOACH_VITPOSE), named in the error.

    Raises:
        BackendUnavailable: a head that is neither COCO's nor COCO-WholeBody's, or a
            whole-body head on experts with no COCO-WholeBody expert to feed it.
    """
    n_keypoints = int(config.num_labels)
    head = HEADS.get(n_keypoints)
    if head is None:
        raise BackendUnavailable(
            f"ViTPose weights {ref!r} (LIFTCOACH_VITPOSE) predict {n_keypoints} keypoints; "
            "LiftCoach reads COCO's 17 or COCO-WholeBody's 133. Use a COCO or COCO-WholeBody "
            "ViTPose checkpoint, or --backend mediapipe."
        )
    experts = num_experts(config)
    if experts > 1 and head.dataset_index >= experts:
        raise BackendUnavailable(
            f"ViTPose weights {ref!r} (LIFTCOACH_VITPOSE) have a {head.name} head but only "
            f"{experts} experts, so none is the ViTPose+ {head.name} expert "
            f"(index {head.dataset_index}). Use a ViTPose+ checkpoint with all six experts, "
            "or --backend mediapipe."
        )
    return head


def head_heatmaps(torch: Any, model: Any, pixel_values: Any, head: PoseHead, is_moe: bool) -> Any:
    """The model's heatmaps of the body joints (and feet) only, (n, `head.n_decoded`, h, w)
    fp32 on the CPU: a ViTPose+ backbone is told its head's expert, and a whole-body head's
    110 face and hand maps are never decoded. numpy (the processor's DARK decoding) cannot read
    bf16, hence fp32. Call it under the caller's `torch.inference_mode()`."""
    extra: dict[str, Any] = {}
    if is_moe:
        extra["dataset_index"] = torch.full((len(pixel_values),), head.dataset_index,
                                            dtype=torch.long, device=pixel_values.device)
    maps = model(pixel_values=pixel_values, **extra).heatmaps
    return maps[:, : head.n_decoded].float().cpu()
