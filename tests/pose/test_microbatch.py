"""MicroBatcher: concurrent callers share batches, results go back to the right caller."""

from __future__ import annotations

import threading

import pytest

from coach.pose.microbatch import MicroBatcher


def test_concurrent_calls_share_batches_and_get_their_own_results() -> None:
    sizes: list[int] = []

    def run(items: list[int]) -> list[int]:
        sizes.append(len(items))
        return [i * 10 for i in items]

    batcher = MicroBatcher(run, max_items=8, wait_s=0.05)
    results: dict[int, int] = {}
    start = threading.Barrier(8)

    def call(i: int) -> None:
        start.wait()
        results[i] = batcher.submit(i)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(10)
    assert results == {i: i * 10 for i in range(8)}
    assert sum(sizes) == 8 and len(sizes) < 8  # at least two calls shared a batch


def test_size_counts_units_and_caps_the_batch() -> None:
    seen: list[list[int]] = []
    batcher = MicroBatcher(lambda xs: seen.append(xs) or xs, max_items=3, wait_s=0.0,
                           size=lambda x: x)  # fmt: skip
    assert batcher.submit(5) == 5  # one item larger than the cap still runs, alone
    assert seen == [[5]]


def test_an_error_reaches_every_caller_of_the_batch() -> None:
    def run(items: list[int]) -> list[int]:
        raise RuntimeError("GPU fell over")

    with pytest.raises(RuntimeError, match="GPU fell over"):
        MicroBatcher(run, max_items=4, wait_s=0.0).submit(1)


def test_bad_options_are_refused() -> None:
    with pytest.raises(ValueError):
        MicroBatcher(lambda xs: xs, max_items=0, wait_s=0.01)
