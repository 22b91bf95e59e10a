"""The full Markdown renderer for card fields (Rich's, HTML as literal text), imported only when a field needs it.

Importing markdown-it and Rich's Markdown (with its table, syntax and rule modules) is about a tenth of
``srs review``'s cold start; most fronts are plain paragraphs, which ``srs.tui.widgets.paragraphs`` renders
identically without them (bench/tui.py --cold-only).
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from rich.markdown import Markdown as RichMarkdown

# Rich's own parser has HTML on: it drops every tag (and everything in an HTML block), so
# `a<b>c` would show as `ac`. With HTML off, markdown-it reads tags as the text they are, as the
# Anki export shows them; Markdown, code and autolinks are parsed as before.
LITERAL_HTML = MarkdownIt("commonmark", {"html": False}).enable("strikethrough").enable("table")


class LiteralHtmlMarkdown(RichMarkdown):
    """Rich's Markdown renderable, with HTML in the text shown as written instead of dropped."""

    def __init__(self, markup: str, **options) -> None:
        super().__init__("", **options)
        self.markup = markup
        self.parsed = LITERAL_HTML.parse(markup)


def full_markdown(cleaned: str, dark: bool = True) -> LiteralHtmlMarkdown:
    """``cleaned`` (user text without control characters) as Rich's Markdown, without hyperlinks.

    A fence without a language is shown as plain text (Rich does not guess, which would import
    every Pygments lexer).
    """
    return LiteralHtmlMarkdown(cleaned, code_theme="monokai" if dark else "friendly", hyperlinks=False)
