"""Cloze deletions and reversed cards: parsing, validation with positions, generated cards and their sync."""

from __future__ import annotations

import pytest

from srs.decks import check_paths, sync_paths
from srs.decks.cloze import card_kind, generate_cards, ordinals, question_text, render_deletions, scan
from srs.decks.load import parse_deck
from srs.errors import DeckError
from srs.model import CardSpec, Rating
from srs.review import answer, find_card
from tests.conftest import T0

DATALOADER = "The default of {{c1::shuffle}} in `DataLoader` is {{c2::False::a bool}}; {{c1::shuffle}} again."


def errors(text: str) -> list[tuple[int, int, str]]:
    deck, problems = parse_deck("d.yaml", text.encode())
    assert deck is None
    return [(p.line, p.col, p.message) for p in problems if p.severity == "error"]


# --- the pure part --------------------------------------------------------------------------------------


def test_scan_reads_numbers_answers_and_hints() -> None:
    deletions, problems = scan(DATALOADER)
    assert problems == []
    assert [(d.ordinal, d.answer, d.hint) for d in deletions] == [(1, "shuffle", None), (2, "False", "a bool"), (1, "shuffle", None)]
    assert ordinals(DATALOADER) == [1, 2]
    assert ordinals("{{c3::x}} {{c10::y}}") == [3, 10]


def test_question_and_answer_of_each_card() -> None:
    assert render_deletions(DATALOADER, 1, reveal=False) == "The default of [...] in `DataLoader` is False; [...] again."
    assert render_deletions(DATALOADER, 2, reveal=False) == "The default of shuffle in `DataLoader` is [a bool]; shuffle again."
    assert render_deletions(DATALOADER, 2, reveal=True, before="<", after=">") == "The default of shuffle in `DataLoader` is <False>; shuffle again."
    assert question_text("deck/x#c1", DATALOADER).startswith("The default of [...]")
    assert question_text("deck/x", "plain {{c1::kept}}") == "plain {{c1::kept}}"  # not a cloze card: text as written


def test_generated_cards_have_stable_ids() -> None:
    entry = CardSpec(uid="dl", front="", back="", extra="more", cloze=DATALOADER)
    cards = generate_cards(entry)
    assert [c.uid for c in cards] == ["dl#c1", "dl#c2"]
    assert all(c.front == DATALOADER and c.back == "" and c.extra == "more" for c in cards)
    pair = generate_cards(CardSpec(uid="q", front="Q", back="A", reverse=True))
    assert [(c.uid, c.front, c.back) for c in pair] == [("q", "Q", "A"), ("q#rev", "A", "Q")]
    assert generate_cards(CardSpec(uid="p", front="Q", back="A")) == [CardSpec(uid="p", front="Q", back="A")]


def test_card_kind_reads_uids() -> None:
    assert card_kind("a/b#c12").ordinal == 12 and card_kind("a/b#c12").entry == "a/b"
    assert card_kind("a/b#rev").reversed and not card_kind("a/b#rev").is_cloze
    assert card_kind("a/b").entry == "a/b" and not card_kind("a/b").is_cloze and not card_kind("a/b").reversed


# --- validation -----------------------------------------------------------------------------------------


def test_cloze_without_deletion_is_an_error_with_position() -> None:
    assert errors('deck: D\ncards:\n  - id: a\n    cloze: "no deletion here"\n') == [
        (4, 12, "cloze has no deletion: mark what to hide as {{c1::text}} (or {{c1::text::hint}})")
    ]


def test_unbalanced_braces_point_at_the_brace() -> None:
    # plain, double-quoted and block scalars: the column is the brace's own column in the file
    assert errors("deck: D\ncards:\n  - id: a\n    cloze: The {{c1::default is False\n")[0][:2] == (4, 16)
    assert errors('deck: D\ncards:\n  - id: a\n    cloze: "x {{c1::y}} and z}} w"\n')[0][:2] == (4, 30)
    text = "deck: D\ncards:\n  - id: a\n    cloze: |\n      line one {{c1::ok}}\n      then {{c2::broken\n"
    (line, col, message), = errors(text)
    assert (line, col) == (6, 12) and "deletion c2 is never closed" in message


def test_both_cloze_and_front_is_an_error() -> None:
    found = errors("deck: D\ncards:\n  - id: a\n    front: Q\n    cloze: '{{c1::x}}'\n")
    assert found == [(4, 5, "a card has either 'cloze' or 'front', not both (its text is the question)")]
    assert errors("deck: D\ncards:\n  - id: a\n    back: B\n    cloze: '{{c1::x}}'\n")[0][:2] == (4, 5)


@pytest.mark.parametrize(
    "cloze, fragment",
    [
        ("{{c1::}}", "hides nothing"),
        ("{{c0::x}}", "between c1 and"),
        ("{{c1::a {{c2::b}} c}}", "inside another deletion"),
        ("{{c1:x}}", "is not a deletion"),
        ("{{C1::x}}", "is not a deletion"),
        ("x }} y {{c1::z}}", "closes nothing"),
    ],
)
def test_malformed_deletions_are_errors(cloze: str, fragment: str) -> None:
    found = errors(f"deck: D\ncards:\n  - id: a\n    cloze: '{cloze}'\n")
    assert any(fragment in message for _, _, message in found), found


