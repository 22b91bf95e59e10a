"""Time `srs import anki` on a generated package of 10k notes and 100k reviews, against Anki's own import.

The package is made once with the official `anki` package (cached in bench/out/): 10k Basic notes in 10
decks, their fields with some simple HTML, and 10 answers per card over two years, written as revlog
rows; exported as a latest-format .apkg with scheduling. Each run imports it into a fresh srs
collection (deck files, sync, every card's history replayed through srs's FSRS) and, in the same run,
into a fresh Anki collection with "import any learning progress" (Anki's import_anki_package). Prints
wall and CPU seconds of each (median of --runs) and srs/Anki as ratios; CPU is steadier when other
work shares the machine, and counts srs's forked worker too (children's rusage). Then the replay alone:
every answer of the package through ``scheduling.replay`` (numbers, one loop per card, as the import
does), ``scheduling.review`` (the kernel) and the py-fsrs path it replaced (``_review_fsrs``).

Run: .venv/bin/python bench/import.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

os.environ.setdefault("TZ", "UTC")
time.tzset()

from anki.collection import Collection, ExportAnkiPackageOptions, ImportAnkiPackageOptions, ImportAnkiPackageRequest  # noqa: E402

from srs.importers.anki import forked  # noqa: E402
from srs.importers.anki.importer import import_anki  # noqa: E402
from srs import scheduling  # noqa: E402
from srs.model import MemoryState, Rating, State  # noqa: E402
from srs.storage import open_store  # noqa: E402

NOTES = 10_000
REVIEWS_PER_CARD = 10
OUT = Path(__file__).resolve().parent / "out"
PACKAGE = OUT / f"import-{NOTES}-notes.apkg"
START = datetime.now(timezone.utc) - timedelta(days=800)


def _revlog(rng: random.Random, card_id: int, serial: int) -> list[tuple]:
    state, rows, moment = MemoryState(), [], START + timedelta(minutes=serial % 1440, milliseconds=serial % 1000)
    for _ in range(REVIEWS_PER_CARD):
        rating = Rating(rng.choices([1, 2, 3, 4], [10, 10, 70, 10])[0])
        after = scheduling.review(state, rating, moment, 1)
        kind = {State.NEW: 0, State.LEARNING: 0, State.REVIEW: 1, State.RELEARNING: 2}[state.state]
        ivl = max(1, (after.due - moment).days) if after.state == State.REVIEW else -round((after.due - moment).total_seconds())
        rows.append((int(moment.timestamp() * 1000), card_id, rating, ivl, 0, 0 if kind == 0 else 2500, 5000, kind))
        state = after
        moment += min(after.due - moment, timedelta(days=60)) + timedelta(hours=rng.randint(0, 30))  # 10 answers stay in the past
    return rows


def build_package() -> Path:
    """The cached package, made with the anki package."""
    if PACKAGE.exists():
        return PACKAGE
    OUT.mkdir(exist_ok=True)
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as folder:
        col = Collection(str(Path(folder) / "collection.anki2"))
        basic = col.models.by_name("Basic")
        decks = [col.decks.id(f"Bench::Deck {i}") for i in range(10)]
        revlog = []
        for i in range(NOTES):
            note = col.new_note(basic)
            note["Front"] = f"What does <b>operation {i}</b> return?"
            note["Back"] = f"<div>A tensor of shape <code>({i}, {i % 7})</code>.</div><div>See note {i}.</div>"
            col.add_note(note, decks[i % 10])
            revlog += _revlog(rng, note.card_ids()[0], i)
        taken: set[int] = set()
        for index, row in enumerate(revlog):  # revlog ids are unique across cards
            revlog_id = row[0]
            while revlog_id in taken:
                revlog_id += 1
            taken.add(revlog_id)
            revlog[index] = (revlog_id, *row[1:])
        col.db.executemany("INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) VALUES (?, ?, -1, ?, ?, 0, ?, ?, ?)",
                           [(r[0], r[1], r[2], r[3], r[5], r[6], r[7]) for r in revlog])
        options = ExportAnkiPackageOptions(with_scheduling=True, with_media=True, legacy=False, with_deck_configs=True)
        col.export_anki_package(out_path=str(PACKAGE), options=options, limit=None)
        col.close()
    return PACKAGE


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(run) -> tuple[float, float, bool]:
    """Wall and CPU seconds of ``run()`` (the CPU of the worker processes it forked and waited for included), and whether it forked any."""
    wall, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    run()
    forked_cpu = _children_cpu() - children
    return time.perf_counter() - wall, time.process_time() - cpu + forked_cpu, forked_cpu > 0


def srs_once(package: Path, one_process: bool = False, again: bool = False) -> tuple[float, float, bool]:
    """Wall and CPU seconds of an import into a fresh collection; ``one_process``: without the forked worker;
    ``again``: of a second import of the package (nothing new: every card and answer is already there)."""
    folder = Path(tempfile.mkdtemp())
    cores = forked.usable_cores
    forked.usable_cores = (lambda: 1) if one_process else cores
    try:
        store = open_store(folder / "srs.db")
        try:
            if again:
                import_anki(store, package, folder / "decks")
            return timed(lambda: import_anki(store, package, folder / "decks"))
        finally:
            store.close()
    finally:
        forked.usable_cores = cores
        shutil.rmtree(folder)


def anki_once(package: Path, again: bool = False) -> tuple[float, float, bool]:
    """Wall and CPU seconds of Anki's import into a fresh collection; ``again``: of a second import of the package."""
    folder = Path(tempfile.mkdtemp())
    try:
        col = Collection(str(folder / "collection.anki2"))
        try:
            request = ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions(with_scheduling=True))
            if again:
                col.import_anki_package(request)
            return timed(lambda: col.import_anki_package(request))
        finally:
            col.close()
    finally:
        shutil.rmtree(folder)


