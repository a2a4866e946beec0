"""One place that decides whether a missing prerequisite skips a test or fails the run.

CI sets LIFTCOACH_REQUIRE_FIXTURES=1: it installs everything the real-data, browser and
PostgreSQL tests need, so a missing piece there is a broken CI, never a quiet skip.
"""

from __future__ import annotations

import os

import pytest


def skip_or_fail(why: str) -> None:
    """Skip the test, saying why; under LIFTCOACH_REQUIRE_FIXTURES=1 fail it instead."""
    if os.environ.get("LIFTCOACH_REQUIRE_FIXTURES") == "1":
        pytest.fail(f"{why} (LIFTCOACH_REQUIRE_FIXTURES=1 forbids skipping)")
    pytest.skip(why)
