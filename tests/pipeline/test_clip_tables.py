"""What the Video page's fault table says beside each verdict."""

from __future__ import annotations

import math

from coach.form.fault_check import FaultVerdict
from coach.form.faults import FAULTS
from coach.pipeline.clip_tables import _cue


def _verdict(fault_id: str, status: str, note: str = "") -> FaultVerdict:
    fault = next(f for f in FAULTS["deadlift"] if f.id == fault_id)
    return FaultVerdict(fault, status, 0.2 if status != "cannot_judge" else math.nan, None, 0.5,
                        "left", 1, int(status == "fault"), note)


def test_an_advisory_call_says_so_beside_its_cue() -> None:
    words = _cue(_verdict("rounded_back", "fault"))
    assert words.startswith("brace and keep the back flat") and "advisory" in words


def test_a_measured_call_shows_its_cue_and_a_blind_one_why_not() -> None:
    assert _cue(_verdict("leaning_back", "fault")) == "stand straight, don't lean back"
    assert _cue(_verdict("leaning_back", "cannot_judge", "can't judge from a front view")) == (
        "can't judge from a front view")
