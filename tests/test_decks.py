"""Strict deck loading: every bad-input class gets path:line and a clear message."""

from __future__ import annotations

import pytest

from srs.decks.load import MAX_FILE_BYTES, parse_deck
from srs.decks.problems import Problem


def problems(text: str | bytes) -> list[Problem]:
    data = text.encode() if isinstance(text, str) else text
    _, found = parse_deck("d.yaml", data)
    return found


def errors(text: str | bytes) -> list[str]:
    return [f"{p.line}: {p.message}" for p in problems(text) if p.severity == "error"]


GOOD = """deck: A::B
description: demo
cards:
  - id: one
    front: What?
    back: This.
    extra: More.
    tags: [autograd, training-loop]
    difficulty: medium
    source: 002_x.txt#5
"""


def test_good_deck_loads_with_every_field() -> None:
    deck, found = parse_deck("d.yaml", GOOD.encode())
    assert found == []
    card = deck.cards[0]
    assert (deck.deck, card.uid, card.front, card.back, card.extra) == ("A::B", "one", "What?", "This.", "More.")
    assert card.tags == ("autograd", "training-loop") and card.difficulty == "medium" and card.sources == ("002_x.txt#5",)
    assert card.line == 4


def test_boolean_back_is_an_error_that_suggests_quoting() -> None:
    text = GOOD.replace("back: This.", "back: no")
    assert errors(text) == ["6: 'back' must be text, but YAML reads `no` as a boolean; quote it: back: \"no\""]


def test_number_front_is_an_error() -> None:
    assert "5: 'front' must be text" in errors(GOOD.replace("front: What?", "front: 42"))[0]


def test_duplicate_key_names_both_lines() -> None:
    text = GOOD.replace("    back: This.\n", "    back: This.\n    back: That.\n")
    assert errors(text) == ["7: duplicate key 'back' in a card (first at line 6)"]


def test_unknown_key() -> None:
    assert errors(GOOD.replace("    extra: More.\n", "    hint: More.\n"))[0].startswith("7: unknown card key 'hint'")


def test_alias_and_anchor_are_errors() -> None:
    text = "deck: A\ncards:\n  - id: a\n    front: &f Q\n    back: *f\n"
    assert errors(text) == ["4: YAML anchors (&f) are not allowed in deck files"]


def test_alias_bomb_is_refused_quickly() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(9))
    assert "anchors" in errors(bomb)[0]


def test_duplicate_ids_in_one_file() -> None:
    text = GOOD + "  - id: one\n    front: Again?\n    back: Yes.\n"
    assert errors(text) == ["11: duplicate id 'one' (first at line 4)"]


def test_empty_front_and_missing_back() -> None:
    text = "deck: A\ncards:\n  - id: a\n    front: ''\n  - id: b\n    front: Q\n    back: '   '\n"
    assert errors(text) == ["4: 'front' is empty", "3: card has no 'back'", "7: 'back' is empty"]


def test_tab_is_an_error_with_its_column() -> None:
    assert errors(GOOD.replace("    extra: More.", "    extra: \tMore."))[0] == "7: tab character: indent with spaces (tabs are not allowed anywhere in a deck)"


def test_non_utf8_bytes_report_their_line() -> None:
    data = GOOD.replace("This.", "Th\x00is.").encode().replace(b"\x00", b"\xff")
    assert errors(data) == ["6: the file is not valid UTF-8 (byte 0xff); save it as UTF-8"]


def test_nul_and_escape_characters_are_errors() -> None:
    assert "control character U+001B" in errors(GOOD.replace("This.", "Th\x1bis."))[0]


def test_bom_and_crlf_load_normally() -> None:
    data = ("\ufeff" + GOOD.replace("\n", "\r\n")).encode()
    deck, found = parse_deck("d.yaml", data)
    assert found == [] and deck.cards[0].back == "This."


def test_bad_difficulty_and_tags() -> None:
    text = GOOD.replace("difficulty: medium", "difficulty: extreme").replace("[autograd, training-loop]", "[ok, 'two words']")
    found = errors(text)
    assert any("tag 'two words'" in e for e in found) and any("difficulty must be one of easy, medium, hard" in e for e in found)


def test_invalid_yaml_reports_position() -> None:
    found = errors("deck: A\ncards:\n  - id: a\n    front: [unclosed\n    back: b\n")
    assert found and found[0].startswith(("5:", "4:", "6:")) and "invalid YAML" in found[0]


def test_deep_nesting_is_refused() -> None:
    assert "nested more than" in errors("deck: A\ncards: " + "[" * 200 + "]" * 200 + "\n")[0]


def test_top_level_must_be_mapping_with_deck_and_cards() -> None:
    assert errors("- a\n- b\n") == ["1: a deck file must be a mapping with 'deck' and 'cards'"]
    assert errors("description: x\n") == ["1: missing 'deck: NAME'", "1: missing 'cards:' (a list of cards)"]


