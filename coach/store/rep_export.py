"""Per-rep exports of one session: a pandas table, CSV bytes, and a JSON-ready dict.

`reps_dataframe` columns, one row per rep in index order (`Store.export_reps_csv` writes it as
UTF-8 CSV; several flags are joined with " | ", a "|" inside a reason becomes "/"):

| column | meaning |
|---|---|
| rep_id | database id of the rep |
| rep_index | rep number within the session, from 0 (the lifter's "rep 1" is 0) |
| rep | the lifter's rep number, from 1 |
| start_s, bottom_s, end_s | seconds since the session started: start, deepest point, lockout |
| duration_s | end_s - start_s |
| verdict | the rep's verdict in words ("rep 3: at the bottom, ...") |
| flag_count | flags raised on frames inside the rep |
| flag_ids, flag_frames | their database ids and frame indices |
| flag_joints, flag_reasons | joint names and reasons in words |
| flag_verdicts | the coach's verdict on each: accepted, rejected or pending |

`reps_json` is lossless: {schema_version, session_id, kind, athlete, lift, reps: [{id, index,
start_s, bottom_s, end_s, duration_s, verdict, flags: [{id, frame_index, joint, reason,
confidence, verdict}]}]}.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from coach.core.flags import Flag
from coach.store.codec import finite_or_none
from coach.store.models import SCHEMA_VERSION
from coach.store.records import RepRecord, SessionDetail

if TYPE_CHECKING:
    import pandas as pd

REP_COLUMNS: tuple[str, ...] = (
    "rep_id", "rep_index", "rep", "start_s", "bottom_s", "end_s", "duration_s", "verdict",
    "flag_count", "flag_ids", "flag_frames", "flag_joints", "flag_reasons", "flag_verdicts",
)  # fmt: skip
_JOIN = " | "


def rep_flags(detail: SessionDetail) -> dict[int, list[Flag]]:
    """Flags of the session by rep index (flags outside every rep are left out)."""
    out: dict[int, list[Flag]] = {rep.index: [] for rep in detail.reps}
    for flag in detail.flags:
        if flag.rep_index is not None and flag.rep_index in out:
            out[flag.rep_index].append(flag)
    return out


def _joined(values: list[Any]) -> str:
    return _JOIN.join(str(v).replace("|", "/") for v in values)


def _row(rep: RepRecord, flags: list[Flag]) -> list[Any]:
    return [
        rep.id, rep.index, rep.index + 1, rep.start_s, rep.bottom_s, rep.end_s,
        rep.end_s - rep.start_s, rep.verdict, len(flags), _joined([f.id for f in flags]),
        _joined([f.frame_index for f in flags]), _joined([f.joint for f in flags]),
        _joined([f.reason for f in flags]), _joined([f.status for f in flags]),
    ]  # fmt: skip


def reps_dataframe(detail: SessionDetail) -> pd.DataFrame:
    """One row per rep: see the module docstring for the columns."""
    import pandas as pd

    flags = rep_flags(detail)
    rows = [_row(rep, flags[rep.index]) for rep in detail.reps]
    return pd.DataFrame(rows, columns=list(REP_COLUMNS))


def reps_csv_bytes(detail: SessionDetail) -> bytes:
    """`reps_dataframe` as UTF-8 CSV with a header row."""
    text: str = reps_dataframe(detail).to_csv(index=False, lineterminator="\n")
    return text.encode("utf-8")


def reps_json(detail: SessionDetail) -> dict[str, Any]:
    """The session's reps with their flags as plain JSON types (see the module docstring)."""
    flags = rep_flags(detail)
    return {
        "schema_version": SCHEMA_VERSION, "session_id": detail.id, "kind": detail.kind,
        "athlete": detail.athlete, "lift": detail.lift,
        "reps": [
            {"id": r.id, "index": r.index, "start_s": r.start_s, "bottom_s": r.bottom_s,
             "end_s": r.end_s, "duration_s": r.end_s - r.start_s, "verdict": r.verdict,
             "flags": [
                 {"id": f.id, "frame_index": f.frame_index, "joint": f.joint,
                  "reason": f.reason, "confidence": finite_or_none(f.confidence),
                  "verdict": f.status}
                 for f in flags[r.index]
             ]}
            for r in detail.reps
        ],
    }  # fmt: skip
