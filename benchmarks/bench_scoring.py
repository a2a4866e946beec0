"""Form scoring speed: `assess_form` per photo (view estimate, phase, pairs, vote, flags).

Inputs are coach.synth.lifter lifters (no model, no image), so this times the scoring alone. The
gold
is the shipped one when coach.form.gold can load it, else the same recipe built from
coach.synth.lifter.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import numpy as np

from benchmarks.common import time_calls
from coach.core.keypoints import Keypoints
from coach.form.scoring import GoldMapping, assess_form

TARGET_MS = 2.0
_YAWS = {"front": 0.0, "left": 90.0, "right": -90.0}


def _gold(lift: str) -> GoldMapping:
    from coach.form.gold import load_gold

    return load_gold(lift).as_mapping()


def _one(photos: Iterator[Keypoints], lift: str, gold: GoldMapping) -> None:
    assess_form(next(photos), lift, gold)


def run(fixtures: Path | None) -> str:
    """Markdown section: median / p95 ms of one assess_form call, per lift, over many photos."""
    from coach.synth import lifter as synth

    rng = np.random.default_rng(0)
    rows = []
    for lift in ("squat", "bench", "deadlift"):
        gold = _gold(lift)
        photos = itertools.cycle([synth.sample(lift, rng) for _ in range(50)])
        stats = time_calls(partial(_one, photos, lift, gold), n=500, warmup=20)
        ok = "yes" if stats.p95_ms < TARGET_MS else "no"
        rows.append(f"| {lift} | {stats.median_ms:.3f} | {stats.p95_ms:.3f} | {stats.n} | {ok} |")
    return "\n".join(
        [
            "## Form scoring (`assess_form`)\n",
            "One call per photo: view estimate, nearest phase, critical pairs against the three "
            f"gold views, the vote and the flags. 50 synthetic lifters per lift, random bodies "
            f"and cameras, cycled; target < {TARGET_MS:.0f} ms.\n",
            "| lift | median ms | p95 ms | calls | p95 < target |",
            "|---|---|---|---|---|",
            *rows,
        ]
    )


if __name__ == "__main__":
    print(run(None))
