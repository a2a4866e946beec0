"""Train the plate detector (`coach.bar.net.PlateNet`) on the fixture's train split, on one
CPU thread; writes coach/bar/models/plate_centernet.pt and a training log beside it.

    PYTHONPATH=. /work/main/.venv/bin/python scripts/train_plate_detector.py \
        [--fixtures ../shared/fixtures] [--epochs 24] [--out coach/bar/models/plate_centernet.pt]

Seeded and single-threaded, so a rerun gives the same weights (about 17 min on one core). The
checkpoint kept is the epoch with the best AP50 on the valid split; the test split is never
read here. The data are CC BY 4.0 (Roboflow Universe barbell-detector-svmfh v12, via
BichraiX/AI-Deadlift-Analysis): the weights are derived from them, see
coach/bar/models/README.md. The committed weights came from this recipe's first run (the
prototype's train.py, identical but for imports); this port was smoke-run, not re-run in full.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from plate_data import PLATES_DIR, Sample, Tally, load_split

from coach.bar.detector import DEFAULT_WEIGHTS, letterbox
from coach.bar.net import PlateNet, decode
from coach.bar.net_constants import PAD_VALUE, STRIDE


def to_tensor(image_rgb: np.ndarray) -> torch.Tensor:
    """uint8 HxWx3 -> float (1, 3, H, W) in [0, 1]."""
    return torch.from_numpy(image_rgb).permute(2, 0, 1).float().div_(255.0).unsqueeze(0)


def augment(
    image: np.ndarray, boxes: np.ndarray, size: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Random scale/aspect/shift onto a ``size``x``size`` grey canvas, flip and photometric jitter.

    The fixture's photos were stretched to 416x416 by Roboflow, so the aspect jitter both
    undoes and varies that; scale jitter covers plates from ~4% to ~50% of the frame.
    Returns the RGB uint8 canvas and the surviving boxes (cx, cy, w, h) in canvas pixels.
    """
    height, width = image.shape[:2]
    aspect = math.exp(rng.uniform(-0.3, 0.3))
    scale = size / max(height, width) * rng.uniform(0.45, 1.35)
    sx, sy = scale * math.sqrt(aspect), scale / math.sqrt(aspect)
    tx = rng.uniform(min(0.0, size - width * sx), max(0.0, size - width * sx))
    ty = rng.uniform(min(0.0, size - height * sy), max(0.0, size - height * sy))
    flip = rng.random() < 0.5
    if flip:
        sx, tx = -sx, tx + width * abs(sx)
    matrix = np.array([[sx, 0, tx], [0, sy, ty]], dtype=np.float32)
    canvas = cv2.warpAffine(
        image,
        matrix,
        (size, size),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(PAD_VALUE,) * 3,
    )
    out = _move_boxes(boxes, sx, sy, tx, ty, size)
    return cv2.cvtColor(_photometric(canvas, rng), cv2.COLOR_BGR2RGB), out


def _move_boxes(
    boxes: np.ndarray, sx: float, sy: float, tx: float, ty: float, size: int
) -> np.ndarray:
    """Apply the affine map to boxes, clip to the canvas, drop those less than 40% visible."""
    if len(boxes) == 0:
        return boxes.reshape(0, 4)
    x0 = boxes[:, 0] - boxes[:, 2] / 2
    x1 = boxes[:, 0] + boxes[:, 2] / 2
    y0 = boxes[:, 1] - boxes[:, 3] / 2
    y1 = boxes[:, 1] + boxes[:, 3] / 2
    nx0, nx1 = np.sort(np.stack([x0 * sx + tx, x1 * sx + tx]), axis=0)
    ny0, ny1 = y0 * sy + ty, y1 * sy + ty
    full = (nx1 - nx0) * (ny1 - ny0)
    cx0, cx1 = np.clip(nx0, 0, size), np.clip(nx1, 0, size)
    cy0, cy1 = np.clip(ny0, 0, size), np.clip(ny1, 0, size)
    visible = (cx1 - cx0) * (cy1 - cy0)
    keep = (visible >= 0.4 * full) & (cx1 - cx0 >= 4) & (cy1 - cy0 >= 4)
    out = np.stack([(cx0 + cx1) / 2, (cy0 + cy1) / 2, cx1 - cx0, cy1 - cy0], axis=1)
    return out[keep].astype(np.float32)


