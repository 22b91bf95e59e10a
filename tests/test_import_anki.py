"""``srs import anki``: packages written by the official ``anki`` package become deck files, media and history.

Memory states are checked against Anki itself: the same collection's ``compute_memory_state`` for each
card, after the same review log (FSRS on, srs's default parameters, TZ=UTC so both count study days alike).
"""

from __future__ import annotations

import io
import json
import math
import random
import sqlite3
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from anki.collection import Collection, ExportAnkiPackageOptions
from anki.decks import DeckId

from srs.importers.anki.html import to_markdown
from srs.importers.anki.importer import import_anki
from srs.importers.anki.notes import card_uid
from srs.importers.anki.package import AnkiPackageError
from srs import scheduling
from srs.decks.load import load_deck_file
from srs.errors import SrsError
from srs.model import MemoryState, Rating, State
from srs.storage import review_store
from srs.processes import can_fork, usable_cores

UTC = timezone.utc
START = datetime(2010, 1, 4, 12, 0, tzinfo=UTC)


from tests.anki_fixtures import col, utc_tz  # noqa: F401  (fixtures)


def add_note(col: Collection, front: str, back: str, kind: str = "Basic", deck: str | None = None, tags: list[str] = ()):
    note = col.new_note(col.models.by_name(kind))
    note["Front"], note["Back"] = front, back
    note.tags = list(tags)
    deck_id = col.decks.id(deck) if deck else DeckId(1)
    col.add_note(note, deck_id)
    return note


def export(col: Collection, path: Path, legacy: bool = False) -> Path:
    options = ExportAnkiPackageOptions(with_scheduling=True, with_media=True, legacy=legacy, with_deck_configs=True)
    col.export_anki_package(out_path=str(path), options=options, limit=None)
    return path


def revlog_rows(days_and_ratings: list[tuple[int, int]], serial: int) -> list[tuple]:
    """(time, ease, ivl, lastIvl, type) rows as Anki would log the answers, from srs's scheduler."""
    state, rows = MemoryState(), []
    for i, (day, rating) in enumerate(days_and_ratings):
        moment = START + timedelta(days=day, seconds=i, milliseconds=serial)
        after = scheduling.review(state, Rating(rating), moment, 1)
        kind = {State.NEW: 0, State.LEARNING: 0, State.REVIEW: 1, State.RELEARNING: 2}[state.state]
        rows.append((moment, rating, _ivl(after, moment), _ivl(state, moment), kind))
        state = after
    return rows


def _ivl(state, moment) -> int:
    if state.due is None:
        return 0
    if state.state == State.REVIEW:
        return max(1, (state.due - moment).days)
    return -round((state.due - moment).total_seconds())


def insert_revlog(col: Collection, card_id: int, rows: list[tuple], factor: int | None = None) -> None:
    for moment, ease, ivl, last_ivl, kind in rows:
        col.db.execute(
            "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) VALUES (?, ?, -1, ?, ?, ?, ?, 6000, ?)",
            int(moment.timestamp() * 1000), card_id, ease, ivl, last_ivl, (0 if kind in (0,) and ease else 2500) if factor is None else factor, kind,
        )


def srs_card(store, uid: str):
    with store.read() as conn:
        return review_store.card_by_uid(conn, uid)


def history_of(store, uid: str):
    with store.read() as conn:
        card = review_store.card_by_uid(conn, uid)
        return review_store.card_history(conn, card.id)


# ------------------------------------------------------------------------------------------------
# Notes -> deck files
# ------------------------------------------------------------------------------------------------


def test_basic_and_reversed_notes_become_cards_with_ids_from_the_guid(store, col, tmp_path):
    basic = add_note(col, "What is <b>2+2</b>?", "<div>4</div>", deck="Maths::Sums", tags=["arith", "difficulty::easy"])
    reversed_ = add_note(col, "cat", "Katze", kind="Basic (and reversed card)", deck="German")
    typed = col.new_note(col.models.by_name("Basic (type in the answer)"))
    typed["Front"], typed["Back"] = "Capital of France?", "Paris"
    col.add_note(typed, DeckId(1))
    result = import_anki(store, export(col, tmp_path / "a.apkg"), tmp_path / "out", zone=UTC)

    sums, problems = load_deck_file(tmp_path / "out" / "maths--sums.yaml")
    assert not [p for p in problems if p.severity == "error"]
    assert sums.deck == "Maths::Sums"
    (card,) = sums.cards
    assert card.uid == card_uid(basic.guid, 0)
    assert (card.front, card.back, card.tags, card.difficulty) == ("What is **2+2**?", "4", ("arith",), "easy")
    german, _ = load_deck_file(tmp_path / "out" / "german.yaml")
    assert [(c.uid, c.front, c.back, c.reverse) for c in german.cards] == [(card_uid(reversed_.guid, 0), "cat", "Katze", True)]
    reverse = srs_card(store, card_uid(reversed_.guid, 0) + "#rev")
    assert (reverse.front, reverse.back) == ("Katze", "cat")
    assert result.unsupported == {"Basic (type in the answer)": 1}
    assert srs_card(store, card.uid).front == "What is **2+2**?"  # synced into the collection


