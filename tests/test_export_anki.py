"""`srs export anki`: packages that the official `anki` package imports, updates in place, and escapes."""

from __future__ import annotations

import re

import hashlib
import sqlite3
import sys
import zipfile
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import genanki
import pytest
import yaml
from anki.collection import Collection
from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest
from hypothesis import given, settings
from hypothesis import strategies as st

from srs.exporters.anki import cloze, notetype, render, render_cache
from srs.exporters import default_filename, export_anki
from srs.decks import bundled_decks_dir, sync_paths
from srs.errors import SrsError
from srs.model import Scope
from srs.storage import open_store
from srs.storage.card_store import list_cards

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)
LATER = T0 + timedelta(minutes=5)

PYTHON_DECK = {
    "deck": "Lang::Python",
    "description": "Python **basics**.",
    "cards": [
        {
            "id": "py-1",
            "front": "What does `len([1, 2])` return?",
            "back": "`2`",
            "extra": "Works on any sized container.",
            "tags": ["builtins", "lists"],
            "difficulty": "easy",
            "source": ["https://docs.python.org/3/library/functions.html#len", "notes.txt#4"],
        },
        {
            "id": "py-2",
            "front": "How do you loop with an index?",
            "back": "```python\nfor i, x in enumerate(xs):\n    print(i, x)\n```",
            "tags": ["loops"],
            "difficulty": "medium",
        },
        {"id": "py-draft", "front": "Unfinished?", "draft": True},
        {"id": "py-gone", "front": "Soon retired", "back": "yes"},
    ],
}
ADVANCED_DECK = {
    "deck": "Lang::Python::Advanced",
    "cards": [{"id": "adv-1", "front": "What is a **metaclass**?", "back": "The class of a class.", "tags": ["classes"], "difficulty": "hard"}],
}
OTHER_DECK = {"deck": "Other", "cards": [{"id": "o-1", "front": "One", "back": "1", "tags": ["numbers"]}]}