def test_card_without_id_gets_a_stable_one_and_a_warning() -> None:
    text = "deck: A\ncards:\n  - front: Q\n    back: B\n"
    deck1, found = parse_deck("d.yaml", text.encode())
    deck2, _ = parse_deck("d.yaml", text.encode())
    assert deck1.cards[0].uid == deck2.cards[0].uid and deck1.cards[0].uid.startswith("auto-")
    assert [p.severity for p in found] == ["warning"] and "reset its progress" in found[0].message


def test_draft_may_leave_a_side_empty_and_warns() -> None:
    text = "deck: A\ncards:\n  - id: d\n    back: B\n    draft: true\n"
    deck, found = parse_deck("d.yaml", text.encode())
    assert deck.cards[0].draft and [p.message for p in found] == ["draft (not scheduled until finished): no front yet"]


def test_long_back_warns() -> None:
    text = GOOD.replace("back: This.", "back: " + "word " * 200)
    assert any("back is long" in p.message for p in problems(text) if p.severity == "warning")


def test_oversized_file_is_refused_before_reading(tmp_path) -> None:
    from srs.decks.load import load_deck_file

    path = tmp_path / "big.yaml"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    deck, found = load_deck_file(path)
    assert deck is None and "deck files are limited to" in found[0].message


@pytest.mark.parametrize("value", ["yes", "true", "~", "1.5", "2026-01-01"])
def test_every_non_string_scalar_in_text_fields_is_refused(value: str) -> None:
    text = GOOD.replace("extra: More.", f"extra: {value}")
    found = errors(text)
    if value == "~":
        assert found == []  # an empty extra is allowed
    else:
        assert found and "'extra' must be text" in found[0]


def test_control_characters_written_as_yaml_escapes_are_errors() -> None:
    assert errors(GOOD.replace("back: This.", 'back: "a\\x1fb\\x1b[2J"')) == ["6: 'back' contains control character U+001F"]


# --- every error of a file in one run (srs check) ---------------------------------------------------

TABBED = "deck: A\ncards:\n  - id: x\n\tfront: Q\n    back: B\n  - id: x\n    front: Q2\n    back: no\n  - id: shared\n    front: Q3\n    back: C\n"


def test_a_tab_does_not_hide_the_files_other_errors() -> None:
    assert errors(TABBED) == [
        "4: tab character: indent with spaces (tabs are not allowed anywhere in a deck)",
        "8: 'back' must be text, but YAML reads `no` as a boolean; quote it: back: \"no\"",
        "6: duplicate id 'x' (first at line 3)",
    ]


def test_bad_bytes_and_control_characters_do_not_hide_the_files_other_errors() -> None:
    data = b"deck: A\ncards:\n  - id: a\n    front: Q\xff\n    back: B\x1b\n  - id: a\n    front: Q\n    back: yes\n"
    found = errors(data)
    assert found[0].startswith("4: the file is not valid UTF-8") and found[1].startswith("5: control character U+001B")
    assert "8: 'back' must be text, but YAML reads `yes` as a boolean; quote it: back: \"yes\"" in found
    assert "6: duplicate id 'a' (first at line 3)" in found


def test_a_card_with_an_error_still_counts_for_duplicate_ids() -> None:
    text = "deck: A\ncards:\n  - id: a\n    front: Q\n    back: no\n  - id: a\n    front: Q2\n    back: B\n"
    assert "6: duplicate id 'a' (first at line 3)" in errors(text)


def test_check_reports_errors_and_cross_file_duplicates_of_broken_files_together_and_counts_every_file(tmp_path, capsys) -> None:
    from srs.cli import main

    (tmp_path / "a.yaml").write_text(TABBED)
    (tmp_path / "b.yaml").write_text("deck: B\ncards:\n  - id: shared\n    front: Q\n    back: B\n  - id: b2\n    front: Q\n")
    with pytest.raises(SystemExit) as exited:
        main(["check", str(tmp_path)])
    out, err = capsys.readouterr()
    assert exited.value.code == 1
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    assert err.splitlines()[:6] == [
        f"{a}:4:1: error: tab character: indent with spaces (tabs are not allowed anywhere in a deck)",
        f"{a}:6:1: error: duplicate id 'x' (first at line 3)",
        f"{a}:8:11: error: 'back' must be text, but YAML reads `no` as a boolean; quote it: back: \"no\"",
        f"{b}:3:1: error: duplicate id 'shared' (also at {a}:9)",
        f"{b}:6:5: error: card has no 'back'",
        "srs: error: deck files have errors",
    ]
    assert out.startswith("2 file(s), 0 card(s), 0 draft(s): 5 error(s)")