def _photometric(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Brightness/contrast/saturation jitter, occasional grey or blur (gym video is often soft)."""
    hsv = cv2.cvtColor(image, cv2.COLOR_BGR2HSV).astype(np.float32)
    hsv[..., 1] *= rng.uniform(0.5, 1.5)
    hsv[..., 2] = hsv[..., 2] * rng.uniform(0.6, 1.4) + rng.uniform(-25, 25)
    image = cv2.cvtColor(np.clip(hsv, 0, 255).astype(np.uint8), cv2.COLOR_HSV2BGR)
    if rng.random() < 0.1:
        image = cv2.cvtColor(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    if rng.random() < 0.2:
        image = cv2.GaussianBlur(image, (0, 0), rng.uniform(0.5, 1.5))
    return image


def make_targets(boxes: np.ndarray, size: int) -> dict[str, np.ndarray]:
    """CenterNet targets on the stride-4 grid for one image.

    heat: (1, g, g) Gaussian peaks (sigma grows with plate size); size/offset: (2, g, g)
    valid only where mask (g, g) is 1, i.e. at each plate's centre cell.
    """
    grid = size // STRIDE
    heat = np.zeros((grid, grid), np.float32)
    log_size = np.zeros((2, grid, grid), np.float32)
    offset = np.zeros((2, grid, grid), np.float32)
    mask = np.zeros((grid, grid), np.float32)
    ys, xs = np.mgrid[0:grid, 0:grid].astype(np.float32)
    for cx, cy, w, h in boxes:
        gx, gy = cx / STRIDE, cy / STRIDE
        ix, iy = min(int(gx), grid - 1), min(int(gy), grid - 1)
        sigma = max(0.8, 0.12 * math.sqrt(w * h) / STRIDE)
        heat = np.maximum(heat, np.exp(-((xs - ix) ** 2 + (ys - iy) ** 2) / (2 * sigma**2)))
        log_size[:, iy, ix] = np.log([w / STRIDE, h / STRIDE])
        offset[:, iy, ix] = (gx - ix, gy - iy)
        mask[iy, ix] = 1.0
    return {"heat": heat[None], "size": log_size, "offset": offset, "mask": mask}


def focal_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """CenterNet's penalty-reduced focal loss, normalised by the number of plates."""
    pred = torch.sigmoid(logits).clamp(1e-4, 1 - 1e-4)
    pos = target.eq(1).float()
    neg_weight = (1 - target) ** 4
    pos_loss = torch.log(pred) * (1 - pred) ** 2 * pos
    neg_loss = torch.log(1 - pred) * pred**2 * neg_weight * (1 - pos)
    return -(pos_loss.sum() + neg_loss.sum()) / pos.sum().clamp(min=1)


def batch_loss(
    net: PlateNet, images: torch.Tensor, targets: dict[str, torch.Tensor]
) -> torch.Tensor:
    """Heatmap focal loss + L1 on log-size and offset at plate centres."""
    heat, log_size, offset = net(images)
    mask = targets["mask"][:, None]
    n = mask.sum().clamp(min=1)
    size_loss = (F.l1_loss(log_size, targets["size"], reduction="none") * mask).sum() / n
    offset_loss = (F.l1_loss(offset, targets["offset"], reduction="none") * mask).sum() / n
    return focal_loss(heat, targets["heat"]) + size_loss + offset_loss


def make_batch(
    samples: list[Sample], images: list[np.ndarray], size: int, rng: np.random.Generator
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """Augment a list of images and stack them with their targets."""
    tensors, parts = [], []
    for sample, image in zip(samples, images, strict=False):
        canvas, boxes = augment(image, sample.boxes, size, rng)
        tensors.append(to_tensor(canvas))
        parts.append(make_targets(boxes, size))
    stacked = {k: torch.from_numpy(np.stack([p[k] for p in parts])) for k in parts[0]}
    return torch.cat(tensors), stacked


@torch.inference_mode()
def evaluate_valid(
    net: PlateNet, samples: list[Sample], images: list[np.ndarray], input_size: int
) -> dict[str, float]:
    """AP50 and metrics at score 0.3 on the valid split, with the same letterbox as inference."""
    net.eval()
    tally = Tally()
    for sample, image in zip(samples, images, strict=False):
        padded, scale = letterbox(image, input_size)
        heat, log_size, offset = net(to_tensor(padded))
        found = decode(heat, log_size, offset, score_threshold=0.05, max_detections=20)
        preds = np.array(
            [(cx / scale, cy / scale, w / scale, h / scale, s) for cx, cy, w, h, s in found]
        )
        tally.add(sample.boxes, preds.reshape(-1, 5), threshold=0.3)
    net.train()
    return tally.summary()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=24)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--size", type=int, default=256, help="training canvas side, px")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=DEFAULT_WEIGHTS)
    parser.add_argument(
        "--fixtures",
        type=Path,
        default=Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures",
    )
    parser.add_argument(
        "--max-steps", type=int, default=0, help="stop each epoch early (smoke run)"
    )
    args = parser.parse_args()

    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    train = load_split(args.fixtures / PLATES_DIR, "train")
    valid = load_split(args.fixtures / PLATES_DIR, "valid")
    # Decoded once and kept in memory (not on disk): ~470 MB for 903 416x416 images.
    train_images = [cv2.imread(str(s.image_path)) for s in train]
    valid_images = [cv2.imread(str(s.image_path)) for s in valid]

    net = PlateNet()
    steps_per_epoch = len(train) // args.batch
    optimizer = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=args.lr, total_steps=args.epochs * steps_per_epoch, pct_start=0.1
    )
    log: list[dict[str, float]] = []
    best_ap = -1.0
    start = time.time()
    for epoch in range(args.epochs):
        order = rng.permutation(len(train))
        running = 0.0
        for step in range(args.max_steps or steps_per_epoch):
            idx = order[step * args.batch : (step + 1) * args.batch]
            images, targets = make_batch(
                [train[i] for i in idx], [train_images[i] for i in idx], args.size, rng
            )
            loss = batch_loss(net, images, targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            running += loss.item()
        scores = evaluate_valid(net, valid, valid_images, args.size)
        entry = {
            "epoch": epoch + 1,
            "loss": running / steps_per_epoch,
            "minutes": (time.time() - start) / 60,
            **scores,
        }
        log.append(entry)
        print(json.dumps({k: round(v, 4) for k, v in entry.items()}), flush=True)
        if scores["ap50"] > best_ap:
            best_ap = scores["ap50"]
            torch.save(net.state_dict(), args.out)
    (args.out.with_name("train_log.json")).write_text(json.dumps(log, indent=1))
    print(f"best valid AP50 {best_ap:.4f}; saved {args.out}")


if __name__ == "__main__":
    main()
