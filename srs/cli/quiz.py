"""``srs quiz``: a timed quiz in the terminal (free recall with self-grading)."""

from __future__ import annotations

from typing import Annotated

import typer

from srs.cli.app import DbOption, app, echo, open_collection
from srs.launch import require_terminal
from srs.quiz import BUDGET_SECONDS, DEFAULT_COUNT, TARGET_MIX, plan_quiz
from srs.review import check_deck

MIX = ", ".join(f"{n} {level}" for level, n in TARGET_MIX.items())
BUDGETS = ", ".join(f"{level} {s}s" for level, s in BUDGET_SECONDS.items())


@app.command(
    help=(
        f"Take a timed quiz: {DEFAULT_COUNT} questions in the outline's mix ({MIX}), weakest cards first, then unseen ones. "
        "Free recall with self-grading: there are no options to pick from; recall the answer, reveal it with Space "
        f"and say whether you knew it (y / n). Each question has a countdown ({BUDGETS}); when it runs out the answer "
        "is shown and counted as wrong. Each answer is saved as a review with a suggested rating you can change (1-4): "
        "wrong or timed out Again, right over the budget Hard, within it Good, within a third of it Easy. "
        "The quiz ends with the score by difficulty and topic; it is saved for 'srs stats'. Press ? in the quiz for every key."
    )
)
def quiz(
    deck: Annotated[str | None, typer.Option("--deck", help="Ask only cards of this deck (and its subdecks), e.g. 'PyTorch::Quizzes'.", show_default=False)] = None,
    topic: Annotated[str | None, typer.Option("--topic", help="Ask only cards with this topic tag, e.g. 'autograd'.", show_default=False)] = None,
    count: Annotated[int, typer.Option("--count", min=1, help=f"Number of questions; the mix keeps the outline's proportions (default {DEFAULT_COUNT}: {MIX}).")] = DEFAULT_COUNT,
    db: DbOption = None,
) -> None:
    with open_collection(db) as store:
        check_deck(store, deck)
        plan = plan_quiz(store, count, deck, topic)
        for shortfall in plan.shortfalls:
            echo(f"srs: note: {shortfall}")
        require_terminal("quiz")
        from srs.tui.app import SrsApp
        from srs.tui.screens.quiz import QuizRequest

        SrsApp(store, quiz=QuizRequest(deck, topic, count, plan)).run()
