"""Queue.learning stays sorted and in step with its index of due times through removals and re-adds."""

from __future__ import annotations

import random
from collections import deque
from datetime import datetime, timedelta, timezone

from srs.review import Queue
from srs.storage.timecodec import to_us

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_random_removals_and_re_adds_match_a_plain_list() -> None:
    rng = random.Random(7)
    learning = sorted((to_us(T0 + timedelta(seconds=rng.randrange(5000))), card_id) for card_id in range(300))
    queue = Queue(learning=list(learning), main=deque(range(300, 400)))
    expected = {card_id: due for due, card_id in learning}
    for _ in range(2000):
        card_id = rng.randrange(400)
        if rng.random() < 0.5:
            queue.remove(card_id)
            expected.pop(card_id, None)
        else:
            due = T0 + timedelta(seconds=rng.randrange(5000))
            queue.add_learning(card_id, due)
            expected[card_id] = to_us(due)
        assert queue.learning == sorted((due, card) for card, due in expected.items())


def test_a_learning_list_out_of_order_is_still_emptied_right() -> None:
    queue = Queue(learning=[(5, 1), (9, 2)])
    queue.learning[:] = [(9, 2), (5, 1)]  # edited by hand, behind the index's back
    queue.remove(1)
    assert queue.learning == [(9, 2)]
    queue.remove(2)
    assert queue.learning == []
