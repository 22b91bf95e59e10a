"""Anki export: the finished, live cards of a collection as one ``.apkg`` (genanki) that Anki imports cleanly.

Identity is what makes re-exports update in place: a note's GUID comes from the card's uid (never its
text), and the note type and deck ids are derived from fixed names. Anki applies an update only when
the package's note is newer than its own copy, so notes carry the export time, never a pinned one.

All text is Markdown rendered with raw HTML disabled, so user text can never become markup; fenced
code is highlighted by Pygments, whose CSS (with a night-mode variant) lives in the note type.

Rendering is the slow part of an export, so the HTML of each distinct text is kept in the collection
(``render_cache``), keyed by a digest of the renderer version and the text: a re-export renders only
texts it has not seen, and any change to the text or to the renderer is a miss.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import os
import re
import secrets
import sqlite3
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import genanki
import markdown_it
import pygments
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from srs.clock import utc_now
from srs.errors import SrsError
from srs.gcpause import gc_paused
from srs.review import check_deck
from srs.storage import Store
from srs.storage.card_store import ListedCard, deck_descriptions, list_cards
from srs.storage.render_store import (
    cached_html,
    keep_only,
    render_cache_size,
    store_html,
)
from srs.storage.review_store import Scope

MODEL_NAME = "srs: Front/Back/Extra/Source"
FIELDS = ("Front", "Back", "Extra", "Source")
LIGHT_STYLE = "default"
DARK_STYLE = "github-dark"
NIGHT = (".nightMode", ".night_mode")  # Anki desktop / AnkiDroid put one of these on an ancestor of the card

# ---------------------------------------------------------------------------------------------
# Text -> safe HTML
# ---------------------------------------------------------------------------------------------

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
_FAST_NEVER = re.compile(r"[|\t\x0b\x0c\r\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]|\]\(|!\[|``")
_FAST_BAD_LINE = re.compile(r"(?m)^(?:[ #>\-+*=_~<\[]|\d{1,9}[.)])|[ ]$")
_FAST_BAD_OUTSIDE_CODE = re.compile(r"[\\*_<&~]")


def _fast_paragraph(paragraph: str) -> str | None:
    parts = paragraph.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick
        return None
    out = ["<p>"]
    for index, part in enumerate(parts):
        if index % 2 == 0:
            if _FAST_BAD_OUTSIDE_CODE.search(part):
                return None
            out.append(escapeHtml(part))
        else:
            code = part.replace("\n", " ")
            if code.startswith(" ") and code.endswith(" ") and code.strip(" "):
                code = code[1:-1]
            out.append(f"<code>{escapeHtml(code)}</code>")
    out.append("</p>\n")
    return "".join(out)


def _fast_markdown(text: str) -> str | None:
    """CommonMark HTML of ``text`` if it is only plain paragraphs and simple code spans, else None."""
    if _FAST_NEVER.search(text) or _FAST_BAD_LINE.search(text):
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


def fast_markdown_html(text: str) -> str | None:
    """``markdown_html(text)`` when the plain-paragraph fast path can take ``text`` (cheaper than a cache lookup), else None."""
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


# ---------------------------------------------------------------------------------------------
# Render cache: HTML by digest of (renderer, text)
# ---------------------------------------------------------------------------------------------

# The renderer's identity: the libraries that shape the HTML and this module's own source (which
# holds every rule and fast path), so any change to how a text renders makes every cached row a miss.
RENDERER = hashlib.blake2b(
    f"markdown-it-py {markdown_it.__version__}|pygments {pygments.__version__}|".encode() + Path(__file__).read_bytes(),
    digest_size=8,
).hexdigest()


def render_key(text: str, renderer: str) -> bytes:
    """The cache key of ``text`` as rendered by ``renderer``."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16, key=renderer.encode()).digest()


@dataclass(frozen=True)
class Rendered:
    """Every distinct text of an export -> its HTML, and how many took which path."""

    html: dict[str, str]
    rendered: int  # rendered by markdown-it now (cache misses)
    reused: int  # taken from the cache
    fast: int  # short plain paragraphs: rendered by the fast path, which is as cheap as a lookup, so never cached