def test_every_guid_makes_a_valid_distinct_id():
    guids = ["mCx[e&J2>f", "r`eYn`L;uv", "a_b", "a-b", "a.b", "ü" * 5, "x" * 300, "x" * 301]
    ids = [card_uid(g, o) for g in guids for o in (0, 1)]
    assert len(set(ids)) == len(ids)
    from srs.decks.load import ID_PATTERN

    assert all(ID_PATTERN.match(uid) for uid in ids)


def test_media_are_copied_beside_the_decks_and_referenced(store, col, tmp_path):
    picture = tmp_path / "pic one.png"
    picture.write_bytes(b"\x89PNG picture")
    col.media.add_file(str(picture))
    add_note(col, 'Which animal? <img src="pic one.png">', "a cat [sound:pic one.png]")
    result = import_anki(store, export(col, tmp_path / "m.apkg"), tmp_path / "out", zone=UTC)
    assert (tmp_path / "out" / "media" / "pic one.png").read_bytes() == b"\x89PNG picture"
    deck, _ = load_deck_file(tmp_path / "out" / "default.yaml")
    assert deck.cards[0].front == "Which animal? ![](<media/pic one.png>)"
    assert deck.cards[0].back == "a cat [pic one.png](<media/pic one.png>)"
    assert result.media_copied == ["pic one.png"]


@pytest.mark.parametrize(
    "html, markdown",
    [
        ("plain text", "plain text"),
        ("a<br>b", "a\\\nb"),
        ("<div>one</div><div>two</div>", "one\n\ntwo"),
        ("<b>bold</b> and <i>it</i>", "**bold** and *it*"),
        ("x * y_z [1] <code>a*b</code>", "x \\* y\\_z \\[1\\] `a*b`"),
        ("<ul><li>a</li><li>b</li></ul>", "- a\n- b"),
        ("<div>1. not a list</div>", "1\\. not a list"),
        ("<pre><code>if a &lt; b:\n    pass</code></pre>", "```\nif a < b:\n    pass\n```"),
        ('<a href="https://pytorch.org">docs</a>', "[docs](https://pytorch.org)"),
        ("a&nbsp;b &amp;amp;", "a b \\&amp;"),
        ('wow!<a href="https://x.org">link</a>', "wow\\![link](https://x.org)"),  # not an image
        ('\\!<a href="https://x.org">link</a>', "\\\\\\![link](https://x.org)"),  # a backslash, then a '!' that is not an image's
        ("<div>a<br><br></div><div>b</div>", "a\n\nb"),  # no hard break at the end of a block
        ("a<br>", "a"),
        ("x [sound:s.mp3] y", "x [s.mp3](media/s.mp3) y"),
    ],
)
def test_simple_html_becomes_markdown(html, markdown):
    converted = to_markdown(html)
    assert (converted.text, converted.kept_html) == (markdown, False)


@pytest.mark.parametrize("html", ["1<b>:</b>", '<span style="color: red">red</span>', "<table><tr><td>1</td></tr></table>", "H<sub>2</sub>O", "<u>under</u>"])
def test_other_html_is_kept_as_it_is(html):
    assert to_markdown(html).text == html and to_markdown(html).kept_html


def test_a_second_import_updates_in_place_and_adds_no_duplicates(store, col, tmp_path):
    note = add_note(col, "front", "back")
    card_id = note.card_ids()[0]
    insert_revlog(col, card_id, revlog_rows([(0, 3), (0, 3), (3, 3)], 1))
    first = import_anki(store, export(col, tmp_path / "1.apkg"), tmp_path / "out", zone=UTC)
    assert first.history.added == 3
    note["Back"] = "better back"
    col.update_note(note)
    second = import_anki(store, export(col, tmp_path / "2.apkg"), tmp_path / "out", zone=UTC)
    assert (second.history.added, second.history.known) == (0, 3)
    uid = card_uid(note.guid, 0)
    deck, _ = load_deck_file(tmp_path / "out" / "default.yaml")
    assert [(c.uid, c.back) for c in deck.cards] == [(uid, "better back")]
    assert second.sync.updated == [uid] and not second.sync.added
    assert len(history_of(store, uid)) == 3


