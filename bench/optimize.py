"""Benchmark: fitting FSRS parameters to 100k reviews, against fsrs-rs-python called directly.

    .venv/bin/python bench/optimize.py [--rebuild] [--runs 7]

The history is synthetic but realistic: simulated people, each with their own FSRS memory model,
answer cards when our scheduler shows them (``simulated_users`` in tests/test_optimize.py). It is
cached in bench/out/ (gitignored) and reused while its recipe is unchanged.

Timed, in the same process and interleaved: "srs" is the whole fit as ``srs optimize`` does it (read
the review log from SQLite, build the FSRS items, fit); the reference is
``fsrs_rs_python.FSRS.compute_parameters`` alone on the same items, already built. The aim from
issue 11 is within 1.5x of the reference.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import fsrs_rs_python as fsrs_rs  # noqa: E402

from srs import optimize as opt  # noqa: E402
from srs.storage import open_store  # noqa: E402
from srs.storage.migrations import LATEST_VERSION  # noqa: E402
from tests.test_optimize import simulated_users  # noqa: E402

REVIEWS = 100_000
USERS, CARDS_PER_USER, NEW_PER_DAY, DAYS = 10, 1500, 12, 365
RECIPE = "r1"  # bump when the generator changes, so a stale cache is rebuilt
DB_PATH = ROOT / "bench" / "out" / f"optimize-{REVIEWS // 1000}k-schema{LATEST_VERSION}-{RECIPE}.db"
TARGET_RATIO = 1.5
ZONE = timezone.utc


def build(path: Path) -> int:
    """Write the synthetic history; returns the number of reviews."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    store = open_store(tmp)
    try:
        with tempfile.TemporaryDirectory() as decks:
            written = simulated_users(store, Path(decks), users=USERS, cards=CARDS_PER_USER, new_per_day=NEW_PER_DAY, days=DAYS,
                                      seed=2026, max_reviews=REVIEWS)
    finally:
        store.close()
    conn = sqlite3.connect(tmp)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()  # the last connection: SQLite folds the WAL into the file and removes it
    tmp.replace(path)
    return written


def fit_like_srs(store) -> tuple[tuple[float, ...], int]:
    """What ``srs optimize`` does before evaluating: log -> items -> fit."""
    training = opt.load_training_set(store, zone=ZONE)
    items = opt.to_fsrs_items(training)
    return opt.fit(items, 1), len(items)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached synthetic history")
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each side (best and median reported)")
    args = parser.parse_args()
    if args.rebuild or not DB_PATH.exists():
        started = time.perf_counter()
        written = build(DB_PATH)
        print(f"built {DB_PATH.name}: {written:,} reviews in {time.perf_counter() - started:.1f} s")
    else:
        print(f"reusing {DB_PATH} (--rebuild to regenerate)")
    store = open_store(DB_PATH)
    training = opt.load_training_set(store, zone=ZONE)
    items = opt.to_fsrs_items(training)
    print(f"history: {training.reviews:,} reviews, {training.cards:,} cards, {len(items):,} FSRS items "
          f"({sum(len(item) for item in training.items):,} reviews across all item histories)")

    ours, reference, prep = [], [], []  # (wall, CPU) seconds
    fitted = expected = None
    for _ in range(args.runs):
        wall, cpu = time.perf_counter(), time.process_time()
        expected = fsrs_rs.FSRS(list(fsrs_rs.DEFAULT_PARAMETERS)).compute_parameters(items, num_relearning_steps=1)
        reference.append((time.perf_counter() - wall, time.process_time() - cpu))
        wall, cpu = time.perf_counter(), time.process_time()
        fitted, _count = fit_like_srs(store)
        ours.append((time.perf_counter() - wall, time.process_time() - cpu))
        wall, cpu = time.perf_counter(), time.process_time()
        opt.to_fsrs_items(opt.load_training_set(store, zone=ZONE))
        prep.append((time.perf_counter() - wall, time.process_time() - cpu))

    def show(label: str, runs: list[tuple[float, float]]) -> None:
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        print(f"{label:<44} wall best {min(walls):.3f} s, median {statistics.median(walls):.3f} s; CPU best {min(cpus):.3f} s")

    show("fsrs-rs-python compute_parameters alone:", reference)
    show("srs fit (SQLite log -> items -> fit):", ours)
    show("  of which log -> items:", prep)
    # Other work on the machine only adds wall time, so the best of N is the cleanest wall figure; the fit
    # runs on one thread, so CPU time is what an idle machine's wall time would be.
    ratios = {
        "wall best/best": min(w for w, _ in ours) / min(w for w, _ in reference),
        "wall median/median": statistics.median(w for w, _ in ours) / statistics.median(w for w, _ in reference),
        "CPU best/best": min(c for _, c in ours) / min(c for _, c in reference),
    }
    print("ratio " + ", ".join(f"{name} {value:.2f}x" for name, value in ratios.items())
          + f"; aim within {TARGET_RATIO}x (CPU): {'OK' if ratios['CPU best/best'] <= TARGET_RATIO else 'OVER TARGET'}")
    print(f"same parameters as the reference: {list(fitted) == list(expected)}; "
          f"load average {', '.join(f'{v:.2f}' for v in os.getloadavg())} on {os.cpu_count()} CPUs")

    built = opt.to_fsrs_items(opt.load_training_set(store, zone=ZONE))
    started = time.perf_counter()
    opt.evaluate(fitted, built)
    evaluation = time.perf_counter() - started
    started = time.perf_counter()
    result = opt.optimize(store, zone=ZONE, save=False)
    whole = time.perf_counter() - started
    print(f"one evaluation {evaluation:.3f} s; whole optimize without saving (fit + 2 evaluations) {whole:.3f} s")
    print(f"log loss default {result.default_eval.log_loss:.4f} -> fitted {result.fitted_eval.log_loss:.4f}; "
          f"RMSE(bins) {result.default_eval.rmse_bins:.2%} -> {result.fitted_eval.rmse_bins:.2%}")
    store.close()


if __name__ == "__main__":
    main()
