"""Stored export notes: a re-export copies each unchanged plain card's kept note instead of making it again.

Checked: the copied notes are the notes a full build makes (byte-identical packages); every change to what a
note is made of drops it (triggers), and nothing else does; a note rendered before a concurrent change is not
stored after it (epoch guard); Anki (the `anki` package) sees a re-export as all duplicates, an edit as one update.
"""

from __future__ import annotations

import sqlite3
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from srs.decks import bundled_decks_dir, sync_paths
from srs.exporters import export_anki
from srs.exporters.anki import export as export_module
from srs.exporters.anki import render_cache
from srs.storage import open_store
from tests.anki_fixtures import col, import_package, utc_tz  # noqa: F401  (fixtures)
from srs.storage.note_store import forget_stored_notes, store_notes
from srs.storage.timecodec import to_us

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)
LATER = T0 + timedelta(minutes=5)

DECK = {
    "deck": "Lang::Python",
    "cards": [
        {"id": "a", "front": "What does `len([1, 2])` return?", "back": "`2`", "extra": "Any *sized* container.", "tags": ["builtins"],
         "difficulty": "easy", "source": ["https://docs.python.org/3/library/functions.html#len"]},
        {"id": "b", "front": "Loop with an index?", "back": "```python\nfor i, x in enumerate(xs):\n    print(i, x)\n```", "tags": ["loops"]},
        {"id": "c", "front": "Plain?", "back": "Yes."},
        {"id": "fn", "front": "Which call zeroes the gradients?", "back": "`optimizer.zero_grad()`", "reverse": True},
        {"id": "dl", "cloze": "The default of {{c1::shuffle}} is {{c2::False}}.", "extra": "Every epoch."},
    ],
}
OTHER = {"deck": "Other", "cards": [{"id": "o", "front": "One", "back": "1", "tags": ["numbers"]}]}
PLAIN = {"a", "b", "c", "o"}  # the cards whose notes are stored (cloze and reversed notes are always made again)