def test_cards_of_the_users_own_in_the_folder_are_kept(store, col, tmp_path):
    add_note(col, "front", "back")
    import_anki(store, export(col, tmp_path / "1.apkg"), tmp_path / "out", zone=UTC)
    path = tmp_path / "out" / "default.yaml"
    path.write_text(path.read_text() + "  - id: mine\n    front: my own\n    back: card\n")
    add_note(col, "second", "note")
    import_anki(store, export(col, tmp_path / "2.apkg"), tmp_path / "out", zone=UTC)
    deck, _ = load_deck_file(path)
    assert [c.front for c in deck.cards] == ["front", "my own", "second"]


@pytest.mark.parametrize("layout", ["legacy-apkg", "colpkg", "legacy-colpkg"])
def test_older_layouts_and_whole_collections_import_alike(store, col, tmp_path, layout):
    note = add_note(col, "front", "back")
    insert_revlog(col, note.card_ids()[0], revlog_rows([(0, 3), (0, 3), (3, 4)], 2))
    expected = col.compute_memory_state(note.card_ids()[0])
    if layout == "legacy-apkg":
        path = export(col, tmp_path / "l.apkg", legacy=True)
    else:
        path = tmp_path / "c.colpkg"
        col.export_collection_package(str(path), include_media=True, legacy=layout == "legacy-colpkg")
        col.reopen()
    import_anki(store, path, tmp_path / "out", zone=UTC)
    card = srs_card(store, card_uid(note.guid, 0))
    assert math.isclose(card.memory.stability, expected.stability, rel_tol=1e-3)
    assert abs(card.memory.difficulty - expected.difficulty) <= 1e-3


# ------------------------------------------------------------------------------------------------
# History: replayed states match Anki's memory state
# ------------------------------------------------------------------------------------------------

SPECIAL = {
    "forget-then-relearn": lambda rows, last: rows[:3] + [(rows[2][0] + timedelta(days=1), 0, 0, 0, 4)] + [(last + timedelta(days=2, seconds=i), r, ivl, li, k) for i, (_, r, ivl, li, k) in enumerate(rows[:3])],
    "set-due-date": lambda rows, last: rows[:4] + [(rows[3][0] + timedelta(hours=1), 0, 9, 3, 4)] + rows[4:],
    "cram-preview": lambda rows, last: rows[:4] + [(rows[3][0] + timedelta(hours=2), 3, 0, 0, 3)] + rows[4:],
}


def test_replayed_memory_states_match_anki(store, col, tmp_path):
    rng = random.Random(7)
    sequences = []
    for _ in range(40):
        day, sequence = 0, []
        for _ in range(rng.randint(1, 15)):
            day += rng.choice([0, 0, 1, rng.randint(1, 10), rng.randint(10, 100), rng.randint(100, 600)])
            sequence.append((day, rng.randint(1, 4)))
        sequences.append(sequence)
    notes = []
    for serial, sequence in enumerate(sequences):
        note = add_note(col, f"q{serial}", f"a{serial}")
        insert_revlog(col, note.card_ids()[0], revlog_rows(sequence, serial))
        notes.append(note)
    base = [(0, 3), (0, 3), (2, 3), (8, 1), (8, 3), (9, 3), (30, 3)]
    for serial, (name, build) in enumerate(SPECIAL.items(), 100):
        rows = revlog_rows(base, serial)
        note = add_note(col, f"special {name}", "a")
        special = build(rows, rows[-1][0])
        for moment, ease, ivl, last_ivl, kind in special:
            factor = 0 if (kind == 4 and name == "forget-then-relearn") or (kind == 3) else 2500
            col.db.execute(
                "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) VALUES (?, ?, -1, ?, ?, ?, ?, 6000, ?)",
                int(moment.timestamp() * 1000), note.card_ids()[0], ease, ivl, last_ivl, factor, kind,
            )
        notes.append(note)
    expected = {note.guid: col.compute_memory_state(note.card_ids()[0]) for note in notes}
    result = import_anki(store, export(col, tmp_path / "h.apkg"), tmp_path / "out", zone=UTC)
    assert not result.incomplete
    for note in notes:
        card = srs_card(store, card_uid(note.guid, 0))
        anki = expected[note.guid]
        where = f"note {note['Front']}"
        assert math.isclose(card.memory.stability, anki.stability, rel_tol=1e-3), f"stability {card.memory.stability} vs {anki.stability} ({where})"
        assert abs(card.memory.difficulty - anki.difficulty) <= 1e-3, f"difficulty {card.memory.difficulty} vs {anki.difficulty} ({where})"


