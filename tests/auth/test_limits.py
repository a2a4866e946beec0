"""Per-person analysis limits."""

from __future__ import annotations

import pytest

from coach.auth.limits import AnalysisLimiter, TooBusy


def test_a_person_over_the_limit_is_refused_and_others_are_not() -> None:
    limiter = AnalysisLimiter(2)
    with limiter.slot("ada"), limiter.slot("ada"):
        with pytest.raises(TooBusy, match="2 analyses running"), limiter.slot("ada"):
            pass
        with limiter.slot("bob"):
            assert limiter.running("bob") == 1
    assert limiter.running("ada") == 0
    with limiter.slot("ada"):  # slots come back, also after an error inside the block
        pass


def test_a_slot_is_released_when_the_work_fails() -> None:
    limiter = AnalysisLimiter(1)
    with pytest.raises(RuntimeError), limiter.slot("ada"):
        raise RuntimeError("boom")
    assert limiter.running("ada") == 0
