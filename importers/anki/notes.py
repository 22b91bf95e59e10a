"""Anki notes -> srs cards: which note types map, how their fields become front/back/extra, and the ids.

A note type maps when it is a standard (non-cloze) type whose every card template asks one field
(``{{Front}}``, possibly inside a ``{{#Field}}`` condition, as "Basic (optional reversed card)"
does) and answers with ``{{FrontSide}}`` and other fields: Basic, Basic (and reversed card), Basic
(optional reversed card) and user types of the same shape. The first answer field is the back,
the other answer fields the extra. Cloze, type-in-the-answer, image occlusion and other shapes are
counted and listed, never dropped silently.

Ids come from the note's GUID, so importing the same notes again updates the same cards:
``anki-<guid>`` for the first card of a note. A card and its reverse (Basic (and reversed card), or
the optional reverse when it exists) become one entry with ``reverse: true``, so the reverse is srs's
``anki-<guid>#rev``; other second templates become ``anki-<guid>.card2`` and so on.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from .collection import CLOZE, NORMAL, Card, Note, NoteType
from .html import Converted, to_markdown
from srs.decks.cloze import MAX_ORDINAL, REVERSE_SUFFIX, scan
from srs.model import DIFFICULTIES, CardSpec

_CONDITION = re.compile(r"\{\{[#^/][^}]*\}\}")
_REFERENCE = re.compile(r"\{\{([^}]*)\}\}")
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9]")
_TAG_UNSAFE = re.compile(r"[\s,\[\]{}]")
MAX_ID = 200


@dataclass(frozen=True)
class TemplateMap:
    """For one card template: the field indexes of its front, back and extra."""

    front: int
    back: int
    extra: tuple[int, ...]


@dataclass(frozen=True)
class ClozeMap:
    """For a cloze note type: the field index of its cloze text, and of the fields its answer adds."""

    text: int
    extra: tuple[int, ...]


def note_map(notetype: NoteType) -> dict[int, TemplateMap] | ClozeMap | None:
    """How a note type's notes map to srs cards, or None when srs does not import its shape."""
    return cloze_map(notetype) if notetype.kind == CLOZE else template_maps(notetype)


def cloze_map(notetype: NoteType) -> ClozeMap | None:
    """A cloze note type whose one template asks ``{{cloze:Field}}`` alone (as Anki's Cloze does); its answer's other fields are the extra."""
    if notetype.kind != CLOZE or len(notetype.templates) != 1:
        return None
    index = {name: i for i, name in enumerate(notetype.fields)}
    qfmt, afmt = notetype.templates[0]
    match = re.fullmatch(r"\{\{cloze:([^{}:#^/]+)\}\}", _CONDITION.sub("", qfmt).strip())
    if match is None or match.group(1).strip() not in index:
        return None
    text = index[match.group(1).strip()]
    extra = []
    for reference in _REFERENCE.findall(_CONDITION.sub("", afmt)):
        name = reference.strip()
        if name in ("FrontSide", f"cloze:{notetype.fields[text]}"):
            continue
        if name not in index:  # type:, hint:, tts and other filters, or an unknown field
            return None
        if index[name] != text and index[name] not in extra:
            extra.append(index[name])
    return ClozeMap(text, tuple(extra))


def template_maps(notetype: NoteType) -> dict[int, TemplateMap] | None:
    """Card ord -> how its fields map, or None when the note type is not of a shape srs imports."""
    if notetype.kind != NORMAL or not notetype.templates:
        return None
    index = {name: i for i, name in enumerate(notetype.fields)}
    maps = {}
    for ord_, (qfmt, afmt) in enumerate(notetype.templates):
        question = _CONDITION.sub("", qfmt).strip()
        match = re.fullmatch(r"\{\{([^{}:#^/]+)\}\}", question)
        if match is None or match.group(1).strip() not in index:
            return None
        front = index[match.group(1).strip()]
        answers = []
        for reference in _REFERENCE.findall(_CONDITION.sub("", afmt)):
            name = reference.strip()
            if name == "FrontSide":
                continue
            if name not in index:  # type:, cloze:, hint:, tts and other filters, or an unknown field
                return None
            if index[name] != front and index[name] not in answers:
                answers.append(index[name])
        if not answers:
            return None
        maps[ord_] = TemplateMap(front, answers[0], tuple(answers[1:]))
    return maps


def card_uid(guid: str, ord_: int) -> str:
    """The srs id of card ``ord_`` of the note with ``guid``: readable, unique, and within the deck format's id rules."""
    escaped = _ID_UNSAFE.sub(lambda m: "".join(f"_{byte:02x}" for byte in m.group(0).encode()), guid)
    if len(escaped) > MAX_ID - 20:
        escaped = "h" + hashlib.blake2b(guid.encode(), digest_size=16).hexdigest()
    base = f"anki-{escaped}"
    return base if ord_ == 0 else f"{base}.card{ord_ + 1}"


