"""The shipped reference reps are exactly what scripts/make_reference.py makes."""

from __future__ import annotations

import json

from coach.reps.reference import reference_data_path
from coach.synth.reference_data import reference_file


def test_shipped_reference_reps_match_the_generator() -> None:
    shipped = json.loads(reference_data_path().read_text(encoding="utf-8"))
    assert shipped == json.loads(json.dumps(reference_file())), (
        "gold_annotations/reference_reps.json is stale: run scripts/make_reference.py"
    )