def test_the_imported_log_chains_and_the_doctor_finds_nothing(store, col, tmp_path):
    from srs.doctor import examine

    note = add_note(col, "q", "a")
    insert_revlog(col, note.card_ids()[0], revlog_rows([(0, 1), (0, 3), (0, 3), (4, 3), (20, 1), (20, 3)], 3))
    import_anki(store, export(col, tmp_path / "d.apkg"), tmp_path / "out", zone=UTC)
    report = examine(store, zone=UTC)
    assert report.healthy, [f.message for f in report.findings]
    assert len(history_of(store, card_uid(note.guid, 0))) == 6
    with store.read() as conn:  # every imported answer has its global id, as answers made here do (srs remote)
        assert conn.execute("SELECT count(*), count(DISTINCT uid), count(uid) FROM review").fetchone() == (6, 6, 6)


def test_suspended_cards_stay_suspended(store, col, tmp_path):
    note = add_note(col, "q", "a")
    col.sched.suspend_cards(note.card_ids())
    import_anki(store, export(col, tmp_path / "s.apkg"), tmp_path / "out", zone=UTC)
    assert srs_card(store, card_uid(note.guid, 0)).suspended


# ------------------------------------------------------------------------------------------------
# Bad input: a clear error naming the file, nothing written
# ------------------------------------------------------------------------------------------------


def snapshot(store) -> tuple:
    with store.read() as conn:
        raw = conn
        return raw.execute("SELECT count(*) FROM card").fetchone(), raw.execute("SELECT count(*) FROM review").fetchone()


def rezip(source: Path, target: Path, change) -> Path:
    """A copy of a legacy package whose collection.anki21 went through ``change(db)``."""
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    db = sqlite3.connect(":memory:")
    db.deserialize(members["collection.anki21"])
    change(db)
    db.commit()
    members["collection.anki21"] = db.serialize()
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return target


def set_models(db, change) -> None:
    models = json.loads(db.execute("SELECT models FROM col").fetchone()[0])
    for model in models.values():
        change(model)
    db.execute("UPDATE col SET models = ?", (json.dumps(models),))


def _bad_packages(col: Collection, tmp_path: Path) -> dict[str, tuple[Path, str]]:
    add_note(col, "q", "a")
    good = export(col, tmp_path / "good.apkg", legacy=True)
    modern = export(col, tmp_path / "modern.apkg")
    truncated = tmp_path / "truncated.apkg"
    truncated.write_bytes(modern.read_bytes()[: len(modern.read_bytes()) // 2])
    other = tmp_path / "other.apkg"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("readme.txt", "hello")
    newer_meta = tmp_path / "newer-meta.apkg"
    with zipfile.ZipFile(modern) as source, zipfile.ZipFile(newer_meta, "w") as archive:
        for name in source.namelist():
            archive.writestr(name, b"\x08\x04" if name == "meta" else source.read(name))
    not_zip = tmp_path / "notes.apkg"
    not_zip.write_text("front,back\n")
    return {
        "truncated": (truncated, "truncated"),
        "not-anki": (other, "not an Anki package"),
        "not-zip": (not_zip, "not a zip archive"),
        "newer-package": (newer_meta, "newer Anki"),
        "newer-schema": (rezip(good, tmp_path / "newer.apkg", lambda db: db.execute("UPDATE col SET ver = 19")), "newer Anki"),
        "no-fields": (rezip(good, tmp_path / "nofields.apkg", lambda db: set_models(db, lambda m: m.update(flds=[]))), "has no fields"),
        "twenty-fields": (
            rezip(good, tmp_path / "twenty.apkg", lambda db: db.execute("UPDATE notes SET flds = ?", ("\x1f".join(f"f{i}" for i in range(20)),))),
            "has 20 fields",
        ),
    }


@pytest.mark.parametrize("case", ["truncated", "not-anki", "not-zip", "newer-package", "newer-schema", "no-fields", "twenty-fields"])
def test_bad_packages_are_refused_naming_the_file_and_nothing_is_written(store, col, tmp_path, case):
    path, message = _bad_packages(col, tmp_path)[case]
    before = snapshot(store)
    with pytest.raises(AnkiPackageError) as error:
        import_anki(store, path, tmp_path / "out", zone=UTC)
    assert str(path) in str(error.value) and message in str(error.value)
    assert not (tmp_path / "out").exists()
    assert snapshot(store) == before


def test_the_command_prints_a_clear_error(tmp_path):
    from typer.testing import CliRunner

    from srs.cli import app

    broken = tmp_path / "broken.apkg"
    broken.write_bytes(b"PK\x03\x04 not really")
    result = CliRunner().invoke(app, ["--db", str(tmp_path / "srs.db"), "import", "anki", str(broken), "-o", str(tmp_path / "out")])
    assert result.exit_code != 0
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------------------------------------
# Markdown from HTML shows the same text (property)
# ------------------------------------------------------------------------------------------------

from html import escape as html_escape  # noqa: E402
from html.parser import HTMLParser  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from srs.exporters.anki.render import markdown_html  # noqa: E402


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag, attrs) -> None:
        if tag in ("br", "div", "p", "li", "pre"):
            self.parts.append(" ")

    def handle_endtag(self, tag) -> None:
        if tag in ("div", "p", "li", "pre"):
            self.parts.append(" ")


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).replace("\u00a0", " ").split())


