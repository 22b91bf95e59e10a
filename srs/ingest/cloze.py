"""Cloze proposals for study notes whose answer is one key term.

A question answered by a single term ("What is the default batch size of `DataLoader`?" -> "`1`")
makes a better cloze than a front/back card: the term is recalled in its sentence. The proposal is a
draft beside the note's own card: the sentence is a first attempt that the author reads and fixes
before it is ever scheduled.
"""

from __future__ import annotations

import re
from dataclasses import replace

from srs.model import CardSpec

MAX_TERM_CHARS = 40
MAX_TERM_WORDS = 4
CLOZE_SUFFIX = "-cloze"
_CODE_SPAN = re.compile(r"^`[^`\n]+`$")
_SENTENCE = re.compile(r"[.!?;:,]\s|[.!?;:,]$|\b(?:to|it|they|because|by|when)\b", re.IGNORECASE)
_WHAT_IS = re.compile(r"^(?:What|Which)\s+(?P<verb>is|are|was|were)\s+(?P<rest>.+?)\s*\?$", re.IGNORECASE)


def key_term(answer: str) -> str | None:
    """The answer if it is one key term (a code span, or a few words that are not a sentence), else None."""
    term = answer.strip()
    if not term or "\n" in term or len(term) > MAX_TERM_CHARS or "{{" in term or "}}" in term or "::" in term:
        return None
    if _CODE_SPAN.match(term):
        return term
    if "`" in term or len(term.split()) > MAX_TERM_WORDS or _SENTENCE.search(term):
        return None
    return term


def cloze_sentence(question: str, term: str) -> str:
    """A first-draft cloze: "What is X?" becomes "X is {{c1::term}}."; any other question is kept, the term after it."""
    asked = _WHAT_IS.match(question.strip())
    if asked:
        rest = asked.group("rest")
        subject = rest[0].upper() + rest[1:] if rest[:1].islower() and not rest.startswith("`") else rest
        return f"{subject} {asked.group('verb').lower()} {{{{c1::{term}}}}}."
    return f"{question.strip()} {{{{c1::{term}}}}}"


def propose_cloze(card: CardSpec) -> CardSpec | None:
    """A draft cloze card for a finished note card whose back is one key term, or None."""
    term = key_term(card.back) if card.front.strip() and not card.draft else None
    if term is None:
        return None
    return replace(card, uid=card.uid + CLOZE_SUFFIX, front="", back="", cloze=cloze_sentence(card.front, term), draft=True)
