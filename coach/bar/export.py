"""The bar's results as JSON, CSV, table rows and chart series: pure functions, no I/O.

JSON (`bar_to_json`, also the `bar` key of `analyze-video --json`):
    {"label": "for training use; not validated against a transducer",
     "plate_diameter_mm": 450, "plate_diameter_px": 96.3, "px_per_cm": 2.14 | null,
     "plate_fraction": 0.83,
     "reps": [{"index": 1, "source": "plate", "plate_fraction": 0.9, "drift_cm": 3.1,
               "drift_signed_px": -6.6, "range_cm": 52.0, "mean_velocity_m_s": 0.61,
               "peak_velocity_m_s": 0.95, "concentric_start_s": 1.2, "concentric_end_s": 2.0,
               "note": ""}, ...],
     "path": {"t_s": [...], "x_px": [...], "y_px": [...], "source": ["plate", ...]}}
Missing values (gaps, no scale) are null. Rep indices are 1-based as lifters count them.
"""

from __future__ import annotations

import csv
import io
import math
from typing import Any

from coach.bar.types import BarAnalysis, BarRep

REP_COLUMNS = ("rep", "source", "plate_fraction", "drift_cm", "range_cm", "mean_velocity_m_s",
               "peak_velocity_m_s", "concentric_start_s", "concentric_end_s", "note")  # fmt: skip
PATH_COLUMNS = ("frame", "t_s", "x_px", "y_px", "source", "rep")


def _num(value: float | None, digits: int) -> float | None:
    """A finite float rounded, or None (JSON has no NaN)."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def _time(bar: BarAnalysis, frame: int | None) -> float | None:
    return None if frame is None else _num(float(bar.path.t_s[frame]), 3)


def rep_row(bar: BarAnalysis, rep: BarRep) -> dict[str, Any]:
    """One rep's figures keyed by `REP_COLUMNS` (numbers rounded, None when missing)."""
    return {
        "rep": rep.index + 1, "source": rep.source,
        "plate_fraction": _num(rep.plate_fraction, 2), "drift_cm": _num(rep.drift_cm, 1),
        "range_cm": _num(rep.range_cm, 1), "mean_velocity_m_s": _num(rep.mean_velocity_m_s, 2),
        "peak_velocity_m_s": _num(rep.peak_velocity_m_s, 2),
        "concentric_start_s": _time(bar, rep.concentric_start_frame),
        "concentric_end_s": _time(bar, rep.concentric_end_frame), "note": rep.note,
    }  # fmt: skip


def rep_of_frame(bar: BarAnalysis) -> list[int | None]:
    """Per frame, the 1-based rep it belongs to, or None between reps."""
    out: list[int | None] = [None] * len(bar.path.t_s)
    for r in bar.reps:
        for i in range(r.start_frame, r.end_frame + 1):
            out[i] = r.index + 1
    return out


def bar_to_json(bar: BarAnalysis) -> dict[str, Any]:
    """The JSON object described in the module doc."""
    p = bar.path
    reps = []
    for r in bar.reps:
        row = rep_row(bar, r)
        row["index"] = row.pop("rep")
        row["drift_signed_px"] = _num(r.drift_signed_px, 1)
        reps.append(row)
    return {
        "label": bar.label, "plate_diameter_mm": _num(p.plate_diameter_mm, 1),
        "plate_diameter_px": _num(p.plate_diameter_px, 1), "px_per_cm": _num(p.px_per_cm, 3),
        "plate_fraction": _num(p.plate_fraction, 3), "reps": reps,
        "path": {"t_s": [_num(t, 3) for t in p.t_s], "x_px": [_num(v, 1) for v in p.xy_px[:, 0]],
                 "y_px": [_num(v, 1) for v in p.xy_px[:, 1]], "source": list(p.source)},
    }  # fmt: skip


def _csv(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
    return buf.getvalue()


def bar_reps_csv(bar: BarAnalysis) -> str:
    """Per-rep speeds and path figures as CSV (`REP_COLUMNS`; empty cells where missing),
    preceded by a comment line with the label and the scale."""
    scale = "none" if bar.px_per_cm is None else f"{bar.px_per_cm:.3f} px/cm"
    head = (f"# bar speeds {bar.label}; plate {bar.path.plate_diameter_mm:.0f} mm; "
            f"scale {scale}\n")  # fmt: skip
    return head + _csv(REP_COLUMNS, [rep_row(bar, r) for r in bar.reps])


def bar_path_csv(bar: BarAnalysis) -> str:
    """The smoothed path per frame as CSV (`PATH_COLUMNS`; empty x/y in gaps)."""
    p, reps = bar.path, rep_of_frame(bar)
    rows = [{"frame": i, "t_s": _num(t, 3), "x_px": _num(p.xy_px[i, 0], 1),
             "y_px": _num(p.xy_px[i, 1], 1), "source": p.source[i], "rep": reps[i]}
            for i, t in enumerate(p.t_s)]  # fmt: skip
    return _csv(PATH_COLUMNS, rows)


def bar_chart_inputs(bar: BarAnalysis) -> dict[str, Any]:
    """What `ui.charts.bar_path` draws: per rep, x and height (cm from the rep's lowest point
    when there is a scale, else px), with gaps as None; and the axis unit."""
    scale = bar.px_per_cm
    unit = "cm" if scale is not None else "px"
    series = []
    for r in bar.reps:
        xs, ys = r.xy_px[:, 0], r.xy_px[:, 1]
        if not any(math.isfinite(v) for v in ys):
            continue
        x0 = next(float(v) for v in xs if math.isfinite(v))
        y0 = max(float(v) for v in ys if math.isfinite(v))  # the lowest point (image y down)
        k = 1.0 / scale if scale is not None else 1.0
        series.append({"name": f"rep {r.index + 1} ({r.source})",
                       "x": [_num((float(v) - x0) * k, 2) for v in xs],
                       "y": [_num((y0 - float(v)) * k, 2) for v in ys]})  # fmt: skip
    return {"series": series, "unit": unit, "label": bar.label}


def bar_document(bar: BarAnalysis) -> dict[str, Any]:
    """What a saved session keeps of its bar: the JSON (`bar_to_json`) and the chart series
    (`bar_chart_inputs`), so the Sessions page redraws it without the clip."""
    return {"bar": bar_to_json(bar), "chart": bar_chart_inputs(bar)}


def reps_csv_from_json(doc: dict[str, Any]) -> str:
    """`bar_reps_csv` rebuilt from a saved `bar_to_json` document."""
    rows = [{"rep": r["index"], **{c: r.get(c) for c in REP_COLUMNS if c != "rep"}}
            for r in doc["reps"]]  # fmt: skip
    scale = "none" if doc["px_per_cm"] is None else f"{doc['px_per_cm']:.3f} px/cm"
    head = f"# bar speeds {doc['label']}; plate {doc['plate_diameter_mm']:.0f} mm; scale {scale}\n"
    return head + _csv(REP_COLUMNS, rows)
