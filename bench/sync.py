"""Sync speed against Anki: first sync of a generated 10k-card deck file, and unchanged re-sync.

In one run, for the same 10k notes (front, back with a code block, extra, source, three tags):
- srs: first `sync_paths` of the YAML file into a fresh collection (in-process, the YAML parsers
  already imported, as Anki's backend is already loaded);
- Anki: importing the same notes from a CSV file into a fresh collection (``get_csv_metadata`` +
  ``import_csv``, a note type with the same four fields made before timing);
- srs: unchanged re-sync, in-process (``sync_paths`` again on the open store) and as a fresh process
  (``python -m srs sync FILE --db DB``: interpreter start, imports, open, sync, exit).

Prints wall and CPU medians and srs/Anki as ratios. CPU is the figure to compare when other work
shares the machine (Anki's import also waits on fsync more than srs does). Aims (issue #20): first
sync <= 1.5x Anki's CSV import; unchanged re-sync <= 30 ms in-process.

Run: .venv/bin/python bench/sync.py [--runs N] [--cards N]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from srs.decks import sync_paths  # noqa: E402
from srs.decks.files import STAT_SETTLE_NS  # noqa: E402
from srs.storage import open_store  # noqa: E402

CARDS = 10_000


def note(i: int) -> dict[str, str]:
    return {
        "id": f"bench-{i:05d}",
        "front": f"What is the result of operation number {i} on a tensor of shape [{i % 7}, {i % 5}]?",
        "back": f"A tensor of shape `[{i % 7}, {i % 5}]` (case {i}).\n```python\nx = torch.zeros({i % 7}, {i % 5})\n```",
        "extra": f"Generated card {i} with some extra explanation text.",
        "source": f"bench.txt#{i}",
    }


def deck_text(n: int) -> str:
    lines = ["deck: Bench::Sync", "description: generated", "cards:"]
    for i in range(n):
        card = note(i)
        lines += [
            f"  - id: {card['id']}",
            f"    front: {card['front']}",
            "    back: |-",
            *("      " + line for line in card["back"].split("\n")),
            f"    extra: {card['extra']}",
            "    tags: [tensor-ops, bench]",
            "    difficulty: easy",
            f"    source: {card['source']}",
        ]
    return "\n".join(lines) + "\n"


def csv_text(n: int) -> str:
    """The same notes as Anki's CSV import reads them (tags: srs's tags plus the difficulty)."""
    out = io.StringIO()
    out.write("#separator:Comma\n#html:false\n#notetype:SrsBench\n#deck:Bench::Sync\n#tags column:5\n")
    writer = csv.writer(out)
    for i in range(n):
        card = note(i)
        writer.writerow([card["front"], card["back"], card["extra"], card["source"], "tensor-ops bench easy"])
    return out.getvalue()


def timed(run) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def srs_round(folder: Path, text: str, resyncs: int) -> tuple[tuple[float, float], list[tuple[float, float]], list[tuple[float, float]]]:
    deck = folder / "deck.yaml"
    deck.write_text(text)
    time.sleep(STAT_SETTLE_NS / 1e9 + 0.1)  # a file edited some seconds before the sync, as deck files are
    db = folder / "srs.db"
    store = open_store(db)
    try:
        first = timed(lambda: sync_paths(store, [deck]))
        again = [timed(lambda: sync_paths(store, [deck])) for _ in range(resyncs)]
    finally:
        store.close()
    fresh = [_fresh_process_sync(deck, db) for _ in range(resyncs)]
    return first, again, fresh


def _fresh_process_sync(deck: Path, db: Path) -> tuple[float, float]:
    """Wall and CPU (children's user+sys) of `python -m srs sync FILE --db DB` as a new process."""
    before = os.times()
    wall = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "srs", "sync", str(deck), "--db", str(db)], capture_output=True, text=True)
    wall = time.perf_counter() - wall
    after = os.times()
    if result.returncode != 0 or "no change" not in result.stdout:
        raise SystemExit(f"re-sync as a process failed: {result.stdout}{result.stderr}")
    return wall, (after.children_user - before.children_user) + (after.children_system - before.children_system)


def anki_round(folder: Path, text: str, notes: int) -> tuple[float, float]:
    from anki.collection import Collection, ImportCsvRequest

    path = folder / "notes.csv"
    path.write_text(text)
    col = Collection(str(folder / "collection.anki2"))
    try:
        models = col.models
        notetype = models.new("SrsBench")
        for name in ("Front", "Back", "Extra", "Source"):
            models.add_field(notetype, models.new_field(name))
        template = models.new_template("Card 1")
        template["qfmt"], template["afmt"] = "{{Front}}", "{{FrontSide}}<hr id=answer>{{Back}}<br>{{Extra}}"
        models.add_template(notetype, template)
        models.add(notetype)
        col.decks.id("Bench::Sync")

        def run() -> None:
            metadata = col.get_csv_metadata(str(path), None)
            result = col.import_csv(ImportCsvRequest(path=str(path), metadata=metadata))
            if len(result.log.new) != notes:
                raise SystemExit(f"Anki imported {len(result.log.new)} notes")

        return timed(run)
    finally:
        col.close()


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cards", type=int, default=CARDS)
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    text, notes = deck_text(args.cards), csv_text(args.cards)
    # The parsers are imported before timing (~50-70 ms, once per process), as Anki's backend is loaded
    # before its import is timed; the re-sync as a process below includes every import.
    import srs.decks.fastload  # noqa: F401

    firsts, anki, again, fresh = [], [], [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            first, in_process, as_process = srs_round(Path(tmp), text, resyncs=5)
            firsts.append(first)
            again += in_process
            fresh += as_process
        with tempfile.TemporaryDirectory() as tmp:
            anki.append(anki_round(Path(tmp), notes, args.cards))
    srs_wall, srs_cpu = ([x[i] for x in firsts] for i in (0, 1))
    anki_wall, anki_cpu = ([x[i] for x in anki] for i in (0, 1))
    print(f"deck: {args.cards} cards, {len(text.encode()) // 1024} KiB YAML; load: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"first sync, srs          : {_ms(srs_wall)} wall, {_ms(srs_cpu)} CPU  (median of {args.runs}; CPU runs: {', '.join(f'{t * 1000:.0f}' for t in srs_cpu)})")
    print(f"Anki CSV import, same    : {_ms(anki_wall)} wall, {_ms(anki_cpu)} CPU  (CPU runs: {', '.join(f'{t * 1000:.0f}' for t in anki_cpu)})")
    print(f"ratio srs/Anki           : {statistics.median(srs_wall) / statistics.median(anki_wall):.2f}x wall, "
          f"{statistics.median(srs_cpu) / statistics.median(anki_cpu):.2f}x CPU  (aim <= 1.5x)")
    print(f"unchanged re-sync        : {_ms([x[0] for x in again])} wall, {_ms([x[1] for x in again])} CPU  in-process (aim <= 30 ms)")
    print(f"unchanged re-sync process: {_ms([x[0] for x in fresh])} wall, {_ms([x[1] for x in fresh])} CPU  fresh `python -m srs sync FILE` (start-up included)")


if __name__ == "__main__":
    main()
