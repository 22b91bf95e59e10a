"""Time `srs export anki` on a 10k-card collection, next to Anki's own exporter (the `anki` package) for the same notes.

Three synthetic 10k-card decks are synced into a scratch DB:
  plain      short one-line fronts and backs, tags and difficulty
  realistic  the bundled cards' own texts (code spans, lists, fenced code, long extras), cycled to 10k
             (fronts are unique, but backs and extras repeat: the export renders each distinct text once)
  unique     the realistic texts made unique per card: every back, extra and fenced code block too,
             so a cold export really renders all 10k cards' texts
Our package is imported once into a fresh Anki collection (so Anki holds the same notes), and Anki's
exporter (Collection.export_anki_package, no media or scheduling) is timed on it in the same run,
alternating with ours: in its default (latest) format and in its legacy one (collection.anki2 deflated,
the format we write). Prints the median of several runs: the full export cold (render cache and kept
notes emptied before each run; CPU includes the rendering worker processes) and warm (every note copied
from the kept notes), each against Anki's exporter as a CPU ratio, which stays steady when other work
shares the machine; the CPU of each part of a warm export (plan, copy into the package, serialize, zip
and write) and of what only a cold export does (list every card's texts, keep the notes made); and the
package's zip step with ISA-L against the standard zipfile at level 1.
Targets (issue #20): warm export <= 1.0x Anki's exporter CPU; cold export of the 10k unique cards <= 1.5 s wall.

Run: .venv/bin/python bench/export.py [--runs N]
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import re
import resource
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

os.environ.setdefault("TZ", "UTC")
time.tzset()

import yaml  # noqa: E402
from anki.collection import Collection, ExportAnkiPackageOptions, ImportAnkiPackageOptions, ImportAnkiPackageRequest  # noqa: E402

from srs.exporters.anki import export_anki  # noqa: E402
from srs.exporters.anki import render_batch  # noqa: E402
from srs.exporters.anki import render_cache  # noqa: E402
from srs.exporters.anki.apkg import new_collection, write_apkg, write_zip  # noqa: E402
from srs.exporters.anki.export import _build, make_decks, note_rows  # noqa: E402
from srs.exporters.anki.render_cache import card_texts, render_with_cache  # noqa: E402
from srs.clock import utc_now  # noqa: E402
from srs.decks import bundled_decks_dir, sync_paths  # noqa: E402
from srs.model import Scope  # noqa: E402
from srs.storage import open_store  # noqa: E402
from srs.storage.card_store import list_cards  # noqa: E402
from srs.storage.note_store import forget_stored_notes, read_plan, store_notes  # noqa: E402
from srs.storage.render_store import clear_render_cache  # noqa: E402

CARDS = 10_000
DECKS = 20
COLD_TARGET_S = 1.5  # first export of the 10k unique cards, wall
WARM_TARGET_RATIO = 1.0  # warm export CPU / Anki's exporter CPU


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


def cpu_seconds() -> float:
    """CPU seconds of this process and of its reaped children (the rendering workers)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def timed(action, setup=None) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one call of ``action`` (``setup`` runs before it, untimed)."""
    if setup is not None:
        setup()
    start_wall, start_cpu = time.perf_counter(), cpu_seconds()
    action()
    return time.perf_counter() - start_wall, cpu_seconds() - start_cpu


def alternating(actions: dict, runs: int, setups: dict | None = None) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds of each action, run in turn ``runs`` times so that each sees the same load."""
    setups = setups or {}
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in actions}
    for _ in range(runs):
        for name, action in actions.items():
            times[name].append(timed(action, setups.get(name)))
    return {name: (statistics.median(t[0] for t in each), statistics.median(t[1] for t in each)) for name, each in times.items()}


def anki_collection(work: Path, name: str, package: Path) -> Collection:
    """A fresh Anki collection holding our package's notes (imported by Anki itself)."""
    folder = work / f"{name}-anki"
    folder.mkdir()
    col = Collection(str(folder / "collection.anki2"))
    col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions()))
    return col


def anki_export(col: Collection, out: Path, legacy: bool):
    options = ExportAnkiPackageOptions(with_scheduling=False, with_media=False, legacy=legacy, with_deck_configs=False)
    return lambda: col.export_anki_package(out_path=str(out), options=options, limit=None)


