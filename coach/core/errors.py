"""Errors a lifter can read. Pages and the CLI catch only `LiftCoachError` subclasses.

Each class carries the exit code the CLI returns for it, so scripts can test the outcome:
2 = bad input (photo, video, gold file, settings), 3 = no person found,
4 = a backend or its weights are unavailable, 5 = the session database failed.
"""

from __future__ import annotations


class LiftCoachError(Exception):
    """Base of every error LiftCoach raises on purpose; its message is meant for the user."""

    exit_code: int = 2


class BadInput(LiftCoachError):
    """The user gave us something we cannot use."""


class BadImage(BadInput):
    """A photo that is empty, not an image, truncated, or too large."""


class BadVideo(BadInput):
    """A clip that is empty, not a video, truncated, has no frames, or is too long."""


class GoldAnnotationError(BadInput):
    """A gold annotation file that does not follow the schema."""


class SettingsError(BadInput):
    """A setting (environment variable or TOML key) that is unknown or has a bad value."""


class NoPersonFound(LiftCoachError):
    """The pose model found nobody in the picture."""

    exit_code = 3


class BackendUnavailable(LiftCoachError):
    """A pose backend cannot run here: a missing package, or weights neither local nor
    downloadable."""

    exit_code = 4


class StorageError(LiftCoachError):
    """The session database refused a read or write (bad URL, newer schema, I/O failure)."""

    exit_code = 5
