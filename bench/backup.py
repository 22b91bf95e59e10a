"""Benchmark: what a trustworthy backup costs on 100k cards and 1M reviews, against the bare copy it replaced.

    .venv/bin/python bench/backup.py [--runs 3]

Times (median, wall and CPU of this process) a bare copy with SQLite's backup API (what srs did before backups
were verified), ``make_backup`` (copy, integrity_check, schema check, fsync, rename), the verification alone,
and the review-table rebuild of the AUTOINCREMENT migration on a copy. Reuses bench/stats.py's cached collection.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.stats import CARDS, DB_PATH, REVIEWS, build  # noqa: E402
from srs.storage.backup import backup_dir, collection_problem, make_backup  # noqa: E402
from srs.storage.migrations import _review_ids_never_reused  # noqa: E402


def timed(action: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``action``."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def bare_copy(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dest = sqlite3.connect(target)
    src.backup(dest)
    dest.close()
    src.close()
    target.unlink()


def rebuild_reviews(source: Path, scratch: Path) -> tuple[float, float]:
    """Seconds to run the AUTOINCREMENT step on a copy (once: it only ever runs once per collection)."""
    copy = scratch / "migrate.db"
    shutil.copy(source, copy)
    conn = sqlite3.connect(copy, isolation_level=None)
    _as_before_the_migration(conn)
    started, cpu = time.perf_counter(), time.process_time()
    conn.execute("BEGIN IMMEDIATE")
    _review_ids_never_reused(conn)
    conn.execute("COMMIT")
    took = time.perf_counter() - started, time.process_time() - cpu
    conn.close()
    return took


def _as_before_the_migration(conn: sqlite3.Connection) -> None:
    """Rebuild the review table without AUTOINCREMENT (untimed), as a collection from before the step has it."""
    table_sql = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'review'").fetchone()[0]
    index_sql = [row[0] for row in conn.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'review' AND sql IS NOT NULL")]
    plain = re.sub(r'^CREATE TABLE\s+"?review"?', "CREATE TABLE review_plain", table_sql.replace("AUTOINCREMENT", ""), count=1)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(plain)
    conn.execute("INSERT INTO review_plain SELECT * FROM review")
    conn.execute("DROP TABLE review")
    conn.execute("ALTER TABLE review_plain RENAME TO review")
    for sql in index_sql:
        conn.execute(sql)
    conn.execute("COMMIT")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="timed runs (median reported)")
    args = parser.parse_args()
    if not DB_PATH.exists():
        build(DB_PATH)
    print(f"collection: {CARDS} cards, {REVIEWS} reviews, {DB_PATH.stat().st_size / 2**20:.0f} MiB ({DB_PATH.name})")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(dir=DB_PATH.parent) as folder:
        scratch = Path(folder)
        db = scratch / "srs.db"
        shutil.copy(DB_PATH, db)
        bare = timed(lambda: bare_copy(db, scratch / "bare.db"), args.runs)
        verified = timed(lambda: make_backup(db, "bench", keep=1), args.runs)
        copy = next(backup_dir(db).iterdir())
        check = timed(lambda: collection_problem(copy, check="quick"), args.runs)
        full = timed(lambda: collection_problem(copy, check="integrity"), 1)
        print(f"bare copy (backup API):              wall {bare[0]:.3f} s, cpu {bare[1]:.3f} s")
        print(f"make_backup (copy+verify+fsync):     wall {verified[0]:.3f} s, cpu {verified[1]:.3f} s "
              f"= {verified[0] / bare[0]:.1f}x wall, {verified[1] / bare[1]:.1f}x cpu of the bare copy")
        print(f"  of which verification (quick_check): wall {check[0]:.3f} s, cpu {check[1]:.3f} s")
        print(f"full integrity_check (restore's):    wall {full[0]:.3f} s, cpu {full[1]:.3f} s (1 run)")
        wall, cpu = rebuild_reviews(db, scratch)
        print(f"AUTOINCREMENT migration (once):      wall {wall:.3f} s, cpu {cpu:.3f} s")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
