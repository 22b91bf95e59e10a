"""``srs show``: one card, its scheduling state and its review history."""

from __future__ import annotations

import json
import shutil
import textwrap
from typing import Annotated

import typer

from srs.cli.app import DbOption, JsonOption, app, echo, open_collection, wants_json
from srs.decks.cloze import card_kind, render_deletions
from srs.review import find_card
from srs.storage import review_store
from srs.text import plural


KEY_WIDTH = len("difficulty_fsrs")
DECIMALS = 4  # stability (days) and FSRS difficulty (1-10): more digits are noise to a reader


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, DECIMALS)


def _wrapped(text: str, width: int) -> list[str]:
    """Prose lines wrapped to ``width``; lines of fenced or indented code kept whole."""
    lines, in_code = [], False
    for line in text.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
        if in_code or line.lstrip().startswith(("```", "~~~")) or line.startswith("    ") or len(line) <= width:
            lines.append(line)
        else:
            lines.extend(textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False) or [""])
    return lines


def field_line(key: str, value: object, width: int | None = None) -> str:
    """'key: value', keys right-aligned; the value's further lines (its own, and prose wrapped to the
    terminal) are indented under its first, never back at column 0."""
    if isinstance(value, list):
        value = ", ".join(value)
    if isinstance(value, float):
        value = f"{value:.{DECIMALS}f}"
    indent = KEY_WIDTH + 2
    width = width or shutil.get_terminal_size((100, 24)).columns
    lines = _wrapped(str(value), max(20, width - indent))
    return f"{key:>{KEY_WIDTH}}: " + ("\n" + " " * indent).join(lines)


@app.command()
def show(
    card_id: Annotated[str, typer.Argument(metavar="ID", help="The card's id.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show a card: content, state, stability, difficulty, due, reps, lapses and history."""
    with open_collection(db) as store:
        card = find_card(store, card_id)
        with store.read() as conn:
            history = review_store.card_history(conn, card.id)
    m = card.memory
    kind = card_kind(card.uid)
    front, back = card.front, card.back
    if kind.is_cloze:  # what the card asks and answers; the whole cloze text is under "cloze"
        front, back = (render_deletions(card.front, kind.ordinal, reveal) for reveal in (False, True))
    data = {
        "id": card.uid, "kind": "cloze" if kind.is_cloze else "reversed" if kind.reversed else "basic",
        "deck": card.deck, "front": front, "back": back, **({"cloze": card.front} if kind.is_cloze else {}), "extra": card.extra,
        "tags": list(card.tags), "difficulty": card.difficulty, "sources": list(card.sources),
        "draft": card.draft, "retired": card.retired,
        "state": m.state.label, "step": m.step, "stability": _rounded(m.stability), "difficulty_fsrs": _rounded(m.difficulty),
        "due": _iso(m.due), "last_review": _iso(m.last_review), "reps": m.reps, "lapses": m.lapses,
        "suspended": card.suspended, "leech": card.leech, "buried_until": _iso(card.buried_until),
        "history": [
            {"rating": rating.name.lower(), "reviewed_at": _iso(at), "duration_ms": ms,
             "state_after": review_store.memory_from_json(after)[0].state.label}
            for _, rating, at, ms, _before, after in history
        ],
    }
    if wants_json(as_json):
        echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for key in ("id", "kind", "deck", "front", "back", "extra", "tags", "difficulty", "sources", "state", "stability", "difficulty_fsrs",
                "due", "last_review", "reps", "lapses", "suspended", "leech", "buried_until", "draft", "retired"):
        echo(field_line(key, data[key]))
    echo(field_line("history", plural(len(history), "review")))
    for entry in data["history"]:
        echo(f"{'':>{KEY_WIDTH + 2}}{entry['reviewed_at']}  {entry['rating']:<5} -> {entry['state_after']}")
