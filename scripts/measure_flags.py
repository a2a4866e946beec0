"""Measure the form flags on synthetic lifters: fault detection and false flags, per view.

    .venv/bin/python scripts/measure_flags.py [--n 200] [--seed 7]

Deterministic for a given seed. Every lifter is a `coach.synth.lifter` lifter with a random body,
natural variation of the good-form angles (1 SD), a camera within 5 deg of the named view at a
pitch of 0-15 deg, and 1.5 px of keypoint noise; the view is estimated from the keypoints, as
in the app, and scored against the shipped gold (`coach.form.gold.load_gold`).

1. Detection: the share of lifters with a constructed fault whose flags name the right joints
   with the right reason (knees caving in at the bottom of a squat; a deadlift grip wider than
   the gold at setup and lockout; bench elbows flared at the chest), per magnitude and view.
   Widths can only be judged from the front, so 0 % from the side is by design.
2. False flags: the share of clean lifters (at either gold phase) with at least one flag.
3. Variants: clean lifters in an accepted variant (narrow- and wide-stance squats, a sumo
   deadlift with its narrow grip), seen from the front.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from coach.core.keypoints import Joint, Keypoints  # noqa: E402
from coach.form.gold import load_gold  # noqa: E402
from coach.form.scoring import FormReport, GoldMapping, assess_form  # noqa: E402
from coach.synth.lifter import (  # noqa: E402
    Camera,
    corrupt,
    fit_camera,
    phase_pose,
    pose_world,
    project,
    random_body,
)

J = Joint
VIEWS: Mapping[str, float] = {"front": 0.0, "left": 90.0, "right": -90.0, "oblique": 45.0}
KNEES = {J.LEFT_KNEE, J.RIGHT_KNEE}
WRISTS = {J.LEFT_WRIST, J.RIGHT_WRIST}
ELBOWS = {J.LEFT_ELBOW, J.RIGHT_ELBOW}
Check = Callable[[FormReport], bool]


def _lifter(
    lift: str,
    progress: float,
    yaw_deg: float,
    rng: np.random.Generator,
    faults: Mapping[str, float] | None = None,
    pose_changes: Mapping[str, Any] | None = None,
) -> Keypoints:
    """One noisy synthetic lifter (module docstring)."""
    pose = phase_pose(lift, progress, rng=rng, variation=1.0, faults=faults)
    if pose_changes:
        pose = dataclasses.replace(pose, **pose_changes)
    world = pose_world(lift, pose, random_body(rng))
    cam = Camera(yaw_deg=yaw_deg + float(rng.uniform(-5, 5)), pitch_deg=float(rng.uniform(0, 15)))
    kp = project(world, fit_camera(world, cam, fill=0.7))
    return corrupt(kp, rng, sigma_px=1.5, p_missing=0.0)


def _flagged(joints: set[Joint], words: str) -> Check:
    def check(report: FormReport) -> bool:
        hits = {f.joint for f in report.flagged if words in f.reason}
        return joints <= hits

    return check


def _share(lifters: list[Keypoints], lift: str, gold: GoldMapping, check: Check) -> float:
    """The share of `lifters` whose report passes `check`."""
    return sum(check(assess_form(kp, lift, gold)) for kp in lifters) / len(lifters)


def _any_flag(report: FormReport) -> bool:
    return bool(report.flagged)


def detection(n: int, seed: int, golds: Mapping[str, GoldMapping]) -> list[str]:
    """Rows 'fault magnitude | share per view' (module docstring, 1)."""
    cases: list[tuple[str, str, str, list[float], Check, Callable[[float], float]]] = [
        ("squat", "knee_valgus_deg", "valgus {:g} deg (bottom)", [10, 15, 20, 25],
         _flagged(KNEES, "valgus"), lambda _: 1.0),
        ("deadlift", "grip_width_scale", "grip x{:g} (setup+lockout)", [1.3, 1.5, 1.7],
         _flagged(WRISTS, "grip far too wide"), lambda i: float(i % 2)),
        ("bench", "elbow_flare_deg", "elbow flare {:g} deg (chest)", [15, 25, 35],
         _flagged(ELBOWS, "elbows flared"), lambda _: 1.0),
    ]  # fmt: skip
    rows = []
    for lift, fault, label, sizes, check, progress in cases:
        for size in sizes:
            rng = np.random.default_rng(seed)
            shares = []
            for yaw in VIEWS.values():
                lifters = [_lifter(lift, progress(i), yaw, rng, {fault: size}) for i in range(n)]
                shares.append(_share(lifters, lift, golds[lift], check))
            rows.append(f"{lift:8s} {label.format(size):28s} "
                        + " ".join(f"{s:7.1%}" for s in shares))
    return rows


def false_flags(n: int, seed: int, golds: Mapping[str, GoldMapping]) -> list[str]:
    """Rows 'lift | share of clean lifters flagged per view' (module docstring, 2)."""
    rows = []
    for lift in ("squat", "bench", "deadlift"):
        rng = np.random.default_rng(seed)
        shares = []
        for yaw in VIEWS.values():
            lifters = [_lifter(lift, float(i % 2), yaw, rng) for i in range(n)]
            shares.append(_share(lifters, lift, golds[lift], _any_flag))
        rows.append(f"{lift:8s} {'clean, either phase':28s} "
                    + " ".join(f"{s:7.1%}" for s in shares))
    return rows


def variants(n: int, seed: int, golds: Mapping[str, GoldMapping]) -> list[str]:
    """Rows 'variant | share flagged from the front' (module docstring, 3)."""
    cases: list[tuple[str, str, dict[str, float]]] = [
        ("squat", "narrow stance 0.85 biacromial", {"stance_width_ratio": 0.85}),
        ("squat", "wide stance 2.0, toes out 40", {"stance_width_ratio": 2.0, "toe_out_deg": 40}),
        # Escamilla et al. 2000: sumo stance 70 cm vs 32 (x 0.75 biacromial), feet out 42 deg,
        # grip 47 cm vs 55 (x 1.15 biacromial).
        ("deadlift", "sumo: stance 1.64, grip 0.98", {"stance_width_ratio": 1.64,
                                                      "toe_out_deg": 42.0,
                                                      "grip_width_ratio": 0.98}),
    ]  # fmt: skip
    rows = []
    for lift, label, changes in cases:
        rng = np.random.default_rng(seed)
        lifters = [_lifter(lift, float(i % 2), VIEWS["front"], rng, pose_changes=changes)
                   for i in range(n)]
        share = _share(lifters, lift, golds[lift], _any_flag)
        rows.append(f"{lift:8s} {label:36s} {share:7.1%}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="lifters per cell")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    golds = {lift: load_gold(lift).as_mapping() for lift in ("squat", "bench", "deadlift")}
    head = f"{'':8s} {'':28s} " + " ".join(f"{v:>7s}" for v in VIEWS)
    print(f"1. Detection: right joints and reason (n={args.n} per cell, seed {args.seed})")
    print(head)
    print("\n".join(detection(args.n, args.seed, golds)))
    print("\n2. False flags on clean lifters")
    print(head)
    print("\n".join(false_flags(args.n, args.seed, golds)))
    print("\n3. Accepted variants seen from the front: share flagged")
    print("\n".join(variants(args.n, args.seed, golds)))


if __name__ == "__main__":
    main()
