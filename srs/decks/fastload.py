"""The fast way through a deck file that has nothing wrong with it; any doubt goes to the strict path.

The strict path (``load``) composes PyYAML nodes with positions and checks them, so every problem
gets ``path:line:col``. Most files have no problem, and for those positions are wasted: this path
builds plain Python objects without them and returns the same ``DeckFile``, or None as soon as
anything is unusual or wrong, and then ``load`` parses the file again the strict way (which words
the errors, or accepts what this path was unsure of). So this path never has to reject anything
itself; it must only never accept what the strict path rejects, and build exactly what it builds
(tests/test_decks_fastpath.py compares the two on tricky YAML and on generated decks).

How each strict rule holds here:
- grammar: libyaml itself checks the whole file (``raw_parse``: C only, no Python objects), the
  same parser the strict path uses; the values come from ``yaml_rs`` (Rust), which must agree.
- YAML 1.1 types (``no`` is a boolean to PyYAML): ``yaml_rs`` reads YAML 1.2 and does not say
  whether a scalar was quoted, so any text value that PyYAML would read as something else if it
  were plain sends the file to the strict path (which knows the quoting).
- duplicate keys: ``yaml_rs`` raises on them; aliases: it raises on the first one (replay limits of
  zero); anchors, tags and directives: a look at the text, before parsing.
- tabs, control characters, bad UTF-8, line breaks that only YAML 1.1 knows: not here at all.
- each card's line (stored, and used in warnings): found in the text, and used only when the count
  of ``- `` item lines under ``cards:`` matches the number of cards exactly (see ``_card_lines``).
"""

from __future__ import annotations

import re

from srs.decks.cloze import scan
from srs.decks.files import file_digest
from srs.decks.load import CARD_KEYS, DIFFICULTIES, FORBIDDEN_CHARACTERS, ID_PATTERN, TAG_PATTERN, TOP_KEYS, derived_id
from srs.model import CardSpec, DeckFile

try:
    import yaml_rs
    from yaml import resolver as _yaml_resolver
    from yaml._yaml import CParser
except ImportError:  # pragma: no cover - without the C parsers every file takes the strict path
    yaml_rs = None

# Bytes a deck file may hold anywhere: printable ASCII, newline, carriage return, and UTF-8's
# multi-byte sequences, less C1 controls (U+0080-U+009F) and YAML 1.1's own line breaks (U+2028,
# U+2029), found by _ODD_UTF8. Everything else (tabs, C0 controls, DEL) is the strict path's to report.
_PLAIN_BYTES = bytes(range(0x20, 0x7F)) + b"\n\r" + bytes(range(0x80, 0x100))
_ODD_UTF8 = re.compile(rb"\xc2[\x80-\x9f]|\xe2\x80[\xa8\xa9]")
_NODE_START = frozenset("-?:,[{\n")
_CARDS_KEY = re.compile(r"(?:\A|\n)cards[ ]*:")
_QUOTE_START = re.compile(r"(?:^|[-?:,\[{])[ ]*([\"'])", re.M)
_CLOSED_QUOTE = {'"': re.compile(r'"(?:[^"\\\n]|\\.)*"'), "'": re.compile(r"'(?:[^'\n]|'')*'")}
_FIRST_ITEM = re.compile(r"^( *)-(?=[ \n])", re.M)
_CONTENT_LINE = re.compile(r"\n[^ \n#]")  # a line at column 0 that is not blank and not a comment
_CONTENT_LINE_NOT_ITEM = re.compile(r"\n(?:[^ \n#-]|-[^ \n])")


def _yaml11_resolvers() -> dict[str, list]:
    return {first: [regexp for _, regexp in pairs] for first, pairs in _yaml_resolver.Resolver.yaml_implicit_resolvers.items()}


_RESOLVERS: dict[str, list] = _yaml11_resolvers() if yaml_rs is not None else {}
# Replaying an alias is an error at once: an alias bomb never expands, and any alias goes to the strict path.
_NO_ALIASES = yaml_rs.AliasLimits(max_total_replayed_events=0, max_replay_stack_depth=0, max_alias_expansions_per_anchor=0) if yaml_rs else None


class _Unsure(Exception):
    """Something the strict path must decide."""


def parse(path: str, data: bytes) -> tuple[DeckFile, list[tuple[str, int, bool]]] | None:
    """The deck and its (id, line, explicit) list, or None when the strict path must read the file."""
    if yaml_rs is None or data.translate(None, _PLAIN_BYTES) or ((b"\xc2" in data or b"\xe2\x80" in data) and _ODD_UTF8.search(data)):
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if "\r" in text or _has_node_property(text):
        return None
    try:
        CParser(text).raw_parse()
        root = yaml_rs.loads(text, parse_datetime=False, alias_limits=_NO_ALIASES, duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.Error)
        deck = _deck(root, path, data, text)
    except Exception:  # noqa: BLE001 - _Unsure, a YAML error, anything: the strict path decides and words it
        return None
    return deck, [(card.uid, card.line, card.explicit_id) for card in deck.cards]


def _has_node_property(text: str) -> bool:
    """Whether the text may hold an anchor (&a), a tag (!x, !!str) or a directive (%YAML): rare in a deck,
    all left to the strict path. Any & or ! where a node can start counts, so one inside text only
    costs the strict path for that file."""
    if text.startswith("%") or "\n%" in text:
        return True
    for mark in "&!":
        at = text.find(mark)
        while at >= 0:
            before = at - 1
            while before >= 0 and text[before] == " ":
                before -= 1
            if before < 0 or text[before] in _NODE_START:
                return True
            at = text.find(mark, at + 1)
    return False


