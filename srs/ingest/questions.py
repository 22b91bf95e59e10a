"""Question lists: numbered questions, maybe under level headings; some have a short answer on the line(s)
right under them. A question with an answer is a card, one without is a draft with an empty back.

Level headings give the difficulty (beginner = easy, intermediate = medium, advanced = hard) and a level
tag. Ids ``qlist-042``, source ``FILE#42`` (``qlist-beginner-001`` if numbering restarts per level).
"""

from __future__ import annotations

from srs.ingest.ids import Numbered, local_ids
from srs.ingest.model import Finding, Item, Parsed, Shape
from srs.ingest.numbered import split
from srs.ingest.text import ANSWER_LABEL, LEVEL_DIFFICULTY, Source, file_title, unbold
from srs.ingest.topics import topic_tags


def parse(source: Source) -> Parsed:
    """Read every numbered question and the short answer under it, if any."""
    parsed = Parsed(Shape.QUESTIONS, title=file_title(source.lines))
    found = split(source, strict_paragraphs=True)
    parsed.findings.extend(found.findings)
    places = [Numbered(entry.number, entry.section, entry.level or "") for entry in found.entries]
    ids, refs, repeats = local_ids(places, "qlist", 3)
    for index in repeats:
        entry = found.entries[index]
        parsed.findings.append(Finding(source.shown, entry.line, f"question number {entry.number} is used twice in one section; this one becomes {ids[index]}"))
    for entry, local, ref in zip(found.entries, ids, refs):
        question = unbold(entry.text)
        answer = _answer(entry.continuation())
        if not question:
            parsed.findings.append(Finding(source.shown, entry.line, f"question {entry.number} has no text; the draft's front is empty"))
        parsed.items.append(Item(
            local_id=local, ref=ref, line=entry.line, front=question, back=answer,
            tags=topic_tags(question) + ((entry.level,) if entry.level else ()),
            difficulty=LEVEL_DIFFICULTY.get(entry.level or ""),
        ))
    return parsed


def _answer(lines: list[str]) -> str:
    """The answer lines, without an 'Answer:' label on the first."""
    if lines:
        lines = [ANSWER_LABEL.sub("", lines[0], count=1)] + lines[1:]
    return "\n".join(lines).strip()
