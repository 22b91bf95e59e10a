"""Words for counts in user-facing text (core: no Textual or Rich)."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 card', '2 cards', '0 cards' ('1 day', '3 days'); ``many`` for irregular plurals."""
    return f"{count} {word if count == 1 else (many or word + 's')}"
