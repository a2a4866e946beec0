"""The store's reads, every one filtered by its viewer: sessions, athletes, a session's
details and thumbnails, and its exports. Mixed into `coach.store.store.Store`."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from coach.auth.viewer import Viewer
from coach.store import export, queries, rep_export
from coach.store.checks import as_utc
from coach.store.models import FrameRow, SessionRow
from coach.store.records import SessionDetail, SessionSummary
from coach.store.visibility import athlete_filter

if TYPE_CHECKING:
    import pandas as pd


class StoreReads:
    """Reads for a store bound to `_viewer`; `_read` opens a read-only ORM session."""

    _viewer: Viewer

    def _read(self, action: str) -> AbstractContextManager[OrmSession]:
        raise NotImplementedError  # the Store provides it

    def list_sessions(
        self, *, athlete: str | None = None, since: datetime | date | None = None,
        until: datetime | date | None = None,
    ) -> list[SessionSummary]:  # fmt: skip
        """Sessions newest first; `athlete` is an exact name, [since, until) bounds the start.

        Naive datetimes are taken as UTC; a `date` means 00:00 UTC that day, so pass
        `until=last_day + timedelta(days=1)` to include the whole last day.
        """
        since_at, until_at = as_utc(since), as_utc(until)
        with self._read("list sessions") as orm:
            return queries.session_summaries(
                orm, self._viewer, athlete=athlete, since=since_at, until=until_at
            )

    def athletes(self) -> list[tuple[int, str]]:
        """(id, name) of every athlete this viewer may see, by name."""
        with self._read("list athletes") as orm:
            return queries.athlete_names(orm, self._viewer)

    def load_session(self, session_id: int) -> SessionDetail:
        """Frames in index order with their flags and current verdicts, and reps.

        Raises:
            StorageError: an unknown session or a failed read.
        """
        with self._read(f"load session {session_id}") as orm:
            return queries.session_detail(orm, self._viewer, session_id)

    def thumbnail(self, frame_id: int) -> bytes | None:
        """The JPEG thumbnail of a frame, or None when it has none or does not exist."""
        with self._read(f"load the thumbnail of frame {frame_id}") as orm:
            stmt = (
                select(FrameRow.thumbnail_jpeg)
                .join(SessionRow, SessionRow.id == FrameRow.session_id)
                .where(FrameRow.id == frame_id)
            )
            allowed = athlete_filter(self._viewer, SessionRow.athlete_id)
            return orm.scalar(stmt if allowed is None else stmt.where(allowed))

    def frames_frame(self, session_id: int) -> pd.DataFrame:
        """One row per frame; columns as documented in `coach.store.export`."""
        return export.frames_dataframe(self.load_session(session_id))

    def export_csv(self, session_id: int) -> bytes:
        """UTF-8 CSV: the frames table plus flag columns (see `coach.store.export`)."""
        return export.csv_bytes(self.load_session(session_id))

    def export_json(self, session_id: int) -> dict[str, Any]:
        """A JSON-ready dict of the whole session (see `coach.store.export`)."""
        return export.json_document(self.load_session(session_id))

    def reps_frame(self, session_id: int) -> pd.DataFrame:
        """One row per rep with its flags (see `coach.store.rep_export`)."""
        return rep_export.reps_dataframe(self.load_session(session_id))

    def export_reps_csv(self, session_id: int) -> bytes:
        """UTF-8 CSV, one row per rep with its flags (see `coach.store.rep_export`)."""
        return rep_export.reps_csv_bytes(self.load_session(session_id))

    def export_reps_json(self, session_id: int) -> dict[str, Any]:
        """A JSON-ready dict of the session's reps and their flags (`coach.store.rep_export`)."""
        return rep_export.reps_json(self.load_session(session_id))
