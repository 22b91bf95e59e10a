"""Time `srs export anki` on a 10k-card collection, next to genanki's own time for writing the same notes.

Three synthetic 10k-card decks are synced into a scratch DB:
  plain      short one-line fronts and backs, tags and difficulty
  realistic  the bundled cards' own texts (code spans, lists, fenced code, long extras), cycled to 10k
             (fronts are unique, but backs and extras repeat: the export renders each distinct text once)
  unique     the realistic texts made unique per card: every back, extra and fenced code block too,
             so a cold export really renders all 10k cards' texts
Prints the median of several runs of the full export (query + Markdown/Pygments rendering + package
write), cold (render cache emptied before each run) and warm (cache filled by the previous run), the
CPU time of each part of a warm export, and genanki's own Package.write_to_file for the same rendered
notes (the reference the target was set against; the ratio to it is steadier than seconds when other
work shares the machine). Target: export < 0.5 s.

Run: .venv/bin/python bench/export.py [--runs N]
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import genanki
import yaml

from srs.exporters.anki import export_anki
from srs.exporters.anki.apkg import NoteRow, collection_bytes, write_apkg
from srs.exporters.anki.export import make_decks, note_rows
from srs.exporters.anki.notetype import make_model
from srs.exporters.anki.render_cache import card_texts, render_with_cache
from srs.clock import utc_now
from srs.decks import bundled_decks_dir, sync_paths
from srs.model import Scope
from srs.storage import open_store
from srs.storage.card_store import deck_descriptions, list_cards
from srs.storage.render_store import clear_render_cache

CARDS = 10_000
DECKS = 20
TARGET_S = 0.5


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


_FENCE_OPEN = re.compile(r"(?m)^([ \t]*)(```[^`\n]*\n)")


def _unique(text: str, i: int) -> str:
    """``text`` made unique to card ``i``: a line inside every fenced block and a closing paragraph."""
    if not text:
        return text
    text = _FENCE_OPEN.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(1)}card_{i} = {i}\n", text)
    return f"{text}\n\n(card {i})"


def unique_cards() -> list[dict]:
    return [dict(card, back=_unique(card["back"], i), extra=_unique(card["extra"], i)) for i, card in enumerate(realistic_cards())]


def write_decks(folder: Path, name: str, cards: list[dict]) -> None:
    per_deck = len(cards) // DECKS
    for d in range(DECKS):
        chunk = [{k: v for k, v in card.items() if v not in (None, "", [])} for card in cards[d * per_deck : (d + 1) * per_deck]]
        deck = {"deck": f"Bench::{name}::Part {d:02d}", "cards": chunk}
        (folder / f"{name}-{d:02d}.yaml").write_text(yaml.safe_dump(deck, allow_unicode=True, sort_keys=False), encoding="utf-8")


def median_time(action, runs: int, setup=None) -> tuple[float, float]:
    """Median wall-clock and median CPU seconds of ``runs`` calls (CPU time is steadier on a busy machine).

    ``setup`` runs before each call, untimed.
    """
    wall, cpu = [], []
    for _ in range(runs):
        if setup is not None:
            setup()
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        action()
        wall.append(time.perf_counter() - start_wall)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def bench(name: str, cards: list[dict], runs: int, work: Path) -> None:
    folder = work / name
    folder.mkdir()
    write_decks(folder, name, cards)
    store = open_store(work / f"{name}.db")
    sync_paths(store, [folder])
    out = work / f"{name}.apkg"
    results = []
    cold_wall, cold_cpu = median_time(lambda: results.append(export_anki(store, out)), runs, setup=lambda: _clear(store))
    assert all(result.reused == 0 for result in results), "a cold run found cached HTML"
    cold_rendered = results[-1].rendered
    results.clear()  # the warm runs' results follow
    export_wall, export_cpu = median_time(lambda: results.append(export_anki(store, out)), runs)
    assert all(result.rendered == 0 for result in results), "a warm run rendered"

    # The parts of a warm export, one at a time, with the cyclic GC paused as export_anki pauses it.
    now = utc_now()
    with store.read() as conn:
        listed = list_cards(conn, Scope())
        descriptions = deck_descriptions(conn)
    fields = sum(1 for card in listed for text in (card.front, card.back, card.extra) if text)
    texts = card_texts(listed)
    fences = {block for text in texts for block in re.findall(r"```.*?```", text, re.DOTALL)}
    rendered = render_with_cache(store, texts, now)
    decks = make_decks({card.deck for card in listed}, descriptions)
    deck_ids = {deck.name: deck.deck_id for deck in decks}
    rows = note_rows(listed, rendered.html, deck_ids, rendered.since)
    collection = collection_bytes(make_model(), decks, rows, now.timestamp(), rendered.since.timestamp())
    parts = {
        "query": lambda: _query(store),
        "render (cache)": lambda: render_with_cache(store, texts, now),
        "note rows": lambda: note_rows(listed, rendered.html, deck_ids, rendered.since),
        "collection": lambda: collection_bytes(make_model(), decks, rows, now.timestamp(), rendered.since.timestamp()),
        "zip + write": lambda: write_apkg(work / f"{name}-part.apkg", collection),
    }
    split = {part: median_time(lambda action=action: _without_gc(action), runs)[1] for part, action in parts.items()}

    package = _genanki_package(rows, decks)
    # genanki's own writer leaves its temp DB behind: point it at a folder that is removed afterwards.
    with tempfile.TemporaryDirectory() as scratch:
        tempfile.tempdir = scratch
        try:
            genanki_wall, genanki_cpu = median_time(lambda: package.write_to_file(str(work / f"{name}-genanki.apkg")), runs)
        finally:
            tempfile.tempdir = None
    store.close()
    cold_verdict = "under" if cold_wall < TARGET_S else "OVER"
    verdict = "under" if export_wall < TARGET_S else "OVER"
    print(
        f"{name:>9}: {len(listed)} notes, apkg {out.stat().st_size / 1e6:.1f} MB; {fields} non-empty fields, "
        f"{len(texts)} distinct texts ({cold_rendered} rendered cold by markdown-it, {results[-1].fast} plain by the fast path), {len(fences)} distinct fenced blocks\n"
        f"           export, cold cache   {cold_wall:.3f} s wall  {cold_cpu:.3f} s cpu   ({cold_verdict} the {TARGET_S} s target; {cold_cpu / genanki_cpu:.2f}x genanki's cpu)\n"
        f"           export, warm cache   {export_wall:.3f} s wall  {export_cpu:.3f} s cpu   ({verdict} the {TARGET_S} s target; {export_cpu / genanki_cpu:.2f}x genanki's cpu)\n"
        f"           warm, by part (cpu): " + ", ".join(f"{part} {seconds:.3f}" for part, seconds in split.items()) + "\n"
        f"           genanki write_to_file {genanki_wall:.3f} s wall  {genanki_cpu:.3f} s cpu   (genanki's Note objects for the same rendered fields)"
    )


def _genanki_package(rows: list[NoteRow], decks: list[genanki.Deck]) -> genanki.Package:
    """The same notes through genanki's own objects, for its reference time."""
    model = make_model()
    by_id = {deck.deck_id: genanki.Deck(deck.deck_id, deck.name, deck.description) for deck in decks}
    for position, row in enumerate(rows, start=1):
        note = genanki.Note(model=model, fields=row.fields.split("\x1f"), tags=row.tags.split(), guid=row.guid, due=position)
        by_id[row.deck_id].add_note(note)
    return genanki.Package(list(by_id.values()))


def _without_gc(action, *args):
    # export_anki pauses the cyclic GC while it builds and writes; time the parts the same way.
    gc.disable()
    try:
        return action(*args)
    finally:
        gc.enable()


def _clear(store) -> None:
    with store.write() as conn:
        clear_render_cache(conn)


def _query(store) -> None:
    with store.read() as conn:
        list_cards(conn, Scope())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, load {os.getloadavg()[0]:.1f}, median of {args.runs} runs")
    with tempfile.TemporaryDirectory() as work:
        bench("plain", plain_cards(), args.runs, Path(work))
        bench("realistic", realistic_cards(), args.runs, Path(work))
        bench("unique", unique_cards(), args.runs, Path(work))


if __name__ == "__main__":
    main()
