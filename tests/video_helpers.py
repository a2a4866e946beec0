"""Small clips and matching replay keypoints for the clip, rep-check and Video page tests."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from tests.squat_replay import squat_person


def make_clip(path: Path, *, n_frames: int, fps: int = 15, size: tuple[int, int] = (640, 480),
              ) -> Path:  # fmt: skip
    """An H.264 clip of grey frames (the replay backend ignores the pictures)."""
    import av

    width, height = size
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for i in range(n_frames):
            img = np.full((height, width, 3), 80 + (i % 20), np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="bgr24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def squat_depths(n_reps: int, frames_per_rep: int, lead: int = 10, tail: int = 10) -> list[float]:
    """Depth 0 (standing) .. `depth` per frame: standing lead-in, n reps, standing tail."""
    reps = [0.5 - 0.5 * math.cos(2 * math.pi * i / frames_per_rep)
            for i in range(n_reps * frames_per_rep)]  # fmt: skip
    return [0.0] * lead + reps + [0.0] * tail


def squat_reps_doc(depths: list[float], scale: float = 1.0) -> dict[str, Any]:
    """Replay JSON with one squatting person per frame at these depths (`scale` deepens)."""
    return {"frames": [{"persons": [squat_person(min(1.0, d * scale))]} for d in depths]}


def shifted(person: dict[str, Any], dx: float) -> dict[str, Any]:
    """The same replay person moved `dx` pixels sideways (a second lifter beside the first)."""
    return {**person, "keypoints": [[x + dx, y, s] for x, y, s in person["keypoints"]],
            "bbox": [person["bbox"][0] + dx, *person["bbox"][1:]]}  # fmt: skip


def write_doc(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(json.dumps(doc))
    return path
