"""Measure bar tracking: plate localisation on the plate fixture's test split, and the bar's
path on the side-on fixture clips (jitter after smoothing, reps with a speed, real time).

    PYTHONPATH=. /work/main/.venv/bin/python scripts/measure_bar.py [--fixtures ../shared/fixtures]
        [--skip-clips] [--out bar_measure.json]

Localisation: the committed detector alone on each test photo (the photos have no lifter), at
the single-photo threshold chosen on valid (best F1 there, 0.286). Definitions are in
scripts/plate_data.py. The valid split is scored too, as the figures the choice was made on.
Clips: every labels.csv video whose view names "side", analysed by `analyze_video` (MediaPipe,
15 fps, the lift from the label, else auto). Jitter is `coach.bar.metrics.jitter_mm`.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from plate_data import PLATES_DIR, Tally, load_split

from coach.bar.detector import SINGLE_IMAGE_THRESHOLD, PlateDetector
from coach.bar.metrics import jitter_mm


def localisation(root: Path, split: str) -> dict[str, float]:
    """Detector accuracy on one split at the single-photo threshold (AP50 over all scores)."""
    detector = PlateDetector(score_threshold=0.05, max_detections=20)
    tally = Tally()
    for sample in load_split(root / PLATES_DIR, split):
        found = detector.detect(cv2.imread(str(sample.image_path)))
        preds = np.array([(b.cx_px, b.cy_px, b.w_px, b.h_px, b.score) for b in found])
        tally.add(sample.boxes, preds.reshape(-1, 5), SINGLE_IMAGE_THRESHOLD)
    return {"split": split, "threshold": SINGLE_IMAGE_THRESHOLD, **tally.summary()}  # type: ignore[dict-item]


def side_clips(fixtures: Path) -> list[tuple[str, str]]:
    with (fixtures / "labels.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [(r["file"], r["lift"]) for r in rows
            if r["file"].endswith(".mp4") and "side" in r["view"]]  # fmt: skip


def clip_figures(fixtures: Path, name: str, lift: str) -> dict[str, Any]:
    from coach.core.settings import Settings
    from coach.pipeline.clip import analyze_video
    from coach.pose.mediapipe_backend import MediaPipeEstimator

    given = lift if lift in ("squat", "bench", "deadlift") else "auto"
    with MediaPipeEstimator(video=True) as estimator:
        t0 = time.perf_counter()
        result = analyze_video(fixtures / name, estimator, Settings(), lift=given)
        seconds = time.perf_counter() - t0
    bar = result.bar
    out: dict[str, Any] = {"clip": name, "lift_label": lift, "frames": len(result.t_s),
                           "reps": len(result.reps), "seconds": round(seconds, 2),
                           "x_real_time": round(result.info.duration_s / seconds, 2),
                           "bar_ms_per_frame": None, "bar": None}  # fmt: skip
    if bar is None:
        return out
    jit = jitter_mm(bar.path)
    out["bar_ms_per_frame"] = round(bar.timings_ms["total"] / max(len(result.t_s), 1), 1)
    out["bar"] = {
        "plate_fraction": round(bar.path.plate_fraction, 3),
        "px_per_cm": None if bar.px_per_cm is None else round(bar.px_per_cm, 3),
        "jitter_mm_median": round(float(np.median(jit)), 1) if len(jit) else None,
        "jitter_mm_p90": round(float(np.percentile(jit, 90)), 1) if len(jit) else None,
        "reps_with_speed": sum(r.mean_velocity_m_s is not None for r in bar.reps),
        "reps": [{"source": r.source, "plate_fraction": round(r.plate_fraction, 2),
                  "drift_cm": _r(r.drift_cm, 1), "range_cm": _r(r.range_cm, 1),
                  "mean_m_s": _r(r.mean_velocity_m_s, 2), "peak_m_s": _r(r.peak_velocity_m_s, 2),
                  "note": r.note} for r in bar.reps],
    }  # fmt: skip
    return out


def _r(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    default = Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures"
    parser.add_argument("--fixtures", type=Path, default=default)
    parser.add_argument("--skip-clips", action="store_true")
    parser.add_argument("--skip-photos", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    results: dict[str, Any] = {}
    if not args.skip_photos:
        results["localisation"] = [localisation(args.fixtures, s) for s in ("valid", "test")]
        for row in results["localisation"]:
            print(json.dumps({k: round(v, 4) if isinstance(v, float) else v
                              for k, v in row.items()}), flush=True)  # fmt: skip
    if not args.skip_clips:
        results["clips"] = []
        for name, lift in side_clips(args.fixtures):
            figures = clip_figures(args.fixtures, name, lift)
            results["clips"].append(figures)
            print(json.dumps(figures), flush=True)
    if args.out is not None:
        args.out.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
