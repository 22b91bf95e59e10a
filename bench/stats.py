"""Benchmark: ``srs stats --json`` on 100k cards and 1M reviews, wall time with start-up, median of 3.

    .venv/bin/python bench/stats.py [--rebuild] [--runs 3] [--anki-runs 7]

The synthetic collection is cached in bench/out/ (gitignored) and reused while its recipe is
unchanged. The target from issue 8 is under 1.5 s.

Against Anki (issue 15): on the data bench/scheduler.py builds into both an srs store and an Anki
collection (100k cards, 1M review-log rows), a fresh `srs stats --json` process against a fresh
process that opens the same data with the `anki` package and computes its statistics screen's graphs
(the backend's `graphs`, every chart of Anki's Statistics window, whole collection, 365 days), then
closes it. Interleaved, medians of wall and CPU time, ratios printed. Aim: srs <= 1.0x Anki.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A user's installed srs runs from cached bytecode; an environment that forbids writing it (this sandbox sets
# PYTHONDONTWRITEBYTECODE) would have every fresh process compile srs's ~50 modules again (~0.1-0.3 s).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.path.insert(0, str(ROOT))

from srs.storage import open_store  # noqa: E402
from srs.storage.connection import PAGE_SIZE  # noqa: E402
from srs.storage.migrations import LATEST_VERSION  # noqa: E402
from srs.storage.timecodec import to_us  # noqa: E402

CARDS = 100_000
REVIEWS = 1_000_000
DECKS = 20
HISTORY_DAYS = 730
RECIPE = "r5"  # bump when the generator changes, so a stale cache is rebuilt
OUT = ROOT / "bench" / "out"
DB_PATH = OUT / f"stats-{CARDS // 1000}k-{REVIEWS // 1000}k-schema{LATEST_VERSION}-{RECIPE}-p{PAGE_SIZE}.db"
TARGET_SECONDS = 1.5
TOPICS = (
    "tensor-ops", "autograd", "nn-modules", "training-loop", "optimizers", "loss-metrics", "data-loading", "deployment",
    "performance", "gpu-cuda", "custom-modules", "debugging", "serialization", "advanced-training", "transfer-learning",
)
DAY_US = 86_400_000_000


ORIGIN = "/home/user/decks/pytorch/bench-generated-deck.yaml"
WORDS = "tensor shape grad module optimizer loss batch device export compile hook buffer state dict the a of to in".split()


def _text(rng: random.Random, head: str, length: int) -> str:
    """Filler of about ``length`` characters: the bundled decks average 90 / 180 / 360 for front / back / extra."""
    words = [head]
    while sum(len(w) + 1 for w in words) < length:
        words.append(rng.choice(WORDS))
    return " ".join(words)


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
            f"card-{i}", rng.choice(deck_ids), ORIGIN, i, i, _text(rng, f"Question {i}:", 90), _text(rng, f"Answer {i}:", 180),
            _text(rng, "Extra:", 360), tags, "medium", f"source-{i % 97:03d}.txt#{i}",
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
    rows = _card_rows(rng, list(range(1, DECKS + 1)), now_us)
    conn.executemany(
        "INSERT INTO card (uid, deck_id, origin, line, position, tags, difficulty, draft, retired, "
        "content_hash, state, step, stability, fsrs_difficulty, due, last_review, reps, lapses, suspended, leech, buried_until, created_at) "
        "VALUES (" + ",".join("?" * 22) + ")",
        (row[:5] + row[8:10] + row[11:] for row in rows),
    )
    # The text (front, back, extra, sources) by card id: ids were given in row order from 1.
    conn.executemany("INSERT INTO card_text (card_id, front, back, extra, sources) VALUES (?, ?, ?, ?, ?)",
                     ((i, *row[5:8], row[10]) for i, row in enumerate(rows, 1)))
    studied = [row[0] for row in conn.execute("SELECT id FROM card WHERE state > 0")]
    conn.executemany(
        "INSERT INTO review (card_id, rating, reviewed_at, duration_ms, state_before, interval_before, before, after) VALUES (?,?,?,?,?,?,?,?)",
        _review_rows(rng, now_us, studied),
    )
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    tmp.replace(path)


def timed(command: list[str], runs: int, env: dict[str, str] | None = None) -> tuple[list[float], list[float], str]:
    """Wall and CPU (user + sys) seconds of ``runs`` runs of a subprocess, after one untimed warm-up run.

    The warm-up fills the OS page cache and absorbs the once-a-day backup that opening a collection
    makes, so the runs time what a user sees on every later call.
    """
    warm = subprocess.run(command, capture_output=True, text=True, env=env)
    if warm.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({warm.returncode}):\n{warm.stderr}")
    walls, cpus, output = [], [], ""
    for _ in range(runs):
        wall, cpu, output = run_once(command, env)
        walls.append(wall)
        cpus.append(cpu)
    return walls, cpus, output


def run_once(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall and CPU (user + sys) seconds of one run of a subprocess, and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, done.stdout


def _summary(figures: dict) -> list[str]:
    """The headline figures, one line per section."""
    today, cards, forecast, streak, memory = (figures[k] for k in ("today", "cards", "forecast", "streak", "memory"))
    retention = ", ".join(
        f"{window} young {_pct(cells['young']['retention'])} mature {_pct(cells['mature']['retention'])}" for window, cells in figures["retention"].items()
    )
    weak = [topic["topic"] for topic in figures["topics"] if topic["weak"]]
    return [
        f"  today: {today['reviews']} answers, {today['cards']} cards, {today['new_seen']} new, {today['time_ms'] / 60000:.0f} min, again {_pct(today['again_rate'])}",
        "  cards: " + ", ".join(f"{key} {value}" for key, value in cards.items()),
        f"  forecast: overdue {forecast['overdue']}, next 7 days {forecast['next_7']}, next 30 days {forecast['next_30']}",
        f"  true retention: {retention}",
        f"  streak: current {streak['current']}, longest {streak['longest']}, studied {streak['days_studied']} of {len(streak['history'])} days",
        f"  topics: {len(figures['topics'])}, weak: {', '.join(weak) or 'none'}",
        f"  memory: {memory['cards']} cards, mean recall {_pct(memory['average_retrievability'])}, {memory['known_90']} at >= 90%",
    ]


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached synthetic DB")
    parser.add_argument("--runs", type=int, default=3, help="timed runs (median reported)")
    parser.add_argument("--anki-runs", type=int, default=7, help="fresh srs/Anki process pairs to time (median reported)")
    args = parser.parse_args()
    if args.rebuild or not DB_PATH.exists():
        started = time.perf_counter()
        build(DB_PATH)
        print(f"built {DB_PATH.name}: {CARDS} cards, {REVIEWS} reviews in {time.perf_counter() - started:.1f} s")
    else:
        print(f"reusing {DB_PATH} (--rebuild to regenerate)")
    srs = str(ROOT / ".venv" / "bin" / "srs")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    walls, cpus, _ = timed([srs, "--help"], args.runs)
    print(f"start-up alone (srs --help): median wall {statistics.median(walls):.3f} s, cpu {statistics.median(cpus):.3f} s")
    env = os.environ | {"SRS_DB": str(DB_PATH)}
    for label, extra in (("srs stats --json", []), ("srs stats --json --deck 'Bench::Deck 01' (5% of the cards)", ["--deck", "Bench::Deck 01"])):
        walls, cpus, output = timed([srs, "stats", "--json", *extra], args.runs, env)
        median = statistics.median(walls)
        verdict = "OK" if median < TARGET_SECONDS else "OVER TARGET"
        print(f"{label}: median wall {median:.3f} s of {args.runs} ({', '.join(f'{t:.3f}' for t in walls)}), "
              f"cpu {statistics.median(cpus):.3f} s; target < {TARGET_SECONDS} s wall: {verdict}")
        if not extra:
            print("\n".join(_summary(json.loads(output))))
    versus_anki(args.anki_runs)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


ANKI_GRAPHS = (
    "import sys\n"
    "from anki.collection import Collection\n"
    "col = Collection(sys.argv[1])\n"
    "col._backend.graphs(search='', days=365)  # what Anki's Statistics window computes\n"
    "col.close()"
)


def versus_anki(runs: int) -> None:
    """Fresh `srs stats --json` against a fresh Anki computing its graphs, on the same data, interleaved."""
    sys.path.insert(0, str(ROOT / "bench"))
    import scheduler  # the builder of the shared synthetic data (imports anki)

    pristine_srs, pristine_anki, _ = scheduler.pristine(rebuild=False)
    work_srs, work_anki = OUT / "stats-vs-anki.db", OUT / "stats-vs-anki.anki2"
    for source, target in ((pristine_srs, work_srs), (pristine_anki, work_anki)):
        scheduler.remove_files(target)
        shutil.copyfile(source, target)
    python, srs = str(ROOT / ".venv" / "bin" / "python"), str(ROOT / ".venv" / "bin" / "srs")
    commands = {
        "srs stats --json": ([srs, "stats", "--json"], os.environ | {"SRS_DB": str(work_srs)}),
        "Anki: open + graphs + close": ([python, "-c", ANKI_GRAPHS, str(work_anki)], None),
    }
    try:
        samples = {name: ([], []) for name in commands}
        for _ in range(runs + 1):  # the first round warms up (page cache, the daily backup) and is dropped
            for name, (command, env) in commands.items():
                wall, cpu, _ = run_once(command, env)
                samples[name][0].append(wall)
                samples[name][1].append(cpu)
    finally:
        scheduler.remove_files(work_srs)
        scheduler.remove_files(work_anki)
    (ours_wall, ours_cpu), (anki_wall, anki_cpu) = (
        (statistics.median(w[1:]), statistics.median(c[1:])) for w, c in samples.values()
    )
    print(f"against Anki on the same {scheduler.CARDS:,} cards / {scheduler.REVIEW_ROWS:,} reviews, fresh processes, "
          f"medians of {runs} interleaved (load average {os.getloadavg()[0]:.1f}):")
    print(f"  {'':32}{'srs':>9}{'Anki':>9}{'ratio':>7}")
    print(f"  {'wall (s)':32}{ours_wall:9.3f}{anki_wall:9.3f}{ours_wall / anki_wall:7.2f}  aim <= 1.0: "
          f"{'met' if ours_wall <= anki_wall else 'MISSED'}")
    print(f"  {'CPU, user + sys (s)':32}{ours_cpu:9.3f}{anki_cpu:9.3f}{ours_cpu / anki_cpu:7.2f}")

if __name__ == "__main__":
    main()
