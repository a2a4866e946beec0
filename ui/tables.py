"""Tables (pandas) the pages show: form verdicts, flags, sessions."""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from coach.core.flags import Flag
from coach.store.records import SessionDetail, SessionSummary
from coach.store.store import Store

if TYPE_CHECKING:
    from coach.pipeline.form_check import FormOutcome


def flags_table(outcome: FormOutcome) -> pd.DataFrame:
    """One row per flagged joint: joint, reason, confidence (0-1)."""
    rows = [
        {"joint": f.label, "reason": f.reason, "confidence": round(float(f.confidence), 2)}
        for f in outcome.flags
    ]
    return pd.DataFrame(rows, columns=["joint", "reason", "confidence"])


def vote_table(form_json: Mapping[str, Any]) -> pd.DataFrame:
    """The 2-of-3 vote, one row per gold view: does that view call the lift bad, does it agree
    with the lift, and which critical pairs it found outside the threshold."""
    vote = form_json.get("vote")
    per_view = vote.get("per_view", {}) if isinstance(vote, Mapping) else {}
    rows = [
        {
            "gold view": view, "calls bad": bool(v.get("calls_bad")),
            "agrees": bool(v.get("agrees")),
            "bad pairs": "; ".join(" – ".join(j.replace("_", " ") for j in pair)
                                   for pair in v.get("bad_pairs", [])),
        }
        for view, v in per_view.items()
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["gold view", "calls bad", "agrees", "bad pairs"])


def vote_result(form_json: Mapping[str, Any]) -> str | None:
    """The vote's conclusion in words, None when nothing was scored."""
    vote = form_json.get("vote")
    if not isinstance(vote, Mapping) or vote.get("result") is None:
        return None
    return str(vote["result"]).replace("_", " ")


def pairs_table(form_json: Mapping[str, Any]) -> pd.DataFrame:
    """Critical pairs: the lifter's normalised distance, and per gold view its ratio/verdict."""
    rows = []
    for pair in form_json.get("pairs") or []:
        row: dict[str, Any] = {"pair": str(pair.get("name", "")).replace("_", " "),
                               "distance": _cell(pair.get("value"))}
        for view, pv in (pair.get("per_view") or {}).items():
            row[f"{view} ratio"] = _cell(pv.get("ratio"))
            row[f"{view} verdict"] = pv.get("verdict")
        rows.append(row)
    return pd.DataFrame(rows)


def records_table(data: Any, *, key_name: str = "name") -> pd.DataFrame:
    """A DataFrame from JSON-like data: list of dicts, dict of dicts, or dict of scalars."""
    if data is None:
        return pd.DataFrame()
    if isinstance(data, Mapping):
        rows = []
        for key, value in data.items():
            row = dict(value) if isinstance(value, Mapping) else {"value": value}
            rows.append({key_name: key, **{k: _cell(v) for k, v in row.items()}})
        return pd.DataFrame(rows)
    if isinstance(data, Sequence) and not isinstance(data, str):
        items: list[Mapping[str, Any]] = [r if isinstance(r, Mapping) else {"value": r}
                                          for r in data]
        return pd.DataFrame([{k: _cell(v) for k, v in r.items()} for r in items])
    return pd.DataFrame([{"value": _cell(data)}])


def _cell(value: Any) -> Any:
    """Nested lists/dicts become short text so the table stays flat."""
    if isinstance(value, float):
        return round(value, 3) if math.isfinite(value) else None
    if isinstance(value, Mapping | list | tuple):
        return ", ".join(f"{k}: {_cell(v)}" for k, v in value.items()) if isinstance(
            value, Mapping
        ) else ", ".join(str(_cell(v)) for v in value)
    return value


