"""What the Video page shows of an analysed clip besides pictures: the rep table, the fault
table, the angle-trace chart's inputs, and the flags per frame (also what a saved session
stores)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from coach.core.flags import Flag
from coach.form.fault_check import FaultVerdict
from coach.pipeline.clip import ClipAnalysis, RepVerdict


def frame_flags(analysis: ClipAnalysis) -> dict[int, list[Flag]]:
    """Flags per clip frame: each rep's faults at the frame they were measured on, and the
    joint-pair flags at its bottom and lockout. (GyML's distance from the reference is shown
    in the rep table, not flagged: being further from one gold pose is not a fault.)"""
    flags: dict[int, list[Flag]] = {}
    for v in analysis.reps:
        for fault in v.flagged_faults:
            frame = fault.frame if fault.frame is not None else v.rep.bottom_frame
            flags.setdefault(frame, []).append(fault.to_flag())
        for frame, outcome in ((v.rep.bottom_frame, v.bottom), (v.rep.end_frame, v.lockout)):
            for f in outcome.flags if outcome is not None else ():
                flags.setdefault(frame, []).append(f)
    return flags


def reps_table(analysis: ClipAnalysis) -> pd.DataFrame:
    """One row per rep: times, the view, faults found, joint flags, feedback, and (for
    information, not as a fault) GyML's pose distance from the reference and the DTW's largest
    difference."""
    rows = []
    for v in analysis.reps:
        r, worst = v.rep, _dtw_max(v)
        checks = {p.position: p for p in (v.check.positions if v.check else ())}
        rows.append({
            "rep": r.index + 1, "start (s)": round(r.start_s, 2),
            "bottom (s)": round(r.bottom_s, 2), "end (s)": round(r.end_s, 2), "view": v.view,
            "faults": len(v.flagged_faults),
            "joint flags": sum(len(o.flags) for o in (v.bottom, v.lockout) if o is not None),
            "start vs ref (°)": _check_cell(checks.get("start")),
            "bottom vs ref (°)": _check_cell(checks.get("bottom")),
            "DTW max diff (°)": worst[0], "where": worst[1], "feedback": v.feedback(),
        })  # fmt: skip
    columns = ["rep", "start (s)", "bottom (s)", "end (s)", "view", "faults", "joint flags",
               "start vs ref (°)", "bottom vs ref (°)", "DTW max diff (°)", "where",
               "feedback"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def faults_table(analysis: ClipAnalysis) -> pd.DataFrame:
    """One row per rep and fault of the catalogue: the verdict, when, the measured value
    against its limit, how many views could judge it, and the cue or why it can't be judged."""
    rows = []
    for v in analysis.reps:
        for f in v.faults:
            limit = f.fault.limit
            rows.append({
                "rep": v.rep.index + 1, "fault": f.fault.name,
                "verdict": {"fault": "FAULT", "ok": "ok"}.get(f.status, "can't judge"),
                "at (s)": None if f.frame is None else round(float(analysis.t_s[f.frame]), 2),
                "value": None if not np.isfinite(f.value) else round(f.value, 2),
                "limit": None if limit is None else limit.value,
                "unit": "" if limit is None else limit.unit,
                "confidence": round(f.confidence, 2) if f.flagged else None,
                "views": f"{f.views_judged} of 1 view could judge", "votes bad": f.votes_bad,
                "cue / why not": _cue(f),
            })  # fmt: skip
    columns = ["rep", "fault", "verdict", "at (s)", "value", "limit", "unit", "confidence",
               "views", "votes bad", "cue / why not"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def _cue(f: FaultVerdict) -> str:
    """The cue of a judged fault (saying so when the call is advisory), else why not."""
    return f.note if f.status == "cannot_judge" else f.cue()


def _check_cell(check: Any) -> str:
    if check is None or not np.isfinite(check.difference.distance_deg):
        return "—"
    return f"{check.difference.distance_deg:.0f} / {check.limit_deg:.0f}"


def _dtw_max(v: RepVerdict) -> tuple[float | None, str]:
    if v.comparison is None:
        return None, ""
    known = [j for j in v.comparison.joints if np.isfinite(j.max_abs_deg)]
    if not known:
        return None, ""
    j = max(known, key=lambda d: d.max_abs_deg)
    return round(j.max_abs_deg, 1), f"{j.joint.replace('_', ' ')} at {j.max_at_fraction:.0%}"


def chart_inputs(analysis: ClipAnalysis) -> dict[str, Any]:
    """What `ui.charts.clip_traces` draws: times, the lift's angles, rep spans, flag marks."""
    from coach.reps.check import CHECK_ANGLES

    names = CHECK_ANGLES.get(analysis.lift.label, tuple(analysis.traces))
    flags = frame_flags(analysis)
    return {
        "t_s": [float(t) for t in analysis.t_s],
        "traces": {n: [float(x) for x in analysis.traces[n]] for n in names
                   if n in analysis.traces},
        "reps": [(v.rep.start_s, v.rep.end_s, f"rep {v.rep.index + 1}") for v in analysis.reps],
        "flags": [(float(analysis.t_s[i]), "; ".join(f.reason for f in fl))
                  for i, fl in sorted(flags.items())],
    }  # fmt: skip
