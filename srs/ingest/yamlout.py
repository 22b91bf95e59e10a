"""YAML text for deck files, written by hand so the layout matches the bundled decks and the strict loader
(srs.decks.load) accepts it: text as ``|-`` block scalars (or double quotes when a block cannot hold it),
no anchors, no tabs, no plain scalars that YAML would read as anything but a string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from srs.model import CardSpec

STR_TAG = "tag:yaml.org,2002:str"
_SAFE_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
_RESOLVER = yaml.resolver.Resolver()


@dataclass
class Section:
    """Cards written together, under an optional ``# comment`` line (e.g. the quiz they come from)."""

    comment: str
    cards: list[CardSpec] = field(default_factory=list)


# Characters a deck file may not hold raw: tabs, controls, YAML line separators, BOM, non-characters,
# lone surrogates. Checked by one regex scan (a per-character Python loop took 2 s on 2 MB).
_UNPRINTABLE_CLASS = r"\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff"
_UNPRINTABLE_BUT_NEWLINE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
_NEEDS_ESCAPE = re.compile(r'["\\' + _UNPRINTABLE_CLASS + "]")


def _escape(match: re.Match) -> str:
    ch = match.group()
    return _ESCAPES.get(ch) or f"\\u{ord(ch):04x}"


def quoted(text: str) -> str:
    """A YAML double-quoted scalar holding exactly ``text``."""
    return '"' + _NEEDS_ESCAPE.sub(_escape, text) + '"'


def plain_or_quoted(value: str) -> str:
    """A plain scalar when YAML reads it back as this very string (ids, tags), else double quotes."""
    if _SAFE_PLAIN.match(value) and _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) == STR_TAG:
        return value
    return quoted(value)


def _literal_ok(text: str) -> bool:
    return bool(text) and not text.endswith("\n") and not _UNPRINTABLE_BUT_NEWLINE.search(text)


def text_field(key: str, text: str, indent: int) -> list[str]:
    """Lines for ``key: text`` at ``indent`` columns: a ``|-`` block, or ``""`` when empty."""
    pad = " " * indent
    if not text:
        return [f'{pad}{key}: ""']
    if not _literal_ok(text):
        return [f"{pad}{key}: {quoted(text)}"]
    # An explicit indentation indicator when the text itself starts with a space or a blank line.
    indicator = "2" if text[0] in " \n" else ""
    return [f"{pad}{key}: |{indicator}-"] + [f"{pad}  {line}" if line else "" for line in text.split("\n")]


def card_lines(card: CardSpec, dash: int = 2, key: int | None = None) -> list[str]:
    """A card as lines: ``- id:`` at column ``dash``, its other keys at column ``key`` (default dash + 2)."""
    key = dash + 2 if key is None else key
    pad = " " * key
    lines = [" " * dash + "-" + " " * (key - dash - 1) + f"id: {plain_or_quoted(card.uid)}"]
    if card.draft:
        lines.append(f"{pad}draft: true")
    if card.cloze:
        lines += text_field("cloze", card.cloze, key)
    else:
        lines += text_field("front", card.front, key)
        lines += text_field("back", card.back, key)
    if card.reverse:
        lines.append(f"{pad}reverse: true")
    if card.extra:
        lines += text_field("extra", card.extra, key)
    if card.tags:
        lines.append(f"{pad}tags: [{', '.join(plain_or_quoted(tag) for tag in card.tags)}]")
    if card.difficulty:
        lines.append(f"{pad}difficulty: {card.difficulty}")
    if len(card.sources) == 1:
        lines.append(f"{pad}source: {quoted(card.sources[0])}")
    elif card.sources:
        lines.append(f"{pad}source: [{', '.join(quoted(source) for source in card.sources)}]")
    return lines


def section_lines(sections: list[Section], dash: int = 2, key: int | None = None) -> list[str]:
    """Cards of several sections, each section under its comment."""
    lines: list[str] = []
    for section in sections:
        if not section.cards:
            continue
        if section.comment:
            lines.append(" " * dash + "# " + " ".join(section.comment.split()))
        for card in section.cards:
            lines += card_lines(card, dash, key)
    return lines


def deck_text(deck: str, description: str, sections: list[Section]) -> str:
    """A whole deck file."""
    lines = [f"deck: {quoted(deck)}"]
    if description:
        lines.append(f"description: {quoted(description)}")
    body = section_lines(sections)
    lines += ["cards:", *body] if body else ["cards: []"]
    return "\n".join(lines) + "\n"