def _answers(package: Path) -> list[tuple[int, Rating, datetime]]:
    """(Anki card id, rating, time) of every graded answer of the package, by card and time."""
    from srs.importers.anki.collection import read_collection
    from srs.importers.anki.package import open_package
    from srs.storage.timecodec import from_us

    with open_package(package) as opened:
        revlog = read_collection(opened.db, opened.schema, package).revlog
    revlog = sorted(revlog, key=lambda entry: entry.card_id)  # by card, each card's answers in time order (a stable sort)
    return [(entry.card_id, Rating(entry.ease), from_us(entry.id * 1000)) for entry in revlog if 1 <= entry.ease <= 4]


def replay_once(answers: list[tuple[int, Rating, datetime]], path) -> float:
    """CPU seconds to replay every card's answers of the package through ``path`` (the kernel, or the py-fsrs one)."""
    from srs.clock import local_zone

    settings, zone = scheduling.Settings(), local_zone()
    cpu = time.process_time()
    state, card = MemoryState(), None
    for card_id, rating, moment in answers:
        if card_id != card:
            state, card = MemoryState(), card_id
        state = path(state, rating, scheduling.review_time(state, moment), card_id, settings, zone)
    return time.process_time() - cpu


def replay_numbers_once(answers: list[tuple[int, Rating, datetime]]) -> float:
    """CPU seconds to replay every card's answers through ``scheduling.replay``, times as microseconds, as the import does."""
    from srs.clock import local_zone
    from srs.storage.timecodec import to_us

    by_card: dict[int, list[tuple[int, int]]] = {}
    for card_id, rating, moment in answers:
        by_card.setdefault(card_id, []).append((to_us(moment), int(rating)))
    settings, zone = scheduling.Settings(), local_zone()
    cpu = time.process_time()
    for card_id, card_answers in by_card.items():
        scheduling.replay(card_answers, card_id, settings, zone)
    return time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    started = time.perf_counter()
    package = build_package()
    print(f"package: {package} ({package.stat().st_size / 1e6:.1f} MB, {NOTES} notes, {NOTES * REVIEWS_PER_CARD} reviews; ready in {time.perf_counter() - started:.1f} s)")
    ours, serial, theirs = [], [], []
    for _ in range(runs):
        ours.append(srs_once(package))
        serial.append(srs_once(package, one_process=True))
        theirs.append(anki_once(package))
    srs_wall, srs_cpu = (statistics.median(x[i] for x in ours) for i in (0, 1))
    serial_wall, serial_cpu = (statistics.median(x[i] for x in serial) for i in (0, 1))
    anki_wall, anki_cpu = (statistics.median(x[i] for x in theirs) for i in (0, 1))
    print(f"load average    : {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {forked.usable_cores()} cores (other work slows everything, and the worker's half most)")
    print(f"srs import anki : {srs_wall:.2f} s wall, {srs_cpu:.2f} s CPU incl. its forked worker (median of {runs}; "
          f"the worker forked in {sum(x[2] for x in ours)} of {runs} runs: only with a core spare)")
    print(f"  one process   : {serial_wall:.2f} s wall, {serial_cpu:.2f} s CPU (no worker forked)")
    print(f"Anki's import   : {anki_wall:.2f} s wall, {anki_cpu:.2f} s CPU")
    print(f"ratio srs/Anki  : {srs_wall / anki_wall:.2f}x wall, {srs_cpu / anki_cpu:.2f}x CPU; one process {serial_wall / anki_wall:.2f}x wall, "
          f"{serial_cpu / anki_cpu:.2f}x CPU (target <= 2x)")
    ours_again = statistics.median(srs_once(package, one_process=True, again=True)[1] for _ in range(runs))
    theirs_again = statistics.median(anki_once(package, again=True)[1] for _ in range(runs))
    print(f"second import   : {ours_again:.2f} s CPU (one process) against Anki's {theirs_again:.2f} s: {ours_again / theirs_again:.2f}x "
          "(the same package again: nothing new)")
    answers = _answers(package)
    numbers = statistics.median(replay_numbers_once(answers) for _ in range(runs))
    kernel = statistics.median(replay_once(answers, scheduling.review) for _ in range(runs))
    reference = statistics.median(replay_once(answers, scheduling._review_fsrs) for _ in range(runs))
    print(f"replay alone    : {numbers:.2f} s CPU through scheduling.replay (numbers), {kernel:.2f} s through scheduling.review "
          f"(kernel), {reference:.2f} s through py-fsrs (scheduling._review_fsrs); same states")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
