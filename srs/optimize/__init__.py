"""Personal FSRS parameters, rescheduling, workload forecasts and retention advice.

Everything heavy runs in fsrs-rs-python, the Rust FSRS that Anki embeds: fitting, evaluation and
simulation. This module turns our review log into its inputs the way Anki does, and decides what to
keep. No UI here: the CLI (``srs optimize``, ``srs simulate``) prints the results.

Modules: ``items`` (review log -> FSRS items), ``fitting`` (fitting and evaluation), ``reschedule``
(replaying histories with new parameters), ``simulate`` (workload forecast and retention advice).
"""

import fsrs_rs_python as fsrs_rs

from srs.errors import SrsError
from srs.optimize.fitting import (
    Evaluation,
    OptimizeResult,
    evaluate,
    fit,
    format_parameters,
    optimize,
    usable,
)
from srs.optimize.items import (
    MIN_REVIEWS,
    TrainingSet,
    day_starts,
    learning_start,
    load_training_set,
    to_fsrs_items,
    training_set,
)
from srs.optimize.reschedule import (
    Change,
    ReschedulePlan,
    apply_reschedule,
    plan_reschedule,
    replay,
    replay_steps,
    settings_by_deck,
)
from srs.optimize.simulate import (
    RETENTION_GRID,
    Forecast,
    RetentionAdvice,
    RetentionRow,
    forecast,
    simulator_config,
    suggest_retention,
)
from srs.scheduling import DEFAULT_PARAMETERS
from srs.storage import optimize_store

__all__ = [
    "DEFAULT_PARAMETERS", "MIN_REVIEWS", "RETENTION_GRID", "Change", "Evaluation", "Forecast", "OptimizeResult", "ReschedulePlan",
    "RetentionAdvice", "RetentionRow", "SrsError", "TrainingSet", "apply_reschedule", "day_starts", "evaluate", "fit",
    "forecast", "format_parameters", "fsrs_rs", "learning_start", "load_training_set", "optimize", "optimize_store", "plan_reschedule",
    "replay", "replay_steps", "settings_by_deck", "simulator_config", "suggest_retention", "to_fsrs_items", "training_set", "usable",
]