def write(folder: Path, name: str, deck: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(deck, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def decks(tmp_path: Path) -> Path:
    folder = tmp_path / "decks"
    write(folder, "python", DECK)
    write(folder, "other", OTHER)
    return folder


@pytest.fixture
def store(tmp_path: Path, decks: Path):
    opened = open_store(tmp_path / "srs.db")
    sync_paths(opened, [decks], now=T0)
    yield opened
    opened.close()


def stored_uids(store) -> set[str]:
    with store.read() as conn:
        return {row[0] for row in conn.execute("SELECT c.uid FROM export_note e JOIN card c ON c.id = e.card_id")}


def package_rows(path: Path) -> tuple[list[tuple], list[tuple]]:
    """The package's notes and cards, every column."""
    with zipfile.ZipFile(path) as archive:
        data = archive.read("collection.anki2")
    db = sqlite3.connect(":memory:")
    db.deserialize(data)
    try:
        return db.execute("SELECT * FROM notes ORDER BY id").fetchall(), db.execute("SELECT * FROM cards ORDER BY id").fetchall()
    finally:
        db.close()


def fresh_export(store, path: Path, **kwargs):
    """An export that makes every note from the cards (the stored notes forgotten first)."""
    with store.write() as conn:
        forget_stored_notes(conn)
    return export_anki(store, path, **kwargs)


def edit(store, sql: str, *params) -> None:
    with store.write() as conn:
        conn.execute(sql, params)


# ------------------------------------------------------------------------------------------------
# What is stored and copied
# ------------------------------------------------------------------------------------------------


def test_an_export_stores_the_plain_notes_and_a_reexport_copies_them(store, tmp_path):
    first = export_anki(store, tmp_path / "1.apkg", now=T0)
    assert first.stored == 0 and stored_uids(store) == PLAIN

    again = export_anki(store, tmp_path / "2.apkg", now=T0)
    assert again.stored == 4 and again.rendered == 0 and again.notes == first.notes == 6 and again.cards == first.cards == 8


def test_copied_notes_make_the_same_package_byte_for_byte(store, tmp_path):
    made = fresh_export(store, tmp_path / "made.apkg", now=LATER)
    copied = export_anki(store, tmp_path / "copied.apkg", now=LATER)

    assert copied.stored == 4
    assert package_rows(copied.path) == package_rows(made.path)
    assert copied.path.read_bytes() == made.path.read_bytes()


def test_a_mix_of_copied_and_made_notes_is_the_package_a_full_build_makes(store, tmp_path):
    export_anki(store, tmp_path / "1.apkg", now=T0)
    edit(store, "UPDATE card_text SET back = 'Yes, **plain**.' WHERE card_id = (SELECT id FROM card WHERE uid = 'c')")  # between copied notes: a, b | c | o

    mixed = export_anki(store, tmp_path / "mixed.apkg", now=LATER)
    full = fresh_export(store, tmp_path / "full.apkg", now=LATER)

    assert mixed.stored == 3 and mixed.path.read_bytes() == full.path.read_bytes()
    notes, _ = package_rows(mixed.path)
    assert [note[6].split("\x1f")[1] for note in notes if "Yes" in note[6]] == ["<p>Yes, <strong>plain</strong>.</p>"]


def test_a_scoped_export_copies_the_notes_a_whole_export_stored_and_the_other_way(store, tmp_path):
    export_anki(store, tmp_path / "all.apkg", now=T0)
    scoped = export_anki(store, tmp_path / "other.apkg", deck="Other", now=T0)
    assert scoped.stored == 1 and scoped.notes == 1
    assert package_rows(scoped.path) == package_rows(fresh_export(store, tmp_path / "other-full.apkg", deck="Other", now=T0).path)

    assert stored_uids(store) == {"o"}
    export_anki(store, tmp_path / "tag.apkg", tag="loops", now=T0)
    assert stored_uids(store) == {"o", "b"}
    assert export_anki(store, tmp_path / "all-2.apkg", now=T0).stored == 2


def test_a_card_moved_to_another_deck_keeps_its_note_in_its_new_deck(store, tmp_path):
    export_anki(store, tmp_path / "1.apkg", now=T0)
    edit(store, "UPDATE card SET deck_id = (SELECT id FROM deck WHERE name = 'Other') WHERE uid = 'a'")
    edit(store, "UPDATE deck SET name = 'Renamed' WHERE name = 'Other'")

    moved = export_anki(store, tmp_path / "2.apkg", now=T0)

    assert moved.stored == 4
    assert package_rows(moved.path) == package_rows(fresh_export(store, tmp_path / "full.apkg", now=T0).path)


def test_a_stored_note_of_a_card_exported_with_its_reverse_is_not_copied(store, tmp_path, col):
    # A card's reverse changes the card itself (its content), which drops its note; but a note stored while the
    # reverse was retired (or out of scope) must not be copied once the two are exported together again.
    edit(store, "UPDATE card SET retired = 1 WHERE uid = 'fn#rev'")
    export_anki(store, tmp_path / "1.apkg", now=T0)
    assert "fn" in stored_uids(store)
    edit(store, "UPDATE card SET retired = 0 WHERE uid = 'fn#rev'")

    together = export_anki(store, tmp_path / "2.apkg", now=T0)

    assert together.stored == 4 and together.notes == 6 and together.cards == 8
    assert package_rows(together.path) == package_rows(fresh_export(store, tmp_path / "full.apkg", now=T0).path)
    import_package(col, together.path)
    assert col.note_count() == 6 and col.card_count() == 8


def test_a_new_renderer_drops_the_notes_of_the_old_one(store, tmp_path, monkeypatch):
    export_anki(store, tmp_path / "1.apkg", now=T0)
    monkeypatch.setattr(render_cache, "RENDERER", "0123456789abcdef")

    result = export_anki(store, tmp_path / "2.apkg", deck="Other", now=LATER)

    assert result.stored == 0 and stored_uids(store) == {"o"}  # the others' notes were the old renderer's
    export_anki(store, tmp_path / "all.apkg", now=LATER)
    with store.read() as conn:
        assert conn.execute("SELECT renderer, since FROM export_note_epoch").fetchone() == ("0123456789abcdef", to_us(LATER))
        assert {row[0] for row in conn.execute("SELECT DISTINCT mod FROM export_note")} == {int(LATER.timestamp())}
    assert export_anki(store, tmp_path / "3.apkg", now=LATER).stored == 4


def test_notes_stored_before_the_renderer_was_re_dated_are_not_copied(store, tmp_path):
    export_anki(store, tmp_path / "1.apkg", now=T0)
    edit(store, "UPDATE export_renderer SET since = ?", to_us(LATER))  # as the clamp of a date from a clock that ran ahead

    result = export_anki(store, tmp_path / "2.apkg", now=LATER)

    assert result.stored == 0
    notes, _ = package_rows(result.path)
    assert {note[3] for note in notes} == {int(LATER.timestamp())}  # no note older than its renderer's date
    assert export_anki(store, tmp_path / "3.apkg", now=LATER).stored == 4


def test_a_render_cache_far_larger_than_the_cards_need_makes_a_full_build_that_prunes_it(store, tmp_path):
    from srs.storage.render_store import render_cache_size, store_html

    export_anki(store, tmp_path / "1.apkg", now=T0)
    with store.write() as conn:
        store_html(conn, render_cache.RENDERER, [(i.to_bytes(16, "big"), "old") for i in range(3 * 8 + export_module.PRUNE_SLACK + 1)])

    result = export_anki(store, tmp_path / "2.apkg", now=T0)

    assert result.stored == 0
    with store.read() as conn:
        assert render_cache_size(conn) < 20
    assert export_anki(store, tmp_path / "3.apkg", now=T0).stored == 4


# ------------------------------------------------------------------------------------------------
# Triggers: a stored note is never stale
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "column, value",
    [("front", "New front"), ("back", "New back"), ("extra", "New extra"), ("tags", " other "), ("difficulty", "hard"),
     ("sources", "https://example.com"), ("uid", "a2"), ("content_changed_at", 123)],
)
def test_a_change_to_what_a_note_is_made_of_drops_it(store, tmp_path, column, value):
    export_anki(store, tmp_path / "1.apkg", now=T0)
    if column in ("front", "back", "extra", "sources"):
        edit(store, f"UPDATE card_text SET {column} = ? WHERE card_id = (SELECT id FROM card WHERE uid = 'a')", value)
    else:
        edit(store, f"UPDATE card SET {column} = ? WHERE uid = 'a'", value)

    assert stored_uids(store) == PLAIN - {"a"}
    result = export_anki(store, tmp_path / "2.apkg", now=LATER)
    assert result.stored == 3
    assert package_rows(result.path) == package_rows(fresh_export(store, tmp_path / "full.apkg", now=LATER).path)


def test_a_deleted_card_takes_its_note_with_it(store, tmp_path):
    export_anki(store, tmp_path / "1.apkg", now=T0)
    edit(store, "DELETE FROM card WHERE uid = 'a'")
    assert stored_uids(store) == PLAIN - {"a"}
    with store.read() as conn:
        assert conn.execute("SELECT count(*) FROM export_note").fetchone()[0] == 3


def test_answers_and_moves_within_the_file_keep_the_notes(store, tmp_path, decks):
    export_anki(store, tmp_path / "1.apkg", now=T0)
    edit(store, "UPDATE card SET state = 2, due = 1, reps = 3, suspended = 1")
    # A card added at the top of the file moves every card below it (line, position): sync rewrites their rows.
    write(decks, "python", dict(DECK, cards=[{"id": "new", "front": "New?", "back": "New."}, *DECK["cards"]]))
    assert sync_paths(store, [decks], now=LATER).added == ["new"]

    assert stored_uids(store) == PLAIN
    assert export_anki(store, tmp_path / "2.apkg", now=LATER).stored == 4


def test_the_triggers_count_each_change(store, tmp_path):
    def epoch() -> int:
        with store.read() as conn:
            return conn.execute("SELECT epoch FROM export_note_epoch").fetchone()[0]

    export_anki(store, tmp_path / "1.apkg", now=T0)
    before = epoch()
    edit(store, "UPDATE card_text SET back = back WHERE card_id = (SELECT id FROM card WHERE uid = 'a')")  # no change: no count
    assert epoch() == before
    edit(store, "UPDATE card_text SET back = 'x' WHERE card_id = (SELECT id FROM card WHERE uid = 'a')")
    edit(store, "DELETE FROM card WHERE uid = 'b'")  # the card and its text: one change
    assert epoch() == before + 2
    # A text replaced whole (no delete trigger fires) or deleted alone drops the note too.
    edit(store, "INSERT OR REPLACE INTO card_text (card_id, front, back) SELECT id, 'f', 'b' FROM card WHERE uid = 'c'")
    assert epoch() == before + 3 and stored_uids(store) == PLAIN - {"a", "b", "c"}
    edit(store, "DELETE FROM card_text WHERE card_id = (SELECT id FROM card WHERE uid = 'o')")
    assert epoch() == before + 4 and stored_uids(store) == PLAIN - {"a", "b", "c", "o"}


# ------------------------------------------------------------------------------------------------
# The epoch guard: a note made before a concurrent change is not stored after it
# ------------------------------------------------------------------------------------------------


def test_a_card_changed_while_an_export_renders_keeps_no_stale_note(store, tmp_path, monkeypatch):
    render = export_module.render_with_cache

    def render_then_edit(*args, **kwargs):
        rendered = render(*args, **kwargs)
        edit(store, "UPDATE card_text SET back = 'Changed meanwhile.' WHERE card_id = (SELECT id FROM card WHERE uid = 'c')")  # after the export read the cards
        return rendered

    monkeypatch.setattr(export_module, "render_with_cache", render_then_edit)
    racing = export_anki(store, tmp_path / "1.apkg", now=T0)
    monkeypatch.undo()

    racing_notes, _ = package_rows(racing.path)
    assert any(note[6].split("\x1f")[1] == "<p>Yes.</p>" for note in racing_notes)  # the package is of the snapshot it read
    assert stored_uids(store) == set()  # nothing stored: any of it might be stale
    after = export_anki(store, tmp_path / "2.apkg", now=LATER)
    notes, _ = package_rows(after.path)
    assert any("Changed meanwhile." in note[6] for note in notes)
    assert stored_uids(store) == PLAIN


def test_store_notes_refuses_a_moved_epoch_or_a_redated_renderer(store, tmp_path):
    export_anki(store, tmp_path / "1.apkg", now=T0)
    with store.read() as conn:
        epoch, renderer, since = conn.execute("SELECT epoch, renderer, since FROM export_note_epoch").fetchone()
        card_id = conn.execute("SELECT id FROM card WHERE uid = 'a'").fetchone()[0]
    edit(store, "DELETE FROM export_note")
    note = (card_id, "g", "f\x1fb\x1fe\x1f", " t ", 1)
    with store.write() as conn:
        assert store_notes(conn, epoch - 1, renderer, since, [note]) == 0
        assert store_notes(conn, epoch, renderer, since + 1, [note]) == 0
        assert store_notes(conn, epoch, "another", since, [note]) == 0
        assert store_notes(conn, epoch, renderer, since, [note]) == 1


# ------------------------------------------------------------------------------------------------
# As a user: the bundled decks into Anki, again, and after one edit
# ------------------------------------------------------------------------------------------------


def test_bundled_decks_reexported_are_duplicates_and_one_edit_is_one_update(tmp_path, col):
    folder = tmp_path / "decks"
    for source in sorted(bundled_decks_dir().rglob("*.yaml")):
        target = folder / source.relative_to(bundled_decks_dir())
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
    store = open_store(tmp_path / "srs.db")
    try:
        sync_paths(store, [folder], now=T0)
        first = export_anki(store, tmp_path / "1.apkg", now=T0)
        log = import_package(col, first.path)
        assert len(log.new) == first.notes and not log.updated

        again = export_anki(store, tmp_path / "2.apkg", now=LATER)
        assert again.stored > 0.8 * again.notes
        log = import_package(col, again.path)
        assert not log.new and not log.updated and len(log.duplicate) == again.notes

        path = next(path for path in sorted(folder.rglob("*.yaml")) if any("back" in card for card in yaml.safe_load(path.read_text())["cards"]))
        deck = yaml.safe_load(path.read_text(encoding="utf-8"))
        card = next(card for card in deck["cards"] if "back" in card and not card.get("reverse") and not card.get("draft"))
        card["back"] = card["back"] + "\n\nEdited."
        path.write_text(yaml.safe_dump(deck, allow_unicode=True, sort_keys=False), encoding="utf-8")
        assert len(sync_paths(store, [folder], now=LATER + timedelta(minutes=1)).updated) == 1

        edited = export_anki(store, tmp_path / "3.apkg", now=LATER + timedelta(minutes=2))
        assert edited.stored == again.stored - 1
        log = import_package(col, edited.path)
        assert not log.new and len(log.updated) == 1 and len(log.duplicate) == edited.notes - 1
    finally:
        store.close()


def test_without_wal_an_export_copies_nothing_and_never_blocks_its_own_write(tmp_path, decks, monkeypatch):
    # A file system without shared memory keeps the rollback journal: a read lock held over the render cache
    # write would block it (for the whole busy timeout, shortened here so that a regression fails fast).
    from srs.storage import connection, db, note_store

    monkeypatch.setattr(db, "ensure_wal", lambda conn: None)
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_S", 0.5)
    monkeypatch.setattr(note_store, "BUSY_TIMEOUT_S", 0.5)
    store = open_store(tmp_path / "journal.db")
    try:
        with store.read() as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        sync_paths(store, [decks], now=T0)
        first = export_anki(store, tmp_path / "1.apkg", now=T0)
        edit(store, "UPDATE card_text SET back = 'Changed **now**.' WHERE card_id = (SELECT id FROM card WHERE uid = 'c')")
        second = export_anki(store, tmp_path / "2.apkg", now=LATER)
        assert first.stored == second.stored == 0 and second.rendered == 1 and stored_uids(store) == PLAIN
    finally:
        store.close()
