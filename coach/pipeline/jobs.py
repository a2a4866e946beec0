"""Analyses that run off a page's script run: a bounded pool of worker threads; each job has an
owner, the upload's own file name, a state, its progress, and its result or a message for the
lifter.

Streamlit reruns a page's script on every click and abandons the run in flight, so a long clip
analysed inside the script is lost the moment the user touches anything. Jobs live in one
`JobRunner` per process (`ui.loaders.analysis_jobs`); a page keeps only the job id and reads
the job again on every rerun. Thread-safe: any thread may submit and read.
"""

from __future__ import annotations

import contextvars
import logging
import math
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, Generic, Literal, TypeVar

from coach.auth.limits import AnalysisLimiter
from coach.core.errors import LiftCoachError

log = logging.getLogger(__name__)
T = TypeVar("T")
Progress = Callable[[float, str], None]
JobState = Literal["queued", "running", "done", "failed"]
# What the lifter reads when a job fails on our side; the traceback goes to the log only.
UNEXPECTED_ERROR = (
    "something went wrong on our side while analysing it (it was logged). Try again, and tell "
    "whoever runs LiftCoach if it happens again."
)
STOPPED = "the app was restarted before this analysis began; start it again"
# A finished job waits this long for its page to collect it (a closed tab never will; its set
# is saved in the database anyway), and at most this many finished jobs are kept: each holds a
# whole analysed set with its key frames.
KEEP_FINISHED_S = 30 * 60.0
KEEP_FINISHED = 16


class RunnerStopped(LiftCoachError):
    """The runner was shut down (the app is restarting)."""


@dataclass(frozen=True)
class Job(Generic[T]):
    """A snapshot of one job: the runner replaces its record on each change, never edits it.

    `fraction` is in [0, 1]; `error` is for the lifter (a LiftCoachError's message, or
    UNEXPECTED_ERROR), set exactly when `state` is "failed".
    """

    id: str
    owner: str
    name: str
    state: JobState = "queued"
    fraction: float = 0.0
    text: str = "waiting for a free worker…"
    result: T | None = None
    error: str | None = None
    finished_at: float | None = None

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")


class JobRunner(Generic[T]):
    """Runs `work(progress)` callables on `workers` threads; each holds one of its owner's
    analysis slots (`AnalysisLimiter`) from submit until it ends, whatever happens.

    Args:
        limiter: the process's per-person limiter (shared with analyses run in place).
        workers: jobs running at once, all owners together; the rest wait in order.
        keep_s, keep_finished: how long, and how many, finished jobs wait to be claimed.
        clock: seconds, monotonic (tests pass a fake).
    """

    def __init__(
        self, limiter: AnalysisLimiter, *, workers: int = 2, keep_s: float = KEEP_FINISHED_S,
        keep_finished: int = KEEP_FINISHED, clock: Callable[[], float] = time.monotonic,
    ) -> None:  # fmt: skip
        self._limiter = limiter
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="liftcoach-job")
        self._keep_s, self._keep_finished, self._clock = keep_s, keep_finished, clock
        self._lock = threading.Lock()
        self._jobs: dict[str, Job[T]] = {}  # in submit order
        self._futures: dict[str, Future[Any]] = {}

    def submit(self, owner: str, name: str, work: Callable[[Progress], T]) -> str:
        """Queue `work` and return the job's id.

        `work` runs in a copy of the caller's context, so a ContextVar set around this call
        (the team gold of `coach.form.gold.use_team_gold`) is in force in the worker thread.

        Raises:
            TooBusy: `owner` already runs as many analyses as allowed (nothing is queued).
            RunnerStopped: the runner was shut down.
        """
        self._limiter.acquire(owner)
        job: Job[T] = Job(uuid.uuid4().hex, owner, name)
        with self._lock:
            self._prune()
            self._jobs[job.id] = job
            try:
                future = self._pool.submit(contextvars.copy_context().run, self._run, job.id, work)
            except RuntimeError:  # the pool is shut down
                del self._jobs[job.id]
                self._limiter.release(owner)
                raise RunnerStopped("the app is restarting; try again in a moment") from None
            self._futures[job.id] = future
        return job.id

    def get(self, job_id: str, owner: str) -> Job[T] | None:
        """The job, or None when there is none with this id for `owner` (another person's job
        is as absent as a dropped one)."""
        with self._lock:
            self._prune()
            job = self._jobs.get(job_id)
        return job if job is not None and job.owner == owner else None

    def latest(self, owner: str) -> Job[T] | None:
        """`owner`'s newest job not yet claimed (a reloaded tab takes it up again), or None."""
        with self._lock:
            self._prune()
            mine = [j for j in self._jobs.values() if j.owner == owner]
        return mine[-1] if mine else None

    def claim(self, job_id: str, owner: str) -> Job[T] | None:
        """Take a finished job (with its result) out of the runner; None when it is not
        finished, not there, or not `owner`'s."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.owner != owner or not job.finished:
                return None
            del self._jobs[job_id]
            return job

    def shutdown(self) -> None:
        """Stop taking jobs; jobs not started yet fail with STOPPED (their slots come back),
        running ones finish in their threads."""
        with self._lock:
            waiting = [i for i, f in self._futures.items() if f.cancel()]
            for job_id in waiting:
                self._jobs[job_id] = self._finished(self._jobs[job_id], error=STOPPED)
                self._limiter.release(self._jobs[job_id].owner)
            self._pool.shutdown(wait=False)

    def _run(self, job_id: str, work: Callable[[Progress], T]) -> None:
        with self._lock:
            job = self._jobs[job_id] = replace(self._jobs[job_id], state="running",
                                               text="starting…")  # fmt: skip
        result: T | None = None
        error: str | None = None
        try:
            result = work(lambda fraction, text: self._progress(job_id, fraction, text))
        except LiftCoachError as exc:
            error = str(exc)
        except Exception:
            log.exception("analysis job %s of %s on %r failed", job_id, job.owner, job.name)
            error = UNEXPECTED_ERROR
        finally:
            # Before the job reads as finished: the owner may start the next one at once.
            self._limiter.release(job.owner)
        with self._lock:
            self._jobs[job_id] = self._finished(self._jobs[job_id], result=result, error=error)
            self._futures.pop(job_id, None)

    def _progress(self, job_id: str, fraction: float, text: str) -> None:
        done = min(max(fraction, 0.0), 1.0) if math.isfinite(fraction) else 0.0
        with self._lock:
            self._jobs[job_id] = replace(self._jobs[job_id], fraction=done, text=text)

    def _finished(self, job: Job[T], *, result: T | None = None, error: str | None = None
                  ) -> Job[T]:  # fmt: skip
        return replace(job, state="failed" if error is not None else "done", result=result,
                       error=error, fraction=1.0 if error is None else job.fraction,
                       finished_at=self._clock())  # fmt: skip

    def _prune(self) -> None:
        """Drop finished jobs past `keep_s`, then the longest finished past `keep_finished`
        (lock held). Queued and running jobs stay: the limiter bounds them."""
        now = self._clock()
        finished = sorted((j for j in self._jobs.values() if j.finished_at is not None),
                          key=lambda j: j.finished_at or 0.0)  # fmt: skip
        fresh = [j for j in finished if now - (j.finished_at or now) <= self._keep_s]
        kept = {j.id for j in fresh[-self._keep_finished :]} if self._keep_finished else set()
        for job in finished:
            if job.id not in kept:
                del self._jobs[job.id]
