"""Scheduler benchmark: srs against the official `anki` package on the same synthetic collection.

100,000 cards (10 decks under "Bench") and 1,000,000 review-log rows, built once per study day (and again when
the schema or Anki changes) into an srs store and an Anki collection under bench/out/ (gitignored, ~1 GB), then
copied to working files so every run starts from the same state. Measured in the same run, srs and Anki in
alternating blocks so both see the same machine load:

- build today's queue for "Bench": srs.review.build_queue (loading its SettingsBook, as a new session does)
  against Anki's col.sched.get_queued_cards() right after switching the current deck away and back, which drops
  Anki's in-memory queue so the call rebuilds it;
- answer a card (state + log, durable commit): srs.review.answer with the SettingsBook and zone a Session holds,
  after an untimed scheduling.preview of the card (what showing it does), against col.sched.answer_card with the
  states from get_queued_cards. Anki answers with after-states it computed when it fetched the card; srs computes
  the FSRS step inside the answer, so srs's figure includes it and Anki's does not. Also printed: Session.preview
  then Session.answer (the TUI's path), and srs.review.answer with no preview before it (a script's path). Both
  stores are SQLite in WAL mode with synchronous=FULL: every answer waits for an fsync.

The headline answer figure is the TUI's path (Session.answer) against Anki's answer_card, medians of --answers
(>= 300), taken once both WALs have had their first checkpoint (the steady state); the same answers from a fresh
WAL, as a session starts, are printed too. This disk's fsync swings between 0.2 and 3.5 ms, so a bare one-row durable commit is timed in the same
blocks (a third contender), and a run counts only when its median is fast (--fast-commit-ms); a slow run is
reported and retried (--attempts). The same answers without fsync (synchronous=OFF on both) show the CPU.

Usage: .venv/bin/python bench/scheduler.py [--rebuild] [--runs 50] [--answers 300] [--fast-commit-ms 0.6] [--attempts 4]
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import os
import random
import shutil
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from anki.collection import Collection  # noqa: E402  (first: anki.cards alone hits a circular import)
from anki.cards import Card as AnkiCard  # noqa: E402
from anki.decks import DeckId  # noqa: E402
from anki.buildinfo import version as anki_version  # noqa: E402
from anki.scheduler_pb2 import CardAnswer  # noqa: E402

from srs import scheduling  # noqa: E402
from srs.clock import utc_now  # noqa: E402
from srs.model import Rating, Scope  # noqa: E402
from srs.review import Session, SettingsBook, answer, build_queue, cards  # noqa: E402
from srs.storage import connection, migrations, open_store  # noqa: E402
from srs.storage.timecodec import to_us  # noqa: E402

OUT = ROOT / "bench" / "out"
FORMAT = 1  # bump when the synthetic collection changes
CARDS, REVIEW_ROWS, DECKS = 100_000, 1_000_000, 10
NEW, LEARNING, RELEARNING = 30_000, 600, 400  # the rest are review cards
ROLLOVER = 4
UTC = timezone.utc
DAY = timedelta(days=1)
US_PER_DAY = 86_400_000_000


# --- the synthetic collection ------------------------------------------------------------------------------------


@dataclass
class SynthCard:
    index: int
    deck: int
    state: int  # 0 new, 1 learning, 2 review, 3 relearning
    stability: float | None = None
    difficulty: float | None = None
    due_us: int | None = None
    due_day: int | None = None  # review cards: days from today (Anki's due is a day number)
    last_us: int | None = None
    reps: int = 0
    lapses: int = 0
    step: int | None = None


def today_start(now: datetime) -> datetime:
    start = now.replace(hour=ROLLOVER, minute=0, second=0, microsecond=0)
    return start if start <= now else start - DAY


def synthesize(now: datetime) -> tuple[list[SynthCard], list[tuple[int, int, int, int, float | None]]]:
    """Cards, and review rows (card index, time us, rating, state before, interval before) all before today."""
    rng = random.Random(20260302)
    start = today_start(now)
    start_us, now_us = to_us(start), to_us(now)
    cards: list[SynthCard] = []
    for i in range(CARDS):
        deck = i % DECKS
        if i < NEW:
            cards.append(SynthCard(i, deck, 0))
            continue
        card = SynthCard(i, deck, 1 if i < NEW + LEARNING else 3 if i < NEW + LEARNING + RELEARNING else 2)
        card.stability = rng.uniform(0.5, 2.0) if card.state == 1 else rng.lognormvariate(3.0, 1.2)
        card.difficulty = rng.uniform(1.0, 10.0)
        if card.state == 2:
            card.due_day = rng.randint(-20, 400)
            interval = max(1, round(card.stability * rng.uniform(0.8, 1.2)))
            card.due_us = start_us + card.due_day * US_PER_DAY + rng.randint(6, 20) * 3_600_000_000
            card.last_us = min(card.due_us - interval * US_PER_DAY, start_us - rng.randint(1, 3_000_000_000))
        else:  # (re)learning cards answered yesterday or earlier, due from yesterday to a few hours from now
            card.step = 0 if card.state == 3 else rng.randint(0, 1)
            card.last_us = start_us - rng.randint(1, 3 * 86_400) * 1_000_000
            card.due_us = max(card.last_us + 60_000_000, now_us + rng.randint(-86_400, 5 * 3600) * 1_000_000)
        cards.append(card)
    reviewed = cards[NEW:]
    counts = [2 if c.state == 1 else rng.randint(5, 24) for c in reviewed]
    spare = REVIEW_ROWS - sum(counts)
    position = 0
    while spare:
        if reviewed[position % len(reviewed)].state != 1 and (spare > 0 or counts[position % len(reviewed)] > 5):
            counts[position % len(reviewed)] += 1 if spare > 0 else -1
            spare += -1 if spare > 0 else 1
        position += 1
    rows = []
    for card, count in zip(reviewed, counts):
        moment = card.last_us
        history = []
        for _ in range(count):
            history.append(moment)
            moment -= rng.randint(1, 40) * US_PER_DAY + rng.randint(0, 86_399_000_000)
        history.reverse()
        lapses = 0
        for n, at in enumerate(history):
            if n == 0:
                state_before, rating, interval = 0, rng.choice((1, 3, 3, 3, 4)), None
            else:
                state_before = 1 if card.state == 1 else (2 if n > 1 else 1)
                rating = rng.choices((1, 2, 3, 4), (10, 10, 70, 10))[0]
                interval = (at - history[n - 1]) / US_PER_DAY
                lapses += rating == 1 and state_before == 2
            rows.append((card.index, at, rating, state_before, interval))
        card.reps, card.lapses = count, lapses
    return cards, rows


# --- srs store ---------------------------------------------------------------------------------------------------


def _state_json(state: int, step, stability, difficulty, due, last, reps: int, lapses: int) -> str:
    """A log entry's before/after state in the real format and size (its values are not replayed by anything here)."""
    return json.dumps([state, step, stability, difficulty, due, last, reps, lapses, False, False, None])


