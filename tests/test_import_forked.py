"""``forked.split_map``: half the items computed by a forked worker, the results as the serial path gives them."""

from __future__ import annotations

import os
import threading
import time

import pytest

from srs.importers.anki import forked

pytestmark = pytest.mark.skipif(not forked.can_fork() or forked.usable_cores() < 2, reason="forks a worker: Linux with 2 cores")


@pytest.fixture(autouse=True)
def idle_machine(monkeypatch) -> None:
    """The worker is forked whatever the machine's load while the tests run."""
    monkeypatch.setattr(forked, "spare_core", lambda: True)


def _squares_and_pids(items):
    return [(item * item, os.getpid()) for item in items]


def test_the_worker_computes_the_second_half_and_the_order_is_kept() -> None:
    results = forked.split_map(_squares_and_pids, list(range(11)), 2)
    assert [square for square, _ in results] == [item * item for item in range(11)]
    pids = [pid for _, pid in results]
    assert pids[:5] == [os.getpid()] * 5 and set(pids[5:]) != {os.getpid()}  # the second half came from another process


def test_a_failing_worker_has_its_half_computed_here() -> None:
    parent = os.getpid()

    def fails_in_the_worker(items):
        if os.getpid() != parent:
            raise RuntimeError("worker only")
        return [item + 1 for item in items]

    assert forked.split_map(fails_in_the_worker, list(range(10)), 2) == list(range(1, 11))


def test_an_error_of_the_function_surfaces_here() -> None:
    def fails(items):
        raise ValueError("bad item")

    with pytest.raises(ValueError, match="bad item"):
        forked.split_map(fails, list(range(10)), 2)


def test_no_worker_below_the_minimum_or_beside_another_thread() -> None:
    assert {pid for _, pid in forked.split_map(_squares_and_pids, list(range(10)), 11)} == {os.getpid()}
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert {pid for _, pid in forked.split_map(_squares_and_pids, list(range(10)), 2)} == {os.getpid()}
    finally:
        stop.set()
        other.join()


def test_no_worker_on_a_busy_machine(monkeypatch) -> None:
    monkeypatch.setattr(forked, "spare_core", lambda: False)
    assert {pid for _, pid in forked.split_map(_squares_and_pids, list(range(10)), 2)} == {os.getpid()}


def test_a_spare_core_is_one_the_load_leaves(monkeypatch) -> None:
    monkeypatch.undo()
    monkeypatch.setattr(forked, "usable_cores", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (1.2, 0.0, 0.0))
    assert forked.spare_core()
    monkeypatch.setattr(os, "getloadavg", lambda: (1.6, 0.0, 0.0))
    assert not forked.spare_core()


def test_a_worker_ahead_computes_everything_in_another_process_while_this_one_goes_on() -> None:
    ahead = forked.Ahead(_squares_and_pids, list(range(7)), chunk=3)
    worker = ahead.pid
    chunks = list(ahead.chunks())
    assert [len(chunk) for chunk in chunks] == [3, 3, 1]
    results = [result for chunk in chunks for result in chunk]
    assert [square for square, _ in results] == [item * item for item in range(7)]
    assert {pid for _, pid in results} == {worker} != {os.getpid()}
    assert ahead.pid is None and ahead.source.closed  # reaped
    ahead.cancel()  # after the result: nothing left to stop


def test_a_failing_worker_ahead_has_its_items_computed_here() -> None:
    parent = os.getpid()

    def fails_in_the_worker(items):
        if os.getpid() != parent:
            raise RuntimeError("worker only")
        return [item + 1 for item in items]

    assert forked.Ahead(fails_in_the_worker, list(range(5))).result() == list(range(1, 6))
    parent_too = []

    def fails_after_two_chunks(items):
        if os.getpid() != parent and items[0] >= 4:
            raise RuntimeError("worker only")
        parent_too.extend(items if os.getpid() == parent else [])
        return [item + 1 for item in items]

    assert forked.Ahead(fails_after_two_chunks, list(range(7)), chunk=2).result() == list(range(1, 8))
    assert parent_too == [4, 5, 6]  # what the worker sent is not computed again


def test_a_cancelled_worker_ahead_is_killed_and_reaped() -> None:
    stop = forked.Ahead(lambda items: [time.sleep(60)], [1])
    worker, started = stop.pid, time.monotonic()
    stop.cancel()
    assert time.monotonic() - started < 10
    with pytest.raises(ChildProcessError):
        os.waitpid(worker, os.WNOHANG)


def test_worth_forking_follows_split_maps_rules(monkeypatch) -> None:
    assert forked.worth_forking(10, 2) and not forked.worth_forking(10, 11) and not forked.worth_forking(1, 1)
    monkeypatch.setattr(forked, "spare_core", lambda: False)
    assert not forked.worth_forking(10, 2)
