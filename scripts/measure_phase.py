"""Measure how the gold phase is chosen: 3D key angles against the 2D cues, on random
synthetic lifters with a known phase and on the real fixture photos (agreement with the
3D choice). The figures in coach/form/phase.py's docstring come from this script.

    PYTHONPATH=. .venv/bin/python scripts/measure_phase.py [--n 300] [--no-photos]
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from coach.core.keypoints import Keypoints
from coach.core.lifts import GOLD_VIEWS, PHASES
from coach.form import phase as phase_mod
from coach.form.gold import GoldSet, load_gold
from coach.synth import lifter as synth

Chooser = Callable[[Keypoints, str], str]


def _choosers(golds: dict[str, GoldSet]) -> dict[str, Chooser]:
    def ratio(kp: Keypoints, lift: str) -> str:
        mapping = golds[lift].as_mapping()
        return phase_mod._by_thigh_drop(kp, lift, mapping) or phase_mod._by_shape(kp, lift, mapping)

    return {"ratio": ratio, "shape": lambda kp, lift: phase_mod._by_shape(kp, lift,
                                                                  golds[lift].as_mapping())}


def _angles_3d(golds: dict[str, GoldSet], lift: str) -> dict[str, dict[str, float]]:
    return {ph: golds[lift].pose("front", ph).angles_deg for ph in PHASES[lift]}


def synthetic(golds: dict[str, GoldSet], n: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    for lift in PHASES:
        hits = {"3d": 0, **{m: 0 for m in _choosers(golds)}}
        for _ in range(n):
            progress = float(rng.uniform(0, 0.3) if rng.random() < 0.5 else rng.uniform(0.7, 1))
            truth = PHASES[lift][int(progress > 0.5)]
            kp = synth.sample(lift, rng, progress=progress, camera=synth.random_camera(rng))
            kp = synth.corrupt(kp, rng, sigma_px=3.0, p_missing=0.03)
            flat = Keypoints(kp.xy, kp.score)
            for name, choose in _choosers(golds).items():
                hits[name] += choose(flat, lift) == truth
            mapping = golds[lift].as_mapping()
            hits["3d"] += phase_mod.nearest_phase(kp, lift, mapping,
                                          gold_angles_3d_deg=_angles_3d(golds, lift)) == truth
        print(f"synthetic {lift}: " + ", ".join(f"{k} {v / n:.2f}" for k, v in hits.items()))


def photos(golds: dict[str, GoldSet], fixtures: Path) -> None:
    from coach.core.errors import LiftCoachError
    from coach.core.settings import Settings
    from coach.pipeline.photo import analyze_photo
    from coach.pose.mediapipe_backend import MediaPipeEstimator

    with (fixtures / "labels.csv").open() as fh:
        rows = [r for r in csv.DictReader(fh) if r["lift"] in PHASES and r["file"].endswith(".jpg")]
    agree = {lift: dict.fromkeys(_choosers(golds), 0) for lift in PHASES}
    total = dict.fromkeys(PHASES, 0)
    with MediaPipeEstimator() as estimator:
        for row in rows:
            try:
                result, _ = analyze_photo(fixtures / row["file"], estimator, Settings())
            except LiftCoachError:
                continue
            kp, lift = result.person.keypoints, row["lift"]
            mapping = golds[lift].as_mapping()
            truth = phase_mod.nearest_phase(kp, lift, mapping,
                                            gold_angles_3d_deg=_angles_3d(golds, lift))
            total[lift] += 1
            for name, choose in _choosers(golds).items():
                agree[lift][name] += choose(Keypoints(kp.xy, kp.score), lift) == truth
    for lift in PHASES:
        print(f"photos {lift} (agreement with 3D): " +
              ", ".join(f"{k} {v}/{total[lift]}" for k, v in agree[lift].items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--no-photos", action="store_true")
    args = parser.parse_args(argv)
    golds = {lift: load_gold(lift) for lift in PHASES}
    assert set(GOLD_VIEWS) <= set(golds["squat"].views)
    synthetic(golds, args.n)
    fixtures = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"
    if not args.no_photos and fixtures.is_dir():
        photos(golds, fixtures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