def write_yaml(path: Path, deck: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(deck, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def decks_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "decks"
    write_yaml(folder / "python.yaml", PYTHON_DECK)
    write_yaml(folder / "advanced.yaml", ADVANCED_DECK)
    write_yaml(folder / "other.yaml", OTHER_DECK)
    return folder


@pytest.fixture
def store(tmp_path: Path, decks_dir: Path):
    store = open_store(tmp_path / "srs.db")
    sync_paths(store, [decks_dir], now=T0)
    # Retire py-gone: it leaves its file.
    without = dict(PYTHON_DECK, cards=[card for card in PYTHON_DECK["cards"] if card["id"] != "py-gone"])
    write_yaml(decks_dir / "python.yaml", without)
    sync_paths(store, [decks_dir], now=T0)
    yield store
    store.close()


@pytest.fixture
def col(tmp_path: Path):
    folder = tmp_path / "anki"
    folder.mkdir()
    col = Collection(str(folder / "collection.anki2"))
    yield col
    col.close()


def import_package(col: Collection, path: Path):
    request = ImportAnkiPackageRequest(package_path=str(path), options=ImportAnkiPackageOptions())
    return col.import_anki_package(request).log


def notes_by_guid(col: Collection) -> dict[str, object]:
    return {note.guid: note for note in (col.get_note(nid) for nid in col.find_notes(""))}


def guid(uid: str) -> str:
    return genanki.guid_for("srs", uid)


# ------------------------------------------------------------------------------------------------
# Importing into a real collection
# ------------------------------------------------------------------------------------------------


def test_import_gives_notes_decks_fields_and_tags(store, col, tmp_path):
    result = export_anki(store, tmp_path / "out.apkg", now=T0)
    assert (result.notes, result.decks) == (4, 4)  # Lang, Lang::Python, Lang::Python::Advanced, Other

    log = import_package(col, result.path)

    assert len(log.new) == 4 and not log.updated and not log.duplicate
    assert col.note_count() == 4 and col.card_count() == 4
    names = {deck.name for deck in col.decks.all_names_and_ids()}
    assert {"Lang", "Lang::Python", "Lang::Python::Advanced", "Other"} <= names
    notes = notes_by_guid(col)
    assert set(notes) == {guid("py-1"), guid("py-2"), guid("adv-1"), guid("o-1")}

    first = notes[guid("py-1")]
    assert first.note_type()["name"] == notetype.MODEL_NAME
    assert [field["name"] for field in first.note_type()["flds"]] == ["Front", "Back", "Extra", "Source"]
    assert first.fields == [
        "<p>What does <code>len([1, 2])</code> return?</p>",
        "<p><code>2</code></p>",
        "<p>Works on any sized container.</p>",
        '<a href="https://docs.python.org/3/library/functions.html#len">https://docs.python.org/3/library/functions.html#len</a>'
        "<br>notes.txt#4",
    ]
    assert sorted(first.tags) == ["builtins", "difficulty::easy", "lists"]
    assert col.decks.name(first.cards()[0].did) == "Lang::Python"
    assert col.decks.name(notes[guid("adv-1")].cards()[0].did) == "Lang::Python::Advanced"
    assert notes[guid("adv-1")]["Front"] == "<p>What is a <strong>metaclass</strong>?</p>"
    assert sorted(notes[guid("o-1")].tags) == ["numbers"]  # no difficulty, no difficulty tag


def test_code_is_highlighted_and_styled_for_night_mode(store, col, tmp_path):
    import_package(col, export_anki(store, tmp_path / "out.apkg", now=T0).path)
    note = notes_by_guid(col)[guid("py-2")]

    back = note["Back"]
    assert back.startswith('<pre class="highlight"><code class="language-python">')
    assert '<span class="k">for</span>' in back and '<span class="nb">enumerate</span>' in back
    css = note.note_type()["css"]
    assert ".highlight .k {" in css
    assert ".nightMode .highlight .k, .night_mode .highlight .k {" in css
    assert ".card.nightMode" in css and ".night_mode .card" in css
    answer = note.cards()[0].answer()
    assert '<div class="srs back"><pre class="highlight">' in answer


def _css_rules(css: str) -> list[tuple[list[str], str]]:
    """(selectors, declarations) of each flat CSS rule."""
    rules = []
    for block in re.sub(r"/\*.*?\*/", "", css, flags=re.S).split("}"):
        if "{" in block:
            selectors, body = block.split("{", 1)
            rules.append(([selector.strip() for selector in selectors.split(",")], body))
    return rules


def test_source_stays_a_field_but_is_not_printed_on_the_card(store, col, tmp_path):
    import_package(col, export_anki(store, tmp_path / "out.apkg", now=T0).path)
    note = notes_by_guid(col)[guid("py-1")]
    assert "notes.txt#4" in note["Source"]
    answer = note.cards()[0].answer()
    assert "notes.txt#4" not in answer and "docs.python.org" not in answer
    assert "Works on any sized container." in answer


def test_no_note_type_prints_the_source_or_shrinks_a_whole_box():
    models = [notetype.make_model(), notetype.make_cloze_model(), notetype.make_reversed_model()]
    for model in models:
        for template in model.templates:
            for side in (template["qfmt"], template["afmt"]):
                assert "{{Source}}" not in side and "source" not in side, model.name
                assert 'class="srs extra">{{' not in side, model.name  # Extra's text sits in an inner, smaller element
        assert "Source" in [field["name"] for field in model.fields]


def test_every_text_box_on_the_card_has_the_same_width(store, col, tmp_path):
    """.srs boxes are 44em wide at most: a box with a smaller font would be narrower, so it would look indented."""
    import_package(col, export_anki(store, tmp_path / "out.apkg", now=T0).path)
    note = notes_by_guid(col)[guid("py-1")]
    answer = note.cards()[0].answer()
    boxes = re.findall(r'<div class="(srs [^"]*)">', answer)
    assert {"srs front", "srs back", "srs extra"} <= set(boxes)
    sized = {selector for selectors, body in _css_rules(note.note_type()["css"]) if "font-size" in body for selector in selectors}
    for box in boxes:
        for name in box.split():
            assert f".{name}" not in sized and f".srs.{name}" not in sized, f"{box} changes its own font size"
    assert '<div class="srs extra"><div class="smaller">' in answer  # the smaller text is inside the box


def test_night_mode_code_blocks_stand_out_from_the_page(store, col, tmp_path):
    import_package(col, export_anki(store, tmp_path / "out.apkg", now=T0).path)
    css = notes_by_guid(col)[guid("py-2")].note_type()["css"]

    def background(selector: str) -> str:
        found = [re.search(r"background(?:-color)?:\s*([^;]+);", body) for selectors, body in _css_rules(css) if selector in selectors]
        return [match.group(1).strip() for match in found if match][-1]  # the last rule wins

    page, code = background(".card.nightMode"), background(".nightMode .highlight")
    assert page.lower() != code.lower()
    assert background(".night_mode .highlight").lower() == code.lower()


def test_a_reimport_brings_the_new_templates_into_anki(store, col, tmp_path, monkeypatch):
    old = "{{FrontSide}}<hr id=answer>{{Back}}{{#Source}}<div class=source>{{Source}}</div>{{/Source}}"
    monkeypatch.setattr(notetype, "BACK_TEMPLATE", old)
    monkeypatch.setattr(render_cache, "RENDERER", "0123456789abcdef")
    import_package(col, export_anki(store, tmp_path / "v1.apkg", now=T0).path)
    monkeypatch.undo()
    import_package(col, export_anki(store, tmp_path / "v2.apkg", now=LATER).path)
    model = col.models.by_name(notetype.MODEL_NAME)
    assert model["tmpls"][0]["afmt"] == notetype.BACK_TEMPLATE
    assert "notes.txt#4" not in notes_by_guid(col)[guid("py-1")].cards()[0].answer()


def test_drafts_and_retired_cards_are_not_exported(store, col, tmp_path):
    with store.read() as conn:
        listed = {card.uid for card in list_cards(conn, Scope())}
    assert listed == {"py-1", "py-2", "adv-1", "o-1"}

    import_package(col, export_anki(store, tmp_path / "out.apkg", now=T0).path)

    guids = set(notes_by_guid(col))
    assert guid("py-draft") not in guids and guid("py-gone") not in guids


def test_reexport_after_an_edit_updates_exactly_that_note(store, col, tmp_path, decks_dir):
    import_package(col, export_anki(store, tmp_path / "v1.apkg", now=T0).path)
    before = {g: list(note.fields) + sorted(note.tags) for g, note in notes_by_guid(col).items()}

    edited = yaml.safe_load((decks_dir / "python.yaml").read_text(encoding="utf-8"))
    edited["cards"][0]["back"] = "`2`, the number of items."
    write_yaml(decks_dir / "python.yaml", edited)
    report = sync_paths(store, [decks_dir], now=LATER)
    assert report.updated == ["py-1"]
    log = import_package(col, export_anki(store, tmp_path / "v2.apkg", now=LATER).path)

    assert not log.new and len(log.updated) == 1 and len(log.duplicate) == 3
    assert col.note_count() == 4 and col.card_count() == 4
    after = notes_by_guid(col)
    changed = {g for g, note in after.items() if list(note.fields) + sorted(note.tags) != before[g]}
    assert changed == {guid("py-1")}
    assert after[guid("py-1")]["Back"] == "<p><code>2</code>, the number of items.</p>"
    assert after[guid("py-1")].mod == int(LATER.timestamp())


def test_reexport_unchanged_adds_no_notes(store, col, tmp_path):
    import_package(col, export_anki(store, tmp_path / "v1.apkg", now=T0).path)
    before = {g: list(note.fields) for g, note in notes_by_guid(col).items()}

    log = import_package(col, export_anki(store, tmp_path / "v2.apkg", now=LATER).path)

    # Unchanged notes carry the same date as Anki's copies, so Anki skips them rather than "updating" them.
    assert not log.new and not log.conflicting and not log.updated and len(log.duplicate) == 4
    assert col.note_count() == 4 and col.card_count() == 4
    assert {g: list(note.fields) for g, note in notes_by_guid(col).items()} == before
    assert [m.name for m in col.models.all_names_and_ids()].count(notetype.MODEL_NAME) == 1


def package_mods(path: Path) -> dict[str, int]:
    with zipfile.ZipFile(path) as archive:
        data = archive.read("collection.anki2")
    db = sqlite3.connect(":memory:")
    db.deserialize(data)
    mods = {row[0]: row[1] for row in db.execute("SELECT guid, mod FROM notes")}
    assert mods == {row[0]: row[1] for row in db.execute("SELECT n.guid, c.mod FROM notes n JOIN cards c ON c.nid = n.id")}
    db.close()
    return mods


def test_each_note_has_one_new_card_in_its_deck_in_file_order(store, tmp_path):
    path = export_anki(store, tmp_path / "out.apkg", now=T0).path

    with zipfile.ZipFile(path) as archive:
        data = archive.read("collection.anki2")
    db = sqlite3.connect(":memory:")
    db.deserialize(data)
    cards = db.execute(
        "SELECT n.guid, c.did, c.due, c.ord, c.type, c.queue, c.id - n.id FROM cards c JOIN notes n ON n.id = c.nid ORDER BY c.due"
    ).fetchall()
    db.close()
    deck = {name: notetype.stable_id("deck", name) for name in ("Lang::Python", "Lang::Python::Advanced", "Other")}
    assert cards == [
        (guid("py-1"), deck["Lang::Python"], 1, 0, 0, 0, 1),
        (guid("py-2"), deck["Lang::Python"], 2, 0, 0, 0, 1),
        (guid("adv-1"), deck["Lang::Python::Advanced"], 3, 0, 0, 0, 1),
        (guid("o-1"), deck["Other"], 4, 0, 0, 0, 1),
    ]


def test_notes_are_dated_by_their_last_content_change_not_the_export(store, tmp_path, decks_dir):
    export_anki(store, tmp_path / "v1.apkg", now=T0)  # the first export by this renderer dates it T0
    edited = yaml.safe_load((decks_dir / "python.yaml").read_text(encoding="utf-8"))
    edited["cards"][1]["tags"] = ["loops", "iteration"]  # tags are content too
    write_yaml(decks_dir / "python.yaml", edited)
    sync_paths(store, [decks_dir], now=LATER)
    sync_paths(store, [decks_dir], now=LATER + timedelta(hours=1), force=True)  # re-read unchanged: no new date

    mods = package_mods(export_anki(store, tmp_path / "v2.apkg", now=LATER + timedelta(days=1)).path)

    t0, later = int(T0.timestamp()), int(LATER.timestamp())
    assert mods == {guid("py-1"): t0, guid("py-2"): later, guid("adv-1"): t0, guid("o-1"): t0}


def test_a_new_renderer_makes_every_note_newer(store, col, tmp_path, monkeypatch):
    import_package(col, export_anki(store, tmp_path / "v1.apkg", now=T0).path)
    monkeypatch.setattr(render_cache, "RENDERER", "0123456789abcdef")  # as after an upgrade that renders differently

    v2 = export_anki(store, tmp_path / "v2.apkg", now=LATER).path
    v3 = export_anki(store, tmp_path / "v3.apkg", now=LATER + timedelta(days=1)).path

    assert set(package_mods(v2).values()) == {int(LATER.timestamp())} == set(package_mods(v3).values())
    assert len(import_package(col, v2).updated) == 4  # Anki takes the new HTML
    assert len(import_package(col, v3).duplicate) == 4  # and the renderer is dated once, not per export


# ------------------------------------------------------------------------------------------------
# Hostile text
# ------------------------------------------------------------------------------------------------

HOSTILE = {
    "deck": "Hostile",
    "cards": [
        {
            "id": "evil-1",
            "front": "<script>alert(1)</script> [bold red]rich[/] SEPsplitSEPhere",
            "back": '<img src=x onerror="alert(1)"> <a href="javascript:alert(2)">x</a> [link](javascript:alert(3)) <svg onload=alert(4)>',
            "extra": "[sound:evil.mp3] [latex]\\input{/etc/passwd}[/latex] ```\n<script>in code</script>\n```\n" + "long " * 40_000,
            "tags": ["hostile"],
            "source": ["javascript:alert(5)", "<b onclick=x>src</b>"],
        }
    ],
}
ALLOWED_TAGS = {"p", "code", "pre", "span", "strong", "em", "a", "br", "ul", "ol", "li", "blockquote", "hr",
                "h1", "h2", "h3", "h4", "h5", "h6", "img", "table", "thead", "tbody", "tr", "th", "td"}
ALLOWED_ATTRS = {"class", "href", "src", "alt", "title", "style", "start"}


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)


def parsed(html: str) -> TagCollector:
    collector = TagCollector()
    collector.feed(html)
    collector.close()
    return collector


def assert_safe(html: str) -> None:
    assert "\x1f" not in html
    for tag, attrs in parsed(html).tags:
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs:
            assert name in ALLOWED_ATTRS, name
            assert not (value or "").strip().lower().startswith(("javascript:", "vbscript:", "data:text")), value
            if name == "style":
                assert value.startswith("text-align:"), value


def test_hostile_text_comes_through_escaped(tmp_path, col):
    store = open_store(tmp_path / "srs.db")
    sync_paths(store, [write_yaml(tmp_path / "decks" / "hostile.yaml", HOSTILE)], now=T0)
    # The deck loader refuses control characters, so put Anki's field separator in through the DB.
    with store.write() as conn:
        conn.execute("UPDATE card_text SET front = replace(front, 'SEP', char(31))")
    import_package(col, export_anki(store, tmp_path / "out.apkg", now=T0).path)
    store.close()

    (note,) = notes_by_guid(col).values()
    assert len(note.fields) == 4
    for field in note.fields:
        assert_safe(field)
    front_text = "".join(parsed(note["Front"]).text)
    assert "<script>alert(1)</script> [bold red]rich[/] \ufffdsplit\ufffdhere" in front_text
    back_text = "".join(parsed(note["Back"]).text)
    assert '<img src=x onerror="alert(1)">' in back_text and "[link](javascript:alert(3))" in back_text
    extra = note["Extra"]
    assert "&#91;sound:evil.mp3]" in extra and "&#91;latex]" in extra
    assert "&lt;script&gt;in code&lt;/script&gt;" in extra
    assert extra.count("long") == 40_000
    assert "<a" not in note["Source"] and "&lt;b onclick=x&gt;src&lt;/b&gt;" in note["Source"]
    card = note.cards()[0]
    assert not card.question_av_tags() and not card.answer_av_tags()  # [sound:...] stayed text
    assert "<script>" not in card.answer().split("</style>", 1)[1]


FRAGMENTS = ["<", ">", "&", '"', "'", "=", "/", " ", "\n", "\n\n", "`", "```", "*", "_", "[", "]", "(", ")", "!", "#", "-", "|",
             "\\", ":", "~", "1.", "    ", "\x1f", "\x00", "\r", "script", "onerror", "on", "javascript:", "img src=x", "a",
             "Word", "é", "\u00a0", "\t", "&amp;", "&#x3c;", "http://x.y/", "[sound:a]", "python"]
hostile_text = st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(hostile_text)
def test_any_text_renders_to_safe_html(text):
    assert_safe(render.markdown_html(text))


@settings(max_examples=200, deadline=None)
@given(st.lists(hostile_text, max_size=3).map(tuple))
def test_any_sources_render_to_safe_html(sources):
    assert_safe(render.sources_html(sources))


# ------------------------------------------------------------------------------------------------
# The plain-text fast path renders exactly what markdown-it renders
# ------------------------------------------------------------------------------------------------

PLAIN_FRAGMENTS = ["a", "Word", " ", "\n", "\n\n", "`", "x.view()", "[3, 4]", "->", '"', "'", "1.", "2)", "# ", "- ", "* ",
                   "> ", "=", "---", "*", "_", "<", "&", "\\", "|", "](", "![", "~", ":", "é", "  ", "\t",
                   "7", "]", ")", "!", "+", "#", "\u2003", "\x85", "\xa0", "Straße", ">"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(PLAIN_FRAGMENTS), max_size=30).map("".join))