_words = st.text(alphabet="ab1 9.)*_[]<>&#-+=!|\\`~:;/(", min_size=1, max_size=12).map(html_escape)
_inline = st.one_of(
    _words,
    _words.map(lambda t: f"<b>{t}</b>"),
    _words.map(lambda t: f"<i>{t}</i>"),
    _words.map(lambda t: f"<code>{t}</code>"),
    st.just("<br>"),
    st.just("&nbsp;"),
    st.just("  "),
    _words.map(lambda t: f"<b> {t} </b>"),
    _words.map(lambda t: f'<a href="https://example.org/{len(t)}">{t}</a>'),
)
_line = st.lists(_inline, min_size=1, max_size=5).map("".join)
_field = st.one_of(
    _line,
    st.lists(_line, min_size=1, max_size=4).map(lambda lines: "".join(f"<div>{line}</div>" for line in lines)),
    st.lists(_line, min_size=1, max_size=3).map(lambda items: "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"),
)


@pytest.mark.parametrize("html", ["~~~", "~~~~ x", "<div>a</div><div>~~~</div>", "a<br>~~~"])
def test_three_tildes_stay_text_not_a_code_fence(html):
    """Hypothesis found it: ``~~~`` at a line start opens a fenced code block, which shows nothing of it."""
    converted = to_markdown(html)
    assert not converted.kept_html
    assert visible_text(markdown_html(converted.text)) == visible_text(html), converted.text


@settings(max_examples=500, deadline=None)
@given(_field)
def test_markdown_from_html_renders_the_same_text(html):
    converted = to_markdown(html)
    if converted.kept_html:
        return
    assert visible_text(markdown_html(converted.text)) == visible_text(html), converted.text


def _outcome(feed) -> str:
    from srs.importers.anki import html as converter_module

    converter = converter_module._Converter()
    try:
        feed(converter)
        return converter.result()
    except converter_module._NotSimple:
        return "<not simple>"


@settings(max_examples=300, deadline=None)
@given(_field.map(lambda html: html.replace("<b>", '<b class="x">', 1)) | _field)
def test_the_regular_tokeniser_reads_html_as_htmlparser_does(html):
    from srs.importers.anki.html import _feed_regular

    def slow(converter):
        converter.feed(html)
        converter.close()

    def fast(converter):
        assert _feed_regular(converter, html)

    assert _outcome(fast) == _outcome(slow)


def test_a_different_day_rollover_is_reported(store, col, tmp_path):
    add_note(col, "q", "a")
    col.set_config("rollover", 6)
    assert import_anki(store, export(col, tmp_path / "r.apkg"), tmp_path / "out", zone=UTC).rollover_differs is None  # an .apkg carries no collection config
    path = tmp_path / "r.colpkg"
    col.export_collection_package(str(path), include_media=False, legacy=False)
    col.reopen()
    assert import_anki(store, path, tmp_path / "out", zone=UTC).rollover_differs == (6, 4)


def test_cards_imported_into_another_folder_before_are_refused_before_writing(store, col, tmp_path):
    note = add_note(col, "q", "a")
    path = export(col, tmp_path / "a.apkg")
    import_anki(store, path, tmp_path / "first", zone=UTC)
    with pytest.raises(SrsError) as error:
        import_anki(store, path, tmp_path / "second", zone=UTC)
    assert card_uid(note.guid, 0) in str(error.value) and str(tmp_path / "first" / "default.yaml") in str(error.value)
    assert not (tmp_path / "second").exists()


