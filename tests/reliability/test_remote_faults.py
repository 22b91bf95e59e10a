"""`srs remote sync` under faults: the connection cut at every statement, and kill -9 mid-sync.

Each time: a clear error, no local answer lost, nothing sent twice, and the next sync finishes the job so that
both devices end identical.
"""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import time
import uuid

import psycopg
import pytest
from sqlalchemy import event

from srs.model import Rating
from srs.remote import sync as remote
from srs.remote.store import RemoteError, RemoteStore
from srs.storage import open_store
from tests.test_remote import UTC, answer, dump, make_device, offline_work


def _copy_sqlite(source, target) -> None:
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def _database(url: str) -> str:
    """The database name of a ``postgresql://user@/name?host=...`` URL."""
    return url.split("@/", 1)[1].split("?", 1)[0]


class Snapshots:
    """Copies of the shared store at one moment (a SQLite file, or a PostgreSQL template database)."""

    def __init__(self, kind: str, url: str, tmp_path, postgres_server=None) -> None:
        self.kind, self.url, self.tmp_path, self.server = kind, url, tmp_path, postgres_server
        self.template = None

    def take(self) -> None:
        if self.kind == "sqlite":
            self.template = self.tmp_path / "store-snapshot.db"
            _copy_sqlite(self.url, self.template)
        else:
            self.template = "snap_" + uuid.uuid4().hex[:10]
            self._admin(f"CREATE DATABASE {self.template} TEMPLATE {_database(self.url)}")

    def fresh(self) -> str:
        """A new store holding the snapshot; returns its URL."""
        if self.kind == "sqlite":
            target = self.tmp_path / f"store-{uuid.uuid4().hex[:8]}.db"
            _copy_sqlite(self.template, target)
            return str(target)
        name = "run_" + uuid.uuid4().hex[:10]
        self._admin(f"CREATE DATABASE {name} TEMPLATE {self.template}")
        return self.url.replace(f"@/{_database(self.url)}?", f"@/{name}?")

    def _admin(self, sql: str) -> None:
        with psycopg.connect(self.server.get_uri(), autocommit=True) as conn:
            conn.execute(sql)


@pytest.fixture(params=["sqlite", "postgres"])
def shared(request, tmp_path):
    if request.param == "sqlite":
        return "sqlite", str(tmp_path / "shared" / "store.db"), None
    admin, _url_for = request.getfixturevalue("postgres_db")
    return "postgres", admin, request.getfixturevalue("postgres_server")


def _cut_at(remote_store: RemoteStore, number: int) -> list[int]:
    """Close the connection under the statement numbered ``number`` (1-based), as a dropped network would."""
    seen = [0]

    @event.listens_for(remote_store.engine, "before_cursor_execute")
    def cut(conn, cursor, statement, parameters, context, executemany) -> None:
        seen[0] += 1
        if seen[0] == number:
            conn.connection.dbapi_connection.close()

    return seen


def _copy_collection(store, target):
    store.close()
    _copy_sqlite(store.path, target)
    return open_store(target)


@pytest.mark.parametrize("bulk", [False, True], ids=["rows", "bulk"])
def test_connection_cut_at_every_statement(tmp_path, shared, bulk, monkeypatch) -> None:
    kind, url, server = shared
    if bulk:  # the path a large push takes: COPY on PostgreSQL, the driver's executemany on SQLite
        monkeypatch.setattr("srs.remote.store.PUSH_BATCH", 1)
    a = make_device(tmp_path, "a", url)
    b = make_device(tmp_path, "b", url, reverse=True)
    offline_work(a, b)
    remote.sync(a, zone=UTC)
    snapshots = Snapshots(kind, url, tmp_path, server)
    snapshots.take()
    b_snapshot = tmp_path / "b-snapshot.db"
    b = _copy_collection(b, b_snapshot)
    b.close()

    # How many statements an uninterrupted sync of b runs from here.
    counting = RemoteStore(snapshots.fresh())
    count = _cut_at(counting, 10**9)
    probe = _copy_collection(open_store(b_snapshot), tmp_path / "probe.db")
    remote.sync(probe, remote=counting, zone=UTC)
    counting.close()
    probe.close()
    total = count[0]
    assert total >= 4  # push: number, insert; pull: head, events (plus the role on PostgreSQL)

    for number in range(1, total + 1):
        run_url = snapshots.fresh()
        device_b = _copy_collection(open_store(b_snapshot), tmp_path / f"b-{number}.db")
        local_reviews = len(sum(dump(device_b)["logs"].values(), []))
        failing = RemoteStore(run_url)
        _cut_at(failing, number)
        with pytest.raises(RemoteError, match="Nothing was lost"):
            remote.sync(device_b, remote=failing, zone=UTC)
        failing.close()
        assert len(sum(dump(device_b)["logs"].values(), [])) >= local_reviews  # no answer lost
        # Resume: b finishes, a catches up, and they agree.
        healthy = RemoteStore(run_url)
        remote.sync(device_b, remote=healthy, zone=UTC)
        device_a = _copy_collection(open_store(a.path), tmp_path / f"a-{number}.db")
        remote.sync(device_a, remote=healthy, zone=UTC)
        remote.sync(device_b, remote=healthy, zone=UTC)
        assert dump(device_a) == dump(device_b), f"devices differ after a cut at statement {number}"
        assert dump(device_a)["cards"]["a0"][6] == 6
        uids = [row[0] for rows in dump(device_a)["logs"].values() for row in rows]
        assert len(uids) == len(set(uids))
        assert remote.status(device_b).waiting == 0
        healthy.close()
        device_a.close()
        device_b.close()
    a.close()


