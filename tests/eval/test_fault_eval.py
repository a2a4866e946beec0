"""The fault checks on real labelled deadlifts (../shared/eval-sources, rebuilt into .eval-data).

These clips carry no licence that allows committing them, so CI has no copy: the test skips,
saying why, when the folder is absent. Where it runs, it holds the figures the README reports
(measured 2026-12-03) so a change that makes them worse fails. The targets of the fault issue
(>= 80% of bad reps flagged, <= 10% of good reps) are NOT met; see the README's Accuracy.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EVAL = Path(os.environ.get("LIFTCOACH_EVAL_DATA", REPO / ".eval-data"))


@pytest.fixture(scope="module")
def summary() -> dict[str, object]:
    if not (EVAL / "deadlift-good-bad_BichraiX").is_dir():
        pytest.skip(f"labelled eval clips not rebuilt at {EVAL} (see ../shared/eval-sources; "
                    "they are never committed, so CI has none)")  # fmt: skip
    from scripts.measure_faults import eval_rows, summarise_eval

    return summarise_eval(list(eval_rows(EVAL)))


def test_good_lifts_mostly_raise_no_fault(summary) -> None:
    assert summary["good_clips"] == 20
    assert summary["good_clips_clean"] >= 17  # measured 17 of 20
    assert summary["good_reps_flagged"] <= 3  # measured 3 of 18 reps (target <= 10%: not met)


def test_bad_lifts_raise_a_fault(summary) -> None:
    assert summary["bad_clips"] == 15
    # Measured 3 of 13 reps (target >= 80%: not met). It was 7 before reps whose legs the
    # pose model lost became "can't judge" (coach.form.fault_gates.legs_lost), and 4 before
    # a lockout the clip cut off (bad005) and a trunk the model turned upside down (bad016)
    # did too; only bad014's calls are the faults labelled on the clip.
    assert summary["bad_reps_flagged"] >= 3
    assert summary["bad_clips_flagged"] >= 3
    # measured 1: bad014, rounded back and leaning far back at the top
    assert summary["bad_clips_with_labelled_fault"] >= 1


def test_each_labelled_pull_counts_as_one_rep(summary) -> None:
    # Measured 33 of 35: every clip labelled one rep (from the floor, or a hang, to lockout,
    # several ending at lockout) counts one. The two off are good010 (the top half of a pull,
    # from above the knees, labelled 0) and good013 (lowering only), each counted 1.
    assert summary["rep_counts_exact"] >= 33, summary["rep_counts_off"]