def bench(name: str, cards: list[dict], runs: int, work: Path) -> None:
    folder = work / name
    folder.mkdir()
    write_decks(folder, name, cards)
    store = open_store(work / f"{name}.db")
    sync_paths(store, [folder])
    out = work / f"{name}.apkg"
    first = export_anki(store, out)
    col = anki_collection(work, name, out)
    anki_notes = col.note_count()

    results = []
    serial = name == "unique"  # the cold export once more with rendering kept in-process, to show what the workers give
    cold = alternating(
        {"cold": lambda: results.append(export_anki(store, out)), **({"cold, serial": lambda: _serial(store, out)} if serial else {})},
        runs, setups={"cold": lambda: _clear(store), "cold, serial": lambda: _clear(store)},
    )
    assert all(result.reused == 0 for result in results), "a cold run found cached HTML"
    cold_rendered, cold_fast = results[-1].rendered, results[-1].fast
    results.clear()  # the warm runs' results follow
    warm = alternating(
        {"warm": lambda: results.append(export_anki(store, out)), "anki": anki_export(col, work / "anki.apkg", False),
         "anki legacy": anki_export(col, work / "anki-legacy.apkg", True)},
        runs,
    )
    assert all(result.rendered == 0 and result.stored == result.notes for result in results), "a warm run made notes"
    col.close()

    # The parts of a warm export (every note copied from the stored notes), one at a time, with the cyclic GC
    # paused as export_anki pauses it; and what a cold export adds to rendering: making the notes and storing them.
    now = utc_now()
    with store.read() as conn:
        listed = list_cards(conn, Scope())
    fields = sum(1 for card in listed for text in (card.front, card.back, card.extra) if text)
    texts = card_texts(listed)
    fences = {block for text in texts for block in re.findall(r"```.*?```", text, re.DOTALL)}
    built = _warm_collection(store, now)
    collection = built.serialize()
    rows = note_rows(listed, render_with_cache(store, texts, now).html, {d.name: d.deck_id for d in make_decks({c.deck for c in listed}, {})},
                     render_with_cache(store, set(), now).since)
    parts = {
        "plan": lambda: _plan_only(store),
        "plan + copy into the package": lambda: _warm_collection(store, now).close(),
        "serialize": built.serialize,
        "zip + write": lambda: write_apkg(work / f"{name}-part.apkg", collection),
        "cold only: list cards": lambda: _query(store),
        "cold only: store notes": lambda: _store_notes(store, listed, rows),
    }
    split = alternating({part: lambda action=action: _without_gc(action) for part, action in parts.items()}, runs)
    built.close()
    split["plan + copy into the package"] = (0.0, split["plan + copy into the package"][1] - split["plan"][1])
    split["copy into the package"] = split.pop("plan + copy into the package")
    zips = alternating({"isal": lambda: write_zip(io.BytesIO(), [("collection.anki2", collection)], now.timestamp()),
                        "zipfile": lambda: _zipfile(collection)}, runs)
    store.close()

    anki_cpu, legacy_cpu = warm["anki"][1], warm["anki legacy"][1]
    cold_wall, cold_cpu = cold["cold"]
    warm_wall, warm_cpu = warm["warm"]
    verdict = "meets" if warm_cpu / anki_cpu <= WARM_TARGET_RATIO else "MISSES"
    lines = [
        f"{name:>9}: {len(listed)} notes ({anki_notes} in Anki after importing ours), apkg {first.path.stat().st_size / 1e6:.1f} MB, "
        f"collection {len(collection) / 1e6:.1f} MB; {fields} non-empty fields, {len(texts)} distinct texts ({cold_rendered} rendered "
        f"and cached by a cold export, {cold_fast} one-line plain, never cached), {len(fences)} distinct fenced blocks",
        f"           export, cold cache   {cold_wall:.3f} s wall  {cold_cpu:.3f} s cpu"
        + (f"   ({'under' if cold_wall <= COLD_TARGET_S else 'OVER'} the {COLD_TARGET_S} s wall target)" if name == "unique" else ""),
    ]
    if serial:
        lines.append(f"           cold, serial render  {cold['cold, serial'][0]:.3f} s wall  {cold['cold, serial'][1]:.3f} s cpu   (rendering kept in-process)")
    lines += [
        f"           export, warm cache   {warm_wall:.3f} s wall  {warm_cpu:.3f} s cpu   {warm_cpu / anki_cpu:.2f}x Anki's exporter cpu "
        f"({verdict} the {WARM_TARGET_RATIO}x target), {warm_cpu / legacy_cpu:.2f}x its legacy format's",
        f"           Anki export_anki_package  {warm['anki'][0]:.3f} s wall  {anki_cpu:.3f} s cpu  (legacy format: {warm['anki legacy'][0]:.3f} s wall  {legacy_cpu:.3f} s cpu)",
        "           by part (cpu): " + ", ".join(f"{part} {seconds[1]:.3f}" for part, seconds in split.items()),
        f"           zip of the collection (cpu): ISA-L level 1 {zips['isal'][1] * 1000:.0f} ms, zipfile level 1 {zips['zipfile'][1] * 1000:.0f} ms",
    ]
    print("\n".join(lines), flush=True)


def _zipfile(collection: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(), "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("collection.anki2", collection)


def _serial(store, out: Path) -> None:
    cores = render_batch.usable_cores
    render_batch.usable_cores = lambda: 1
    try:
        export_anki(store, out)
    finally:
        render_batch.usable_cores = cores


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
        forget_stored_notes(conn)


def _plan_only(store) -> None:
    db = new_collection(store.path)
    try:
        db.execute("BEGIN")
        read_plan(db, Scope(), render_cache.RENDERER, count_cache=True)
    finally:
        db.close()


def _warm_collection(store, now):
    """The package collection of a warm whole-collection export, built as export_anki builds it (an open connection)."""
    db = new_collection(store.path)
    try:
        db.execute("BEGIN")
        plan = read_plan(db, Scope(), render_cache.RENDERER, count_cache=True)
        _build(db, store, plan, now, False, None, whole=True)
        db.execute("COMMIT")
    except BaseException:
        db.close()
        raise
    return db


def _store_notes(store, listed, rows) -> None:
    """What a cold export adds after the package: keeping its plain notes (the same rows again, replacing them)."""
    with store.read() as conn:
        ids = dict(conn.execute("SELECT uid, id FROM card"))
        epoch, renderer, since = conn.execute("SELECT epoch, renderer, since FROM export_note_epoch").fetchone()
    notes = [(ids[card.uid], row.guid, row.fields, row.tags, row.mod) for card, row in zip(listed, rows)]
    with store.write() as conn:
        assert store_notes(conn, epoch, renderer, since, notes) == len(notes)


def _query(store) -> None:
    with store.read() as conn:
        list_cards(conn, Scope())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {render_batch.usable_cores()} usable cores, load {os.getloadavg()[0]:.1f}, median of {args.runs} runs")
    with tempfile.TemporaryDirectory() as work:
        bench("plain", plain_cards(), args.runs, Path(work))
        bench("realistic", realistic_cards(), args.runs, Path(work))
        bench("unique", unique_cards(), args.runs, Path(work))
    print(f"load at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
