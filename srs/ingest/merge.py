"""Merge ingested cards into an existing deck file at the text level.

Cards already in the file (matched by id) are left exactly as they are, byte for byte: new cards are
spliced in after the last card, in the file's own indentation and line endings. The result is parsed
again and refused unless every existing card reads back unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from srs.decks.load import parse_deck
from srs.errors import SrsError
from srs.ingest.yamlout import Section, section_lines
from srs.model import CardSpec, DeckFile

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml missing
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_SHOWN_PROBLEMS = 10
BOM = b"\xef\xbb\xbf"


@dataclass
class Merged:
    """The merged file's bytes (None: nothing new to add) and what happened."""

    data: bytes | None
    deck: str
    added: list[str]
    kept: list[str]


def read_existing(shown: str, data: bytes) -> DeckFile:
    """Parse the deck file being merged into; refuse it if the strict loader finds errors."""
    deck, problems = parse_deck(shown, data)
    errors = [p for p in problems if p.severity == "error"]
    if deck is None or errors:
        listed = "\n".join(str(p) for p in errors[:MAX_SHOWN_PROBLEMS])
        more = f"\n... and {len(errors) - MAX_SHOWN_PROBLEMS} more" if len(errors) > MAX_SHOWN_PROBLEMS else ""
        raise SrsError(f"{shown} has errors, so nothing was merged into it; fix them (see `srs check {shown}`) or write elsewhere with -o:\n{listed}{more}")
    return deck


def merge(shown: str, data: bytes, sections: list[Section]) -> Merged:
    """Add the cards of ``sections`` whose ids are not yet in the deck file ``data``."""
    existing = read_existing(shown, data)
    known = {card.uid for card in existing.cards}
    fresh = [Section(s.comment, [c for c in s.cards if c.uid not in known]) for s in sections]
    added = [card.uid for s in fresh for card in s.cards]
    kept = [card.uid for s in sections for card in s.cards if card.uid in known]
    if not added:
        return Merged(None, existing.deck, [], kept)
    text = data.removeprefix(BOM).decode("utf-8").replace("\r\n", "\n")
    newline = "\r\n" if b"\r\n" in data else "\n"
    cards_node = _cards_node(shown, text)
    attempts = _flow_attempts(data, text, cards_node, fresh, newline) if cards_node.flow_style else _block_attempts(data, text, cards_node, fresh, newline)
    for candidate in attempts:
        if _verify(shown, candidate, existing, [card for s in fresh for card in s.cards]):
            return Merged(candidate, existing.deck, added, kept)
    raise SrsError(f"could not add cards to {shown} without changing the cards already there; write to a new file with -o and copy the new cards over by hand")


def _cards_node(shown: str, text: str) -> yaml.SequenceNode:
    root = yaml.compose(text, Loader=_Loader)
    for key, value in root.value:
        if key.value == "cards":
            return value
    raise SrsError(f"{shown} has no 'cards:' list to merge into")  # parse_deck already requires it


def _block_attempts(data: bytes, text: str, node: yaml.SequenceNode, sections: list[Section], newline: str):
    lines = text.split("\n")
    first = node.value[0]
    line = lines[first.start_mark.line]
    before = line[: first.start_mark.column].rstrip()
    dash = len(before) - 1 if before.endswith("-") else max(first.start_mark.column - 2, 0)
    block = section_lines(sections, dash, first.start_mark.column)
    last_value = node.value[-1].value[-1][1]
    end = last_value.end_mark
    after = end.line if end.column == 0 else end.line + 1
    tidy = after
    while tidy > last_value.start_mark.line + 1 and not lines[tidy - 1].strip():
        tidy -= 1  # before the blank lines that follow the last card, unless they are part of its text
    for at in dict.fromkeys((tidy, after)):
        yield _insert_lines(data, at, block, newline)


def _flow_attempts(data: bytes, text: str, node: yaml.SequenceNode, sections: list[Section], newline: str):
    if node.value:
        raise SrsError("the 'cards' list is written inline ([...]); rewrite it as a block list (one '- id: ...' per card) to merge into it")
    start = _byte_offset(data, node.start_mark.line, node.start_mark.column, text)
    stop = _byte_offset(data, node.end_mark.line, node.end_mark.column, text)
    block = newline + newline.join(section_lines(sections)) + newline
    yield data[:start].rstrip(b" ") + block.encode() + data[stop:].lstrip(b" \r\n")


def _insert_lines(data: bytes, at: int, block: list[str], newline: str) -> bytes:
    """Insert ``block`` before 0-based line ``at`` of ``data`` (at the end if the file has fewer lines)."""
    offset = 0
    for _ in range(at):
        found = data.find(b"\n", offset)
        if found < 0:
            offset = len(data)
            break
        offset = found + 1
    head = data[:offset]
    if head and not head.endswith(b"\n"):
        head += newline.encode()
    return head + (newline.join(block) + newline).encode() + data[offset:]


def _byte_offset(data: bytes, line: int, column: int, text: str) -> int:
    """Byte offset in ``data`` of a (line, column) position of its normalised text."""
    offset = len(BOM) if data.startswith(BOM) else 0
    for _ in range(line):
        offset = data.index(b"\n", offset) + 1
    return offset + len(text.split("\n")[line][:column].encode())


def _verify(shown: str, data: bytes, existing: DeckFile, fresh: list[CardSpec]) -> bool:
    merged, problems = parse_deck(shown, data)
    if merged is None or any(p.severity == "error" for p in problems):
        return False
    by_id = {card.uid: card for card in merged.cards}
    unchanged = all(card.uid in by_id and by_id[card.uid].content_key() == card.content_key() for card in existing.cards)
    written = all(card.uid in by_id and by_id[card.uid].content_key() == card.content_key() for card in fresh)
    return unchanged and written and len(merged.cards) == len(existing.cards) + len(fresh) and merged.deck == existing.deck
