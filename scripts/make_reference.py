"""Write gold_annotations/reference_reps.json: the shipped gold reference rep of each lift.

    .venv/bin/python scripts/make_reference.py [--out gold_annotations/reference_reps.json]

Deterministic (fixed seed); tests/synth/test_reference_data.py checks the shipped file still
matches what the code makes.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from coach.synth.reference_data import reference_file

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    default = REPO / "gold_annotations" / "reference_reps.json"
    parser.add_argument("--out", type=Path, default=default)
    args = parser.parse_args()
    args.out.write_text(json.dumps(reference_file()) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