def srs_tags(tags: tuple[str, ...]) -> tuple[tuple[str, ...], str | None]:
    """Anki tags as srs tags, and the difficulty from a ``difficulty::LEVEL`` tag (as srs exports it)."""
    kept, difficulty = [], None
    for tag in tags:
        level = tag.lower().removeprefix("difficulty::")
        if tag.lower().startswith("difficulty::") and level in DIFFICULTIES:
            difficulty = level
            continue
        cleaned = _TAG_UNSAFE.sub("_", tag)
        if cleaned:
            kept.append(cleaned)
    return tuple(dict.fromkeys(kept)), difficulty


@dataclass
class MappedCard:
    """One deck entry from Anki card(s) of a note: the entry, each Anki card with the srs uid it becomes, what stayed HTML, the media."""

    anki_cards: list[tuple[Card, str]]
    guid: str
    deck: str
    spec: CardSpec
    kept_html: bool
    media: list[str] = field(default_factory=list)


def is_reversed_pair(maps: dict[int, TemplateMap]) -> bool:
    """Two templates, the second asking the first's answer and answering its question: Basic (and reversed card)."""
    if set(maps) != {0, 1}:
        return False
    forward, backward = maps[0], maps[1]
    return (backward.front, backward.back) == (forward.back, forward.front)


def fields_used(mapping: dict[int, TemplateMap] | ClozeMap) -> set[int]:
    """The indexes of the fields a note type's cards take (what ``map_note`` or ``map_cloze_note`` converts)."""
    if isinstance(mapping, ClozeMap):
        return {mapping.text, *mapping.extra}
    return {index for template in mapping.values() for index in (template.front, template.back, *template.extra)}


def map_note(note: Note, cards: list[Card], maps: dict[int, TemplateMap], deck_of, convert: Callable[[str], Converted] = to_markdown) -> list[MappedCard]:
    """The deck entries of a note's cards: a card and its reverse make one entry with ``reverse: true``."""
    by_ord = {card.ord: card for card in cards if card.ord in maps}
    if is_reversed_pair(maps) and set(by_ord) == {0, 1}:
        entry = map_card(note, by_ord[0], maps[0], deck_of(by_ord[0]), convert)
        if not entry.spec.draft:
            entry.spec = replace(entry.spec, reverse=True)
            entry.anki_cards.append((by_ord[1], entry.spec.uid + REVERSE_SUFFIX))
        return [entry]
    return [map_card(note, card, maps[card.ord], deck_of(card), convert) for card in by_ord.values()]


def map_card(note: Note, card: Card, mapping: TemplateMap, deck: str, convert: Callable[[str], Converted] = to_markdown) -> MappedCard:
    """The srs card for ``card`` of ``note``: Markdown fields (``convert``: HTML -> Markdown), tags, id from the GUID; a side left empty makes a draft."""
    front, back = convert(note.fields[mapping.front]), convert(note.fields[mapping.back])
    extras = [convert(note.fields[i]) for i in mapping.extra]
    extras = [extra for extra in extras if extra.text]
    tags, difficulty = srs_tags(note.tags)
    spec = CardSpec(
        uid=card_uid(note.guid, card.ord),
        front=front.text,
        back=back.text,
        extra="\n\n".join(extra.text for extra in extras),
        tags=tags,
        difficulty=difficulty,
        draft=not front.text or not back.text,
    )
    converted = [front, back, *extras]
    media = list(dict.fromkeys(name for part in converted for name in part.media))
    return MappedCard([(card, spec.uid)], note.guid, deck, spec, any(part.kept_html for part in converted), media)


def cloze_problem(text: str) -> str | None:
    """Why srs cannot hold a cloze entry of ``text`` (nested or malformed deletions, numbers past srs's limit), or None."""
    deletions, problems = scan(text)
    if problems:
        return problems[0].message
    if any(deletion.ordinal > MAX_ORDINAL for deletion in deletions):
        return f"a deletion number past c{MAX_ORDINAL}"
    return None


def map_cloze_note(note: Note, cards: list[Card], mapping: ClozeMap, deck_of, convert: Callable[[str], Converted] = to_markdown) -> MappedCard:
    """A cloze note as one cloze entry: Anki's card ``ord`` is deletion ``c<ord+1>``, srs's ``<id>#c<ord+1>``.

    A card whose deletion is no longer in the text (Anki keeps it until Empty Cards) has no srs card, so it
    and its reviews are left out. A text without deletions makes a draft.
    """
    text = convert(note.fields[mapping.text])
    extras = [convert(note.fields[i]) for i in mapping.extra]
    extras = [extra for extra in extras if extra.text]
    tags, difficulty = srs_tags(note.tags)
    numbers = {deletion.ordinal for deletion in scan(text.text)[0]}
    spec = CardSpec(
        uid=card_uid(note.guid, 0),
        front="",
        back="",
        cloze=text.text,
        extra="\n\n".join(extra.text for extra in extras),
        tags=tags,
        difficulty=difficulty,
        draft=not numbers,
    )
    ordered = sorted(cards, key=lambda card: card.ord)
    anki_cards = [(card, f"{spec.uid}#c{card.ord + 1}") for card in ordered if card.ord + 1 in numbers]
    converted = [text, *extras]
    media = list(dict.fromkeys(name for part in converted for name in part.media))
    deck = deck_of(ordered[0]) if ordered else "Default"
    return MappedCard(anki_cards, note.guid, deck, spec, any(part.kept_html for part in converted), media)
