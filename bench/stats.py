"""Benchmark: ``srs stats --json`` on 100k cards and 1M reviews, wall time with start-up, median of 3.

    .venv/bin/python bench/stats.py [--rebuild] [--runs 3]

The synthetic collection is cached in bench/out/ (gitignored) and reused while its recipe is
unchanged. The target from issue 8 is under 1.5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from srs.storage import open_store  # noqa: E402
from srs.storage.migrations import LATEST_VERSION  # noqa: E402
from srs.storage.timecodec import to_us  # noqa: E402

CARDS = 100_000
REVIEWS = 1_000_000
DECKS = 20
HISTORY_DAYS = 730
RECIPE = "r3"  # bump when the generator changes, so a stale cache is rebuilt
DB_PATH = ROOT / "bench" / "out" / f"stats-{CARDS // 1000}k-{REVIEWS // 1000}k-schema{LATEST_VERSION}-{RECIPE}.db"
TARGET_SECONDS = 1.5
TOPICS = (
    "tensor-ops", "autograd", "nn-modules", "training-loop", "optimizers", "loss-metrics", "data-loading", "deployment",
    "performance", "gpu-cuda", "custom-modules", "debugging", "serialization", "advanced-training", "transfer-learning",
)
DAY_US = 86_400_000_000


def _memory_json(rng: random.Random, state: int, now_us: int) -> str:
    """A review-log state of realistic length (the stats never parse it, but it sizes the rows)."""
    return json.dumps([state, None, round(rng.uniform(1, 300), 6), round(rng.uniform(1, 10), 6), now_us, now_us - DAY_US, 5, 0, False, False, None])


def _card_rows(rng: random.Random, deck_ids: list[int], now_us: int) -> list[tuple]:
    rows = []
    for i in range(CARDS):
        state = rng.choices((0, 1, 2, 3), weights=(20, 3, 74, 3))[0]
        tags = " " + " ".join(rng.sample(TOPICS, rng.randint(1, 3))) + " "
        stability = last = due = difficulty = None
        if state:
            stability = rng.uniform(0.5, 400)
            difficulty = rng.uniform(1, 10)
            last = now_us - int(rng.uniform(0, 120) * DAY_US)
            due = last + int((stability if state == 2 else 0.01) * DAY_US)
        rows.append((
            f"card-{i}", rng.choice(deck_ids), "bench.yaml", i, i, f"Question {i}?", f"Answer {i}.", "", tags, "medium", "",
            int(rng.random() < 0.01), int(rng.random() < 0.005), "h", state, None, stability, difficulty, due, last,
            rng.randint(1, 30) if state else 0, rng.randint(0, 3) if state else 0, int(rng.random() < 0.02), int(rng.random() < 0.01),
            now_us + DAY_US // 2 if rng.random() < 0.005 else None, now_us - HISTORY_DAYS * DAY_US,
        ))
    return rows


def _review_rows(rng: random.Random, now_us: int, studied: list[int]) -> list[tuple]:
    """Answers spread over the history, in time order as a real log is appended."""
    start = now_us - HISTORY_DAYS * DAY_US
    rows = []
    for at in sorted(rng.randint(start, now_us) for _ in range(REVIEWS)):
        state_before = rng.choices((0, 1, 2, 3), weights=(8, 12, 75, 5))[0]
        interval = None if state_before == 0 else rng.expovariate(1 / 30)
        rating = rng.choices((1, 2, 3, 4), weights=(12, 8, 70, 10))[0]
        rows.append((rng.choice(studied), rating, at, rng.randint(2_000, 30_000), state_before, interval,
                     _memory_json(rng, state_before, at), _memory_json(rng, 2, at)))
    return rows


def build(path: Path) -> None:
    """Create the synthetic collection: schema via open_store, rows via executemany in one transaction."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    open_store(tmp).close()
    rng = random.Random(8)
    now_us = to_us(datetime.now(timezone.utc))
    conn = sqlite3.connect(tmp, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO deck (id, name, description) VALUES (?, ?, '')", [(i, f"Bench::Deck {i:02d}") for i in range(1, DECKS + 1)] + [(DECKS + 1, "Bench")])
    conn.executemany(
        "INSERT INTO card (uid, deck_id, origin, line, position, front, back, extra, tags, difficulty, sources, draft, retired, "
        "content_hash, state, step, stability, fsrs_difficulty, due, last_review, reps, lapses, suspended, leech, buried_until, created_at) "
        "VALUES (" + ",".join("?" * 26) + ")",
        _card_rows(rng, list(range(1, DECKS + 1)), now_us),
    )
    studied = [row[0] for row in conn.execute("SELECT id FROM card WHERE state > 0")]
    conn.executemany(
        "INSERT INTO review (card_id, rating, reviewed_at, duration_ms, state_before, interval_before, before, after) VALUES (?,?,?,?,?,?,?,?)",
        _review_rows(rng, now_us, studied),
    )
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    tmp.replace(path)


def time_stats(path: Path, runs: int, extra: list[str]) -> tuple[list[float], dict]:
    """Wall time of ``srs stats --json`` as a subprocess, start-up included."""
    srs = ROOT / ".venv" / "bin" / "srs"
    command = [str(srs), "stats", "--json", "--db", str(path), *extra]
    times, output = [], ""
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=os.environ | {"SRS_DB": str(path)})
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            sys.exit(f"srs stats failed ({done.returncode}):\n{done.stderr}")
        output = done.stdout
    return times, json.loads(output)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached synthetic DB")
    parser.add_argument("--runs", type=int, default=3, help="timed runs (median reported)")
    args = parser.parse_args()
    if args.rebuild or not DB_PATH.exists():
        started = time.perf_counter()
        build(DB_PATH)
        print(f"built {DB_PATH.name}: {CARDS} cards, {REVIEWS} reviews in {time.perf_counter() - started:.1f} s")
    else:
        print(f"reusing {DB_PATH} (--rebuild to regenerate)")
    started = time.perf_counter()
    subprocess.run([str(ROOT / ".venv" / "bin" / "srs"), "--help"], capture_output=True, check=True)
    print(f"start-up alone (srs --help): {time.perf_counter() - started:.3f} s")
    for label, extra in (("srs stats --json", []), ("srs stats --json --deck 'Bench::Deck 01'", ["--deck", "Bench::Deck 01"])):
        times, figures = time_stats(DB_PATH, args.runs, extra)
        median = statistics.median(times)
        verdict = "OK" if median < TARGET_SECONDS else "OVER TARGET"
        print(f"{label}: median {median:.3f} s of {args.runs} ({', '.join(f'{t:.3f}' for t in times)}); target < {TARGET_SECONDS} s: {verdict}")
        if not extra:
            summary = {key: figures[key] for key in ("today", "cards", "memory")}
            summary["forecast"] = {k: figures["forecast"][k] for k in ("overdue", "next_7", "next_30")}
            summary["retention"] = figures["retention"]
            summary["streak"] = {k: figures["streak"][k] for k in ("current", "longest", "days_studied")}
            print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
