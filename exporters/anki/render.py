"""Card text -> safe HTML for Anki: CommonMark with raw HTML escaped, code highlighted by Pygments.

User text can never become markup: raw HTML is escaped, control characters (``\\x1f``, Anki's field
separator, among them) become U+FFFD, and Anki's own markup (``[sound:...]``, ``[latex]``) is
neutralised. Short plain paragraphs take a fast path that renders exactly what markdown-it would.
"""

from __future__ import annotations

import functools
import re

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

# C0 (but tab and newline), DEL and C1: \x1f is Anki's field separator, the rest have no business in a card.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Anki turns these into audio players, LaTeX images or TTS when it shows a card; an entity keeps them text.
_ANKI_MARKUP = re.compile(r"\[(?=sound:|latex\]|\$\$?\]|/?anki:)", re.IGNORECASE)
_CARRIAGE_RETURNS = re.compile(r"\r\n?")


def clean_text(text: str) -> str:
    """Normalise newlines and replace control characters (``\\x1f`` included) with U+FFFD."""
    if _CONTROL.search(text) is None:  # the common case; \r is in _CONTROL too
        return text
    return _CONTROL.sub("\ufffd", _CARRIAGE_RETURNS.sub("\n", text))


@functools.lru_cache(maxsize=128)
def _lexer(language: str):
    try:
        return get_lexer_by_name(language)
    except ClassNotFound:
        return None


_CODE_FORMATTER = HtmlFormatter(nowrap=True)


def _highlight(code: str, language: str, _attrs: str) -> str:
    """A fenced block as ``<pre class="highlight">``; Pygments spans when the language is known."""
    lexer = _lexer(language.lower()) if language else None
    body = pygments_highlight(code, lexer, _CODE_FORMATTER) if lexer is not None else escapeHtml(code)
    language_class = f' class="language-{escapeHtml(language)}"' if language else ""
    return f'<pre class="highlight"><code{language_class}>{body}</code></pre>'


_MARKDOWN = MarkdownIt("commonmark", {"html": False, "highlight": _highlight}).enable("table")

# The fast path below renders plain paragraphs (with simple `code` spans) exactly as markdown-it does,
# at a tenth of the cost; anything it is unsure of goes to markdown-it. tests/test_export_anki.py checks
# the two agree (Hypothesis and every bundled card).
# What the fast path refuses is checked as a character class, substrings and line starts: together about
# twice as fast as one pattern with line anchors. The characters: what CommonMark treats as space, and '|'.
_FAST_NEVER_CHARS = re.compile(r"[|\t\x0b\x0c\r\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
# What could open a block at the start of a line: a heading, list, quote, fence, rule, HTML, reference or indented code.
_FAST_BAD_LINE_START = re.compile(r"[ #>\-+*=_~<\[]|\d{1,9}[.)]")
_FAST_BAD_AFTER_NEWLINE = re.compile(r"\n(?:[ #>\-+*=_~<\[]|\d{1,9}[.)])")


def _fast_refuses(text: str) -> bool:
    """Whether ``text`` holds anything the fast path cannot render as markdown-it would."""
    return bool(
        _FAST_NEVER_CHARS.search(text)
        or "](" in text  # a link
        or "![" in text  # an image
        or "``" in text  # a fence or a multi-backtick code span
        or " \n" in text  # a line ending in a space (a hard break)
        or text.endswith(" ")
        or _FAST_BAD_LINE_START.match(text)
        or ("\n" in text and _FAST_BAD_AFTER_NEWLINE.search(text))
    )


_FAST_BAD_OUTSIDE_CODE = re.compile(r"[\\*_<&~]")


def _escape_plain(text: str) -> str:
    # escapeHtml for text already known to hold no '&' or '<' (refused above).
    return text.replace(">", "&gt;").replace('"', "&quot;")


def _fast_paragraph(paragraph: str) -> str | None:
    parts = paragraph.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick
        return None
    out = ["<p>"]
    for index, part in enumerate(parts):
        if index % 2 == 0:
            if _FAST_BAD_OUTSIDE_CODE.search(part):
                return None
            out.append(_escape_plain(part))
        else:
            code = part.replace("\n", " ")
            if code.startswith(" ") and code.endswith(" ") and code.strip(" "):
                code = code[1:-1]
            out.append(f"<code>{escapeHtml(code)}</code>")
    out.append("</p>\n")
    return "".join(out)


# The commonest card text of all, one line of words (no markup character, no block start, no space at
# either end, no control character), is one paragraph: one match instead of the checks below.
_SIMPLE_LINE = re.compile(
    r"(?![ #>+=\-*_~<\[\d])[^\x00-\x1f\x7f-\x9f`\\*_<&~\[|\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+(?<! )"
)


def _fast_markdown(text: str) -> str | None:
    """CommonMark HTML of ``text`` if it is only plain paragraphs and simple code spans, else None."""
    if _SIMPLE_LINE.fullmatch(text):
        return f"<p>{_escape_plain(text)}</p>\n"
    if _fast_refuses(text):
        return None
    html = []
    for paragraph in text.split("\n\n"):
        paragraph = paragraph.strip("\n")
        if not paragraph:
            continue
        rendered = _fast_paragraph(paragraph)
        if rendered is None:
            return None
        html.append(rendered)
    return "".join(html)


def _finish(html: str) -> str:
    if "[" in html:
        html = _ANKI_MARKUP.sub("&#91;", html)
    return html.rstrip("\n")


def simple_line_html(text: str) -> str | None:
    """``markdown_html(text)`` when ``text`` is one line of plain words (one regex match: cheaper than a cache lookup), else None."""
    if "\n" in text or "`" in text:  # the commonest refusals, found faster than the match finds them
        return None
    return f"<p>{_escape_plain(text)}</p>" if _SIMPLE_LINE.fullmatch(text) else None


def fast_markdown_html(text: str) -> str | None:
    """``markdown_html(text)`` when the plain-paragraph fast path can take ``text``, else None (markdown-it is needed)."""
    html = _fast_markdown(clean_text(text))
    return None if html is None else _finish(html)


def markdown_html(text: str) -> str:
    """CommonMark (plus tables) as HTML, with raw HTML escaped and Anki's own markup neutralised."""
    if not text:
        return ""
    text = clean_text(text)
    html = _fast_markdown(text)
    if html is None:
        html = _MARKDOWN.render(text)
    return _finish(html)


_URL = re.compile(r"https?://\S+")


@functools.lru_cache(maxsize=4096)
def sources_html(sources: tuple[str, ...]) -> str:
    """Sources one per line; http(s) URLs become links."""
    lines = []
    for source in sources:
        source = clean_text(source).strip()
        escaped = escapeHtml(source)
        lines.append(f'<a href="{escaped}">{escaped}</a>' if _URL.fullmatch(source) else escaped)
    return _ANKI_MARKUP.sub("&#91;", "<br>".join(lines))


def anki_tag(tag: str) -> str:
    """A tag Anki keeps whole: no whitespace or control characters."""
    return re.sub(r"[\s\x00-\x1f\x7f-\x9f]+", "_", tag)


@functools.lru_cache(maxsize=4096)
def note_tags(tags: tuple[str, ...], difficulty: str | None) -> str:
    """A note's tags as Anki stores them (``" a b "``): the card's tags plus ``difficulty::<level>``."""
    cleaned = [anki_tag(tag) for tag in tags]
    if difficulty:
        cleaned.append(f"difficulty::{anki_tag(difficulty)}")
    unique = dict.fromkeys(tag for tag in cleaned if tag)
    return f" {' '.join(unique)} " if unique else ""
