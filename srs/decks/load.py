"""Strict, located parsing of deck files.

PyYAML's C composer gives nodes with positions; we walk them ourselves instead of constructing
Python objects, which is how duplicate keys, aliases and non-string text are caught with a line
number (PyYAML's loaders would silently keep the last duplicate, turn ``no`` into ``False`` and
expand alias bombs).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import yaml

from srs.decks.cloze import ClozeProblem, scan
from srs.decks.files import MAX_FILE_BYTES, file_digest  # noqa: F401 - also imported from here
from srs.decks.problems import Problem
from srs.model import DIFFICULTIES, CardSpec, DeckFile

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml missing: slower, same behaviour
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_DEPTH = 12  # a deck is 4 levels deep; anything far deeper is hostile or broken
TOP_KEYS = {"deck", "description", "cards"}
CARD_KEYS = {"id", "front", "back", "cloze", "extra", "reverse", "tags", "difficulty", "source", "draft"}
TEXT_KEYS = ("front", "back", "extra")
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$")
TAG_PATTERN = re.compile(r"^[^\s,\[\]{}]+$")
STR_TAG = "tag:yaml.org,2002:str"
NULL_TAG = "tag:yaml.org,2002:null"
BOOL_TAG = "tag:yaml.org,2002:bool"
LONG_BACK_CHARS = 600
LONG_BACK_LINES = 20
MAX_CLOZE_PROBLEMS = 10  # a hostile cloze can hold thousands of broken braces; past a few, the rest is noise


class _Collector:
    """Gathers problems for one file."""

    def __init__(self, path: str, text: str = "") -> None:
        self.path = path
        self.text = text  # the whole file, to place problems found inside a scalar's value
        self.problems: list[Problem] = []
        self.ids: list[tuple[str, int, bool]] = []  # (id, line, written in the file) of every card with a readable id
        self.tab_lines: set[int] = set()

    def error(self, node_or_line, message: str, col: int = 1) -> None:
        self._add(node_or_line, message, col, "error")

    def warn(self, node_or_line, message: str, col: int = 1) -> None:
        self._add(node_or_line, message, col, "warning")

    def _add(self, where, message: str, col: int, severity: str) -> None:
        if isinstance(where, int):
            line = where
        else:
            line, col = where.start_mark.line + 1, where.start_mark.column + 1
        self.problems.append(Problem(self.path, line, col, message, severity))


def read_deck_bytes(path: Path) -> bytes:
    """Read a deck file, refusing oversized ones before reading them into memory."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise _TooLarge(size)
    return path.read_bytes()


class _TooLarge(Exception):
    def __init__(self, size: int) -> None:
        self.size = size


