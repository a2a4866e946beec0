"""Measure the fault checks on real lifts: labelled eval clips, and the good-form fixtures.

    .venv/bin/python -m scripts.measure_faults [--eval DIR] [--fixtures DIR] [--out FILE]

- Eval clips: ../shared/eval-sources lists 35 deadlift clips sorted good or bad by their
  authors; rebuild them into .eval-data/ (see that folder's README). eval_labels/
  deadlift_clips.csv holds the fault we labelled by eye on each bad clip. Each clip goes
  through `analyze_video` (lift given: deadlift), the product's own path.
- Fixtures: every clip and barbell photo labelled "presumed good" in ../shared/fixtures.

Nothing here sets a limit: the limits are in coach/form/faults.py, from the literature.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from coach.core.errors import LiftCoachError
from coach.core.settings import load_settings
from coach.pipeline.clip import analyze_video
from coach.pipeline.photo import analyze_photo
from coach.pose.base import create_estimator

REPO = Path(__file__).resolve().parent.parent
LABELS = REPO / "eval_labels" / "deadlift_clips.csv"
# Our label words -> the catalogue's fault ids.
LABEL_TO_FAULT = {"hips_rise_first": "hips_rise_first", "squat_deadlift": "squat_deadlift",
                  "bar_drift": "bar_drift", "rounded_back": "rounded_back",
                  "incomplete_lockout": "incomplete_lockout", "hyperextension": "leaning_back",
                  "heels_lifting": "heels_lifting"}  # fmt: skip
LIFTS = ("squat", "bench", "deadlift")


def clip_faults(path: Path, lift: str) -> dict[str, Any]:
    """Reps and their faults for one clip through the product's own path."""
    settings = load_settings().with_overrides(backend="mediapipe")
    estimator = create_estimator("mediapipe", settings, video=True)
    try:
        analysis = analyze_video(path, estimator, settings, lift=lift)
    except LiftCoachError as exc:
        return {"error": str(exc), "reps": []}
    finally:
        getattr(estimator, "close", lambda: None)()
    reps = [{"view": v.view, "faults": [f.fault.id for f in v.flagged_faults],
             "cannot": [f.fault.id for f in v.faults if f.status == "cannot_judge"],
             "values": {f.fault.id: round(f.value, 2) for f in v.faults
                        if f.status != "cannot_judge"}}
            for v in analysis.reps]  # fmt: skip
    return {"reps": reps}


def eval_rows(eval_dir: Path) -> Iterator[dict[str, Any]]:
    with LABELS.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            path = eval_dir / row["file"]
            if path.is_file():
                labelled = {LABEL_TO_FAULT[w] for w in row["faults"].split(";")
                            if w in LABEL_TO_FAULT}  # fmt: skip
                yield {**row, "reps_labelled": row["reps"], **clip_faults(path, "deadlift"),
                       "labelled": sorted(labelled)}


def summarise_eval(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Clip and rep counts: good clips with no fault, bad clips with a fault flagged, and bad
    clips flagged with the fault we labelled (only faults the catalogue names count there)."""
    good = [r for r in rows if r["author_form"] == "good"]
    bad = [r for r in rows if r["author_form"] == "bad"]

    def flagged(r: dict[str, Any]) -> set[str]:
        return {f for rep in r["reps"] for f in rep["faults"]}

    return {
        "good_clips": len(good), "good_clips_clean": sum(not flagged(r) for r in good),
        "bad_clips": len(bad), "bad_clips_flagged": sum(bool(flagged(r)) for r in bad),
        "bad_clips_with_labelled_fault": sum(bool(flagged(r) & set(r["labelled"])) for r in bad),
        "bad_clips_labelled_judgeable": sum(bool(set(r["labelled"]) - {"rounded_back"})
                                            for r in bad),
        "good_reps": sum(len(r["reps"]) for r in good),
        "good_reps_flagged": sum(bool(rep["faults"]) for r in good for rep in r["reps"]),
        "bad_reps": sum(len(r["reps"]) for r in bad),
        "bad_reps_flagged": sum(bool(rep["faults"]) for r in bad for rep in r["reps"]),
        "faults_on_good": sorted(f for r in good for f in flagged(r)),
        # The reps we counted against the reps labelled by eye (a pull from the floor or a
        # hang to lockout is one; lowering alone, or standing at the top, is none).
        "rep_counts_exact": sum(len(r["reps"]) == int(r["reps_labelled"]) for r in rows),
        "rep_counts_off": sorted(f"{Path(r['file']).name}: {len(r['reps'])} for "
                                 f"{r['reps_labelled']}" for r in rows
                                 if len(r["reps"]) != int(r["reps_labelled"])),
    }  # fmt: skip


def fixture_goods(fixtures: Path) -> dict[str, Any]:
    """Faults raised on the fixtures labelled presumed good: clips per rep, photos per photo."""
    with (fixtures / "labels.csv").open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["lift"] in LIFTS and "good" in r["form"]]
    clips = [r for r in rows if r["file"].endswith(".mp4")]
    photos = [r for r in rows if not r["file"].endswith(".mp4")]
    clip_out = {r["file"]: clip_faults(fixtures / r["file"], r["lift"]) for r in clips}
    settings = load_settings().with_overrides(backend="mediapipe")
    estimator = create_estimator("mediapipe", settings)
    photo_out: dict[str, list[str]] = {}
    for r in photos:
        try:
            result, _ = analyze_photo(fixtures / r["file"], estimator, settings, lift=r["lift"])
        except LiftCoachError:
            continue
        photo_out[r["file"]] = [f.fault.id for f in result.faults if f.flagged]
    return {"clips": clip_out, "photos": photo_out}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--eval", type=Path, default=REPO / ".eval-data")
    parser.add_argument("--fixtures", type=Path, default=REPO.parent / "shared" / "fixtures")
    parser.add_argument("--out", type=Path, help="write the raw results as JSON here")
    args = parser.parse_args()
    rows = list(eval_rows(args.eval))
    report: dict[str, Any] = {"eval": summarise_eval(rows) if rows else None,
                              "eval_clips": rows, "fixtures": fixture_goods(args.fixtures)}
    goods = report["fixtures"]
    report["fixture_summary"] = {
        "clip_reps": sum(len(c["reps"]) for c in goods["clips"].values()),
        "clip_reps_flagged": sum(bool(r["faults"]) for c in goods["clips"].values()
                                 for r in c["reps"]),
        "photos": len(goods["photos"]),
        "photos_flagged": sum(bool(f) for f in goods["photos"].values()),
    }  # fmt: skip
    if args.out:
        args.out.write_text(json.dumps(report, indent=1))
    print(json.dumps({"eval": report["eval"], "fixtures": report["fixture_summary"]}, indent=1))


if __name__ == "__main__":
    main()
