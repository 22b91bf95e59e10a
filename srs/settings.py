"""Scheduling settings: defaults, stored overrides (global and per deck), parsing user input.

A deck inherits from its nearest '::' ancestor that sets a value, then from the global value,
then from the default.
"""

from __future__ import annotations

import math
import re
from dataclasses import fields, replace
from datetime import timedelta

from srs.clock import utc_now
from srs.errors import SrsError
from srs.scheduling import Settings
from srs.storage import Store
from srs.storage import event_store, settings_store
from srs.storage.timecodec import to_us

GLOBAL = ""
DESCRIPTIONS = {
    "desired_retention": "target probability of recall when a card comes due (0.7-0.99)",
    "learning_steps": "steps for new cards, e.g. '1m 10m'",
    "relearning_steps": "steps after a lapse, e.g. '10m'",
    "maximum_interval": "longest interval, in days",
    "new_per_day": "new cards introduced per day",
    "reviews_per_day": "review cards per day",
    "day_starts_at": "local hour (0-23) at which the next day starts",
    "leech_threshold": "lapses after which a card is tagged leech and suspended (0 = never)",
    "enable_fuzz": "spread intervals a little so cards learned together do not stay together",
    "parameters": "FSRS parameters (21 numbers; set by 'srs optimize')",
    "remote_autosync": "srs review syncs with the remote on open and close (this device only)",
}
DEVICE_ONLY = ("remote_autosync",)  # settings that `srs remote sync` does not send to other devices
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_STEP_DAYS = 36500  # the longest maximum_interval; a step beyond it could never be reached (and overflows dates)
MAX_STEPS = 99


def parse_steps(text: str, strict: bool = True) -> tuple[timedelta, ...]:
    """'1m 10m' -> (1 minute, 10 minutes). Plain numbers are minutes, as in Anki.

    A step is 1s to 100 years, at most 99 steps. ``strict=False`` (values stored by an older srs) clamps instead.
    """
    steps = []
    for token in text.replace(",", " ").split():
        match = re.fullmatch(r"(\d+(?:\.\d+)?)([smhd]?)", token)
        if not match or float(match.group(1)) <= 0:
            raise SrsError(f"'{token}' is not a step; write steps like '1m 10m 1h' (s, m, h, d)")
        seconds = float(match.group(1)) * _UNITS[match.group(2) or "m"]
        if strict and not 1 <= seconds <= MAX_STEP_DAYS * 86400:
            raise SrsError(f"'{token}' is not a step: a step is from 1s to {MAX_STEP_DAYS}d")
        steps.append(timedelta(seconds=round(min(max(seconds, 1), MAX_STEP_DAYS * 86400))))
    if strict and len(steps) > MAX_STEPS:
        raise SrsError(f"at most {MAX_STEPS} steps, not {len(steps)}")
    return tuple(steps[:MAX_STEPS])


def _finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise SrsError(f"'{text}' is not a number") from None
    if not math.isfinite(value):
        raise SrsError(f"'{text}' is not a finite number")
    return value


def parse_parameters(text: str) -> list[float]:
    """21 FSRS-6 parameters, each within the bounds the scheduler accepts (as ``fsrs`` checks them)."""
    from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

    values = [_finite(v) for v in text.replace(",", " ").split()]
    if len(values) != len(LOWER_BOUNDS_PARAMETERS):
        raise SrsError(f"parameters are {len(LOWER_BOUNDS_PARAMETERS)} numbers (FSRS-6), not {len(values)}")
    wrong = [
        f"parameter {index + 1} is {value:g}, outside {low:g}..{high:g}"
        for index, (value, low, high) in enumerate(zip(values, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS))
        if not low <= value <= high
    ]
    if wrong:
        raise SrsError("; ".join(wrong))
    return values


def format_steps(steps: tuple[timedelta, ...]) -> str:
    """(1 minute, 10 minutes) -> '1m 10m'."""
    out = []
    for step in steps:
        seconds = step.total_seconds()
        for unit in ("d", "h", "m", "s"):
            if seconds % _UNITS[unit] == 0:
                out.append(f"{int(seconds // _UNITS[unit])}{unit}")
                break
    return " ".join(out)


