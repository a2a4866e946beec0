"""Exports of one session: a pandas table, CSV bytes, and a JSON-ready dict.

`frames_dataframe` columns, one row per frame in index order:

| column | meaning |
|---|---|
| frame_id | database id of the frame |
| index | frame number within the session |
| t_s | seconds since the session started |
| lift, view | per-frame labels (empty when unknown) |
| rep_index | the rep whose [start_s, end_s] holds t_s (empty when none) |
| `<angle>_deg` | one column per angle name seen in the session, in degrees; NaN when missing |
| `<joint>_x`, `<joint>_y` | 17 COCO joints (e.g. left_knee_x) in pixels; NaN when missing |
| `<joint>_score` | that joint's confidence in [0, 1]; NaN when missing |

`csv_bytes` writes that table (UTF-8, header row, empty cell for NaN) followed by these flag
columns; several flags on one frame are joined with " | " in the same order in each column
(a "|" inside a reason or note becomes "/"; the JSON export is the lossless one):

| column | meaning |
|---|---|
| flag_count | number of flags on the frame |
| flag_ids | their database ids (what `Store.set_verdict` takes) |
| flag_joints | joint names |
| flag_reasons | reasons in words |
| flag_confidences | confidences in [0, 1], empty when unknown |
| flag_verdicts | accepted, rejected or pending |
| flag_notes | the coach's notes |
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from coach.core.flags import Flag
from coach.core.keypoints import Joint
from coach.store.codec import finite_or_none, keypoints_to_json
from coach.store.models import SCHEMA_VERSION
from coach.store.records import FrameRecord, SessionDetail

if TYPE_CHECKING:
    import pandas as pd

BASE_COLUMNS: tuple[str, ...] = ("frame_id", "index", "t_s", "lift", "view", "rep_index")
KEYPOINT_COLUMNS: tuple[str, ...] = tuple(
    f"{joint.name.lower()}_{part}" for joint in Joint for part in ("x", "y", "score")
)
FLAG_COLUMNS: tuple[str, ...] = (
    "flag_count", "flag_ids", "flag_joints", "flag_reasons", "flag_confidences",
    "flag_verdicts", "flag_notes",
)  # fmt: skip
_JOIN = " | "


def angle_column(name: str) -> str:
    """Column name of an angle: the name with a `_deg` suffix (not doubled)."""
    return name if name.endswith("_deg") else f"{name}_deg"


def angle_names(detail: SessionDetail) -> list[str]:
    """Every angle name in the session, in first-seen order."""
    seen: dict[str, None] = {}
    for frame in detail.frames:
        seen.update(dict.fromkeys(frame.angles_deg))
    return list(seen)


def frames_dataframe(detail: SessionDetail) -> pd.DataFrame:
    """One row per frame: see the module docstring for the columns."""
    import pandas as pd

    names = angle_names(detail)
    columns = [*BASE_COLUMNS, *(angle_column(n) for n in names), *KEYPOINT_COLUMNS]
    rows = [_frame_row(detail, frame, names) for frame in detail.frames]
    table = pd.DataFrame(rows, columns=columns)
    table["rep_index"] = table["rep_index"].astype("Int64")
    for column in ("frame_id", "index"):
        table[column] = table[column].astype("int64")
    float_columns = [c for c in columns if c not in BASE_COLUMNS[:2] + BASE_COLUMNS[3:]]
    table[float_columns] = table[float_columns].astype("float64")
    return table


def _frame_row(detail: SessionDetail, frame: FrameRecord, names: list[str]) -> list[Any]:
    rep_index = next(
        (rep.index for rep in detail.reps if rep.start_s <= frame.t_s <= rep.end_s), None
    )
    row: list[Any] = [frame.id, frame.index, frame.t_s, frame.lift, frame.view, rep_index]
    row += [frame.angles_deg.get(name, math.nan) for name in names]
    points = keypoints_to_json(frame.keypoints) or [None] * len(Joint)
    for point in points:
        if point is None:
            row += [math.nan] * 3
        else:
            row += [math.nan if v is None else v for v in point]
    return row


def csv_bytes(detail: SessionDetail) -> bytes:
    """The frames table plus the flag columns of the module docstring, as UTF-8 CSV."""
    table = frames_dataframe(detail)
    flags = [frame.flags for frame in detail.frames]
    table["flag_count"] = [len(f) for f in flags]
    table["flag_ids"] = [_joined(f, lambda x: str(x.id)) for f in flags]
    table["flag_joints"] = [_joined(f, lambda x: x.joint) for f in flags]
    table["flag_reasons"] = [_joined(f, lambda x: x.reason) for f in flags]
    table["flag_confidences"] = [_joined(f, _confidence_text) for f in flags]
    table["flag_verdicts"] = [_joined(f, lambda x: x.status) for f in flags]
    table["flag_notes"] = [_joined(f, lambda x: x.verdict.note if x.verdict else "") for f in flags]
    text: str = table.to_csv(index=False, lineterminator="\n")
    return text.encode("utf-8")


def _joined(flags: tuple[Flag, ...], part: Any) -> str:
    return _JOIN.join(str(part(flag)).replace("|", "/") for flag in flags)


def _confidence_text(flag: Flag) -> str:
    return "" if math.isnan(flag.confidence) else f"{flag.confidence:.4g}"


def json_document(detail: SessionDetail) -> dict[str, Any]:
    """The whole session as plain JSON types (NaN as null); `json.dumps(allow_nan=False)` works.

    Keys: schema_version, session {id, kind, started_at, ended_at, lift, backend, notes},
    athlete {id, name}, frames [{id, index, t_s, lift, view, has_thumbnail, keypoints (17
    [x_px, y_px, score] or null), angles_deg, flag_ids}], reps [{id, index, start_s, bottom_s,
    end_s, verdict}], flags [{id, frame_index, rep_index, joint, reason, confidence, verdict
    {accepted, note, decided_at} or null}], bar (`coach.bar.export.bar_to_json` of a video
    session with a bar, else null). Times of day are ISO 8601 UTC strings.
    """
    return {
        "schema_version": SCHEMA_VERSION,
        "session": {
            "id": detail.id, "kind": detail.kind, "started_at": detail.started_at.isoformat(),
            "ended_at": None if detail.ended_at is None else detail.ended_at.isoformat(),
            "lift": detail.lift, "backend": detail.backend, "notes": detail.notes,
        },
        "athlete": {"id": detail.athlete_id, "name": detail.athlete},
        "frames": [_frame_json(frame) for frame in detail.frames],
        "reps": [
            {"id": r.id, "index": r.index, "start_s": r.start_s, "bottom_s": r.bottom_s,
             "end_s": r.end_s, "verdict": r.verdict}
            for r in detail.reps
        ],
        "flags": [_flag_json(flag) for flag in detail.flags],
        "bar": None if detail.bar is None else detail.bar.get("bar"),
    }  # fmt: skip


def _frame_json(frame: FrameRecord) -> dict[str, Any]:
    return {
        "id": frame.id, "index": frame.index, "t_s": frame.t_s, "lift": frame.lift,
        "view": frame.view, "has_thumbnail": frame.has_thumbnail,
        "keypoints": keypoints_to_json(frame.keypoints),
        "angles_deg": {k: finite_or_none(v) for k, v in frame.angles_deg.items()},
        "flag_ids": [flag.id for flag in frame.flags],
    }  # fmt: skip


def _flag_json(flag: Flag) -> dict[str, Any]:
    verdict = flag.verdict
    return {
        "id": flag.id, "frame_index": flag.frame_index, "rep_index": flag.rep_index,
        "joint": flag.joint, "reason": flag.reason,
        "confidence": finite_or_none(flag.confidence),
        "verdict": None if verdict is None else {
            "accepted": verdict.accepted, "note": verdict.note,
            "decided_at": verdict.decided_at.isoformat(),
        },
    }  # fmt: skip