def test_reverse_must_be_a_boolean_and_not_on_a_cloze() -> None:
    assert errors("deck: D\ncards:\n  - id: a\n    front: Q\n    back: A\n    reverse: 'yes'\n") == [(6, 14, "'reverse' must be true or false")]
    assert "no back to ask from" in errors("deck: D\ncards:\n  - id: a\n    cloze: '{{c1::x}}'\n    reverse: true\n")[0][2]


def test_draft_cloze_may_lack_a_deletion(tmp_path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text("deck: D\ncards:\n  - id: a\n    cloze: 'to do'\n    draft: true\n")
    loaded = check_paths([path])
    assert loaded.errors == []
    assert [p.message for p in loaded.problems] == ["draft (not scheduled until finished): no deletion yet"]
    assert [c.uid for c in generate_cards(loaded.decks[0].cards[0])] == ["a#c1"]


# --- sync: ids, schedules, retiring ---------------------------------------------------------------------


CLOZE_DECK = """\
deck: D
cards:
  - id: dl
    cloze: "The default of {{c1::shuffle}} is {{c2::False}}."
    tags: [data-loading]
    difficulty: easy
  - id: fn
    front: Which function zeroes gradients?
    back: "`optimizer.zero_grad()`"
    reverse: true
"""


def test_sync_makes_one_card_per_deletion_and_a_reverse(store, write_deck) -> None:
    path = write_deck("d.yaml", CLOZE_DECK)
    report = sync_paths(store, [path], now=T0)
    assert report.added == ["dl#c1", "dl#c2", "fn", "fn#rev"]
    rev = find_card(store, "fn#rev")
    assert (rev.front, rev.back) == ("`optimizer.zero_grad()`", "Which function zeroes gradients?")
    assert find_card(store, "dl#c2").tags == ("data-loading",)


def test_siblings_are_introduced_after_every_entrys_first_card(store, write_deck) -> None:
    sync_paths(store, [write_deck("d.yaml", CLOZE_DECK + "  - id: pl\n    front: Plain\n    back: card\n")], now=T0)
    with store.read() as conn:
        placed = conn.execute("SELECT uid, position FROM card ORDER BY position").fetchall()
    assert placed == [("dl#c1", 0), ("fn", 1), ("pl", 2), ("dl#c2", 3), ("fn#rev", 4)]


def test_editing_text_keeps_schedules_and_removing_a_deletion_retires_its_card(store, write_deck) -> None:
    path = write_deck("d.yaml", CLOZE_DECK)
    sync_paths(store, [path], now=T0)
    for uid in ("dl#c1", "dl#c2", "fn#rev"):
        answer(store, find_card(store, uid).id, Rating.GOOD, now=T0)
    before = {uid: find_card(store, uid).memory for uid in ("dl#c1", "dl#c2", "fn#rev")}
    edited = CLOZE_DECK.replace("The default of {{c1::shuffle}} is {{c2::False}}.", "DataLoader's {{c1::shuffle}} defaults to {{c2::False::bool}}.")
    edited = edited.replace("Which function zeroes gradients?", "Which call zeroes the gradients?")
    report = sync_paths(store, [write_deck("d.yaml", edited)], now=T0)
    assert sorted(report.updated) == ["dl#c1", "dl#c2", "fn", "fn#rev"] and report.retired == []
    assert {uid: find_card(store, uid).memory for uid in before} == before
    assert find_card(store, "fn#rev").back == "Which call zeroes the gradients?"

    one_left = edited.replace(" defaults to {{c2::False::bool}}", " is on")
    report = sync_paths(store, [write_deck("d.yaml", one_left)], now=T0)
    assert report.retired == ["dl#c2"] and find_card(store, "dl#c2").retired
    assert find_card(store, "dl#c1").memory == before["dl#c1"]
    no_reverse = one_left.replace("    reverse: true\n", "")
    report = sync_paths(store, [write_deck("d.yaml", no_reverse)], now=T0)
    assert report.retired == ["fn#rev"] and report.updated == ["fn"]

    restored = sync_paths(store, [write_deck("d.yaml", edited)], now=T0)
    assert sorted(restored.restored) == ["dl#c2", "fn#rev"]
    assert find_card(store, "dl#c2").memory == before["dl#c2"]


def test_broken_cloze_changes_nothing(store, write_deck) -> None:
    path = write_deck("d.yaml", CLOZE_DECK)
    sync_paths(store, [path], now=T0)
    broken = CLOZE_DECK.replace("{{c2::False}}", "{{c2::False}")
    with pytest.raises(DeckError) as caught:
        sync_paths(store, [write_deck("d.yaml", broken)], now=T0)
    assert [(p.line, p.col) for p in caught.value.problems] == [(4, 47)]
    assert find_card(store, "dl#c2").front == "The default of {{c1::shuffle}} is {{c2::False}}."


def test_an_entry_id_taken_by_another_file_is_refused_for_generated_cards(store, write_deck) -> None:
    sync_paths(store, [write_deck("a.yaml", CLOZE_DECK)], now=T0)
    other = write_deck("b.yaml", 'deck: E\ncards:\n  - id: dl\n    cloze: "{{c1::x}}"\n')
    with pytest.raises(DeckError) as caught:
        sync_paths(store, [other], now=T0)
    assert "already used at" in caught.value.problems[0].message
    assert find_card(store, "dl#c1").deck == "D"


# --- everything else sees generated cards as ordinary cards ---------------------------------------------


def test_quiz_stats_and_show_count_generated_cards(store, write_deck, tmp_path) -> None:
    import json

    from typer.testing import CliRunner

    from srs.cli import app
    from srs.quiz import plan_quiz
    from srs.stats import compute_stats

    sync_paths(store, [write_deck("d.yaml", CLOZE_DECK)], now=T0)
    stats = compute_stats(store, now=T0)
    assert stats["cards"]["total"] == 4 and stats["cards"]["new"] == 4
    assert next(t for t in stats["topics"] if t["topic"] == "data-loading")["cards"] == 2
    plan = plan_quiz(store, count=4, now=T0)
    assert sorted(q.card_id for q in plan.questions) == sorted(find_card(store, uid).id for uid in ("dl#c1", "dl#c2", "fn", "fn#rev"))
    answer(store, find_card(store, "dl#c2").id, Rating.GOOD, now=T0)
    assert compute_stats(store, now=T0)["today"]["reviews"] == 1

    result = CliRunner().invoke(app, ["show", "dl#c2", "--json", "--db", str(store.path)])
    shown = json.loads(result.output)
    assert shown["kind"] == "cloze" and shown["front"] == "The default of shuffle is [...]." and shown["back"] == "The default of shuffle is False."
    assert shown["cloze"] == "The default of {{c1::shuffle}} is {{c2::False}}." and shown["reps"] == 1


# --- srs ingest proposes cloze drafts for one-term answers ------------------------------------------------

NOTES = """\
# Notes

### 1. What is the default value of `shuffle` in a `DataLoader`?

`False`

### 2. Which optimizer did the course use for the CNN?

Adam

### 3. Why zero the gradients?

Because `backward()` accumulates into `.grad`.

### 4. What are the two methods a `Dataset` must define?

`__len__` and `__getitem__`
"""


def test_ingest_proposes_cloze_drafts_for_one_term_answers(tmp_path) -> None:
    from srs.ingest.build import ingest_file
    from srs.ingest.writer import plan_decks, write

    source = tmp_path / "notes.md"
    source.write_text(NOTES)
    ingested = ingest_file(source)
    cards = {card.uid: card for card in ingested.cards}
    assert list(cards) == ["notes/note-01", "notes/note-01-cloze", "notes/note-02", "notes/note-02-cloze", "notes/note-03", "notes/note-04"]
    first = cards["notes/note-01-cloze"]
    assert first.draft and first.cloze == "The default value of `shuffle` in a `DataLoader` is {{c1::`False`}}."
    assert first.sources == cards["notes/note-01"].sources and first.tags == cards["notes/note-01"].tags
    assert cards["notes/note-02-cloze"].cloze == "Which optimizer did the course use for the CNN? {{c1::Adam}}"
    assert not cards["notes/note-01"].draft  # the note's own card stays as it was
    [plan] = plan_decks([ingested], tmp_path / "deck.yaml")
    assert plan.description.endswith("2 cloze drafts: check the sentence, then remove 'draft: true'.")
    write(plan)
    text = (tmp_path / "deck.yaml").read_text()
    assert "    cloze: |-\n      The default value of `shuffle` in a `DataLoader` is {{c1::`False`}}." in text
    loaded = check_paths([tmp_path / "deck.yaml"])
    assert loaded.errors == []
    assert sum(p.message.startswith("draft") for p in loaded.problems) == 2


def test_check_counts_the_cards_an_entry_makes(write_deck) -> None:
    from typer.testing import CliRunner

    from srs.cli import app

    result = CliRunner().invoke(app, ["check", str(write_deck("d.yaml", CLOZE_DECK))])
    assert result.exit_code == 0 and "1 file(s), 4 card(s), 0 draft(s)" in result.output


def test_a_hostile_cloze_reports_ten_problems_and_a_count() -> None:
    text = "deck: D\ncards:\n  - id: a\n    cloze: |-\n      " + "{{c1::x " * 20000 + "\n"
    found = errors(text)
    # each of the 20000 openers is unclosed, and all but the first nested: 39999 problems
    assert len(found) == 11 and found[-1][2] == "39989 more problems in this cloze (the first 10 are listed)"
    assert found[0][:2] == (5, 7)