def test_media_names_that_would_leave_the_media_folder_are_not_written(store, col, tmp_path):
    add_note(col, '<img src="../evil.png"> <img src=".hidden">', "back")
    good = export(col, tmp_path / "good.apkg", legacy=True)
    hostile = tmp_path / "hostile.apkg"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(hostile, "w") as archive:
        for name in source.namelist():
            if name not in ("media", "0", "1"):
                archive.writestr(name, source.read(name))
        archive.writestr("media", json.dumps({"0": "../evil.png", "1": ".hidden"}))
        archive.writestr("0", b"evil")
        archive.writestr("1", b"hidden")
    result = import_anki(store, hostile, tmp_path / "out" / "decks", zone=UTC)
    assert not (tmp_path / "out" / "evil.png").exists() and not (tmp_path / "out" / "decks" / "media").exists()
    assert result.media_copied == []
    deck, _ = load_deck_file(tmp_path / "out" / "decks" / "default.yaml")
    assert deck.cards[0].front == '<img src="../evil.png"> <img src=".hidden">'  # kept as it was


def test_the_reverse_card_keeps_its_own_history(store, col, tmp_path):
    note = add_note(col, "cat", "Katze", kind="Basic (and reversed card)")
    forward, backward = note.card_ids()
    insert_revlog(col, backward, revlog_rows([(0, 1), (0, 3), (2, 3), (9, 3)], 5))
    expected = col.compute_memory_state(backward)
    import_anki(store, export(col, tmp_path / "r.apkg"), tmp_path / "out", zone=UTC)
    uid = card_uid(note.guid, 0)
    assert srs_card(store, uid).memory.state == State.NEW
    reverse = srs_card(store, uid + "#rev").memory
    assert math.isclose(reverse.stability, expected.stability, rel_tol=1e-3) and abs(reverse.difficulty - expected.difficulty) <= 1e-3
    assert len(history_of(store, uid + "#rev")) == 4


@pytest.mark.parametrize(
    "html, regular",
    [
        ('<img src="a.png" alt="a<b"> text', True),  # a "<" inside a quoted value: still plain tags and text
        ("<b>a</b> 1 < 2", False),  # a stray "<" between tags: HTMLParser reads it
        ("1 < 2 <b>a</b>", False),
        ("<b>a</b> <!-- note -->", False),
        ("<b>x</b> y &lt; z", True),
    ],
)
def test_the_regular_tokeniser_takes_only_tags_and_text(html, regular):
    """The "<" count shortcut: a "<" that no tag holds sends the field to HTMLParser, nothing fed; one inside a tag does not."""
    from srs.importers.anki import html as converter_module

    converter = converter_module._Converter()
    assert converter_module._feed_regular(converter, html) is regular
    if not regular:
        assert converter.inline == [] and converter.blocks == []


def test_escaping_covers_every_character_markdown_reads():
    """``escape_text`` (a translate table) escapes what ``_ESCAPE`` matches, and entity-like ampersands, nothing else."""
    from srs.importers.anki.html import _ENTITY_LIKE, _ESCAPE, escape_text

    text = "".join(map(chr, range(32, 0x250))) + " &amp; &#42; &x &"
    assert escape_text(text) == _ENTITY_LIKE.sub(r"\\&", _ESCAPE.sub(r"\\\1", text))


def _imported_tables(store) -> tuple:
    with store.read() as conn:
        reviews = conn.execute(
            "SELECT id, card_id, rating, reviewed_at, duration_ms, state_before, interval_before, before, after, substr(uid, 1, 13), device FROM review ORDER BY id"
        ).fetchall()
        cards = conn.execute("SELECT id, uid, front, back, extra, state, step, stability, fsrs_difficulty, due, last_review, reps, lapses, suspended FROM card JOIN card_text ON card_id = id ORDER BY id").fetchall()
    return reviews, cards


def test_the_forked_worker_imports_what_the_serial_path_imports(col, tmp_path, monkeypatch):
    """Fields converted and histories replayed half in a forked worker: the same deck files, log and card states, in the same order."""
    from srs.importers.anki import forked, history, importer
    from srs.storage import open_store

    rng = random.Random(7)
    for i in range(40):
        note = add_note(col, f"<b>q{i}</b> *x* &amp; <i>y</i>", f"<div>a {i}</div><div><code>c_{i}</code></div>", deck=f"D{i % 3}")
        days = sorted(rng.sample(range(1, 300), 6))
        insert_revlog(col, note.card_ids()[0], revlog_rows([(0, 3)] + [(day, rng.choice([1, 2, 3, 3, 4])) for day in days], i))
    package = export(col, tmp_path / "p.apkg")
    outcomes = []
    for name, cores in (("serial", 1), ("forked", 2)):
        monkeypatch.setattr(forked, "usable_cores", lambda cores=cores: cores)
        monkeypatch.setattr(forked, "spare_core", lambda: True)
        monkeypatch.setattr(history, "PARALLEL_MIN_CARDS", 2)
        monkeypatch.setattr(importer, "PARALLEL_MIN_FIELDS", 2)
        store = open_store(tmp_path / f"{name}.db")
        import_anki(store, package, tmp_path / name, now=START, zone=UTC)
        files = {path.name: path.read_bytes() for path in sorted((tmp_path / name).glob("*.yaml"))}
        outcomes.append((files, _imported_tables(store)))
        store.close()
    assert len(outcomes[0][1][0]) == 40 * 7 and len(outcomes[0][0]) == 3
    assert outcomes[0] == outcomes[1]