def test_fast_path_matches_markdown_it(text):
    fast = render._fast_markdown(text)
    if fast is not None:
        assert fast == render._MARKDOWN.render(text)
    simple = render.simple_line_html(text)
    if simple is not None:
        assert simple == render.markdown_html(text) == render._MARKDOWN.render(text).rstrip("\n")


def test_fast_path_matches_markdown_it_on_every_bundled_card():
    taken = 0
    for path in sorted(bundled_decks_dir().rglob("*.yaml")):
        for card in yaml.safe_load(path.read_text(encoding="utf-8"))["cards"]:
            for side in ("front", "back", "cloze", "extra"):
                text = render.clean_text(cloze.protect(card.get(side) or "") if side == "cloze" else card.get(side) or "")
                fast = render._fast_markdown(text)
                if fast is not None:
                    taken += 1
                    assert fast == render._MARKDOWN.render(text), (path, card.get("id"), side)
    assert taken > 100  # the fast path is actually used


# ------------------------------------------------------------------------------------------------
# Identity, filters, files, CLI
# ------------------------------------------------------------------------------------------------


def test_ids_are_fixed_and_derived_from_names():
    # Pinned: changing them would make every user's next import create a new note type / decks.
    assert notetype.make_model().model_id == 1838560619
    assert notetype.stable_id("deck", "Lang::Python") == notetype.stable_id("deck", "Lang::Python")
    assert notetype.stable_id("deck", "Lang::Python") != notetype.stable_id("deck", "Lang")
    assert all((1 << 30) <= notetype.stable_id("deck", name) < (1 << 31) for name in ("a", "b", "Lang::Python", "é" * 50))
    assert notetype.note_guid("py-1") == genanki.guid_for("srs", "py-1")