def _text(value, required: bool, escapes: bool) -> str:
    """A text field's value as the strict ``_string`` gives it; anything it might refuse is _Unsure."""
    if type(value) is not str:
        if value is None and not required:
            return ""
        raise _Unsure
    if not value or value.isspace():
        if required:
            raise _Unsure
        return value
    patterns = _RESOLVERS.get(value[0])
    if patterns is not None and any(pattern.match(value) for pattern in patterns):
        raise _Unsure  # quoted (fine) or plain (an error): only the strict path knows which
    if escapes and FORBIDDEN_CHARACTERS.search(value):
        raise _Unsure  # a control character written as an escape ("\x1b")
    return value


def _text_list(value, escapes: bool) -> tuple[str, ...]:
    if type(value) is list:
        return tuple([_text(item, True, escapes) for item in value])
    text = _text(value, False, escapes)
    return (text,) if text else ()


def _deck(root, path: str, data: bytes, text: str) -> DeckFile:
    if type(root) is not dict or not root.keys() <= TOP_KEYS or "deck" not in root or type(root.get("cards")) is not list:
        raise _Unsure
    escapes = "\\" in text
    name = _text(root["deck"], True, escapes)
    if any(not part.strip() for part in name.split("::")):
        raise _Unsure
    description = _text(root.get("description"), False, escapes)
    entries = root["cards"]
    lines = _card_lines(text, len(entries))
    cards = [_card(entry, name, line, escapes) for entry, line in zip(entries, lines)]
    seen: set[str] = set()
    for card in cards:
        if card.uid in seen:
            raise _Unsure
        seen.add(card.uid)
    return DeckFile(path=path, deck=name, description=description, cards=tuple(cards), digest=file_digest(data))


_ABSENT = object()


def _card(entry, deck: str, line: int, escapes: bool) -> CardSpec:
    if type(entry) is not dict or not entry.keys() <= CARD_KEYS:
        raise _Unsure
    get = entry.get
    draft, reverse = get("draft", False), get("reverse", False)
    if type(draft) is not bool or type(reverse) is not bool:
        raise _Unsure  # `draft: yes` is true to PyYAML; let it say so
    front, back, cloze = get("front", _ABSENT), get("back", _ABSENT), get("cloze", _ABSENT)
    if cloze is not _ABSENT:
        if front is not _ABSENT or back is not _ABSENT or reverse:
            raise _Unsure
        cloze = _text(cloze, not draft, escapes)
        deletions, problems = scan(cloze)
        if problems or (not deletions and not draft):
            raise _Unsure
        front = back = ""
    else:
        if not draft and (front is _ABSENT or back is _ABSENT):
            raise _Unsure
        front = "" if front is _ABSENT else _text(front, not draft, escapes)
        back = "" if back is _ABSENT else _text(back, not draft, escapes)
        cloze = ""
    extra = _text(get("extra"), False, escapes)  # absent and empty (null) alike: ""
    uid = get("id", _ABSENT)
    if uid is not _ABSENT:
        uid = _text(uid, True, escapes)
        if not ID_PATTERN.match(uid):
            raise _Unsure
    tags = _text_list(get("tags"), escapes)
    for tag in tags:
        if not TAG_PATTERN.match(tag):
            raise _Unsure
    difficulty = _text(get("difficulty"), False, escapes)
    if difficulty and difficulty not in DIFFICULTIES:
        raise _Unsure
    explicit = uid is not _ABSENT
    return CardSpec(
        uid=uid if explicit else derived_id(deck, front or cloze or ""),
        front=front,
        back=back,
        extra=extra,
        tags=tuple(dict.fromkeys(tags)),
        difficulty=difficulty or None,
        sources=_text_list(get("source"), escapes),
        draft=draft,
        line=line,
        explicit_id=explicit,
        cloze=cloze,
        reverse=reverse,
    )


def _card_lines(text: str, count: int) -> list[int]:
    """The line of each card (where its mapping starts, as the strict path counts it), from the text.

    The item lines (``- `` at the first item's indentation) are looked for between the ``cards:``
    line and the next line at column 0. Every real card has one there; a line inside a quoted scalar
    that spans lines can look like one too, so the lines are used only if there are exactly as many
    as cards (then none is fake), the ``cards:`` key found is the real one (no quoted scalar before
    it spans lines), and each card starts on its item line (``- id: x``, not ``-`` alone).
    """
    if count == 0:
        return []
    key = _CARDS_KEY.search(text)
    if key is None:
        raise _Unsure
    prefix = text[: key.start() + (text[key.start()] == "\n")]
    for quote in _QUOTE_START.finditer(prefix):
        if not _CLOSED_QUOTE[quote.group(1)].match(prefix, quote.start(1)):
            raise _Unsure
    start = text.find("\n", key.end()) + 1
    first = _FIRST_ITEM.search(text, start)
    if start == 0 or first is None or text[start : first.start()].strip(" \n") and not _only_comments(text[start : first.start()]):
        raise _Unsure
    indent = len(first.group(1))
    end_pattern = _CONTENT_LINE if indent else _CONTENT_LINE_NOT_ITEM
    end = end_pattern.search(text, start - 1)
    stop = end.start() + 1 if end else len(text)
    items = list(re.compile(rf"\n {{{indent}}}-(?=[ \n])( *)(.?)").finditer(text, start - 1, stop))
    if len(items) != count or any(item.group(2) in ("", "\n", "#") for item in items):
        raise _Unsure
    lines, line, position = [], text.count("\n", 0, start) + 1, start
    for item in items:
        line += text.count("\n", position, item.start() + 1)
        position = item.start() + 1
        lines.append(line)
    return lines


def _only_comments(block: str) -> bool:
    return all(not line.strip() or line.lstrip().startswith("#") for line in block.split("\n"))