def _notes_with_history(col, count: int, first: int = 0, deck: str = "D") -> None:
    rng = random.Random(first)
    for i in range(first, first + count):
        note = add_note(col, f"<b>q{i}</b>", f"<div>a {i}</div>", deck=f"{deck}{i % 3}")
        days = sorted(rng.sample(range(1, 300), 5))
        insert_revlog(col, note.card_ids()[0], revlog_rows([(0, 3)] + [(day, rng.choice([1, 2, 3, 3, 4])) for day in days], i))


def _import_both_ways(package_paths: list[Path], tmp_path: Path, monkeypatch, predict=None) -> list[tuple]:
    """Each package imported in turn into a collection, without a worker and with the replay worker forked ahead of the
    sync (``predict`` standing in for ``_predicted_ids``); returns (deck files, tables, cards the parent replayed) of each way."""
    from srs.importers.anki import forked, history, importer
    from srs.storage import open_store

    monkeypatch.setattr(history, "PARALLEL_MIN_CARDS", 2)
    monkeypatch.setattr(history, "AHEAD_CHUNK", 2)  # the worker's results come in several chunks
    monkeypatch.setattr(forked, "spare_core", lambda: True)
    replay_here = history._new_cards_rows
    outcomes = []
    for name, cores in (("serial", 1), ("ahead", 2)):
        monkeypatch.setattr(forked, "usable_cores", lambda cores=cores: cores)
        replayed: list[int] = []  # the parent's calls only: the worker's are made in another process

        def counted(cards, replayed=replayed):
            replayed.append(len(cards))
            return replay_here(cards)

        monkeypatch.setattr(history, "_new_cards_rows", counted)
        if predict is not None:
            monkeypatch.setattr(importer, "_predicted_ids", predict)
        store = open_store(tmp_path / f"{name}.db")
        for package in package_paths:
            import_anki(store, package, tmp_path / name, now=START, zone=UTC)
        files = {path.name: path.read_bytes() for path in sorted((tmp_path / name).glob("*.yaml"))}
        outcomes.append((files, _imported_tables(store), sum(replayed)))
        store.close()
    return outcomes


@pytest.mark.skipif(not can_fork() or usable_cores() < 2, reason="forks a worker: Linux with 2 cores")
def test_the_worker_forked_before_the_sync_replays_its_share_with_the_ids_the_sync_gives(col, tmp_path, monkeypatch):
    """A second package adds cards to a collection that has some: the worker's share, replayed before the sync from
    predicted ids, is taken (the parent replays only the rest), and the outcome is the serial one."""
    from srs.importers.anki import importer

    _notes_with_history(col, 10)
    first = export(col, tmp_path / "first.apkg")
    _notes_with_history(col, 20, first=10, deck="E")
    second = export(col, tmp_path / "second.apkg")
    (serial_files, serial_tables, serial_replayed), (files, tables, replayed) = _import_both_ways([first, second], tmp_path, monkeypatch)
    assert (files, tables) == (serial_files, serial_tables)
    assert len(tables[0]) == 30 * 6 and serial_replayed == 30
    sent = [int(count * importer.WORKER_SHARE) for count in (10, 20)]
    assert replayed == 30 - sum(sent) and all(sent)


@pytest.mark.skipif(not can_fork() or usable_cores() < 2, reason="forks a worker: Linux with 2 cores")
def test_new_answers_of_known_cards_and_new_cards_with_a_worker_ahead(col, tmp_path, monkeypatch):
    """A second package with new answers for cards srs has (their logs merged here) and new cards (the worker's):
    the outcome is the serial one."""
    _notes_with_history(col, 10)
    first = export(col, tmp_path / "first.apkg")
    for card_id in col.find_cards("")[:5]:
        insert_revlog(col, card_id, revlog_rows([(0, 3), (400, 3), (500, 1)], int(card_id) % 1000)[1:])
    _notes_with_history(col, 20, first=10, deck="E")
    second = export(col, tmp_path / "second.apkg")
    (serial_files, serial_tables, _), (files, tables, replayed) = _import_both_ways([first, second], tmp_path, monkeypatch)
    assert (files, tables) == (serial_files, serial_tables)
    assert len(tables[0]) == 30 * 6 + 5 * 2 and replayed < 30


