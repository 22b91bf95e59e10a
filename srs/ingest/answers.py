"""Answer keys: numbered answers, some with code blocks or lists; the questions are not in the file.
Each answer is a draft: back = the answer (Markdown kept), front empty, to be written by hand.

Ids ``key-05``, source ``FILE#5`` (``key-s2-05`` if numbering restarts per section).
"""

from __future__ import annotations

from srs.ingest.ids import Numbered, local_ids
from srs.ingest.model import Finding, Item, Parsed, Shape
from srs.ingest.numbered import split
from srs.ingest.text import LEVEL_DIFFICULTY, Source, file_title
from srs.ingest.topics import topic_tags


def parse(source: Source) -> Parsed:
    """Read every numbered answer with its continuation lines and code blocks."""
    parsed = Parsed(Shape.ANSWERS, title=file_title(source.lines))
    found = split(source, strict_paragraphs=False)
    parsed.findings.extend(found.findings)
    places = [Numbered(entry.number, entry.section, entry.level or "") for entry in found.entries]
    ids, refs, repeats = local_ids(places, "key", 2)
    for index in repeats:
        entry = found.entries[index]
        parsed.findings.append(Finding(source.shown, entry.line, f"answer number {entry.number} is used twice in one section; this one becomes {ids[index]}"))
    for entry, local, ref in zip(found.entries, ids, refs):
        back = entry.body()
        if not back:
            parsed.findings.append(Finding(source.shown, entry.line, f"answer {entry.number} is empty; the draft's back is empty"))
        parsed.items.append(Item(
            local_id=local, ref=ref, line=entry.line, back=back,
            tags=topic_tags(back) + ((entry.level,) if entry.level else ()),
            difficulty=LEVEL_DIFFICULTY.get(entry.level or ""),
        ))
    return parsed
