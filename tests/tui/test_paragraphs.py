"""The fast paragraph renderer draws exactly what Rich's Markdown draws, wherever it takes the text."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.style import Style

from srs.decks import bundled_decks_dir, check_paths
from srs.tui.text import clean
from srs.tui.widgets.card_view import markdown, render_strips
from srs.tui.widgets.paragraphs import Paragraphs, plain_paragraphs
from srs.tui.widgets.rich_markdown import full_markdown

WIDTHS = (12, 37, 94)  # narrow (every line wraps), odd, the card view's on a 100-column terminal


def segments(renderable, width: int) -> list:
    """Every segment the renderable draws at ``width``, as Textual's console draws it (truecolor, no markup)."""
    console = Console(width=width, file=io.StringIO(), force_terminal=True, color_system="truecolor", legacy_windows=False, markup=False, highlight=False, emoji=False)
    return [list(line) for line in console.render_lines(renderable, console.options.update_width(width), style=Style(color="white"), pad=False)]


def assert_same_as_rich(text: str) -> bool:
    """Whether the fast renderer takes ``text``; if it does, its output is Rich's, segment for segment."""
    cleaned = clean(text)
    paragraphs = plain_paragraphs(cleaned)
    if paragraphs is None:
        return False
    for width in WIDTHS:
        assert segments(Paragraphs(paragraphs), width) == segments(full_markdown(cleaned), width), (text, width)
    return True


def bundled_texts() -> list[str]:
    loaded = check_paths([bundled_decks_dir()])
    return [field for deck in loaded.decks for card in deck.cards for field in (card.front, card.back, card.extra)]


def test_every_bundled_field_it_takes_renders_as_rich_does_and_it_takes_most_fronts() -> None:
    loaded = check_paths([bundled_decks_dir()])
    fronts = [card.front for deck in loaded.decks for card in deck.cards]
    taken = sum(assert_same_as_rich(front) for front in fronts)
    for deck in loaded.decks:
        for card in deck.cards:
            assert_same_as_rich(card.back)
            assert_same_as_rich(card.extra)
    assert taken >= 0.8 * len(fronts), f"{taken} of {len(fronts)} fronts"


@pytest.mark.parametrize(
    "text",
    [
        "What does `torch.no_grad()` do?",
        "Two lines\nof one paragraph, with `code\nacross` them",
        "First paragraph.\n\n\nSecond, after blank lines.\n",
        "`` a ` b `` and ` spaced ` and `  ` and ``unmatched` runs ```",
        "snake_case and a_b_c words, Q&A, 3 > 2; x! (paren) {brace} 'quote' \"double\" 50% #tag a#b",
        ("ünïcödé — wide 漢字 and emoji 🎉 text that wraps " * 3).strip(),
        "`code at the start` of a line\n`and of the next`",
        "Which call makes a tensor from the list [1, 2, 3]?",
        "x[0], m[:, 1] and [a] [b] (c) ![d] [^1] ] [ brackets that make no link",
    ],
)
def test_plain_paragraphs_render_as_rich_does(text: str) -> None:
    assert assert_same_as_rich(text)


@pytest.mark.parametrize(
    "text",
    [
        "", "\n\n", "# Heading", "- item", "* item", "+ item", "1. item", "2) item", "> quote", "---", "___", "***",
        "Title\n=====", "Title\n---", "```\ncode\n```", "~~~\ncode\n~~~", "    indented code", " leading space", "trailing space ",
        "tab\there", "*em*", "**strong**", "a *b* c", "a **b** c", "_em_", "a _b_ c", "x_", "~~strike~~", "[link](http://x)", "![img](x.png)", "a [link](x) b", "a ![img](x.png)", "a [full][ref] b", "a [x] [y](z)",
        "<http://x>", "a <b> c", "escaped \\* star", "hard\\\nbreak", "&amp; entity", "&#35; entity", "| a | b |\n|---|---|",
        "a\n| b", ": definition", "[ref]: http://x",
    ],
)
def test_anything_else_goes_to_rich(text: str) -> None:
    assert plain_paragraphs(clean(text)) is None
    assert not isinstance(markdown(text), Paragraphs)


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet="ab _`*\n\\[]()<>&;#-1.|:~!^xy漢", max_size=60))
def test_generated_text_it_takes_renders_as_rich_does(text: str) -> None:
    assert_same_as_rich(text)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="ab []()`!^:x\n", max_size=40))
def test_generated_text_with_brackets_it_takes_renders_as_rich_does(text: str) -> None:
    assert_same_as_rich(text)


def test_brackets_that_make_no_link_are_taken() -> None:
    """Not vacuous: the bracket texts above do reach the comparison."""
    assert plain_paragraphs(clean("a [b] (c) x[0]")) is not None and plain_paragraphs(clean("a [b](c)")) is None


def test_the_first_card_is_drawn_without_the_full_markdown_renderer() -> None:
    code = (
        "import sys\n"
        "from srs.tui.widgets.card_view import markdown, render_strips\n"
        "from rich.style import Style\n"
        "render_strips(markdown('What does `torch.no_grad()` do?'), 80, Style())\n"
        "print([m for m in ('markdown_it', 'rich.markdown', 'rich.syntax', 'srs.tui.widgets.rich_markdown') if m in sys.modules])\n"
        "markdown('*emphasis*')\n"
        "print('srs.tui.widgets.rich_markdown' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split("\n")[:2] == ["[]", "True"]


def test_render_strips_of_either_renderer_are_the_same() -> None:
    text = "A front with `code` that is long enough to wrap over more than one line of the card view."
    assert render_strips(markdown(text), 30, Style()) == render_strips(full_markdown(clean(text)), 30, Style())
