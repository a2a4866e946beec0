"""The one flag type: a joint (or angle) flagged on a frame, why, how sure, and the coach's
verdict on it. Made by the form and rep checks, shown live, stored and exported unchanged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal


@dataclass(frozen=True)
class Verdict:
    """The coach's current decision on one flag.

    Attributes:
        accepted: True when the coach agrees with the flag, False when they dismiss it.
        note: free text from the coach ("" when none).
        decided_at: when the verdict was last set (UTC).
    """

    accepted: bool
    note: str
    decided_at: datetime


@dataclass(frozen=True)
class Flag:
    """One thing flagged on one frame, the same type from the form check to the database.

    The form check, the rep check and the live engine set `joint`, `reason` and `confidence`;
    the store fills the other fields when it reads flags back from a session.

    Attributes:
        joint: joint name as in `Joint.name.lower()`, e.g. "left_knee"; for a rep check, the
            angle that differs most (e.g. "left_knee"), or "pose".
        reason: why the joint was flagged, in words a lifter understands.
        confidence: in [0, 1]; NaN when unknown.
        id: row id (None until stored); `Store.set_verdict` takes it.
        frame_index: index of the frame the flag was raised on.
        rep_index: the rep whose [start_s, end_s] holds that frame, if any.
        verdict: the coach's current verdict, None while pending.
    """

    joint: str
    reason: str
    confidence: float = float("nan")
    id: int | None = None
    frame_index: int | None = None
    rep_index: int | None = None
    verdict: Verdict | None = None

    @property
    def label(self) -> str:
        """Human name of where the flag is, e.g. 'left knee'."""
        return self.joint.replace("_", " ")

    @property
    def status(self) -> Literal["pending", "accepted", "rejected"]:
        """'pending' without a verdict, else 'accepted' or 'rejected'."""
        if self.verdict is None:
            return "pending"
        return "accepted" if self.verdict.accepted else "rejected"
