"""``srs optimize``: fit FSRS parameters to your reviews, reschedule with them, or suggest a desired retention."""

from __future__ import annotations

from typing import Annotated

import typer

from srs import optimize as opt
from srs.cli.app import DbOption, app, echo, open_collection
from srs.errors import SrsError
from srs.storage import Store

DeckOption = Annotated[
    str | None, typer.Option("--deck", help="Use the reviews of this deck and its subdecks, and save the parameters for it (default: the whole collection).")
]


@app.command()
def optimize(
    deck: DeckOption = None,
    reschedule: Annotated[bool, typer.Option("--reschedule", help="Then replay every answered card's history with the resulting parameters and move its due date (shows the change first).")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Reschedule without asking for confirmation.")] = False,
    retention: Annotated[bool, typer.Option("--retention", help="Instead of fitting, suggest the desired retention with the least study time per card known, with a workload table.")] = False,
    db: DbOption = None,
) -> None:
    """Fit FSRS parameters to your review history; keep them only if they predict it better than the current ones."""
    if retention and reschedule:
        raise SrsError("--retention only suggests a retention; run --reschedule separately")
    with open_collection(db) as store:
        if retention:
            _show_retention(opt.suggest_retention(store, deck), deck)
            return
        result = opt.optimize(store, deck)
        _show_fit(result)
        if reschedule:
            _reschedule(store, result.fitted if result.saved else result.current, deck, yes)


def _where(deck: str | None) -> str:
    return f"for deck '{deck}'" if deck else "globally"


def _show_fit(result: opt.OptimizeResult) -> None:
    scope = f"deck '{result.deck}'" if result.deck else "the collection"
    kept = "the default parameters" if result.current == opt.DEFAULT_PARAMETERS else "the current parameters"
    if result.needed:
        echo(f"{scope[0].upper()}{scope[1:]} has {result.reviews:,} reviews; a reliable fit needs at least {opt.MIN_REVIEWS:,}: "
             f"{result.needed:,} more. Keeping {kept}.")
        return
    training = result.training
    echo(f"Review history of {scope}: {result.reviews:,} reviews; {training.used_reviews:,} of them, from {training.cards:,} cards, "
         f"give {len(training.lasts):,} training items.")
    if training.dropped_cards:
        echo(f"{training.dropped_cards:,} cards left out: their first review is not in the log (as Anki does).")
    if not training.lasts:
        echo(f"None of these reviews can be used yet (a card needs a review on a later day than its first). Keeping {kept}.")
        return
    echo("")
    echo(f"  {'parameters':<12} {'log loss':>9} {'RMSE(bins)':>11}")
    rows = [("default", result.default_eval)]
    if result.current_eval is not None:
        rows.append(("current", result.current_eval))
    rows.append(("fitted", result.fitted_eval))
    for name, evaluation in rows:
        echo(f"  {name:<12} {evaluation.log_loss:>9.4f} {evaluation.rmse_bins * 100:>10.2f}%")
    echo("  (smaller is better; fitted and compared on the same history)")
    echo("")
    if result.saved:
        echo(f"The fitted parameters predict your history better: saved {_where(result.deck)}.")
        echo("  " + " ".join(f"{value:.4f}" for value in result.fitted or ()))
    elif result.already_fitted:
        echo("The current parameters are already the best fit to your history.")
    elif result.fitted is not None and not opt.usable(result.fitted):
        echo(f"The fitted parameters are outside what the scheduler accepts. Keeping {kept}.")
    else:
        echo(f"The fitted parameters do not predict your history better. Keeping {kept}.")


def _reschedule(store: Store, parameters, deck: str | None, yes: bool) -> None:
    plan = opt.plan_reschedule(store, parameters, deck)
    echo("")
    if not plan.changes:
        echo(f"Rescheduling: all {plan.replayed:,} answered cards already follow these parameters; nothing to change.")
        return
    echo(f"Replaying {plan.replayed:,} answered cards with these parameters changes {len(plan.changes):,}:")
    echo(f"  due earlier: {plan.earlier:,}   later: {plan.later:,}   same day: {plan.same_day:,}   "
         f"median shift: {plan.median_shift_days:+.1f} days")
    echo(f"  due by the end of today: {plan.due_today_before:,} now, {plan.due_today_after:,} after")
    if not yes and not typer.confirm("Reschedule these cards?", default=False):
        echo("Left the cards as they were.")
        return
    updated = opt.apply_reschedule(store, plan)
    echo(f"Rescheduled {updated:,} cards.")
    if updated < len(plan.changes):
        echo(f"{len(plan.changes) - updated:,} cards were answered meanwhile and kept their state; run it again to include them.")


def _show_retention(advice: opt.RetentionAdvice, deck: str | None) -> None:
    echo(f"Simulating {advice.days} days of learning {advice.new_per_day} new cards a day from scratch, no review limit:")
    echo("")
    echo(f"  {'retention':>9} {'answers/day':>12} {'min/day':>8} {'known at end':>13} {'s per card known':>17}")
    for row in advice.rows:
        marks = []
        if row.retention == advice.suggested:
            marks.append("suggested")
        if round(row.retention, 2) == round(advice.current, 2):
            marks.append("current")
        echo(f"  {row.retention:>9.2f} {row.reviews_per_day:>12.1f} {row.minutes_per_day:>8.1f} {row.known:>13,.0f} "
             f"{row.seconds_per_known:>17.1f}  {', '.join(marks)}".rstrip())
    echo("")
    echo(f"Suggested desired retention: {advice.suggested:.2f} (the least study time per card known; now {advice.current:.2f}).")
    if advice.suggested <= min(opt.RETENTION_GRID):
        echo("That is the lowest retention searched; forgetting that much is discouraging, so consider staying higher.")
    if advice.generic:
        echo(f"Only {advice.reviews:,} reviews so far: this uses the default memory model and answer habits more than yours.")
    echo(f"Higher retention costs more time for fewer lapses. To use it: srs config desired_retention {advice.suggested:.2f}"
         + (f" --deck '{deck}'" if deck else ""))
