"""kill -9 at random moments never loses an acknowledged answer or breaks the DB."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from srs.doctor import examine
from srs.storage import open_store
from tests.reliability.helpers import ANSWER_LOOP, integrity, make_collection, review_counts

ROUNDS = 50


@pytest.mark.slow
def test_kill_9_loses_no_acknowledged_answer(tmp_path) -> None:
    db = make_collection(tmp_path, cards=20)
    uids = ",".join(f"c{i}" for i in range(20))
    rng = random.Random(1234)
    acknowledged: Counter[str] = Counter()
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    for round_number in range(ROUNDS):
        child = subprocess.Popen(
            [sys.executable, "-c", ANSWER_LOOP, str(db), uids, str(round_number), "100000"],
            stdout=subprocess.PIPE, text=True, env=env,
        )
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.25))
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
        for line in out.splitlines():
            acknowledged[line.strip()] += 1
        counts = review_counts(db)
        for uid, count in acknowledged.items():
            assert counts[uid] >= count, f"round {round_number}: {uid} acknowledged {count} times but logged {counts[uid]}"
    assert integrity(db) == "ok"
    store = open_store(db)
    try:
        report = examine(store)
    finally:
        store.close()
    assert report.integrity == [] and [f for f in report.findings if f.severity == "error"] == []
    assert sum(acknowledged.values()) > 0