def sessions_table(sessions: Sequence[SessionSummary]) -> pd.DataFrame:
    """The sessions list, newest first."""
    rows = [
        {
            "id": s.id, "athlete": s.athlete, "kind": s.kind,
            "started (UTC)": s.started_at.strftime("%Y-%m-%d %H:%M:%S"),
            "lift": s.lift or "", "backend": s.backend or "", "frames": s.frame_count,
            "flags": s.flag_count,
        }
        for s in sessions
    ]  # fmt: skip
    return pd.DataFrame(rows)


def session_flags_table(
    detail: SessionDetail, thumbnails: Mapping[int, bytes | None]
) -> pd.DataFrame:
    """Flags of a session with the flagged frame's thumbnail (data URI) and the verdict.

    Args:
        thumbnails: frame id -> JPEG bytes (None when the frame has none).
    """
    rows = []
    for frame in detail.frames:
        jpeg = thumbnails.get(frame.id)
        uri = None if jpeg is None else "data:image/jpeg;base64," + base64.b64encode(jpeg).decode()
        for flag in frame.flags:
            rows.append(
                {
                    "flag": flag.id, "frame": frame.index, "t (s)": round(frame.t_s, 2),
                    "thumbnail": uri, "joint": flag.joint.replace("_", " "),
                    "reason": flag.reason, "confidence": _cell(flag.confidence),
                    "verdict": flag.status,
                    "note": "" if flag.verdict is None else flag.verdict.note,
                }
            )  # fmt: skip
    columns = ["flag", "frame", "t (s)", "thumbnail", "joint", "reason", "confidence",
               "verdict", "note"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def flag_label(flag: Flag) -> str:
    """How a flag is named in the review form."""
    return f"#{flag.id} · frame {flag.frame_index} · {flag.joint.replace('_', ' ')} ({flag.status})"


def flag_thumbnails(store: Store, detail: SessionDetail) -> dict[int, bytes | None]:
    """Thumbnails of the session's flagged frames, by frame id (one read per flagged frame)."""
    return {f.id: store.thumbnail(f.id) for f in detail.frames if f.flags and f.has_thumbnail}


def session_reps_table(detail: SessionDetail) -> pd.DataFrame:
    """The session's reps: number, times, verdict and the flags raised inside each rep."""
    from coach.store.rep_export import rep_flags

    flags = rep_flags(detail)
    rows = [
        {
            "rep": r.index + 1, "start (s)": round(r.start_s, 2),
            "bottom (s)": round(r.bottom_s, 2), "end (s)": round(r.end_s, 2),
            "flags": len(flags[r.index]),
            "flagged joints": ", ".join(sorted({f.joint.replace("_", " ")
                                                for f in flags[r.index]})),
            "verdict": r.verdict,
        }
        for r in detail.reps
    ]  # fmt: skip
    columns = ["rep", "start (s)", "bottom (s)", "end (s)", "flags", "flagged joints", "verdict"]
    return pd.DataFrame(rows, columns=columns)


def rep_faults_table(rows: Sequence[tuple[int, str, str, float]]) -> pd.DataFrame:
    """The live set's faults so far, one row per rep and fault."""
    return pd.DataFrame([{"rep": r, "fault": name, "measured": words, "confidence": round(c, 2)}
                         for r, name, words, c in rows],
                        columns=["rep", "fault", "measured", "confidence"])  # fmt: skip


def bar_reps_table(bar: Mapping[str, Any]) -> pd.DataFrame:
    """A saved session's bar, one row per rep (`coach.bar.export.bar_to_json`)."""
    columns = ["rep", "source", "drift (cm)", "range (cm)", "mean speed (m/s)",
               "peak speed (m/s)", "note"]  # fmt: skip
    rows = [{"rep": r["index"], "source": r["source"], "drift (cm)": r["drift_cm"],
             "range (cm)": r["range_cm"], "mean speed (m/s)": r["mean_velocity_m_s"],
             "peak speed (m/s)": r["peak_velocity_m_s"], "note": r["note"]}
            for r in bar["reps"]]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)
