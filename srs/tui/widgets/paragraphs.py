"""A fast renderer for card text that is only paragraphs of plain text and inline code spans.

Rich's Markdown needs markdown-it and Rich's markdown, table and syntax modules (about a tenth of
``srs review``'s cold start, bench/tui.py --cold-only), yet most fronts are a sentence or two with
some `code` in them. ``plain_paragraphs`` recognises such text conservatively (anything that could be
another Markdown construct, even in an unlikely reading, is left to the full renderer) and
``Paragraphs`` renders it segment for segment as Rich's Markdown does (tests/tui/test_paragraphs.py
compares the two on every bundled card and on generated text).
"""

from __future__ import annotations

import re

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.text import Text

Piece = tuple[str, bool]  # (text, is a code span)

# A line that could start a block other than a paragraph (heading, list, quote, fence, rule, table,
# reference, setext underline, indented code), or end a line break, is not plain.
_BLOCK_START = re.compile(r"[#>\-+*=_\[|:<~]|```|\d{1,9}[.)]")
# Outside code spans: escapes, emphasis, strikethrough, links and images, autolinks, entities. Brackets alone are
# text: with no reference definition in the card (a line starting with "[" is not plain), "[1, 2, 3]" or "x[0]"
# is only a link when "](" or "][" follows.
_INLINE_SPECIAL = re.compile(r"[\\*<~]|\]\(|\]\[|&#?[A-Za-z0-9]+;")
_BACKTICKS = re.compile(r"`+")


def plain_paragraphs(text: str) -> list[list[Piece]] | None:
    """The paragraphs of ``text`` (already cleaned) as text and code pieces, or None if it is not only that."""
    paragraphs: list[list[str]] = [[]]
    for line in text.split("\n"):
        if not line:
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        if line != line.strip() or "\t" in line or _BLOCK_START.match(line):
            return None
        paragraphs[-1].append(line)
    if not paragraphs[-1]:
        paragraphs.pop()
    if not paragraphs:
        return None
    parsed = []
    for lines in paragraphs:
        pieces = _inline("\n".join(lines))
        if pieces is None:
            return None
        parsed.append(pieces)
    return parsed


def _inline(source: str) -> list[Piece] | None:
    """Text and code spans of one paragraph (CommonMark's code spans: a run of n backticks up to the next run
    of exactly n; an unmatched run is literal text), or None if the text around them is not plain."""
    pieces: list[Piece] = []
    plain_start = position = 0
    while (run := _BACKTICKS.search(source, position)) is not None:
        closer = _closing_run(source, run.end(), len(run.group()))
        if closer is None:
            position = run.end()  # literal backticks: part of the text
            continue
        if not _add_text(pieces, source[plain_start:run.start()]):
            return None
        pieces.append((_code_content(source[run.end():closer.start()]), True))
        plain_start = position = closer.end()
    if not _add_text(pieces, source[plain_start:]):
        return None
    return pieces


def _closing_run(source: str, start: int, length: int) -> re.Match[str] | None:
    for run in _BACKTICKS.finditer(source, start):
        if len(run.group()) == length:
            return run
    return None


def _code_content(code: str) -> str:
    code = code.replace("\n", " ")
    if code.startswith(" ") and code.endswith(" ") and code.strip(" "):
        return code[1:-1]
    return code


def _add_text(pieces: list[Piece], text: str) -> bool:
    """Append plain text (soft line breaks as spaces); False if it holds anything Markdown would read."""
    if not text:
        return True
    if _INLINE_SPECIAL.search(text) or not _underscores_inside_words(text):
        return False
    pieces.append((text.replace("\n", " "), False))
    return True


def _underscores_inside_words(text: str) -> bool:
    """Whether every '_' has a letter or digit on both sides (CommonMark: then it neither opens nor closes emphasis)."""
    index = text.find("_")
    while index != -1:
        if index == 0 or index == len(text) - 1 or not (text[index - 1].isalnum() and text[index + 1].isalnum()):
            return False
        index = text.find("_", index + 1)
    return True


class Paragraphs:
    """Paragraphs of text and code spans, rendered as ``rich.markdown.Markdown`` renders them: each a
    left-justified ``Text`` in the console's ``markdown.paragraph`` style, code in ``markdown.code``, and a
    blank line between paragraphs."""

    def __init__(self, paragraphs: list[list[Piece]]) -> None:
        self.paragraphs = paragraphs

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        # The style arithmetic of Rich's MarkdownContext: its base style, then the paragraph's, then the code's.
        base = console.get_style("none", default="none")
        paragraph_style = base + console.get_style("markdown.paragraph", default="none")
        code_style = paragraph_style + console.get_style("markdown.code", default="none")
        options = options.update(height=None)
        for index, pieces in enumerate(self.paragraphs):
            if index:
                yield Segment.line()
            text = Text(justify="left")
            for piece, is_code in pieces:
                text.append(piece, code_style if is_code else paragraph_style)
            yield from console.render(text, options)