@pytest.mark.filterwarnings("error")
@given(st.text(max_size=40))
@settings(max_examples=300, deadline=None)
def test_note_guid_is_genankis_guid_for_any_uid(uid):
    assert notetype.note_guid(uid) == genanki.guid_for("srs", uid)


def test_deck_and_tag_filters(store, col, tmp_path):
    result = export_anki(store, tmp_path / "python.apkg", deck="Lang::Python", now=T0)
    assert (result.notes, result.decks) == (3, 3)
    import_package(col, result.path)
    assert set(notes_by_guid(col)) == {guid("py-1"), guid("py-2"), guid("adv-1")}

    tagged = export_anki(store, tmp_path / "tagged.apkg", tag="numbers", now=T0)
    assert (tagged.notes, tagged.decks) == (1, 1)

    with pytest.raises(SrsError, match="no deck named 'Lang::Nope'"):
        export_anki(store, tmp_path / "x.apkg", deck="Lang::Nope")
    with pytest.raises(SrsError, match="nothing to export"):
        export_anki(store, tmp_path / "x.apkg", tag="no-such-tag")
    with pytest.raises(SrsError, match=r"\.apkg"):
        export_anki(store, tmp_path / "x.zip")
    assert not list(tmp_path.glob(".*.tmp"))


def test_default_file_names():
    assert default_filename() == "srs-all.apkg"
    assert default_filename("Lang::Python") == "srs-Lang-Python.apkg"
    assert default_filename("PyTorch::Quizzes::01 Loss, Activations & Broadcasting") == "srs-PyTorch-Quizzes-01-Loss-Activations-Broadcasting.apkg"
    assert default_filename(None, "leech") == "srs-tag-leech.apkg"
    assert default_filename("../..", "a/b") == "srs-deck-a-b.apkg"


