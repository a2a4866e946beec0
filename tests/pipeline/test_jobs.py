"""Background analysis jobs: progress, results, messages, the per-person limit, the context the
work runs in, owners, and how finished jobs are dropped."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from coach.auth.limits import AnalysisLimiter, TooBusy
from coach.core.errors import BadVideo
from coach.form.gold import TeamGold, active_team_gold, use_team_gold
from coach.pipeline.jobs import STOPPED, UNEXPECTED_ERROR, Job, JobRunner, Progress


def _wait(runner: JobRunner[object], job_id: str, owner: str = "ada") -> Job[object]:
    """The job once finished (fails the test after 5 s)."""
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:
        job = runner.get(job_id, owner)
        assert job is not None
        if job.finished:
            return job
        time.sleep(0.01)
    raise AssertionError(f"job {job_id} did not finish")


@pytest.fixture
def limiter() -> AnalysisLimiter:
    return AnalysisLimiter(1)


@pytest.fixture
def runner(limiter: AnalysisLimiter) -> Iterator[JobRunner[object]]:
    r: JobRunner[object] = JobRunner(limiter, workers=2)
    yield r
    r.shutdown()


def _gated(gate: threading.Event, result: object = "ok") -> Callable[[Progress], object]:
    """Work that reports half-way, then waits for `gate`."""

    def work(progress: Progress) -> object:
        progress(0.5, "Analysing set.mp4…")
        assert gate.wait(5.0)
        return result

    return work


def test_progress_then_the_result(runner: JobRunner[object]) -> None:
    gate = threading.Event()
    job_id = runner.submit("ada", "set.mp4", _gated(gate, {"reps": 3}))
    deadline = time.monotonic() + 5.0
    while (job := runner.get(job_id, "ada")) is not None and job.fraction < 0.5:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert job is not None and job.state == "running" and not job.finished
    assert (job.fraction, job.text, job.name) == (0.5, "Analysing set.mp4…", "set.mp4")
    gate.set()
    done = _wait(runner, job_id)
    assert (done.state, done.result, done.error, done.fraction) == ("done", {"reps": 3}, None, 1.0)


def test_progress_is_clamped_and_nan_reads_as_zero(runner: JobRunner[object]) -> None:
    seen: list[float] = []
    submitted: list[str] = []
    ready = threading.Event()

    def work(progress: Progress) -> object:
        assert ready.wait(5.0)  # the job's id is known
        for f in (1.7, -0.3, float("nan")):
            progress(f, "x")
            job = runner.get(submitted[0], "ada")
            assert job is not None
            seen.append(job.fraction)
        return None

    submitted.append(runner.submit("ada", "a.mp4", work))
    ready.set()
    _wait(runner, submitted[0])
    assert seen == [1.0, 0.0, 0.0]


def test_a_liftcoach_error_is_the_message_and_anything_else_is_generic(
    runner: JobRunner[object], caplog: pytest.LogCaptureFixture
) -> None:
    def bad_clip(progress: Progress) -> object:
        raise BadVideo("notes.mp4 is not a video we can read.")

    def bug(progress: Progress) -> object:
        raise KeyError("secret internal detail")

    failed = _wait(runner, runner.submit("ada", "notes.mp4", bad_clip))
    assert failed.state == "failed" and failed.result is None
    assert failed.error == "notes.mp4 is not a video we can read."
    with caplog.at_level(logging.ERROR, logger="coach.pipeline.jobs"):
        crashed = _wait(runner, runner.submit("ada", "set.mp4", bug))
    assert crashed.state == "failed" and crashed.error == UNEXPECTED_ERROR
    assert "secret" not in (crashed.error or "")
    assert "secret internal detail" in caplog.text and "set.mp4" in caplog.text  # logged


def test_the_limit_refuses_a_second_job_at_once_and_frees_the_slot_after_failure(
    runner: JobRunner[object], limiter: AnalysisLimiter
) -> None:
    gate = threading.Event()

    def fails(progress: Progress) -> object:
        assert gate.wait(5.0)
        raise RuntimeError("boom")

    first = runner.submit("ada", "one.mp4", fails)
    assert limiter.running("ada") == 1
    with pytest.raises(TooBusy, match="1 analyses running"):
        runner.submit("ada", "two.mp4", _gated(threading.Event()))
    assert runner.latest("ada") is not None and runner.latest("ada").id == first  # type: ignore[union-attr]
    other = runner.submit("bob", "bob.mp4", lambda p: "bob's")  # others are not held up
    assert _wait(runner, other, "bob").result == "bob's"
    gate.set()
    assert _wait(runner, first).state == "failed"
    assert limiter.running("ada") == 0
    assert _wait(runner, runner.submit("ada", "two.mp4", lambda p: 2)).result == 2


def test_the_work_sees_the_team_gold_set_around_submit(runner: JobRunner[object]) -> None:
    with use_team_gold(TeamGold((7, 9))):
        inside = runner.submit("ada", "a.mp4", lambda p: active_team_gold().ids)
    assert _wait(runner, inside).result == (7, 9)
    runner.claim(inside, "ada")
    outside = runner.submit("ada", "b.mp4", lambda p: active_team_gold().ids)
    assert _wait(runner, outside).result == ()


def test_only_the_owner_reads_or_claims_a_job(runner: JobRunner[object]) -> None:
    job_id = runner.submit("ada", "a.mp4", lambda p: "ada's set")
    _wait(runner, job_id)
    assert runner.get(job_id, "bob") is None and runner.latest("bob") is None
    assert runner.claim(job_id, "bob") is None
    claimed = runner.claim(job_id, "ada")
    assert claimed is not None and claimed.result == "ada's set"
    assert runner.get(job_id, "ada") is None and runner.claim(job_id, "ada") is None


def test_an_unfinished_job_cannot_be_claimed(runner: JobRunner[object]) -> None:
    gate = threading.Event()
    job_id = runner.submit("ada", "a.mp4", _gated(gate))
    assert runner.claim(job_id, "ada") is None
    gate.set()
    _wait(runner, job_id)
    assert runner.claim(job_id, "ada") is not None


def test_finished_jobs_are_dropped_after_a_while_and_past_a_count() -> None:
    now = [0.0]
    runner: JobRunner[object] = JobRunner(AnalysisLimiter(64), keep_s=60.0, keep_finished=2,
                                          clock=lambda: now[0])  # fmt: skip
    try:
        ids = []
        for i in range(3):
            now[0] = float(i)
            ids.append(runner.submit("ada", f"{i}.mp4", lambda p: None))
            _wait(runner, ids[-1])
        assert runner.get(ids[0], "ada") is None  # three finished, two kept: the oldest goes
        assert runner.get(ids[1], "ada") is not None and runner.get(ids[2], "ada") is not None
        now[0] = 61.5  # the second finished at 1.0, the third at 2.0
        assert runner.get(ids[1], "ada") is None and runner.get(ids[2], "ada") is not None
        now[0] = 62.5
        assert runner.latest("ada") is None
    finally:
        runner.shutdown()


def test_shutdown_fails_waiting_jobs_and_gives_their_slots_back() -> None:
    limiter = AnalysisLimiter(2)
    runner: JobRunner[object] = JobRunner(limiter, workers=1)
    gate = threading.Event()
    running = runner.submit("ada", "a.mp4", _gated(gate))
    waiting = runner.submit("ada", "b.mp4", lambda p: "never")
    assert runner.get(waiting, "ada").state == "queued"  # type: ignore[union-attr]
    runner.shutdown()
    stopped = runner.get(waiting, "ada")
    assert stopped is not None and (stopped.state, stopped.error) == ("failed", STOPPED)
    assert limiter.running("ada") == 1  # the running job still holds its own
    gate.set()
    assert _wait(runner, running).result == "ok" and limiter.running("ada") == 0
