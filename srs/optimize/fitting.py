"""Fitting personal FSRS parameters with fsrs-rs-python and keeping them only when they predict better."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import tzinfo

import fsrs_rs_python as fsrs_rs
from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

from srs import settings as srs_settings
from srs.errors import SrsError
from srs.optimize.items import (
    MIN_REVIEWS,
    TrainingSet,
    load_training_set,
    to_fsrs_items,
)
from srs.review import check_deck
from srs.scheduling import DEFAULT_PARAMETERS
from srs.storage import Store


@dataclass(frozen=True)
class Evaluation:
    """How well parameters predict the history: smaller is better for both."""

    log_loss: float
    rmse_bins: float


def fit(items: Sequence[fsrs_rs.FSRSItem], relearning_steps: int = 1) -> tuple[float, ...]:
    """Fitted parameters: the call Anki's optimizer makes (short-term memory on, its relearning step count)."""
    try:
        fitted = fsrs_rs.FSRS(list(fsrs_rs.DEFAULT_PARAMETERS)).compute_parameters(list(items), num_relearning_steps=relearning_steps)
    except ValueError as exc:
        raise SrsError(f"fsrs-rs could not fit parameters to this history ({exc})") from None
    return tuple(float(value) for value in fitted)


def evaluate(parameters: Sequence[float], items: Sequence[fsrs_rs.FSRSItem]) -> Evaluation:
    """Log loss and RMSE(bins) of ``parameters`` on ``items`` (fsrs-rs' evaluation, as Anki's Evaluate button)."""
    result = fsrs_rs.FSRS(list(parameters)).evaluate(list(items))
    return Evaluation(float(result.log_loss), float(result.rmse_bins))


def usable(parameters: Sequence[float]) -> bool:
    """Whether the scheduler accepts the parameters (FSRS-6: 21 numbers within its bounds)."""
    return len(parameters) == len(LOWER_BOUNDS_PARAMETERS) and all(
        low <= value <= high for value, low, high in zip(parameters, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS)
    )


@dataclass(frozen=True)
class OptimizeResult:
    """What ``optimize`` found and did."""

    deck: str | None
    reviews: int  # review log entries in scope
    needed: int  # more reviews needed before fitting (0: enough)
    training: TrainingSet
    current: tuple[float, ...]  # the parameters in effect before
    fitted: tuple[float, ...] | None
    default_eval: Evaluation | None
    current_eval: Evaluation | None  # None when the current parameters are the defaults
    fitted_eval: Evaluation | None
    saved: bool

    @property
    def better(self) -> bool:
        """Whether the fitted parameters predict the history better than the current ones (lower log loss, as Anki)."""
        baseline = self.current_eval or self.default_eval
        return (
            self.fitted is not None and self.fitted_eval is not None and baseline is not None
            and usable(self.fitted) and self.fitted_eval.log_loss < baseline.log_loss
        )

    @property
    def already_fitted(self) -> bool:
        """Whether the fit gives back the parameters in use (to the 4 decimals Anki compares)."""
        return self.fitted is not None and [round(v, 4) for v in self.fitted] == [round(v, 4) for v in self.current]


def format_parameters(parameters: Sequence[float]) -> str:
    """Parameters as ``srs config parameters`` takes them (exact: repr round-trips a float)."""
    return " ".join(repr(float(value)) for value in parameters)


def optimize(store: Store, deck: str | None = None, zone: tzinfo | None = None, save: bool = True) -> OptimizeResult:
    """Fit parameters to the review log of ``deck`` (or the collection); save them if they predict better.

    Below ``MIN_REVIEWS`` reviews nothing is fitted and the current parameters stay.
    """
    check_deck(store, deck)
    settings = srs_settings.load(store, deck)
    training = load_training_set(store, deck, zone)
    result = OptimizeResult(deck, training.reviews, max(0, MIN_REVIEWS - training.reviews), training, settings.parameters,
                            None, None, None, None, False)
    if result.needed or not training.lasts:
        return result
    items = to_fsrs_items(training)
    fitted = fit(items, len(settings.relearning_steps))
    default_eval = evaluate(DEFAULT_PARAMETERS, items)
    current_eval = None if settings.parameters == DEFAULT_PARAMETERS else evaluate(settings.parameters, items)
    result = replace(result, fitted=fitted, default_eval=default_eval, current_eval=current_eval, fitted_eval=evaluate(fitted, items))
    if save and result.better:
        srs_settings.set_value(store, "parameters", format_parameters(fitted), deck)
        result = replace(result, saved=True)
    return result