SYNC_LOOP = r"""
import sys
from datetime import timezone
from srs.storage import open_store
from srs.remote import sync
store = open_store(sys.argv[1])
print("ready", flush=True)
sync.sync(store, zone=timezone.utc)
print("done", flush=True)
"""


@pytest.mark.slow
def test_kill_9_during_sync_loses_nothing(tmp_path, shared) -> None:
    kind, url, _server = shared
    a = make_device(tmp_path, "a", url)
    a.close()
    rng = random.Random(7)
    uids = [f"a{i}" for i in range(6)] + [f"b{i}" for i in range(6)]
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    interrupted, answered, pause = 0, 0, 0.05
    for round_number in range(30):
        if round_number >= 10 and interrupted >= 5:
            break
        a = open_store(tmp_path / "a" / "srs.db")
        for _ in range(80):  # each round has work to send
            answer(a, rng.choice(uids), Rating(rng.randint(1, 4)), answered * 7)
            answered += 1
        a.close()
        child = subprocess.Popen([sys.executable, "-c", SYNC_LOOP, str(tmp_path / "a" / "srs.db")], stdout=subprocess.PIPE, env=env)
        assert child.stdout.readline().strip() == b"ready"
        time.sleep(rng.uniform(0.0, pause))
        child.kill()
        finished = b"done" in child.communicate()[0]
        interrupted += not finished
        if finished:  # this machine syncs a round faster than the pause: kill sooner
            pause /= 2
    assert interrupted >= 5  # at least half of the first ten rounds, or more rounds until five die mid-sync
    a = open_store(tmp_path / "a" / "srs.db")
    assert sum(len(log) for log in dump(a)["logs"].values()) == answered  # no local answer lost
    remote.sync(a, zone=UTC)
    assert remote.status(a).waiting == 0
    b = make_device(tmp_path, "b", url, reverse=True)
    remote.sync(b, zone=UTC)
    assert dump(b)["logs"] == dump(a)["logs"] and dump(b)["cards"] == dump(a)["cards"]
    store = RemoteStore(url)
    with store.engine.connect() as conn:
        from sqlalchemy import text

        assert conn.execute(text("SELECT count(*) FROM srs_event WHERE kind = 'review'")).scalar_one() == answered  # each sent once
    store.close()
    a.close()
    b.close()


def test_connection_cut_while_receiving_leaves_the_collection_as_it_was(tmp_path, shared, monkeypatch) -> None:
    """The receive streams the store's rows while merging them: a connection lost between two fetches (which
    SQLAlchemy does not see) is the same clear error, and the half-merged receive is rolled back."""
    _kind, url, _server = shared
    a = make_device(tmp_path, "a", url)
    b = make_device(tmp_path, "b", url, reverse=True)
    offline_work(a, b)
    remote.sync(a, zone=UTC)
    before = dump(b)
    monkeypatch.setattr("srs.remote.store.PULL_FETCH", 1)
    monkeypatch.setattr("srs.remote.merge.CHUNK", 1)
    failing = RemoteStore(url)
    connections = []

    @event.listens_for(failing.engine, "before_cursor_execute")
    def remember(conn, cursor, statement, parameters, context, executemany) -> None:
        connections.append(conn.connection.dbapi_connection)

    from srs.remote import merge

    real_merge_cards = merge._merge_cards
    merged = []

    def merge_then_cut(*args) -> None:
        real_merge_cards(*args)
        merged.append(1)
        connections[-1].close()  # the network goes after the first card was merged

    monkeypatch.setattr(merge, "_merge_cards", merge_then_cut)
    with pytest.raises(RemoteError, match="Nothing was lost"):
        remote.sync(b, remote=failing, zone=UTC)
    failing.close()
    assert merged  # the cut came mid-receive, after a merge
    after = dump(b)
    assert after["cards"] == before["cards"] and after["settings"] == before["settings"]
    # b's own reviews were sent (their device is set) and nothing was received
    assert sorted(row[0] for log in after["logs"].values() for row in log) == sorted(row[0] for log in before["logs"].values() for row in log)
    monkeypatch.setattr(merge, "_merge_cards", real_merge_cards)
    remote.sync(b, zone=UTC)
    remote.sync(a, zone=UTC)
    assert dump(a) == dump(b)
    a.close()
    b.close()