def run_cli(monkeypatch, *args: str) -> None:
    from srs.cli import main

    monkeypatch.setattr(sys, "argv", ["srs", *args])
    try:
        main()
    except SystemExit as exc:
        assert exc.code in (0, None)


def test_cli_writes_the_default_file_and_prints_counts(store, tmp_path, monkeypatch, capsys):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    run_cli(monkeypatch, "--db", str(store.path), "export", "anki", "--deck", "Lang")

    out = capsys.readouterr().out
    assert out.strip() == f"wrote {work / 'srs-Lang.apkg'}: 3 notes in 3 decks"
    assert (work / "srs-Lang.apkg").is_file()

    run_cli(monkeypatch, "export", "anki", "--db", str(store.path), "-o", str(work), "--tag", "numbers")
    assert (work / "srs-tag-numbers.apkg").is_file()
    assert "1 note in 1 deck" in capsys.readouterr().out


# ------------------------------------------------------------------------------------------------
# Render cache: HTML by digest of (renderer, text), kept in the collection
# ------------------------------------------------------------------------------------------------


def package_fields(path: Path) -> dict[str, list[str]]:
    with zipfile.ZipFile(path) as archive:
        data = archive.read("collection.anki2")
    db = sqlite3.connect(":memory:")
    db.deserialize(data)
    fields = {row[0]: row[1].split("\x1f") for row in db.execute("SELECT guid, flds FROM notes")}
    db.close()
    return fields


