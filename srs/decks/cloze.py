"""Cards generated from a deck entry: cloze deletions (Anki's ``{{c1::text::hint}}``) and reversed cards.

Pure functions, no I/O. A deck entry with ``cloze:`` gives one card per deletion number, with the uid
``<entry id>#c<N>``; an entry with ``reverse: true`` gives its own card and ``<entry id>#rev`` (back to
front). ``#`` is not allowed in a written id, so a generated uid never collides with one, and the kind
of a stored card can be read off its uid.

A generated card is stored like any other card: a cloze card's ``front`` holds the whole cloze text
(every deletion, so the question can be drawn for its number), its ``back`` is empty; a reversed
card's front and back are the entry's back and front.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from srs.model_decks import CardSpec

MAX_ORDINAL = 500  # Anki has no hard limit; past a few dozen a cloze is a list that wants splitting
REVERSE_SUFFIX = "#rev"
_TOKEN = re.compile(r"\{\{|\}\}")
_OPENER = re.compile(r"\{\{c(\d+)::")
_LOOKS_LIKE_OPENER = re.compile(r"\{\{\s*[cC]\s*(\d+)\s*:(?!:)|\{\{\s*C(\d+)::|\{\{\s*c\s+(\d+)\s*::")
_GENERATED = re.compile(r"^(?P<base>.+)#(?:c(?P<ordinal>\d+)|rev)$")


class Deletion(NamedTuple):
    """One ``{{cN::answer::hint}}`` in a cloze text; ``start``/``end`` span the whole marker."""

    ordinal: int
    answer: str
    hint: str | None  # None without '::' (an empty hint is kept as written)
    start: int
    end: int


class ClozeProblem(NamedTuple):
    """Something wrong in a cloze text, at character ``offset`` of it."""

    offset: int
    message: str


def scan(text: str) -> tuple[list[Deletion], list[ClozeProblem]]:
    """The deletions of a cloze text, in order, and what is wrong with it (unbalanced braces, nesting...)."""
    deletions: list[Deletion] = []
    problems: list[ClozeProblem] = []
    for malformed in _LOOKS_LIKE_OPENER.finditer(text):
        problems.append(ClozeProblem(malformed.start(), f"'{malformed.group()}' is not a deletion: write {{{{c1::text}}}} (lower-case c, a number, two colons)"))
    # Each open '{{' on the stack: (offset, ordinal or None for braces that are not a deletion).
    stack: list[tuple[int, int | None]] = []
    open_deletions = 0  # deletions on the stack (counted, not searched: a hostile text may nest thousands)
    for token in _TOKEN.finditer(text):
        offset = token.start()
        if token.group() == "{{":
            opener = _OPENER.match(text, offset)
            ordinal = int(opener.group(1)) if opener else None
            if ordinal is not None and open_deletions:
                problems.append(ClozeProblem(offset, "a deletion inside another deletion is not supported; close the first with '}}' before opening the next"))
            open_deletions += ordinal is not None
            stack.append((offset, ordinal))
            continue
        if not stack:
            problems.append(ClozeProblem(offset, "unbalanced braces: '}}' closes nothing (a deletion is {{c1::text}})"))
            continue
        start, ordinal = stack.pop()
        if ordinal is None:
            continue
        open_deletions -= 1
        body = text[_OPENER.match(text, start).end() : offset]
        answer, separator, hint = body.partition("::")  # the first '::' starts the hint, as in Anki
        if ordinal < 1 or ordinal > MAX_ORDINAL:
            problems.append(ClozeProblem(start, f"deletion number c{ordinal} must be between c1 and c{MAX_ORDINAL}"))
        elif not answer.strip():
            problems.append(ClozeProblem(start, f"deletion c{ordinal} hides nothing: write the hidden text after 'c{ordinal}::'"))
        else:
            deletions.append(Deletion(ordinal, answer, hint if separator else None, start, token.end()))
    for start, ordinal in stack:
        what = f"deletion c{ordinal}" if ordinal is not None else "'{{'"
        problems.append(ClozeProblem(start, f"unbalanced braces: {what} is never closed with '}}}}'"))
    deletions.sort(key=lambda deletion: deletion.start)
    problems.sort(key=lambda problem: problem.offset)
    return deletions, problems


def ordinals(text: str) -> list[int]:
    """The deletion numbers used in a cloze text, ascending."""
    return sorted({deletion.ordinal for deletion in scan(text)[0]})


def generate_cards(entry: CardSpec) -> list[CardSpec]:
    """The cards a deck entry stands for: itself; or itself and its reverse; or one per cloze number.

    A draft cloze without any deletion yet still gives its ``#c1`` card, so it is listed as a draft.
    """
    if entry.cloze:
        numbers = ordinals(entry.cloze) or ([1] if entry.draft else [])
        return [replace(entry, uid=f"{entry.uid}#c{number}", front=entry.cloze, back="", reverse=False) for number in numbers]
    if entry.reverse:
        return [entry, replace(entry, uid=entry.uid + REVERSE_SUFFIX, front=entry.back, back=entry.front)]
    return [entry]


class CardKind(NamedTuple):
    """What a stored card's uid says about it: the entry it came from, and its cloze number if any."""

    entry: str
    ordinal: int | None = None  # the cloze number of a cloze card
    reversed: bool = False

    @property
    def is_cloze(self) -> bool:
        return self.ordinal is not None


def card_kind(uid: str) -> CardKind:
    """Read a uid: ``x#c2`` is cloze 2 of entry ``x``, ``x#rev`` the reverse of ``x``, anything else a plain card."""
    generated = _GENERATED.match(uid)
    if generated is None:
        return CardKind(uid)
    ordinal = generated.group("ordinal")
    return CardKind(generated.group("base"), int(ordinal) if ordinal else None, ordinal is None)


def render_deletions(text: str, ordinal: int, reveal: bool, before: str = "", after: str = "") -> str:
    """The cloze text as card ``ordinal`` shows it, with deletion ``ordinal`` between ``before`` and ``after``.

    On the question it reads ``[...]`` (or ``[hint]``); revealed, its answer. Every other deletion reads
    as its answer, as in Anki.
    """
    pieces = []
    position = 0
    for deletion in scan(text)[0]:
        pieces.append(text[position : deletion.start])
        if deletion.ordinal != ordinal:
            pieces.append(deletion.answer)
        else:
            shown = deletion.answer if reveal else f"[{deletion.hint or '...'}]"
            pieces.append(before + shown + after)
        position = deletion.end
    pieces.append(text[position:])
    return "".join(pieces)


def question_text(uid: str, front: str) -> str:
    """A stored card's question as plain text (cloze deletions hidden), for one-line listings."""
    kind = card_kind(uid)
    return render_deletions(front, kind.ordinal, reveal=False) if kind.is_cloze else front
