"""Time `srs export anki` on a 10k-card collection, next to genanki's own time for writing the same notes.

Two synthetic 10k-card decks are synced into a scratch DB:
  plain      short one-line fronts and backs (what genanki alone is usually timed with)
  realistic  the bundled cards' own texts (code spans, lists, fenced code, long extras), cycled to 10k
Prints the median of several runs of the full export (query + Markdown/Pygments rendering + package
write) and of genanki's Package.write_to_file for the already-rendered notes. Target: export < 0.5 s.

Run: .venv/bin/python bench/export.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import genanki
import yaml

from exporters.anki import build_package, export_anki
from srs.decks import bundled_decks_dir, sync_paths
from srs.storage import open_store
from srs.storage.card_store import deck_descriptions, list_cards
from srs.storage.review_store import Scope

CARDS = 10_000
DECKS = 20


def plain_cards() -> list[dict]:
    return [
        {"id": f"p-{i}", "front": f"What is fact number {i}?", "back": f"It is the answer to question {i}.",
         "tags": [f"topic{i % 15}"], "difficulty": ("easy", "medium", "hard")[i % 3]}
        for i in range(CARDS)
    ]


def bundled_texts() -> list[dict]:
    texts = []
    for path in sorted(bundled_decks_dir().rglob("*.yaml")):
        for card in yaml.safe_load(path.read_text(encoding="utf-8"))["cards"]:
            if card.get("front") and card.get("back") and not card.get("draft"):
                texts.append(card)
    return texts


def _as_list(value) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def realistic_cards() -> list[dict]:
    source = bundled_texts()
    cards = []
    for i in range(CARDS):
        card = source[i % len(source)]
        cards.append(
            {"id": f"r-{i}", "front": f"{card['front']} (#{i})", "back": card["back"], "extra": card.get("extra", ""),
             "tags": _as_list(card.get("tags")), "difficulty": card.get("difficulty"), "source": _as_list(card.get("source"))}
        )
    return cards


def write_decks(folder: Path, name: str, cards: list[dict]) -> None:
    per_deck = len(cards) // DECKS
    for d in range(DECKS):
        chunk = [{k: v for k, v in card.items() if v not in (None, "", [])} for card in cards[d * per_deck : (d + 1) * per_deck]]
        deck = {"deck": f"Bench::{name}::Part {d:02d}", "cards": chunk}
        (folder / f"{name}-{d:02d}.yaml").write_text(yaml.safe_dump(deck, allow_unicode=True, sort_keys=False), encoding="utf-8")


def median_time(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench(name: str, cards: list[dict], runs: int, work: Path) -> None:
    folder = work / name
    folder.mkdir()
    write_decks(folder, name, cards)
    store = open_store(work / f"{name}.db")
    sync_paths(store, [folder])
    out = work / f"{name}.apkg"
    export_s = median_time(lambda: export_anki(store, out), runs)

    with store.read() as conn:
        listed = list_cards(conn, Scope())
        descriptions = deck_descriptions(conn)
    query_s = median_time(lambda: _query(store), runs)
    render_s = median_time(lambda: build_package(listed, descriptions), runs)
    package, _ = build_package(listed, descriptions)
    # genanki's own writer leaves its temp DB behind: point it at a folder that is removed afterwards.
    with tempfile.TemporaryDirectory() as scratch:
        tempfile.tempdir = scratch
        try:
            genanki_s = median_time(lambda: package.write_to_file(str(work / f"{name}-genanki.apkg")), runs)
        finally:
            tempfile.tempdir = None
    store.close()
    print(
        f"{name:>9}: {len(listed)} notes  export {export_s:.3f} s  "
        f"(query {query_s:.3f} + render/build {render_s:.3f} + write)  |  genanki write_to_file {genanki_s:.3f} s  "
        f"|  apkg {out.stat().st_size / 1e6:.1f} MB  {'OK' if export_s < 0.5 else 'OVER'} 0.5 s"
    )


def _query(store) -> None:
    with store.read() as conn:
        list_cards(conn, Scope())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, genanki {genanki.__version__ if hasattr(genanki, '__version__') else '?'}, median of {args.runs} runs")
    with tempfile.TemporaryDirectory() as work:
        bench("plain", plain_cards(), args.runs, Path(work))
        bench("realistic", realistic_cards(), args.runs, Path(work))


if __name__ == "__main__":
    main()
