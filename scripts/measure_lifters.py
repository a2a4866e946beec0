"""Measure "find every lifter" (issue 9) on the real fixtures; prints JSON.

1. Lifter found on every labelled barbell photo (jpg) per source and per lift, and per clip.
2. Keypoint accuracy against keypoints_coco17_gt.json (coach.eval.metrics.evaluate_coco_gt:
   one-to-one pairs of largest total OKS; image-mean OKS charges a missed image 0, person-mean
   OKS a missed person), with and without 000000000785.jpg, whose file does not match its
   annotation (a gym squat photo under a COCO skier's labels).
3. Crowded photos: recall at OKS 0.5 over every labelled person (the same one-to-one pairs).
4. Photo speed: median ms per 1920x1080 fixture frame, rotation retry on and off.

Run: python scripts/measure_lifters.py [--no-tiles]   (about 2-4 minutes on 2 cores)
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from coach.core.settings import Settings
from coach.eval.metrics import evaluate_coco_gt
from coach.media.photo import load_image
from coach.pipeline.clip import analyze_video
from coach.pose.mediapipe_backend import MediaPipeEstimator

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
MISMATCHED = "000000000785.jpg"


def found_on_photos(est: MediaPipeEstimator) -> dict[str, object]:
    rows = list(csv.DictReader((FIXTURES / "labels.csv").open(encoding="utf-8")))
    by: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    missed = []
    for r in rows:
        if r["lift"] not in ("squat", "bench", "deadlift") or not r["file"].endswith(".jpg"):
            continue
        ok = bool(est.estimate(load_image(FIXTURES / r["file"]).bgr))
        source = r["file"].split("/")[0] + ("/frames" if "/frames/" in r["file"] else "")
        for key in ("all", f"source:{source}", f"lift:{r['lift']}"):
            by[key][0] += ok
            by[key][1] += 1
        if not ok:
            missed.append(r["file"])
    return {"found": {k: f"{v[0]}/{v[1]}" for k, v in sorted(by.items())}, "missed": missed}


def found_in_clips() -> dict[str, object]:
    rows = list(csv.DictReader((FIXTURES / "labels.csv").open(encoding="utf-8")))
    out = {}
    for r in rows:
        if r["lift"] not in ("squat", "bench", "deadlift") or not r["file"].endswith(".mp4"):
            continue
        with MediaPipeEstimator(video=True) as est:
            res = analyze_video(FIXTURES / r["file"], est, Settings(data_dir="/tmp/lc-measure"),
                                lift=r["lift"])
        people = res.people
        assert people is not None
        out[r["file"]] = {"lift": r["lift"], "lifter_frames": f"{people.lifter_frames}/"
                          f"{len(res.t_s)}", "tracks": len(people.tracks),
                          "reason": people.lifter_reason, "reps": len(res.reps)}
    return out


def keypoints(est: MediaPipeEstimator) -> dict[str, object]:
    gt = FIXTURES / "keypoints_coco17_gt.json"
    result = evaluate_coco_gt(gt, FIXTURES, est)
    per_image = result["per_image"]
    without = [v or 0.0 for k, v in per_image.items() if not k.endswith(MISMATCHED)]
    return {"image_mean_oks": round(result["image_mean_oks"], 3),
            "image_mean_oks_without_785": round(sum(without) / len(without), 3),
            "mean_oks_matched": round(result["mean_oks"], 3),
            "person_mean_oks": round(result["person_mean_oks"], 3),
            "matched_people": result["matched_people"], "gt_people": result["gt_people"],
            "mean_pck": round(result["mean_pck"], 3),
            "pck_per_joint": {k: round(v, 3) for k, v in result["pck_per_joint"].items()},
            "recall_at_oks_0.5": _recall(result["found_per_image"]),
            "per_image": per_image}


def _recall(found_per_image: dict[str, list[int]]) -> dict[str, str]:
    """Labelled people found at OKS >= 0.5 (the evaluator's one-to-one pairs), overall and in
    images with several labelled people."""
    rows = list(found_per_image.values())
    crowded = [r for r in rows if r[1] > 1]
    return {"all": f"{sum(f for f, _ in rows)}/{sum(n for _, n in rows)}",
            "images_with_several_people":
                f"{sum(f for f, _ in crowded)}/{sum(n for _, n in crowded)}"}


def speed(est: MediaPipeEstimator) -> dict[str, float]:
    import cv2

    frames = [cv2.imread(str(p)) for p in sorted(FIXTURES.rglob("*.jpg"))]
    big = [f for f in frames if f is not None and f.shape[:2] == (1080, 1920)][:8]
    out = {}
    for retry in (True, False):
        est.rotation_retry = retry
        est.estimate(big[0])
        times = []
        for _ in range(3):
            for f in big:
                t0 = time.perf_counter()
                est.estimate(f)
                times.append((time.perf_counter() - t0) * 1000)
        out[f"1080p_median_ms_retry_{retry}"] = round(statistics.median(times), 1)
    est.rotation_retry = True
    out["frames_1080p"] = len(big)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-tiles", action="store_true",
                        help="photos: skip the 2x2 tiles (on by default)")
    parser.add_argument("--no-clips", action="store_true")
    args = parser.parse_args()
    with MediaPipeEstimator(tiles=not args.no_tiles) as est:
        report = {"tiles": not args.no_tiles, "photos": found_on_photos(est),
                  "keypoints": keypoints(est), "speed": speed(est)}
    if not args.no_clips:
        report["clips"] = found_in_clips()
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