def _bounded(name: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        raise SrsError(f"{name} must be between {low:g} and {high:g}, not {value:g}")


def parse_value(key: str, text: str) -> object:
    """Validate a user-typed value; return it in its stored (JSON) form."""
    if key not in DESCRIPTIONS:
        raise SrsError(f"unknown setting '{key}' (known: {', '.join(DESCRIPTIONS)})")
    try:
        if key in ("learning_steps", "relearning_steps"):
            return format_steps(parse_steps(text))
        if key == "desired_retention":
            value = _finite(text)
            _bounded(key, value, 0.7, 0.99)
            return value
        if key in ("enable_fuzz", "remote_autosync"):
            if text.lower() not in ("true", "false", "on", "off", "yes", "no", "1", "0"):
                raise SrsError(f"{key} is true or false")
            return text.lower() in ("true", "on", "yes", "1")
        if key == "parameters":
            return parse_parameters(text)
        value = int(text)
    except ValueError:
        raise SrsError(f"'{text}' is not a valid value for {key}") from None
    limits = {"maximum_interval": (1, 36500), "new_per_day": (0, 9999), "reviews_per_day": (0, 99999), "day_starts_at": (0, 23), "leech_threshold": (0, 99)}
    _bounded(key, value, *limits[key])
    return value


def _apply(settings: Settings, values: dict[str, object]) -> Settings:
    changes = {}
    for key, value in values.items():
        if key in ("learning_steps", "relearning_steps"):
            changes[key] = parse_steps(str(value), strict=False)
        elif key == "parameters":
            changes[key] = tuple(float(v) for v in value)  # type: ignore[union-attr]
        elif key in {f.name for f in fields(Settings)}:
            changes[key] = value
    return replace(settings, **changes)


def resolve(stored: dict[str, dict[str, object]], deck: str | None = None) -> Settings:
    """The effective settings for ``deck`` (or globally) given every stored override."""
    settings = _apply(Settings(), stored.get(GLOBAL, {}))
    if deck:
        parts = deck.split("::")
        for depth in range(1, len(parts) + 1):
            settings = _apply(settings, stored.get("::".join(parts[:depth]), {}))
    return settings


def load(store: Store, deck: str | None = None) -> Settings:
    """The effective settings for ``deck`` (or globally)."""
    with store.read() as conn:
        return resolve(settings_store.all_settings(conn), deck)


def load_all(store: Store) -> dict[str, dict[str, object]]:
    """Every stored override, by scope."""
    with store.read() as conn:
        return settings_store.all_settings(conn)


def set_value(store: Store, key: str, text: str, deck: str | None = None) -> object:
    """Validate and store one setting. Returns the stored value."""
    value = parse_value(key, text)
    if key in DEVICE_ONLY and deck:
        raise SrsError(f"{key} applies to the whole collection; set it without --deck")
    with store.write() as conn:
        settings_store.put_setting(conn, deck or GLOBAL, key, value)
        if key not in DEVICE_ONLY:
            event_store.add_setting_event(conn, deck or GLOBAL, key, value, to_us(utc_now()))
    return value


def unset_value(store: Store, key: str, deck: str | None = None) -> bool:
    """Remove an override so the value is inherited again."""
    if key not in DESCRIPTIONS:
        raise SrsError(f"unknown setting '{key}'")
    with store.write() as conn:
        removed = settings_store.delete_setting(conn, deck or GLOBAL, key)
        if removed and key not in DEVICE_ONLY:
            event_store.add_setting_event(conn, deck or GLOBAL, key, None, to_us(utc_now()))
        return removed


def display(settings: Settings) -> dict[str, object]:
    """Settings as shown to users and in JSON."""
    return {
        "desired_retention": settings.desired_retention,
        "learning_steps": format_steps(settings.learning_steps),
        "relearning_steps": format_steps(settings.relearning_steps),
        "maximum_interval": settings.maximum_interval,
        "new_per_day": settings.new_per_day,
        "reviews_per_day": settings.reviews_per_day,
        "day_starts_at": settings.day_starts_at,
        "leech_threshold": settings.leech_threshold,
        "enable_fuzz": settings.enable_fuzz,
        "parameters": " ".join(f"{p:.4f}" for p in settings.parameters),
        "remote_autosync": settings.remote_autosync,
    }
