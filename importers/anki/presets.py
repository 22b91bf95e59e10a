"""Anki deck presets (deck options) -> srs settings for the imported decks.

What maps: FSRS parameters (FSRS-6 as they are, FSRS-5's 19 with the two FSRS-6 additions that leave
it unchanged, as Anki does), desired retention (the preset's, or the deck's own override), learning and
relearning steps, maximum interval, new cards and reviews per day, and the leech threshold. What does
not: SM-2 settings (ease, multipliers, graduating intervals: srs schedules with FSRS only), display,
burying, ordering and timer options, easy days, and FSRS-4.5 parameters (a different model). A value
srs would refuse (out of its bounds) is reported, not imported.

Anki keeps floats as 32-bit: a value is read as the shortest decimal that gives the same float32
(0.9, not 0.8999999761581421), which is what Anki shows and computes with.
"""

from __future__ import annotations

import json
import sqlite3
import struct
from dataclasses import dataclass, field

from . import protobuf
from srs.errors import SrsError
from srs.settings import parse_value

FSRS5 = 19  # FSRS-5's parameter count
FSRS5_ADDITIONS = (0.0, 0.5)  # w19 = 0 (no stability-dependent short-term term), w20 = 0.5: FSRS-5's decay


@dataclass
class Preset:
    """One Anki deck preset, as srs setting values (stored form), and what could not be taken."""

    name: str
    values: dict[str, object] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def shortest_float32(value: float) -> float:
    """The shortest decimal that reads back as the same float32 as ``value``."""
    exact = struct.unpack("<f", struct.pack("<f", value))[0]
    for digits in range(1, 10):
        candidate = float(f"{exact:.{digits}g}")
        if struct.unpack("<f", struct.pack("<f", candidate))[0] == exact:
            return candidate
    return exact


def _put(preset: Preset, key: str, text: str) -> None:
    """Store ``key`` if srs accepts ``text`` for it; else say why not."""
    try:
        preset.values[key] = parse_value(key, text)
    except SrsError as exc:
        preset.skipped.append(f"{key} ({exc})")


def _fill(preset: Preset, raw: dict, fsrs_on: bool | None) -> None:
    """``raw``: learn, relearn (minutes), new, reviews, max_ivl, leech, retention, params6, params5, params4."""
    _put(preset, "learning_steps", " ".join(f"{seconds}s" for seconds in _seconds(raw["learn"])))
    _put(preset, "relearning_steps", " ".join(f"{seconds}s" for seconds in _seconds(raw["relearn"])))
    for key, name in (("new", "new_per_day"), ("reviews", "reviews_per_day"), ("max_ivl", "maximum_interval"), ("leech", "leech_threshold")):
        if raw[key] is not None:
            _put(preset, name, str(int(raw[key])))
    params = None
    if raw["params6"]:
        params = [shortest_float32(p) for p in raw["params6"]]
    elif raw["params5"] and len(raw["params5"]) == FSRS5:
        params = [shortest_float32(p) for p in raw["params5"]] + list(FSRS5_ADDITIONS)
    elif raw["params5"]:
        preset.skipped.append(f"parameters (FSRS-5 parameters are {FSRS5} numbers, not {len(raw['params5'])})")
    elif raw["params4"]:
        preset.skipped.append("parameters (FSRS-4.5 parameters: a different model; run 'srs optimize' once you have reviews)")
    if fsrs_on is False:
        if params:
            preset.skipped.append("parameters and desired retention (FSRS is off in this collection)")
        return
    if params:
        _put(preset, "parameters", " ".join(repr(p) for p in params))
    if raw["retention"] and (params or fsrs_on):
        _put(preset, "desired_retention", repr(shortest_float32(raw["retention"])))


def _seconds(minutes: list[float]) -> list[int]:
    return [max(1, round(shortest_float32(m) * 60)) for m in minutes]


def _latest(db: sqlite3.Connection) -> tuple[dict[int, dict], dict[int, tuple[int, float | None]]]:
    presets = {}
    for config_id, name, blob in db.execute("SELECT id, name, config FROM deck_config"):
        ints = {number: value for number, value in protobuf.fields(blob) if isinstance(value, int)}
        retention = protobuf.floats(blob, 37)
        presets[config_id] = {
            "name": name, "learn": protobuf.floats(blob, 1), "relearn": protobuf.floats(blob, 2),
            "new": ints.get(9, 0), "reviews": ints.get(10, 0), "max_ivl": ints.get(16, 0), "leech": ints.get(22, 0),
            "retention": retention[-1] if retention else None,
            "params6": protobuf.floats(blob, 6), "params5": protobuf.floats(blob, 5), "params4": protobuf.floats(blob, 3),
        }
    decks = {}
    for deck_id, kind in db.execute("SELECT id, kind FROM decks"):
        normal = protobuf.first(kind, 1)
        if isinstance(normal, bytes):
            own = protobuf.floats(normal, 10)
            decks[deck_id] = (protobuf.first(normal, 1, 1), own[-1] if own else None)
    return presets, decks


def _legacy(db: sqlite3.Connection) -> tuple[dict[int, dict], dict[int, tuple[int, float | None]]]:
    raw_confs = json.loads(db.execute("SELECT dconf FROM col").fetchone()[0] or "{}")
    presets = {}
    for conf in raw_confs.values():
        new, lapse, rev = conf.get("new", {}), conf.get("lapse", {}), conf.get("rev", {})
        presets[int(conf["id"])] = {
            "name": str(conf.get("name", "")), "learn": list(new.get("delays", [])), "relearn": list(lapse.get("delays", [])),
            "new": new.get("perDay"), "reviews": rev.get("perDay"), "max_ivl": rev.get("maxIvl"), "leech": lapse.get("leechFails"),
            "retention": conf.get("desiredRetention"),
            "params6": list(conf.get("fsrsParams6") or []), "params5": list(conf.get("fsrsParams5") or []), "params4": list(conf.get("fsrsWeights") or []),
        }
    decks = {}
    for deck in json.loads(db.execute("SELECT decks FROM col").fetchone()[0] or "{}").values():
        if not deck.get("dyn"):
            decks[int(deck["id"])] = (int(deck.get("conf", 1)), None)
    return presets, decks


def fsrs_enabled(db: sqlite3.Connection, schema: int) -> bool | None:
    """Whether the collection has FSRS on; None when the package does not say (an .apkg carries no collection options)."""
    try:
        if schema >= 15:
            row = db.execute("SELECT val FROM config WHERE key = 'fsrs'").fetchone()
            value = json.loads(row[0]) if row else None
        else:
            value = json.loads(db.execute("SELECT conf FROM col").fetchone()[0] or "{}").get("fsrs")
    except (sqlite3.DatabaseError, ValueError, TypeError, AttributeError):
        return None
    return value if isinstance(value, bool) else None


def deck_presets(db: sqlite3.Connection, schema: int) -> dict[int, Preset]:
    """Deck id -> its preset as srs settings (with the deck's own desired retention, when it sets one)."""
    fsrs_on = fsrs_enabled(db, schema)
    raw_presets, decks = _latest(db) if schema >= 15 else _legacy(db)
    result = {}
    for deck_id, (config_id, own_retention) in decks.items():
        raw = raw_presets.get(config_id) or raw_presets.get(1)
        if raw is None:
            continue
        if own_retention:
            raw = raw | {"retention": own_retention}
        preset = Preset(raw["name"])
        _fill(preset, raw, fsrs_on)
        result[deck_id] = preset
    return result
