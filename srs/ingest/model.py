"""Plain data passed between the ingest parsers, the id builder and the writer."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Shape(str, Enum):
    """The kinds of study material ``srs ingest`` reads."""

    QUIZ = "quiz"
    NOTES = "notes"
    QUESTIONS = "questions"
    ANSWERS = "answers"

    @property
    def label(self) -> str:
        return SHAPE_LABELS[self]


SHAPE_LABELS = {
    Shape.QUIZ: "quiz answer sheets",
    Shape.NOTES: "study notes",
    Shape.QUESTIONS: "question list",
    Shape.ANSWERS: "answer key",
}

SHAPE_HELP = {
    Shape.QUIZ: "blocks with 'Question:' + title, 'Solution:' with 'Q1: answer' lines and 'Reasoning:' with 'Q1: why' lines",
    Shape.NOTES: "'### 1. question' headings, each followed by its answer",
    Shape.QUESTIONS: "numbered questions ('1. What ...?'), maybe under level headings, some with a short answer on the next line",
    Shape.ANSWERS: "numbered answers ('1. PyTorch is ...'), some with code blocks; the questions are not in the file",
}


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 card``, ``2 cards``."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


@dataclass(frozen=True)
class Finding:
    """Something the report must mention, located as ``path:line``.

    ``warning``: an item was read only partly (a side is missing, an answer is only an option letter).
    ``note``: text that is not part of any card (so nothing is dropped without a word).
    """

    path: str
    line: int
    message: str
    severity: str = "warning"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


@dataclass
class Item:
    """One card as a parser reads it, before it gets its full id and source."""

    local_id: str  # e.g. quiz03-q07, note-07, qlist-042, key-05
    ref: str  # the part after '#' in the source string
    line: int
    front: str = ""
    back: str = ""
    extra: str = ""
    tags: tuple[str, ...] = ()
    difficulty: str | None = None
    group: int = 0  # quiz number for quiz sheets; 0 otherwise


@dataclass
class Parsed:
    """What one parser made of one file."""

    shape: Shape
    items: list[Item] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    title: str = ""  # the file's own title (a '# ' heading), if any
    groups: dict[int, str] = field(default_factory=dict)  # quiz number -> quiz title
