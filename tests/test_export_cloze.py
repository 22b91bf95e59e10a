"""Cloze and reversed cards in the Anki export: note types, one note per entry, updates in place (checked with `anki`)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import genanki
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
import yaml
from anki.collection import Collection

from srs.exporters import export_anki
from srs.exporters.anki import cloze, notetype
from srs.exporters.anki.export import entry_guid
from srs.decks import sync_paths
from srs.storage import open_store
from tests.anki_fixtures import col, import_package, utc_tz  # noqa: F401  (fixtures)

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)
DL = "The default of {{c1::shuffle}} in `DataLoader` is {{c2::False::a bool}}.\n\n```python\nDataLoader(ds, {{c1::shuffle}}=True)\n```"
DECK = {
    "deck": "D",
    "cards": [
        {"id": "dl", "cloze": DL, "extra": "Reshuffled every epoch.", "tags": ["data-loading"], "difficulty": "easy", "source": "notes.txt#3"},
        {"id": "fn", "front": "Which call zeroes the gradients?", "back": "`optimizer.zero_grad()`", "reverse": True},
        {"id": "pl", "front": "Plain?", "back": "Yes."},
    ],
}


def write(folder: Path, deck: dict) -> Path:
    path = folder / "d.yaml"
    path.write_text(yaml.safe_dump(deck, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def store(tmp_path: Path):
    opened = open_store(tmp_path / "srs.db")
    sync_paths(opened, [write(tmp_path, DECK)], now=T0)
    yield opened
    opened.close()


def notes(col: Collection) -> dict:
    return {note.guid: note for note in (col.get_note(nid) for nid in col.find_notes(""))}


def visible(html: str) -> str:
    """The text a card shows: its HTML after the note type's <style> block, tags (and their attributes) removed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]*>", "", html.rsplit("</style>", 1)[-1]))


def test_cloze_entry_is_one_cloze_note_with_a_card_per_number(store, col, tmp_path) -> None:
    result = export_anki(store, tmp_path / "a.apkg", now=T0)
    assert (result.notes, result.cards) == (3, 5)
    log = import_package(col, result.path)
    assert len(log.new) == 3 and col.note_count() == 3 and col.card_count() == 5
    note = notes(col)[entry_guid("dl", True)]
    assert note.note_type()["name"] == notetype.CLOZE_MODEL_NAME and note.note_type()["type"] == 1
    assert note.note_type()["id"] == notetype.make_cloze_model().model_id == 2058824725
    assert [f["name"] for f in note.note_type()["flds"]] == ["Text", "Back Extra", "Source"]
    assert note.fields[0].startswith("<p>The default of {{c1::shuffle}} in <code>DataLoader</code> is {{c2::False::a bool}}.</p>")
    assert 'class="err"' not in note.fields[0] and "{{c1::<span" in note.fields[0]  # the marker survived Pygments, unwrapped
    assert note.fields[1:] == ["<p>Reshuffled every epoch.</p>", "notes.txt#3"]
    assert sorted(note.tags) == ["data-loading", "difficulty::easy"]
    first, second = sorted(note.cards(), key=lambda card: card.ord)
    assert (first.ord, second.ord) == (0, 1) and first.did == second.did
    assert visible(first.question()) == "The default of [...] in DataLoader is False. DataLoader(ds, [...]=True) "
    assert visible(second.question()) == "The default of shuffle in DataLoader is [a bool]. DataLoader(ds, shuffle=True) "
    assert visible(first.answer()).startswith("The default of shuffle in DataLoader is False. DataLoader(ds, shuffle=True) Reshuffled every epoch.")
    assert '<span class="cloze" data-ordinal="1">shuffle</span>' in first.answer()