def cache_rows(store) -> int:
    from srs.storage.render_store import render_cache_size

    with store.read() as conn:
        return render_cache_size(conn)


def forget_stored_notes(store) -> None:
    """Drop the notes earlier exports kept, so the next export makes every note from the texts (and the render cache)."""
    from srs.storage.note_store import forget_stored_notes as forget

    with store.write() as conn:
        forget(conn)


def test_reexport_takes_unchanged_texts_from_the_cache(store, tmp_path):
    cold = export_anki(store, tmp_path / "cold.apkg", now=T0)
    forget_stored_notes(store)
    warm = export_anki(store, tmp_path / "warm.apkg", now=T0)

    # One-line plain texts take the one-match path; the fenced code, the code spans, the **strong** front and
    # "1" (a list start, were it followed by '.') go through the cache.
    assert cold.rendered == 5 and cold.reused == 0 and cold.fast == 4
    assert warm.rendered == 0 and warm.reused == 5 and warm.fast == cold.fast
    assert cache_rows(store) == 5
    assert package_fields(tmp_path / "warm.apkg") == package_fields(tmp_path / "cold.apkg")


def test_an_edited_text_misses_the_cache(store, tmp_path, decks_dir):
    export_anki(store, tmp_path / "v1.apkg", now=T0)
    edited = yaml.safe_load((decks_dir / "python.yaml").read_text(encoding="utf-8"))
    edited["cards"][1]["back"] = "```python\nfor i, x in enumerate(ys):\n    print(i, x)\n```"
    write_yaml(decks_dir / "python.yaml", edited)
    sync_paths(store, [decks_dir], now=LATER)

    result = export_anki(store, tmp_path / "v2.apkg", now=LATER)

    assert result.rendered == 1 and result.stored == 3  # the edited card's note is made again, the others copied
    back = package_fields(tmp_path / "v2.apkg")[guid("py-2")][1]
    assert back == render.markdown_html(edited["cards"][1]["back"]) and "ys" in back