@pytest.mark.skipif(not can_fork() or usable_cores() < 2, reason="forks a worker: Linux with 2 cores")
def test_a_wrong_prediction_is_replayed_here_with_the_right_inputs(col, tmp_path, monkeypatch):
    """Ids predicted one too high: no result of the worker is taken, every card is replayed after the sync, the outcome is the serial one."""
    from srs.importers.anki import importer

    predict = importer._predicted_ids
    _notes_with_history(col, 12)
    package = export(col, tmp_path / "p.apkg")
    outcomes = _import_both_ways([package], tmp_path, monkeypatch, lambda *args: {uid: i + 1 for uid, i in predict(*args).items()})
    assert outcomes[0][:2] == outcomes[1][:2]
    assert outcomes[1][2] == 12


@pytest.mark.skipif(not can_fork() or usable_cores() < 2, reason="forks a worker: Linux with 2 cores")
def test_a_failed_sync_stops_and_reaps_the_worker(col, tmp_path, monkeypatch):
    """The import fails after the worker was forked: it is killed and waited for, and nothing reaches the log."""
    import os
    from srs.importers.anki import forked, history, importer
    from srs.storage import open_store

    monkeypatch.setattr(history, "PARALLEL_MIN_CARDS", 2)
    monkeypatch.setattr(forked, "spare_core", lambda: True)
    monkeypatch.setattr(forked, "usable_cores", lambda: 2)
    started = []
    worker = []

    def start(cards):
        started.append(history.start_replay_ahead(cards))
        worker.append(started[-1].worker.pid)
        return started[-1]

    monkeypatch.setattr(importer, "start_replay_ahead", start)

    def fails(*args, **kwargs):
        raise SrsError("sync failed")

    monkeypatch.setattr(importer, "sync_paths", fails)
    _notes_with_history(col, 8)
    package = export(col, tmp_path / "p.apkg")
    store = open_store(tmp_path / "c.db")
    with pytest.raises(SrsError, match="sync failed"):
        import_anki(store, package, tmp_path / "decks", now=START, zone=UTC)
    assert len(started) == 1 and started[0].worker.source.closed and started[0].worker.pid is None
    with pytest.raises(ChildProcessError):
        os.waitpid(worker[0], os.WNOHANG)  # already reaped
    with store.read() as conn:
        assert conn.execute("SELECT count(*) FROM review").fetchone()[0] == 0
    store.close()


@pytest.mark.parametrize(
    "html",
    ["<img src='a.png'>", "<img src=a.png alt='x &amp; y'>", "<a href=https://x.org>link</a>", '<img src="a.png" alt>', '<img src="a.png" alt="">',
     "<a href='https://x.org/?a=1&amp;b=2'>q</a>"],
)
def test_the_regular_tokeniser_reads_every_quoting_as_htmlparser_does(html):
    """Single-quoted, unquoted and missing attribute values: the same outcome as HTMLParser (they once read as empty, keeping the HTML)."""
    from srs.importers.anki.html import _feed_regular

    def slow(converter):
        converter.feed(html)
        converter.close()

    def fast(converter):
        assert _feed_regular(converter, html)

    assert _outcome(fast) == _outcome(slow) != "<not simple>"


def test_an_unchanged_file_is_parsed_once_on_a_second_import(store, col, tmp_path, monkeypatch):
    """A second import of the same package renders each deck file as it is on disk: its parse serves the check too."""
    from srs.importers.anki import deckfiles

    add_note(col, "q1", "a1", deck="One")
    add_note(col, "q2", "a2", deck="Two")
    package = export(col, tmp_path / "p.apkg")
    import_anki(store, package, tmp_path / "out", zone=UTC)
    parses = []
    original = deckfiles.parse_deck_ids
    monkeypatch.setattr(deckfiles, "parse_deck_ids", lambda path, data: parses.append(path) or original(path, data))
    result = import_anki(store, package, tmp_path / "out", zone=UTC)
    files = sorted(str(path) for path in (tmp_path / "out").glob("*.yaml"))
    assert len(files) == 2 and sorted(parses) == files  # One and Two: each parsed once
    assert not any(plan.changed for plan in result.files)