def test_reversed_card_is_one_note_of_the_basic_and_reversed_shape(store, col, tmp_path) -> None:
    import_package(col, export_anki(store, tmp_path / "a.apkg", now=T0).path)
    note = notes(col)[entry_guid("fn", False)]
    kind = note.note_type()
    assert kind["name"] == notetype.REVERSED_MODEL_NAME and kind["id"] == notetype.make_reversed_model().model_id == 1537090287
    assert [t["name"] for t in kind["tmpls"]] == ["Card 1", "Card 2"]
    forward, backward = sorted(note.cards(), key=lambda card: card.ord)
    assert "Which call zeroes the gradients?" in visible(forward.question()) and "zero_grad" not in visible(forward.question())
    assert "zero_grad" in visible(backward.question()) and "Which call" not in visible(backward.question())
    assert "Which call zeroes the gradients?" in visible(backward.answer())
    plain = notes(col)[genanki.guid_for("srs", "pl")]
    assert plain.note_type()["name"] == notetype.MODEL_NAME and len(plain.cards()) == 1


def test_reexport_after_edits_updates_in_place(store, col, tmp_path) -> None:
    import_package(col, export_anki(store, tmp_path / "a.apkg", now=T0).path)
    later = T0 + timedelta(days=1)
    edited = yaml.safe_load(yaml.safe_dump(DECK))
    edited["cards"][0]["cloze"] = DL.replace("{{c2::False::a bool}}.", "{{c2::False::a bool}}; a {{c3::sampler}} replaces it.")
    edited["cards"][1]["back"] = "`optimizer.zero_grad(set_to_none=True)`"
    sync_paths(store, [write(tmp_path, edited)], now=later)
    log = import_package(col, export_anki(store, tmp_path / "b.apkg", now=later).path)
    assert len(log.updated) == 2 and not log.new and len(log.duplicate) == 1  # "duplicate": the unchanged note, skipped
    assert col.note_count() == 3 and col.card_count() == 6  # the cloze note gained its c3 card
    note = notes(col)[entry_guid("dl", True)]
    assert "{{c3::sampler}}" in note.fields[0] and sorted(card.ord for card in note.cards()) == [0, 1, 2]
    assert "set_to_none=True" in notes(col)[entry_guid("fn", False)].fields[1]
    again = import_package(col, export_anki(store, tmp_path / "c.apkg", now=later + timedelta(hours=1)).path)
    assert not again.new and not again.updated and col.note_count() == 3


def test_cloze_text_is_escaped_and_cannot_forge_markers(tmp_path, col) -> None:
    hostile = {"deck": "H", "cards": [{"id": "h", "cloze": "<script>alert(1)</script> {{c1::<img src=x onerror=alert(1)>::[sound:x.mp3]}} \ue002forged\ue1f6"}]}
    store = open_store(tmp_path / "h.db")
    sync_paths(store, [write(tmp_path, hostile)], now=T0)
    import_package(col, export_anki(store, tmp_path / "h.apkg", now=T0).path)
    (note,) = notes(col).values()
    text = note.fields[0]
    assert "<script" not in text and "<img" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "[sound:" not in text and "{{c2::" not in text and "forged" in text
    assert len(note.cards()) == 1
    store.close()


def test_protect_and_restore_round_trip() -> None:
    text = "a {{c1::b::hint}} c {{c12::d}}"
    protected = cloze.protect(text)
    assert "{{" not in protected and "::" not in protected
    assert cloze.restore(protected) == text
    assert cloze.restore(f'<span class="err">{cloze.protect("{{c3::x}}")[0]}</span>') == "{{c3::"


FRAGMENTS = ["{{", "}}", "c1::", "c2::", "::", "x", " ", "`", "\n", "```python\n", "\ue001", "\ue1f6", "<b>", "[", "]"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("".join))
def test_any_valid_cloze_text_survives_protect_and_restore(text: str) -> None:
    from srs.decks.cloze import scan

    plain = text.replace("\ue001", "").replace("\ue1f6", "")  # private-use characters are dropped, never markers
    if not scan(plain)[1]:
        assert cloze.restore(cloze.protect(text)) == plain
