"""The form report as plain JSON (the CLI's `pairs`, `vote`, `flagged_joints` and notes).

`coach.form.scoring` re-exports `report_to_dict`; the README documents the schema.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from coach.core.keypoints import Joint

if TYPE_CHECKING:
    from coach.form.scoring import FormReport


def json_number(x: float, digits: int = 4) -> float | None:
    """JSON-safe number: rounded to `digits` decimals, None for NaN and infinities (JSON has
    no NaN; the CLI prints with allow_nan=False)."""
    return round(float(x), digits) if math.isfinite(x) else None


def _names(joints: tuple[Joint, ...]) -> list[str]:
    return [j.name.lower() for j in joints]


def report_to_dict(report: FormReport) -> dict[str, object]:
    """The CLI JSON pieces: `lift`, `phase`, `view`, `pairs`, `vote`, `flagged_joints`, notes."""
    return {
        "lift": report.lift,
        "phase": report.phase,
        "view": {
            "label": report.view.view,
            "yaw_deg": json_number(report.view.yaw_deg),
            "confidence": json_number(report.view.confidence),
        },
        "pairs": [
            {
                "name": p.name,
                "joints": _names(p.joints),
                "value": json_number(p.value),
                "per_view": {
                    v: {"gold": json_number(pv.gold), "ratio": json_number(pv.ratio),
                        "verdict": pv.verdict}
                    for v, pv in p.per_view.items()
                },
            }
            for p in report.pairs
        ],
        "vote": {
            "per_view": {
                v: {"bad_pairs": [_names(bp) for bp in vv.bad_pairs], "calls_bad": vv.calls_bad,
                    "agrees": vv.agrees}
                for v, vv in report.vote.per_view.items()
            },
            "flagged_pairs": [_names(fp) for fp in report.vote.flagged_pairs],
            "front_lift_good": report.vote.front_lift_good,
            "side_lift_good": report.vote.side_lift_good,
            "result": report.vote.result,
        },
        "flagged_joints": [
            {"joint": f.joint, "reason": f.reason,
             "confidence": json_number(f.confidence)}
            for f in report.flagged
        ],
        "not_judgeable": list(report.not_judgeable),
        "missing": list(report.missing),
    }
