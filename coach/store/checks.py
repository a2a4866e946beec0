"""What the store checks before it writes: athlete names, finite times, UTC moments and
thumbnails, each refused with a message a lifter understands."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

from coach.core.errors import BadInput, StorageError
from coach.store.models import NAME_LEN

MAX_THUMBNAIL_BYTES = 256 * 1024
_JPEG_MAGIC = b"\xff\xd8\xff"



def as_utc(moment: datetime | date | None) -> datetime | None:
    if moment is None or isinstance(moment, datetime):
        return moment
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)


def require_finite(**values_s: float) -> None:
    for name, value in values_s.items():
        if not math.isfinite(value):
            raise StorageError(f"{name} must be a finite number of seconds, got {value}")


def check_thumbnail(jpeg: bytes | None) -> None:
    if jpeg is None:
        return
    if not jpeg.startswith(_JPEG_MAGIC):
        raise StorageError("a thumbnail must be JPEG bytes")
    if len(jpeg) > MAX_THUMBNAIL_BYTES:
        raise StorageError(
            f"a thumbnail must be at most {MAX_THUMBNAIL_BYTES // 1024} KiB, got "
            f"{len(jpeg) // 1024} KiB; shrink it before storing"
        )


def check_athlete_name(name: str) -> str:
    """The name without surrounding spaces, checked before any work is done on it.

    Raises:
        BadInput: empty or longer than NAME_LEN; the message quotes at most a short prefix.
    """
    clean = name.strip()
    if not clean or len(clean) > NAME_LEN:
        shown = clean[:24] + ("..." if len(clean) > 24 else "")
        raise BadInput(
            f"an athlete name needs 1 to {NAME_LEN} characters; got {len(clean)} ({shown!r})"
        )
    return clean


# The keys of a session's bar document that the Sessions page reads: {"bar": coach.bar.export.
# bar_to_json, "chart": bar_chart_inputs}; a rep row is read by `ui.tables.bar_reps_table`.
_BAR_REP_KEYS = ("index", "source", "drift_cm", "range_cm", "mean_velocity_m_s",
                 "peak_velocity_m_s", "note")  # fmt: skip


def bar_document_problem(doc: object) -> str | None:
    """Why a session's bar document cannot be shown, in words; None when it can.

    The store refuses to write such a document (`check_draft`), and the Sessions page says so
    instead of failing on a row damaged since.
    """
    try:
        bar, chart = doc["bar"], doc["chart"]  # type: ignore[index]
        str(bar["label"])
        float(bar["plate_diameter_mm"])
        missing = {key for rep in bar["reps"] for key in _BAR_REP_KEYS if key not in rep}
        if missing:
            return f"its reps lack {', '.join(sorted(missing))}"
        for series in chart["series"]:
            str(series["name"])
            if len(series["x"]) != len(series["y"]):
                return "a bar path series has more x than y values"
        str(chart["unit"]), str(chart["label"])
    except KeyError as exc:
        return f"it lacks {exc!s}"
    except (TypeError, ValueError) as exc:
        return f"a value has the wrong type ({exc})"
    return None
