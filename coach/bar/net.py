"""PlateNet: a tiny CenterNet-style network that finds barbell plates (the bar's end).

It imports torch at module level, so only `coach.bar.detector` imports it, lazily, when the
first frame is detected. The layout must match the committed state_dict
(`coach/bar/models/plate_centernet.pt`) parameter for parameter.

The network sees a letterboxed RGB image (float in [0, 1], sides multiples of 32) and predicts,
on a grid of stride 4: a plate-centre heatmap (1 channel, logits), the box size as
log(pixels / stride) (2 channels) and the sub-cell centre offset in cells (2 channels).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F  # noqa: N812 (torch's own convention)
from torch import nn

from coach.bar.net_constants import STRIDE


def conv_bn(cin: int, cout: int, kernel: int = 3, stride: int = 1) -> nn.Sequential:
    """Convolution + batch norm + ReLU, padded to keep the size (divided by stride)."""
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, stride, kernel // 2, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class SeparableBlock(nn.Module):  # type: ignore[misc]
    """Depthwise 3x3 then pointwise 1x1, residual when the shape is unchanged: keeps the model
    under 1 MB and ~10 ms a frame on one CPU thread."""

    def __init__(self, cin: int, cout: int, stride: int = 1, dilation: int = 1) -> None:
        super().__init__()
        self.depthwise = nn.Sequential(
            nn.Conv2d(cin, cin, 3, stride, dilation, dilation=dilation, groups=cin, bias=False),
            nn.BatchNorm2d(cin),
            nn.ReLU(inplace=True),
        )
        self.pointwise = nn.Sequential(nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout))
        self.residual = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.pointwise(self.depthwise(x))
        return F.relu(y + x if self.residual else y)


class PlateNet(nn.Module):  # type: ignore[misc]
    """Backbone (strides 2..32) + top-down pyramid back to stride 4 + three heads."""

    def __init__(self, width: int = 48) -> None:
        super().__init__()
        self.stem = conv_bn(3, 16, 3, 2)
        self.stage2 = nn.Sequential(SeparableBlock(16, 32, 2), SeparableBlock(32, 32))
        self.stage3 = nn.Sequential(SeparableBlock(32, 64, 2), SeparableBlock(64, 64))
        self.stage4 = nn.Sequential(
            SeparableBlock(64, 128, 2), SeparableBlock(128, 128),
            SeparableBlock(128, 128, dilation=2),
        )  # fmt: skip
        # Plates can fill half the frame, so the deepest stage is dilated to widen its view.
        self.stage5 = nn.Sequential(
            SeparableBlock(128, 192, 2), SeparableBlock(192, 192, dilation=2),
            SeparableBlock(192, 192),
        )  # fmt: skip
        self.lateral = nn.ModuleList([nn.Conv2d(c, width, 1) for c in (32, 64, 128, 192)])
        self.smooth = nn.ModuleList([SeparableBlock(width, width) for _ in range(3)])
        self.heatmap = self._head(width, 1)
        self.size = self._head(width, 2)
        self.offset = self._head(width, 2)
        # Start the heatmap near p = 0.01 so the focal loss is stable (CenterNet's prior).
        nn.init.constant_(self.heatmap[-1].bias, -4.6)

    @staticmethod
    def _head(width: int, out: int) -> nn.Sequential:
        return nn.Sequential(
            nn.Conv2d(width, width, 3, 1, 1, groups=width),
            nn.Conv2d(width, width, 1),
            nn.ReLU(inplace=True),
            nn.Conv2d(width, out, 1),
        )

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """x: (B, 3, H, W) in [0, 1]. Returns heatmap logits, log-size and offset maps."""
        c2 = self.stage2(self.stem(x))
        c3 = self.stage3(c2)
        c4 = self.stage4(c3)
        c5 = self.stage5(c4)
        p = self.lateral[3](c5)
        for level, feature in zip((2, 1, 0), (c4, c3, c2), strict=True):
            p = F.interpolate(p, size=feature.shape[-2:], mode="nearest")
            p = self.smooth[level](p + self.lateral[level](feature))
        return self.heatmap(p), self.size(p), self.offset(p)


def decode(
    heat_logits: torch.Tensor, log_size: torch.Tensor, offset: torch.Tensor,
    score_threshold: float, max_detections: int,
) -> list[tuple[float, float, float, float, float]]:  # fmt: skip
    """One image's head outputs (1, C, h, w) -> [(cx, cy, w, h, score)] in network pixels,
    best first. Peaks are 3x3 local maxima of the heatmap (CenterNet's stand-in for NMS)."""
    heat = torch.sigmoid(heat_logits[0, 0])
    peaks = heat == F.max_pool2d(heat[None, None], 3, 1, 1)[0, 0]
    scores = torch.where(peaks, heat, torch.zeros_like(heat)).flatten()
    top_scores, top_index = torch.topk(scores, min(max_detections, scores.numel()))
    width = heat.shape[1]
    out: list[tuple[float, float, float, float, float]] = []
    for score, index in zip(top_scores.tolist(), top_index.tolist(), strict=True):
        if score < score_threshold:
            break
        gy, gx = divmod(index, width)
        cx = (gx + float(offset[0, 0, gy, gx])) * STRIDE
        cy = (gy + float(offset[0, 1, gy, gx])) * STRIDE
        w = float(torch.exp(log_size[0, 0, gy, gx])) * STRIDE
        h = float(torch.exp(log_size[0, 1, gy, gx])) * STRIDE
        out.append((cx, cy, w, h, float(score)))
    return out