def test_a_renderer_change_misses_every_row_and_drops_the_old_ones(store, tmp_path, monkeypatch):
    export_anki(store, tmp_path / "v1.apkg", now=T0)
    with store.write() as conn:  # a stale rendering under the old renderer must never be served
        conn.execute("UPDATE render_cache SET html = 'STALE'")
    monkeypatch.setattr(render_cache, "RENDERER", "0123456789abcdef")

    result = export_anki(store, tmp_path / "v2.apkg", now=T0)

    assert result.rendered == 5 and result.reused == 0
    assert not any("STALE" in field for fields in package_fields(tmp_path / "v2.apkg").values() for field in fields)
    with store.read() as conn:
        assert {row[0] for row in conn.execute("SELECT DISTINCT renderer FROM render_cache")} == {"0123456789abcdef"}


def test_the_renderer_version_covers_the_libraries_and_the_rendering_modules():
    import markdown_it
    import pygments

    source = Path(render.__file__).read_bytes() + Path(notetype.__file__).read_bytes() + Path(cloze.__file__).read_bytes()
    expected = f"markdown-it-py {markdown_it.__version__}|pygments {pygments.__version__}|".encode() + source
    assert render_cache.RENDERER == hashlib.blake2b(expected, digest_size=8).hexdigest()
    assert render_cache.render_key("a", render_cache.RENDERER) != render_cache.render_key("a", "0123456789abcdef")
    # The keyed digest of the text, however it is computed: caches filled by earlier versions keep hitting.
    assert render_cache.render_key("é", "0123456789abcdef") == hashlib.blake2b("é".encode(), digest_size=16, key=b"0123456789abcdef").digest()
    assert render_cache.render_key("a", render_cache.RENDERER) != render_cache.render_key("a ", render_cache.RENDERER)


def test_hostile_text_comes_through_the_cache_escaped(tmp_path):
    store = open_store(tmp_path / "srs.db")
    sync_paths(store, [write_yaml(tmp_path / "decks" / "hostile.yaml", HOSTILE)], now=T0)
    with store.write() as conn:
        conn.execute("UPDATE card_text SET front = replace(front, 'SEP', char(31))")
    cold = export_anki(store, tmp_path / "cold.apkg", now=T0)
    forget_stored_notes(store)
    warm = export_anki(store, tmp_path / "warm.apkg", now=T0)
    store.close()

    assert cold.rendered == 3 and warm.reused == 3  # front, back and extra are all cached
    (fields,) = package_fields(tmp_path / "warm.apkg").values()
    assert len(fields) == 4 and fields == next(iter(package_fields(tmp_path / "cold.apkg").values()))
    for field in fields:
        assert_safe(field)
    assert "&#91;sound:evil.mp3]" in fields[2] and fields[2].count("long") == 40_000


def test_a_whole_collection_export_prunes_rows_no_card_uses(store, tmp_path):
    from srs.storage.render_store import store_html

    with store.write() as conn:
        store_html(conn, render_cache.RENDERER, [(i.to_bytes(16, "big"), "old") for i in range(1500)])
    export_anki(store, tmp_path / "python.apkg", deck="Lang::Python", now=T0)
    assert cache_rows(store) == 1504  # a filtered export does not see every text, so it keeps them

    export_anki(store, tmp_path / "all.apkg", now=T0)
    assert cache_rows(store) == 5
