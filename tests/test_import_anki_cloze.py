"""``srs import anki``: Cloze notes become cloze entries, each Anki card (``ord``) srs's ``#c<ord+1>`` card with its own history.

Built with the official ``anki`` package; memory states are checked against Anki's ``compute_memory_state`` per card.
"""

from __future__ import annotations

import math

from anki.collection import Collection
from anki.decks import DeckId

from srs.decks.load import load_deck_file
from srs.importers.anki.importer import import_anki
from srs.importers.anki.notes import card_uid
from tests.anki_fixtures import col, utc_tz  # noqa: F401  (fixtures)
from tests.test_import_anki import UTC, add_note, export, history_of, insert_revlog, revlog_rows, srs_card


def add_cloze(col: Collection, text: str, extra: str = "", deck: str | None = None, kind: str = "Cloze"):
    note = col.new_note(col.models.by_name(kind))
    note["Text"] = text
    if extra:
        note["Back Extra"] = extra
    col.add_note(note, col.decks.id(deck) if deck else DeckId(1))
    return note


def card_of(col: Collection, note, ordinal: int) -> int:
    """The Anki card id of deletion ``c<ordinal>``."""
    return next(card.id for card in note.cards() if card.ord == ordinal - 1)


def test_cloze_notes_become_cloze_entries_with_each_deletion_its_history(store, col, tmp_path):
    note = add_cloze(col, "{{c1::<b>Paris</b>}} is the capital of {{c3::France::country}}", "<i>Europe</i>", deck="Geo")
    insert_revlog(col, card_of(col, note, 1), revlog_rows([(0, 3), (0, 3), (4, 3), (15, 1), (15, 3), (17, 3)], 1))
    insert_revlog(col, card_of(col, note, 3), revlog_rows([(0, 1), (0, 3), (0, 3), (2, 4), (12, 3)], 2))
    expected = {ordinal: col.compute_memory_state(card_of(col, note, ordinal)) for ordinal in (1, 3)}

    result = import_anki(store, export(col, tmp_path / "c.apkg"), tmp_path / "out", zone=UTC)
    deck, problems = load_deck_file(tmp_path / "out" / "geo.yaml")
    assert not [p for p in problems if p.severity == "error"]
    (entry,) = deck.cards
    assert (entry.uid, entry.cloze, entry.extra) == (card_uid(note.guid, 0), "{{c1::**Paris**}} is the capital of {{c3::France::country}}", "*Europe*")
    assert result.unsupported == {} and result.cards == 2
    for ordinal, reviews in ((1, 6), (3, 5)):
        uid = f"{entry.uid}#c{ordinal}"
        card = srs_card(store, uid)
        assert len(history_of(store, uid)) == reviews
        assert math.isclose(card.memory.stability, expected[ordinal].stability, rel_tol=1e-3), (ordinal, card.memory, expected[ordinal])
        assert abs(card.memory.difficulty - expected[ordinal].difficulty) <= 1e-3

    again = import_anki(store, export(col, tmp_path / "c2.apkg"), tmp_path / "out", zone=UTC)
    assert (again.history.added, again.history.known, again.sync.added) == (0, 11, [])
    assert len(history_of(store, f"{entry.uid}#c1")) == 6


def test_a_deletion_removed_from_the_text_leaves_its_card_out(store, col, tmp_path):
    """Anki keeps a card whose deletion was edited away (until Empty Cards); srs has no such card: its reviews stay out."""
    note = add_cloze(col, "{{c1::a}} and {{c2::b}}")
    insert_revlog(col, card_of(col, note, 2), revlog_rows([(0, 3), (0, 3)], 3))
    note["Text"] = "{{c1::a}} and b"
    col.update_note(note)
    assert len(note.cards()) == 2
    result = import_anki(store, export(col, tmp_path / "c.apkg"), tmp_path / "out", zone=UTC)
    assert result.cards == 1 and result.history.added == 0
    assert srs_card(store, card_uid(note.guid, 0) + "#c1") is not None


def test_cloze_notes_srs_cannot_hold_are_listed_and_the_rest_imported(store, col, tmp_path):
    nested = add_cloze(col, "{{c1::outer {{c2::inner}} }}")
    add_cloze(col, "{{c1::fine}}")
    add_note(col, "q", "a")
    occlusion = col.models.by_name("Image Occlusion")
    result = import_anki(store, export(col, tmp_path / "c.apkg"), tmp_path / "out", zone=UTC)
    assert [uid for uid, _ in result.cloze_refused] == [card_uid(nested.guid, 0)]
    assert "inside another deletion" in result.cloze_refused[0][1]
    assert result.notes == 2 and occlusion is not None


def test_a_cloze_note_type_with_more_on_its_question_is_listed_not_imported(store, col, tmp_path):
    model = col.models.copy(col.models.by_name("Cloze"))
    model["name"] = "Cloze with header"
    col.models.add_field(model, col.models.new_field("Header"))
    model["tmpls"][0]["qfmt"] = "{{Header}}<br>{{cloze:Text}}"
    col.models.update_dict(model)
    note = col.new_note(col.models.by_name("Cloze with header"))
    note["Text"], note["Header"] = "{{c1::x}}", "h"
    col.add_note(note, DeckId(1))
    result = import_anki(store, export(col, tmp_path / "c.apkg"), tmp_path / "out", zone=UTC)
    assert result.unsupported == {"Cloze with header": 1}


def test_the_command_reports_refused_cloze_notes(tmp_path, col):
    from typer.testing import CliRunner

    from srs.cli import app

    add_cloze(col, "{{c1::outer {{c2::inner}} }}")
    add_cloze(col, "{{c1::fine}}")
    package = export(col, tmp_path / "c.apkg")
    outcome = CliRunner().invoke(app, ["import", "anki", str(package), "-o", str(tmp_path / "out"), "--db", str(tmp_path / "srs.db")])
    assert outcome.exit_code == 0, outcome.output
    assert "1 cloze note(s) srs cannot hold" in outcome.output and "inside another deletion" in outcome.output