def build_srs(path: Path, cards: list[SynthCard], rows: list[tuple], now: datetime) -> None:
    remove_files(path)
    open_store(path).close()  # schema
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany("INSERT INTO deck (id, name, description) VALUES (?, ?, '')", [(d + 1, f"Bench::D{d}") for d in range(DECKS)])
    created = to_us(now - timedelta(days=4000))
    conn.executemany(
        "INSERT INTO card (id, uid, deck_id, origin, line, position, tags, difficulty, draft, retired, "
        "content_hash, state, step, stability, fsrs_difficulty, due, last_review, reps, lapses, suspended, leech, buried_until, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ' bench ', 'medium', 0, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, NULL, ?)",
        (
            (c.index + 1, f"bench-{c.index}", c.deck + 1, f"/bench/deck{c.deck}.yaml", 3 + 5 * (c.index // DECKS), c.index // DECKS,
             f"h{c.index}", c.state, c.step, c.stability, c.difficulty, c.due_us, c.last_us, c.reps, c.lapses, created)
            for c in cards
        ),
    )
    conn.executemany(
        "INSERT INTO card_text (card_id, front, back) VALUES (?, ?, ?)",
        ((c.index + 1, f"Question {c.index}?", f"Answer {c.index}") for c in cards),
    )
    by_index = {c.index: c for c in cards}

    def review_rows():
        for n, (index, at, rating, state_before, interval) in enumerate(rows):
            c = by_index[index]
            before = _state_json(state_before, None, c.stability, c.difficulty, at, at - 86_400_000_000, n % 20, 0)
            after = _state_json(2, None, c.stability, c.difficulty, at + 86_400_000_000 * 3, at, n % 20 + 1, 0)
            yield (index + 1, rating, at, 6000 + n % 9000, state_before, interval, before, after)

    conn.executemany(
        "INSERT INTO review (card_id, rating, reviewed_at, duration_ms, state_before, interval_before, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        review_rows(),
    )
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


# --- Anki collection ---------------------------------------------------------------------------------------------


def build_anki(path: Path, cards: list[SynthCard], rows: list[tuple], now: datetime) -> None:
    remove_files(path)
    col = Collection(str(path))
    col.set_config("fsrs", True)
    config = col.decks.config_dict_for_deck_id(DeckId(1))
    config["fsrsParams6"] = list(scheduling.DEFAULT_PARAMETERS)
    col.decks.update_config(config)
    parent = col.decks.id("Bench")
    deck_ids = [col.decks.id(f"Bench::D{d}") for d in range(DECKS)]
    notetype = col.models.by_name("Basic")["id"]
    col.close()

    start = today_start(now)
    crt = int((start - timedelta(days=4000)).timestamp())
    today = 4000  # Anki's day number of today, counted from crt
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE col SET crt = ?", (crt,))
    base_id = int(start.timestamp() * 1000) - 10 * 86_400_000 * 400
    mod = int(now.timestamp())
    conn.executemany(
        "INSERT INTO notes (id, guid, mid, mod, usn, tags, flds, sfld, csum, flags, data) VALUES (?, ?, ?, ?, -1, ' bench ', ?, ?, ?, 0, '')",
        ((base_id + c.index, f"bench{c.index}", notetype, mod, f"Question {c.index}?\x1fAnswer {c.index}", f"Question {c.index}?", c.index)
         for c in cards),
    )

    def card_row(c: SynthCard) -> tuple:
        kind = c.state  # Anki's card types: new 0, learning 1, review 2, relearning 3
        queue = {0: 0, 1: 1, 2: 2, 3: 1}[c.state]  # relearning cards wait in the learning queue
        if c.state == 0:
            due, ivl, data = c.index // DECKS + 1, 0, "{}"
        else:
            due = today + c.due_day if c.state == 2 else c.due_us // 1_000_000
            ivl = max(1, round(c.stability)) if c.state in (2, 3) else 0
            data = json.dumps({"s": round(c.stability, 4), "d": round(c.difficulty, 3), "dr": 0.9, "decay": 0.154, "lrt": c.last_us // 1_000_000})
        left = 0 if c.state in (0, 2) else (2 - (c.step or 0) if c.state == 1 else 1)
        return (base_id + c.index, base_id + c.index, deck_ids[c.deck], 0, mod, -1, kind, queue, due, ivl, 2500 if c.state else 0,
                c.reps, c.lapses, left, 0, 0, 0, data)

    conn.executemany("INSERT INTO cards VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (card_row(c) for c in cards))
    kinds = {0: 0, 1: 0, 2: 1, 3: 2}
    seen: set[int] = set()

    def revlog_rows():
        for index, at, rating, state_before, interval in rows:
            rid = at // 1000
            while rid in seen:
                rid += 1
            seen.add(rid)
            ivl = -600 if state_before in (0, 1) and rating < 3 else max(1, round((interval or 1) * 1.5))
            yield (rid, base_id + index, -1, rating, ivl, round(interval or 0), 2500, 8000, kinds[state_before])

    conn.executemany("INSERT INTO revlog VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", revlog_rows())
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    col = Collection(str(path))
    col.decks.select(parent)
    col.close()


# --- measuring ---------------------------------------------------------------------------------------------------


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples)


def schema_digest() -> str:
    """Changes whenever the migrations do, so a cached store always has today's schema and indexes."""
    return hashlib.sha256(inspect.getsource(migrations).encode()).hexdigest()[:16]


def prepare(rebuild: bool) -> tuple[Path, Path, datetime]:
    """Pristine copies in bench/out (rebuilt when missing, stale or asked), copied to working files."""
    pristine_srs, pristine_anki, now = pristine(rebuild)
    work_srs, work_anki = OUT / "scheduler-work-srs.db", OUT / "scheduler-work-anki.anki2"
    for source, target in ((pristine_srs, work_srs), (pristine_anki, work_anki)):
        remove_files(target)
        shutil.copyfile(source, target)
    return work_srs, work_anki, now


def pristine(rebuild: bool) -> tuple[Path, Path, datetime]:
    """The srs store and the Anki collection holding the same synthetic data (also used by bench/stats.py)."""
    OUT.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    meta_path = OUT / "scheduler-meta.json"
    pristine_srs, pristine_anki = OUT / "scheduler-srs-100k.db", OUT / "scheduler-anki-100k.anki2"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    wanted = {"format": FORMAT, "day": today_start(now).isoformat(), "schema": schema_digest(), "anki": anki_version, "page_size": connection.PAGE_SIZE}
    if rebuild or meta != wanted or not pristine_srs.exists() or not pristine_anki.exists():
        started = time.perf_counter()
        cards, rows = synthesize(now)
        build_srs(pristine_srs, cards, rows, now)
        build_anki(pristine_anki, cards, rows, now)
        meta_path.write_text(json.dumps(wanted))
        print(f"built the synthetic collections in {time.perf_counter() - started:.0f} s (cached in {OUT})")
    return pristine_srs, pristine_anki, now


def remove_files(path: Path) -> None:
    """A database and everything SQLite or Anki keeps beside it (-wal, -shm, .media)."""
    for old in [*path.parent.glob(path.name + "*"), path.with_suffix(".media")]:
        if old.is_dir():
            shutil.rmtree(old)
        elif old.exists():
            old.unlink()


ROUNDS = 5  # srs and Anki alternate in blocks, so both see the same machine load without disturbing each other


def interleaved(store_path: Path, anki_path: Path, runs: int, answers: int) -> dict[str, object]:
    """srs and Anki measured in alternating blocks: per-operation alternation would time each just after the other."""
    store, col = open_store(store_path), Collection(str(anki_path))
    scope, bench_deck, other_deck = Scope(deck="Bench"), col.decks.id("Bench"), col.decks.id("Bench::D0")
    col.decks.set_current(bench_deck)
    build_queue(store, scope, zone=UTC)  # warm page caches and the connection pool; Anki's first call does the same
    col.sched.get_queued_cards()

    def anki_rebuild() -> float:
        col.decks.set_current(other_deck)  # switching decks drops Anki's in-memory queue ...
        col.decks.set_current(bench_deck)
        return timed(lambda: col.sched.get_queued_cards())  # ... so this call rebuilds it

    ours_queue, anki_queue = [], []
    for _ in range(ROUNDS):
        ours_queue += [timed(lambda: build_queue(store, scope, zone=UTC)) for _ in range(runs // ROUNDS)]
        anki_queue += [anki_rebuild() for _ in range(runs // ROUNDS)]
    anki_cached = [timed(lambda: col.sched.get_queued_cards()) for _ in range(runs)]
    queue = build_queue(store, scope, zone=UTC)
    ids = list(queue.main) + [card_id for _, card_id in queue.learning]
    book = SettingsBook.load(store)  # what a Session holds (with its zone)
    rng = random.Random(1)
    ratings = [rng.choice(list(Rating)) for _ in range(answers)]

    def ours_answer(n: int) -> float:
        card_id = ids[n % len(ids)]
        # Untimed, as on the Anki side: what a session does between answers (fetch the card, show the intervals).
        card = cards(store, [card_id])[card_id]
        scheduling.preview(card.memory, utc_now(), card_id, book.for_deck(card.deck))
        return timed(lambda: answer(store, card_id, ratings[n % answers], book=book, zone=UTC))

    def ours_answer_unpreviewed(n: int) -> float:
        # The same call with no preview of the card before it (a script's `srs answer`): the FSRS step is timed.
        card_id = ids[n % len(ids)]
        cards(store, [card_id])
        return timed(lambda: answer(store, card_id, ratings[n % answers], book=book, zone=UTC))

    session = Session(store, scope, zone=UTC)

    def session_answer(n: int) -> float:
        # The TUI's path: Session.current + Session.preview (untimed, when the card is shown), then Session.answer.
        now = utc_now()
        card = session.current(now)
        if card is None:
            session.refill(now)
            card = session.current(now)
        session.preview(card.id, now)
        return timed(lambda: session.answer(card.id, ratings[n % answers], utc_now()))

    def anki_answer(n: int) -> float:
        queued = col.sched.get_queued_cards().cards[0]
        card = AnkiCard(col)
        card._load_from_backend_card(queued.card)
        card.start_timer()
        request = col.sched.build_answer(card=card, states=queued.states, rating=CardAnswer.Rating.Value(ratings[n % answers].name))
        return timed(lambda: col.sched.answer_card(request))

    bare = sqlite3.connect(store_path, isolation_level=None)  # the disk's own speed, timed in the same blocks
    bare.execute("PRAGMA synchronous = FULL")

    def bare_commit(n: int) -> float:
        started = time.perf_counter()
        bare.execute("BEGIN IMMEDIATE")
        bare.execute("UPDATE deck SET description = ? WHERE id = 1", (str(n),))
        bare.execute("COMMIT")
        return (time.perf_counter() - started) * 1000

    def answers_in_blocks(first: int) -> dict[str, float]:
        samples: dict[str, list[float]] = {"ours": [], "session": [], "unpreviewed": [], "anki": [], "commit": []}
        block = answers // ROUNDS
        for start in range(first, first + block * ROUNDS, block):
            samples["ours"] += [ours_answer(n) for n in range(start, start + block)]
            samples["session"] += [session_answer(n) for n in range(start, start + block)]
            samples["unpreviewed"] += [ours_answer_unpreviewed(n + answers * 3) for n in range(start, start + block)]
            samples["anki"] += [anki_answer(n) for n in range(start, start + block)]
            samples["commit"] += [bare_commit(n) for n in range(start, start + block)]
        return {name: median_ms(values) for name, values in samples.items()}

    anki_pragmas = {p: col.db.scalar(f"PRAGMA {p}") for p in ("journal_mode", "synchronous", "locking_mode")}
    # Both collections start with no WAL (as a session does: SQLite removes it when the last connection closes). Until
    # a WAL's first checkpoint (1000 pages: ~90 answers) every commit appends to it, and the fsync then writes the
    # file's new size too, which costs both sides alike and hides part of the CPU gap. The same answers again, once
    # both WALs have been checkpointed and are written over in place, are the steady state and the headline.
    fresh = answers_in_blocks(0)
    durable = answers_in_blocks(answers)
    fresh_book = [timed(lambda: answer(store, ids[(answers + n) % len(ids)], Rating.GOOD)) for n in range(min(answers, 100))]
    # The same again without fsync (synchronous=OFF on both): the CPU and page writes of an answer, whatever the disk.
    store.close()  # its next connections are made by the configure below
    durable_configure = connection.configure
    connection.configure = lambda conn: (durable_configure(conn), conn.execute("PRAGMA synchronous = OFF"))
    col.db.execute("PRAGMA synchronous = OFF")
    no_fsync = answers_in_blocks(2 * answers + 100)
    connection.configure = durable_configure
    result = {
        "queue": (median_ms(ours_queue), median_ms(anki_queue)), "anki_queue_cached": median_ms(anki_cached),
        "answer": durable, "answer_fresh_wal": fresh, "answer_no_fsync": no_fsync, "answer_fresh_book": median_ms(fresh_book),
        "queue_size": len(queue.main) + len(queue.learning), "anki_counts": col.sched.counts(),
        "anki_pragmas": anki_pragmas,
    }
    bare.close()
    store.close()
    col.close()
    return result


def durable_commit_floor(path: Path, samples: int = 300) -> dict[str, float]:
    """One-row UPDATE + COMMIT with srs' pragmas, in normal and in exclusive locking mode (Anki's)."""
    out = {}
    for mode in ("normal", "exclusive"):
        conn = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode = WAL", "synchronous = FULL", f"locking_mode = {mode}"):
            conn.execute(f"PRAGMA {pragma}")
        times = []
        for n in range(samples):
            started = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE card SET reps = reps + 1 WHERE id = ?", (n + 1,))
            conn.execute("COMMIT")
            times.append((time.perf_counter() - started) * 1000)
        conn.close()
        out[mode] = median_ms(times)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached synthetic collections")
    parser.add_argument("--runs", type=int, default=50, help="queue builds to take the median of")
    parser.add_argument("--answers", type=int, default=300, help="answers to take the median of")
    parser.add_argument("--fast-commit-ms", type=float, default=0.6, help="a run counts when its bare commit median is under this")
    parser.add_argument("--attempts", type=int, default=4, help="runs to try for one with fast commits")
    args = parser.parse_args()
    for attempt in range(1, args.attempts + 1):
        work_srs, work_anki, _ = prepare(args.rebuild and attempt == 1)
        try:
            figures = interleaved(work_srs, work_anki, args.runs, args.answers)
            floor = durable_commit_floor(work_srs)
        finally:
            remove_files(work_srs)
            remove_files(work_anki)
        commit = figures["answer"]["commit"]
        fast = commit <= args.fast_commit_ms
        print(f"run {attempt}: bare one-row durable commit, median of {args.answers} in the answer blocks: {commit:.3f} ms "
              f"({'fast: this run counts' if fast else f'slow disk (over {args.fast_commit_ms} ms): not counted'})")
        if fast:
            break
    else:
        print(f"NO RUN WITH FAST COMMITS in {args.attempts} attempts: the figures below are of the last, slow-disk run")
    print(f"collection: {CARDS:,} cards, {REVIEW_ROWS:,} review log rows, in {DECKS} decks under 'Bench'")
    print(f"today's queue: srs {figures['queue_size']} cards; Anki counts (new, learning, review) {figures['anki_counts']}")
    print(f"Anki pragmas {figures['anki_pragmas']}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"{'':38}{'srs':>9}{'Anki':>9}{'ratio':>7}  target")
    (queue_ours, queue_anki), (answer_ours, answer_anki) = figures["queue"], (figures["answer"]["ours"], figures["answer"]["anki"])
    print(f"{'build today queue (median ms)':38}{queue_ours:9.3f}{queue_anki:9.3f}{queue_ours / queue_anki:7.2f}  srs < 5 ms: "
          f"{'met' if queue_ours < 5 else 'MISSED'}")
    durable, cpu = figures["answer"], figures["answer_no_fsync"]
    session = durable["session"]
    print(f"{'answer, TUI Session path, durable (ms)':38}{session:9.3f}{answer_anki:9.3f}{session / answer_anki:7.2f}  ratio <= 1.2: "
          f"{'met' if session / answer_anki <= 1.2 else 'MISSED'}")
    fresh = figures["answer_fresh_wal"]
    print(f"{'  the same, from a fresh WAL':38}{fresh['session']:9.3f}{fresh['anki']:9.3f}{fresh['session'] / fresh['anki']:7.2f}"
          "  (a session's first ~90 answers)")
    print(f"{'  review.answer after a preview':38}{answer_ours:9.3f}{answer_anki:9.3f}{answer_ours / answer_anki:7.2f}")
    print(f"{'  answer with no preview before it':38}{durable['unpreviewed']:9.3f}{durable['anki']:9.3f}"
          f"{durable['unpreviewed'] / durable['anki']:7.2f}  (a script's path)")
    ours_cpu, anki_cpu = cpu["ours"], cpu["anki"]
    print(f"{'  same answers without fsync (sync=OFF)':38}{ours_cpu:9.3f}{anki_cpu:9.3f}{ours_cpu / anki_cpu:7.2f}  (where the gap is CPU)")
    print(f"{'    Session path / no preview, sync=OFF':38}{cpu['session']:9.3f}{cpu['unpreviewed']:9.3f}")
    # The durable ratio is (CPU + fsync) / (CPU + fsync) with fsync parts about equal: the faster the disk, the closer
    # it comes to the Session path's ratio without fsync (ARCHITECTURE.md, "The way of one answer").
    print(f"{'  TUI Session path, sync=OFF':38}{cpu['session']:9.3f}{anki_cpu:9.3f}{cpu['session'] / anki_cpu:7.2f}"
          "  (the durable ratio's limit on a fast disk)")
    print(f"{'  fsync part (durable - sync=OFF)':38}{session - cpu['session']:9.3f}{answer_anki - anki_cpu:9.3f}")
    print(f"  srs answer loading its SettingsBook per call (the CLI path): {figures['answer_fresh_book']:.3f} ms")
    print(f"  Anki get_queued_cards with its queue already built: {figures['anki_queue_cached']:.3f} ms")
    print(f"  durable one-row commit: {floor['normal']:.3f} ms (srs locking), {floor['exclusive']:.3f} ms (exclusive locking, as Anki)")


if __name__ == "__main__":
    main()