def card_texts(cards: Iterable[ListedCard]) -> set[str]:
    """The distinct non-empty Markdown texts (fronts, backs, extras) of ``cards``."""
    texts = set()
    for card in cards:
        texts.update((card.front, card.back, card.extra))
    texts.discard("")
    return texts


# Short plain texts render on the fast path in about the time a digest and lookup take, so they skip
# the cache (a plain 10k-card export would otherwise pay to fill it); longer ones are cheaper to look up.
_FAST_UNCACHED_MAX = 160


def render_with_cache(store: Store, texts: set[str], prune: bool = False) -> Rendered:
    """Render ``texts``, reusing and filling the collection's render cache.

    ``prune`` (for whole-collection exports, which see every live text) drops rows no text uses
    any more once they are a sizeable share of the cache.
    """
    renderer = RENDERER
    html: dict[str, str] = {"": ""}
    keys = {}
    for text in texts:
        fast = fast_markdown_html(text) if len(text) <= _FAST_UNCACHED_MAX else None
        if fast is None:
            keys[text] = render_key(text, renderer)
        else:
            html[text] = fast
    with store.read() as conn:
        hits = cached_html(conn, keys.values())
        size = render_cache_size(conn) if prune else 0
    fresh = []
    for text, key in keys.items():
        cached = hits.get(key)
        if cached is None:
            cached = _finish(_MARKDOWN.render(clean_text(text)))
            fresh.append((key, cached))
        html[text] = cached
    unused = size - len(hits)
    if fresh or (prune and unused > max(1000, len(keys) // 4)):
        with store.write() as conn:
            store_html(conn, renderer, fresh)
            if prune and unused > max(1000, len(keys) // 4):
                keep_only(conn, keys.values())
    return Rendered(html=html, rendered=len(fresh), reused=len(hits), fast=len(html) - 1 - len(keys))


def sources_html(sources: tuple[str, ...]) -> str:
    """Sources one per line; http(s) URLs become links."""
    lines = []
    for source in sources:
        source = clean_text(source).strip()
        escaped = escapeHtml(source)
        if re.fullmatch(r"https?://\S+", source):
            lines.append(f'<a href="{escaped}">{escaped}</a>')
        else:
            lines.append(escaped)
    return _ANKI_MARKUP.sub("&#91;", "<br>".join(lines))


def anki_tag(tag: str) -> str:
    """A tag Anki keeps whole: no whitespace or control characters."""
    return re.sub(r"[\s\x00-\x1f\x7f-\x9f]+", "_", tag)


def note_tags(card: ListedCard) -> list[str]:
    """The card's tags, plus ``difficulty::<level>`` when it has one."""
    return list(_note_tags(card.tags, card.difficulty))


@functools.lru_cache(maxsize=4096)
def _note_tags(tags: tuple[str, ...], difficulty: str | None) -> tuple[str, ...]:
    cleaned = [anki_tag(tag) for tag in tags]
    if difficulty:
        cleaned.append(f"difficulty::{anki_tag(difficulty)}")
    return tuple(dict.fromkeys(tag for tag in cleaned if tag))


# ---------------------------------------------------------------------------------------------
# Note type, ids and notes
# ---------------------------------------------------------------------------------------------


def stable_id(kind: str, name: str) -> int:
    """A fixed id for a named object, in genanki's recommended range [2**30, 2**31)."""
    digest = hashlib.blake2b(f"srs:{kind}:{name}".encode(), digest_size=8).digest()
    return (1 << 30) + int.from_bytes(digest, "big") % (1 << 30)


def _code_css() -> str:
    light = HtmlFormatter(style=LIGHT_STYLE)
    dark = HtmlFormatter(style=DARK_STYLE)
    night = [f"{mode} .highlight" for mode in NIGHT]
    # Reset every token in night mode first, so a token the light style colours but the dark one
    # does not cannot keep its (unreadable) light colour.
    reset = ", ".join(f"{scope} span" for scope in night) + (
        " { color: inherit; background-color: transparent; font-weight: normal; font-style: normal; border: none; }"
    )
    return "\n".join(
        [
            *light.get_background_style_defs(".highlight"),
            *light.get_token_style_defs(".highlight"),
            reset,
            *dark.get_background_style_defs(night),
            *dark.get_token_style_defs(night),
        ]
    )


def _night(selector: str) -> str:
    return ", ".join(f"{mode} {selector}" for mode in NIGHT)


CARD_CSS = f"""\
.card {{
  font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 20px; line-height: 1.45; text-align: left;
  color: #1f2328; background-color: #ffffff;
}}
.card.nightMode, .card.night_mode, {_night(".card")} {{ color: #e6edf3; background-color: #0d1117; }}
.srs {{ max-width: 44em; margin: 0 auto; overflow-wrap: anywhere; }}
.srs p {{ margin: 0.5em 0; }}
.srs code {{ font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.88em;
  background-color: rgba(127, 127, 127, 0.16); border-radius: 4px; padding: 0.1em 0.3em; }}
.srs pre {{ padding: 0.6em 0.8em; border-radius: 6px; overflow-x: auto; line-height: 1.35; }}
.srs pre code {{ background: none; padding: 0; font-size: 0.85em; }}
.srs pre:not(.highlight) {{ background-color: rgba(127, 127, 127, 0.12); }}
.srs table {{ border-collapse: collapse; margin: 0.5em 0; }}
.srs th, .srs td {{ border: 1px solid rgba(127, 127, 127, 0.45); padding: 0.25em 0.6em; }}
.srs blockquote {{ margin: 0.5em 0; padding-left: 0.8em; border-left: 3px solid rgba(127, 127, 127, 0.45); }}
.srs a {{ color: #0969da; }}
{_night(".srs a")} {{ color: #58a6ff; }}
.extra {{ font-size: 0.85em; margin-top: 1em; opacity: 0.85; }}
.source {{ font-size: 0.7em; margin-top: 1em; opacity: 0.65; }}
{_code_css()}
"""

FRONT_TEMPLATE = '<div class="srs front">{{Front}}</div>'
BACK_TEMPLATE = (
    "{{FrontSide}}\n<hr id=answer>\n"
    '<div class="srs back">{{Back}}</div>\n'
    '{{#Extra}}<div class="srs extra">{{Extra}}</div>{{/Extra}}\n'
    '{{#Source}}<div class="srs source">{{Source}}</div>{{/Source}}'
)


def make_model() -> genanki.Model:
    """The note type: fixed id, fields Front/Back/Extra/Source, one card, CSS with code highlighting."""
    return genanki.Model(
        stable_id("model", MODEL_NAME),
        MODEL_NAME,
        fields=[{"name": name} for name in FIELDS],
        templates=[{"name": "Card 1", "qfmt": FRONT_TEMPLATE, "afmt": BACK_TEMPLATE}],
        css=CARD_CSS,
    )


_BASE91 = "".join(genanki.util.BASE91_TABLE)


def note_guid(uid: str) -> str:
    """The note's GUID: from the card's stable uid, so editing the text updates the same note.

    Equal to ``genanki.guid_for("srs", uid)``, computed without its per-byte Python loop.
    """
    value = int.from_bytes(hashlib.sha256(f"srs__{uid}".encode()).digest()[:8], "big")
    digits = []
    while value:
        value, digit = divmod(value, 91)
        digits.append(_BASE91[digit])
    return "".join(reversed(digits))


def make_note(model: genanki.Model, card: ListedCard, due: int, render: Callable[[str], str] = markdown_html) -> genanki.Note:
    """One card as a note (fields rendered to HTML by ``render``, default: ``markdown_html``)."""
    fields = [render(card.front), render(card.back), render(card.extra), sources_html(card.sources)]
    return genanki.Note(model=model, fields=fields, tags=note_tags(card), guid=note_guid(card.uid), due=due)


def with_parents(names: set[str]) -> list[str]:
    """The deck names plus every ``::`` ancestor, sorted (parents before children)."""
    every = set()
    for name in names:
        parts = name.split("::")
        every.update("::".join(parts[: depth + 1]) for depth in range(len(parts)))
    return sorted(every)


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnkiExport:
    """What an export wrote."""

    path: Path
    decks: int
    notes: int
    rendered: int = 0  # distinct texts rendered by markdown-it (render cache misses)
    reused: int = 0  # distinct texts whose HTML came from the render cache
    fast: int = 0  # distinct short plain-paragraph texts (fast path, not cached)


def default_filename(deck: str | None = None, tag: str | None = None) -> str:
    """``srs-<deck>[-<tag>].apkg`` (``srs-all.apkg`` for everything), safe as a file name."""
    parts = ["srs", deck or ("tag" if tag else "all")] + ([tag] if tag else [])
    slug = "-".join(re.sub(r"[^A-Za-z0-9._]+", "-", part).strip("-.") or "deck" for part in parts)
    return f"{slug}.apkg"


def resolve_output(output: Path | None, deck: str | None, tag: str | None) -> Path:
    """The file to write: ``output``, or the default name inside it (if a folder) or in the current folder."""
    if output is None:
        return Path.cwd() / default_filename(deck, tag)
    if output.is_dir():
        return output / default_filename(deck, tag)
    if output.suffix.lower() != ".apkg":
        raise SrsError(f"{output}: Anki imports only .apkg files; give the output a name ending in .apkg")
    if not output.parent.is_dir():
        raise SrsError(f"{output.parent}: no such folder; create it first or choose another output path")
    return output


def build_package(
    cards: list[ListedCard], descriptions: dict[str, str], rendered: dict[str, str] | None = None
) -> tuple[genanki.Package, int]:
    """The package of ``cards`` (with every parent deck) and the number of decks in it.

    ``rendered`` maps card texts to their HTML (see ``render_with_cache``); without it every field is rendered here.
    """
    render = rendered.__getitem__ if rendered is not None else markdown_html
    model = make_model()
    decks = {
        name: genanki.Deck(stable_id("deck", name), name, markdown_html(descriptions.get(name, "")))
        for name in with_parents({card.deck for card in cards})
    }
    for position, card in enumerate(cards, start=1):
        decks[card.deck].add_note(make_note(model, card, position, render))
    for deck in decks.values():
        deck.add_model(model)
    return genanki.Package(list(decks.values())), len(decks)


def write_package(package: genanki.Package, path: Path, timestamp: float) -> None:
    """Write the ``.apkg`` atomically (genanki's own writer leaves its temp DB behind)."""
    db = sqlite3.connect(":memory:")
    try:
        package.write_to_db(db.cursor(), timestamp, itertools.count(int(timestamp * 1000)))
        db.commit()
        data = db.serialize()
    finally:
        db.close()
    temp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        with open(temp, "xb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            archive.writestr("collection.anki2", data)
            archive.writestr("media", "{}")
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise SrsError(f"cannot write {path}: {exc.strerror or exc}; choose another output with -o FILE.apkg") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def export_anki(
    store: Store, output: Path | None = None, deck: str | None = None, tag: str | None = None, now: datetime | None = None
) -> AnkiExport:
    """Export the cards in ``deck`` (with subdecks) and/or with ``tag`` to an ``.apkg``; drafts and retired cards are left out.

    Notes are stamped ``now`` (default: the current time) so Anki applies the update on re-import.
    """
    check_deck(store, deck)
    with store.read() as conn:
        descriptions = deck_descriptions(conn)
        cards = list_cards(conn, Scope(deck=deck, tag=tag))
    if not cards:
        scope = " and ".join(filter(None, [deck and f"deck '{deck}'", tag and f"tag '{tag}'"])) or "the collection"
        raise SrsError(f"nothing to export: {scope} has no finished, live cards (drafts and retired cards are never exported)")
    path = resolve_output(output, deck, tag)
    with gc_paused():
        rendered = render_with_cache(store, card_texts(cards), prune=deck is None and tag is None)
        package, deck_count = build_package(cards, descriptions, rendered.html)
        write_package(package, path, (now or utc_now()).timestamp())
    return AnkiExport(
        path=path, decks=deck_count, notes=len(cards), rendered=rendered.rendered, reused=rendered.reused, fast=rendered.fast
    )
