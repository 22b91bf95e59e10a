"""Which shape a file has, from its structure (``--format`` overrides this)."""

from __future__ import annotations

import re

from srs.ingest import quiz
from srs.ingest.model import Shape
from srs.ingest.notes import count_question_headings
from srs.ingest.numbered import count_items
from srs.ingest.text import fence_mask

QUESTION_START = re.compile(
    r"^(?:\*\*)?(?:what|how|why|when|where|which|who|whom|whose|is|are|can|could|do|does|did|should|would|will|"
    r"explain|describe|define|compare|contrast|discuss|list|name|give|write|show|implement|outline|state|"
    r"calculate|compute|create|derive|identify|differentiate|distinguish|summari[sz]e|illustrate|demonstrate|"
    r"mention|suggest|evaluate|justify|reflect|walk)\b",
    re.IGNORECASE,
)
MIN_LIST_ITEMS = 2
MIN_PREFACE_LIMIT = 10  # a list may follow a title and a short introduction, not a whole document


def detect(lines: list[str]) -> Shape | None:
    """The shape of a file, or None if it has none of the known shapes."""
    if _is_quiz(lines):
        return Shape.QUIZ
    if count_question_headings(lines) >= 1:
        return Shape.NOTES
    texts, before = count_items(lines)
    if len(texts) < MIN_LIST_ITEMS or before > max(2 * len(texts), MIN_PREFACE_LIMIT):
        return None  # e.g. an outline that ends in a short numbered list
    questions = sum(1 for text in texts if looks_like_question(text))
    return Shape.QUESTIONS if questions * 2 >= len(texts) else Shape.ANSWERS


def looks_like_question(text: str) -> bool:
    """A question or a task: ends with '?' or starts with a question word or an instruction verb."""
    text = text.strip().strip("*_").strip()
    return text.endswith("?") or bool(QUESTION_START.match(text))


def _is_quiz(lines: list[str]) -> bool:
    mask = fence_mask(lines)
    kinds: set[str] = set()
    q_items = 0
    for line, fenced in zip(lines, mask):
        if fenced:
            continue
        found = quiz.marker(line)
        if found and not found[1]:  # a section header ('Solution:' alone), not 'Answer: text'
            kinds.add(found[0])
        elif quiz.Q_ITEM.match(line):
            q_items += 1
    sections = kinds & {"solution", "reasoning"}
    return len(sections) == 2 or (bool(sections) and q_items > 0)