def _decode(data: bytes, out: _Collector) -> str:
    """The file's text; bad bytes and characters are reported, then read as spaces so the rest is checked too."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        out.error(line, f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8", col)
        text = data.decode("utf-8", errors="replace")
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if "\t" in text or FORBIDDEN_CHARACTERS.search(text):
        _report_bad_characters(text, out)
        text = FORBIDDEN_CHARACTERS.sub(" ", _untab(text))
    return text


_INDENT = re.compile(r"[ \t]*((?:- +)*)")


def _untab(text: str) -> str:
    """Text to go on checking after tabs were reported: a tab-indented line gets the indentation of
    the line before it (its most likely meaning), any other tab becomes one space (columns stay right)."""
    lines = text.split("\n")
    indent = 0
    for number, line in enumerate(lines):
        match = _INDENT.match(line)
        lead = line[: match.start(1)]
        if "\t" in lead:
            line = " " * indent + line[len(lead):]
            match = _INDENT.match(line)
        lines[number] = line.replace("\t", " ")
        if line.strip():
            indent = match.end(1)  # content column: leading spaces plus any "- " list markers
    return "\n".join(lines)


# C0 controls other than newline and carriage return, DEL, and C1 controls: invisible and unsafe in a
# terminal. Tabs are reported separately (YAML indentation must be spaces).
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f]")


def _report_bad_characters(text: str, out: _Collector) -> None:
    for number, content in enumerate(text.split("\n"), start=1):
        if "\t" in content:
            out.tab_lines.add(number)
            out.error(number, "tab character: indent with spaces (tabs are not allowed anywhere in a deck)", content.index("\t") + 1)
        bad = FORBIDDEN_CHARACTERS.search(content)
        if bad is not None:
            out.error(number, f"control character U+{ord(bad.group()):04X} is not allowed in a deck file", bad.start() + 1)


# Something that may be an anchor (&name) or alias (*name) token; text inside block scalars can
# match too (`*args`), which only sends the file down the slower exact check.
_MAYBE_ANCHOR = re.compile(r"(?:^|[\s\[\{,:-])[&*][^\s\[\]{},]+")


def _find_anchor_or_alias(text: str, out: _Collector) -> bool:
    """Exact check with the event stream: report the first anchor or alias."""
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            out.error(event, "YAML aliases (*name) are not allowed in deck files")
            return True
        if getattr(event, "anchor", None):
            out.error(event, f"YAML anchors (&{event.anchor}) are not allowed in deck files")
            return True
    return False


def _depth(node, limit: int) -> int:
    """Nesting depth of a node tree, stopping early past ``limit``."""
    stack = [(node, 1)]
    deepest = 0
    while stack:
        current, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        if isinstance(current, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in current.value)
        elif isinstance(current, yaml.MappingNode):
            stack.extend((value, depth + 1) for _, value in current.value)
    return deepest


def _compose(text: str, out: _Collector):
    try:
        # Anchors and aliases are refused before anything is built (an alias bomb never expands:
        # the composer shares nodes, and we never construct Python objects from them).
        if _MAYBE_ANCHOR.search(text) and _find_anchor_or_alias(text, out):
            return None
        root = yaml.compose(text, Loader=_Loader)
    except yaml.composer.ComposerError as exc:
        mark = exc.problem_mark or exc.context_mark
        out.error(mark.line + 1 if mark else 1, "a deck file holds exactly one YAML document", (mark.column + 1) if mark else 1)
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if mark is not None and mark.line + 1 in out.tab_lines:
            return None  # read as a space, the tab broke the YAML: the tab's own error says what to fix
        problem = (exc.problem or exc.context or "").replace("exceeded maximum nesting depth", "nested too deeply")
        out.error(mark.line + 1 if mark else 1, f"invalid YAML: {problem}", (mark.column + 1) if mark else 1)
        return None
    except yaml.YAMLError as exc:
        out.error(1, f"invalid YAML: {exc}")
        return None
    if root is not None and _depth(root, MAX_DEPTH) > MAX_DEPTH:
        out.error(root, f"the document is nested more than {MAX_DEPTH} levels deep")
        return None
    return root


def _mapping_items(node, out: _Collector, what: str) -> dict[str, tuple]:
    """Key -> (key_node, value_node); duplicate and non-string keys are errors."""
    items: dict[str, tuple] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != STR_TAG:
            out.error(key_node, f"{what} keys must be plain names")
            continue
        key = key_node.value
        if key in items:
            first = items[key][0].start_mark.line + 1
            out.error(key_node, f"duplicate key '{key}' in {what} (first at line {first})")
            continue
        items[key] = (key_node, value_node)
    return items


def _string(node, out: _Collector, field: str, *, allow_empty: bool = True) -> str | None:
    if not isinstance(node, yaml.ScalarNode):
        out.error(node, f"'{field}' must be text, not a {'list' if isinstance(node, yaml.SequenceNode) else 'mapping'}")
        return None
    if node.tag == NULL_TAG:
        if allow_empty:
            return ""
        out.error(node, f"'{field}' is empty")
        return None
    if node.tag != STR_TAG:
        kind = {BOOL_TAG: "a boolean"}.get(node.tag, "a " + node.tag.rsplit(":", 1)[-1])
        out.error(node, f"'{field}' must be text, but YAML reads `{node.value}` as {kind}; quote it: {field}: \"{node.value}\"")
        return None
    if not allow_empty and not node.value.strip():
        out.error(node, f"'{field}' is empty")
        return None
    bad = FORBIDDEN_CHARACTERS.search(node.value) if node.style == '"' else None
    if bad is not None:  # written as a YAML escape such as "\x1b": the raw-line check cannot see it
        out.error(node, f"'{field}' contains control character U+{ord(bad.group()):04X}")
        return None
    return node.value


def _string_list(node, out: _Collector, field: str) -> tuple[str, ...] | None:
    if isinstance(node, yaml.ScalarNode):
        value = _string(node, out, field)
        return None if value is None else ((value,) if value else ())
    if not isinstance(node, yaml.SequenceNode):
        out.error(node, f"'{field}' must be a string or a list of strings")
        return None
    values = []
    for item in node.value:
        value = _string(item, out, f"{field} item", allow_empty=False)
        if value is None:
            return None
        values.append(value)
    return tuple(values)


def derived_id(deck: str, front: str) -> str:
    """The id of a card its deck file gives none: a digest of its deck and front (stable while both are)."""
    return "auto-" + hashlib.blake2b(f"{deck}\x00{front}".encode(), digest_size=6).hexdigest()


def _flag(items: dict, key: str, out: _Collector) -> bool:
    """A true/false card key (``draft``, ``reverse``); absent is false."""
    if key not in items:
        return False
    value_node = items[key][1]
    if not (isinstance(value_node, yaml.ScalarNode) and value_node.tag == BOOL_TAG):
        out.error(value_node, f"'{key}' must be true or false")
        return False
    return value_node.value.lower() in ("true", "yes", "on")


def _cloze(items: dict, draft: bool, reverse: bool, out: _Collector) -> str | None:
    """The checked ``cloze`` text of an entry (its deletions located in the file on error), or None."""
    key_node, node = items["cloze"]
    for other in ("front", "back"):
        if other in items:
            hint = "its text is the question" if other == "front" else "put what the answer adds in 'extra'"
            out.error(items[other][0], f"a card has either 'cloze' or '{other}', not both ({hint})")
    if reverse:
        out.error(items["reverse"][0], "'reverse' applies to front/back cards; a cloze card has no back to ask from")
    text = _string(node, out, "cloze", allow_empty=draft)
    if text is None:
        return None
    deletions, problems = scan(text)
    for problem in problems[:MAX_CLOZE_PROBLEMS]:
        line, col = _place_in_scalar(node, text, problem, out.text)
        out.error(line, problem.message, col)
    if len(problems) > MAX_CLOZE_PROBLEMS:
        out.error(node, f"{len(problems) - MAX_CLOZE_PROBLEMS} more problems in this cloze (the first {MAX_CLOZE_PROBLEMS} are listed)")
    if not deletions and not problems and not draft:
        out.error(node, "cloze has no deletion: mark what to hide as {{c1::text}} (or {{c1::text::hint}})")
    return text if not problems else None


def _place_in_scalar(node, value: str, problem: ClozeProblem, file_text: str) -> tuple[int, int]:
    """Line and column in the file of ``problem`` (an offset in the scalar's value).

    The value may be quoted, folded or a block, so offsets do not map directly: the k-th brace pair
    in the value is found as the k-th one in the scalar's source. Falls back to the scalar's start.
    """
    token = value[problem.offset : problem.offset + 2]
    fallback = (node.start_mark.line + 1, node.start_mark.column + 1)
    if token not in ("{{", "}}") or not file_text:
        return fallback
    nth = value.count(token, 0, problem.offset)
    source = file_text[node.start_mark.index : node.end_mark.index]
    index = -1
    for _ in range(nth + 1):
        index = source.find(token, index + 1)
        if index < 0:
            return fallback
    absolute = node.start_mark.index + index
    line_start = file_text.rfind("\n", 0, absolute) + 1
    return file_text.count("\n", 0, absolute) + 1, absolute - line_start + 1


def _card(node, deck: str, out: _Collector) -> CardSpec | None:
    if not isinstance(node, yaml.MappingNode):
        out.error(node, "each card must be a mapping with at least 'front' and 'back', or 'cloze'")
        return None
    before = len(out.problems)
    items = _mapping_items(node, out, "a card")
    for key, (key_node, _) in items.items():
        if key not in CARD_KEYS:
            out.error(key_node, f"unknown card key '{key}' (known: {', '.join(sorted(CARD_KEYS))})")
    draft = _flag(items, "draft", out)
    reverse = _flag(items, "reverse", out)
    cloze = _cloze(items, draft, reverse, out) if "cloze" in items else ""
    text = {}
    for field in TEXT_KEYS:
        if field in items:
            required = field != "extra" and not draft
            text[field] = _string(items[field][1], out, field, allow_empty=not required)
        elif field != "extra" and not draft and "cloze" not in items:
            out.error(node, f"card has no '{field}'" + (" (or write a 'cloze' instead)" if field == "front" else ""))
    uid = None
    if "id" in items:
        uid = _string(items["id"][1], out, "id", allow_empty=False)
        if uid is not None and not ID_PATTERN.match(uid):
            out.error(items["id"][1], f"id '{uid}' may hold only letters, digits and . _ : / - (at most 200)")
        elif uid is not None:
            out.ids.append((uid, node.start_mark.line + 1, True))
    tags = _string_list(items["tags"][1], out, "tags") if "tags" in items else ()
    for tag in tags or ():
        if not TAG_PATTERN.match(tag):
            out.error(items["tags"][1], f"tag '{tag}' may not contain spaces, commas or brackets")
    difficulty = None
    if "difficulty" in items:
        difficulty = _string(items["difficulty"][1], out, "difficulty")
        if difficulty and difficulty not in DIFFICULTIES:
            out.error(items["difficulty"][1], f"difficulty must be one of {', '.join(DIFFICULTIES)}, not '{difficulty}'")
    sources = _string_list(items["source"][1], out, "source") if "source" in items else ()
    if len(out.problems) > before and any(p.severity == "error" for p in out.problems[before:]):
        return None
    front = text.get("front") or ""
    if uid is None:
        out.ids.append((derived_id(deck, front or cloze or ""), node.start_mark.line + 1, False))
    return CardSpec(
        uid=uid or derived_id(deck, front or cloze or ""),
        front=front,
        back=text.get("back") or "",
        extra=text.get("extra") or "",
        tags=tuple(dict.fromkeys(tags or ())),
        difficulty=difficulty or None,
        sources=sources or (),
        draft=draft,
        line=node.start_mark.line + 1,
        explicit_id=uid is not None,
        cloze=cloze or "",
        reverse=reverse,
    )


def parse_deck(path: str, data: bytes) -> tuple[DeckFile | None, list[Problem]]:
    """Parse and validate one deck file's bytes. Returns the deck (None on errors) and all problems."""
    deck, problems, _ = parse_deck_ids(path, data)
    return deck, problems


def parse_deck_ids(path: str, data: bytes) -> tuple[DeckFile | None, list[Problem], list[tuple[str, int, bool]]]:
    """``parse_deck``, plus (id, line, explicit) of every card whose id could be read, even in a file with errors.

    Every error of the file is reported, not only the first kind: bad characters are read as spaces
    and the rest is still checked, and a card with an error still takes part in the duplicate-id check.
    A file goes through ``fastload`` (no positions) first; one it is not sure of, with an error or
    anything unusual, is parsed again here with positions, which words every problem.
    """
    from srs.decks import fastload  # imports this module

    fast = fastload.parse(path, data)
    if fast is None:
        return parse_deck_strict(path, data)
    deck, ids = fast
    out = _Collector(path)
    out.ids = ids
    _warn(list(deck.cards), out)
    return deck, out.problems, out.ids


def parse_deck_strict(path: str, data: bytes) -> tuple[DeckFile | None, list[Problem], list[tuple[str, int, bool]]]:
    """``parse_deck_ids`` by the located (slower) path only: what ``fastload`` must agree with."""
    out = _Collector(path)
    deck = _parse(data, out)
    return deck, out.problems, out.ids


def _parse(data: bytes, out: _Collector) -> DeckFile | None:
    text = _decode(data, out)
    out.text = text
    root = _compose(text, out)
    if root is None:
        if not out.problems:
            out.error(1, "the file is empty; a deck file needs 'deck' and 'cards'")
        return None
    if not isinstance(root, yaml.MappingNode):
        out.error(root, "a deck file must be a mapping with 'deck' and 'cards'")
        return None
    items = _mapping_items(root, out, "the deck")
    for key, (key_node, _) in items.items():
        if key not in TOP_KEYS:
            out.error(key_node, f"unknown top-level key '{key}' (known: cards, deck, description)")
    deck = _string(items["deck"][1], out, "deck", allow_empty=False) if "deck" in items else None
    if "deck" not in items:
        out.error(root, "missing 'deck: NAME'")
    elif deck is not None and any(not part.strip() for part in deck.split("::")):
        out.error(items["deck"][1], f"deck name '{deck}' has an empty part between '::'")
    description = _string(items["description"][1], out, "description") if "description" in items else ""
    cards: list[CardSpec] = []
    if "cards" not in items:
        out.error(root, "missing 'cards:' (a list of cards)")
    elif not isinstance(items["cards"][1], yaml.SequenceNode):
        out.error(items["cards"][1], "'cards' must be a list")
    else:
        for card_node in items["cards"][1].value:
            card = _card(card_node, deck or "", out)
            if card is not None:
                cards.append(card)
    _check_ids_unique(out)
    if any(p.severity == "error" for p in out.problems):
        return None
    _warn(cards, out)
    return DeckFile(path=out.path, deck=deck or "", description=description or "", cards=tuple(cards), digest=file_digest(data))


def _check_ids_unique(out: _Collector) -> None:
    seen: dict[str, int] = {}
    for uid, line, explicit in out.ids:
        if uid in seen:
            what = "id" if explicit else "card (same deck and front, no id)"
            out.error(line, f"duplicate {what} '{uid}' (first at line {seen[uid]})")
        else:
            seen[uid] = line


def _warn(cards: list[CardSpec], out: _Collector) -> None:
    for card in cards:
        if not card.explicit_id:
            out.warn(card.line, f"card has no 'id'; it gets '{card.uid}' from its text, so editing its front will reset its progress")
        if card.draft:
            missing = [side for side in ("front", "back") if not getattr(card, side).strip()]
            if card.cloze:
                missing = [] if scan(card.cloze)[0] else ["deletion"]
            out.warn(card.line, "draft (not scheduled until finished)" + (f": no {' or '.join(missing)} yet" if missing else ""))
        if is_long_back(card.back):
            out.warn(card.line, f"back is long ({len(card.back)} chars, {card.back.count(chr(10)) + 1} lines); one fact per card recalls best: split it or move detail to 'extra'")


def is_long_back(back: str) -> bool:
    """Whether a back is too long to recall at a glance."""
    return len(back) > LONG_BACK_CHARS or back.count("\n") + 1 > LONG_BACK_LINES


def load_deck_file(path: Path, display: str | None = None) -> tuple[DeckFile | None, list[Problem]]:
    """Read and parse one deck file from disk."""
    shown = display or str(path)
    try:
        data = read_deck_bytes(path)
    except _TooLarge as too_large:
        return None, [Problem(shown, 1, 1, f"file is {too_large.size // 1024} KiB; deck files are limited to {MAX_FILE_BYTES // (1024 * 1024)} MiB (split it)")]
    except OSError as exc:
        return None, [Problem(shown, 1, 1, f"cannot read file: {exc.strerror or exc}")]
    return parse_deck(shown, data)
