"""CSV/JSON exports of the bar: labelled, null where missing, one row per rep / frame."""

from __future__ import annotations

import csv
import io
import json

import numpy as np

from coach.bar.export import bar_chart_inputs, bar_path_csv, bar_reps_csv, bar_to_json
from coach.bar.metrics import rep_metrics
from coach.bar.types import SPEED_LABEL, BarAnalysis, BarPath
from coach.reps.types import Rep


def _bar(scale: float | None = 2.0) -> BarAnalysis:
    n = 31
    y = 400.0 - 100.0 * np.linspace(0, 1, n)
    xy = np.stack([np.full(n, 50.0), y], axis=1)
    xy[5] = np.nan
    src = tuple("none" if i == 5 else "plate" for i in range(n))
    path = BarPath(np.arange(n) / 30.0, xy, xy, src, scale, 90.0, 450.0)  # type: ignore[arg-type]
    rep = Rep(0, 0, 0, n - 1, 0.0, 0.0, 1.0, 90.0)
    return BarAnalysis(path, (rep_metrics(path, rep),), {})


def test_json_is_strict_json_with_nulls_in_gaps_and_the_label() -> None:
    obj = bar_to_json(_bar())
    text = json.dumps(obj, allow_nan=False)  # NaN would raise
    assert SPEED_LABEL in text
    assert obj["path"]["x_px"][5] is None and obj["path"]["source"][5] == "none"
    rep = obj["reps"][0]
    assert rep["index"] == 1 and rep["mean_velocity_m_s"] is not None
    assert rep["range_cm"] == 50.0


def test_reps_csv_has_one_row_per_rep_and_empty_cells_without_scale() -> None:
    text = bar_reps_csv(_bar(scale=None))
    assert text.startswith("# bar speeds for training use")
    rows = list(csv.DictReader(io.StringIO(text.split("\n", 1)[1])))
    assert len(rows) == 1
    assert rows[0]["mean_velocity_m_s"] == "" and rows[0]["drift_cm"] == ""
    assert "no scale" in rows[0]["note"]


def test_path_csv_has_one_row_per_frame_with_its_rep() -> None:
    rows = list(csv.DictReader(io.StringIO(bar_path_csv(_bar()))))
    assert len(rows) == 31
    assert rows[5]["x_px"] == "" and rows[5]["source"] == "none"
    assert rows[0]["rep"] == "1"


def test_chart_inputs_are_heights_in_cm_from_the_lowest_point() -> None:
    chart = bar_chart_inputs(_bar())
    assert chart["unit"] == "cm"
    ys = chart["series"][0]["y"]
    assert ys[0] == 0.0 and ys[-1] == 50.0 and ys[5] is None


def test_the_saved_document_is_one_the_store_accepts_with_and_without_a_scale() -> None:
    from coach.bar.export import bar_document
    from coach.store.checks import bar_document_problem

    for scale in (2.0, None):
        assert bar_document_problem(json.loads(json.dumps(bar_document(_bar(scale))))) is None
