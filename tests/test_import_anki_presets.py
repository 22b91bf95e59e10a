"""``srs import anki`` takes each imported deck's Anki preset (deck options) as srs settings, and replays with them.

Memory states are checked against Anki's own ``compute_memory_state`` with non-default FSRS parameters and
desired retention, in two decks with different presets.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest
from anki.collection import Collection
from anki.decks import DeckId

from srs import settings as srs_settings
from srs.importers.anki.importer import import_anki
from srs.importers.anki.notes import card_uid
from srs.importers.anki.presets import shortest_float32
from srs.scheduling import DEFAULT_PARAMETERS
from tests.anki_fixtures import col, utc_tz  # noqa: F401  (fixtures)
from tests.test_import_anki import UTC, add_note, export, insert_revlog, revlog_rows, rezip, srs_card

PARAMS_A = [0.3, 1.1, 2.5, 9.0, 6.0, 0.7, 2.9, 0.01, 1.7, 0.2, 0.8, 1.4, 0.07, 0.25, 1.5, 0.5, 1.9, 0.5, 0.1, 0.07, 0.2]
PARAMS_B = [1.5, 3.2, 6.1, 20.0, 5.1, 1.2, 1.6, 0.05, 1.3, 0.1, 1.1, 1.9, 0.1, 0.4, 2.1, 0.3, 2.5, 0.7, 0.3, 0.1, 0.45]
PARAMS_5 = [0.40255, 1.18385, 3.173, 15.69105, 7.1949, 0.5345, 1.4604, 0.0046, 1.54575, 0.1192, 1.01925, 1.9395, 0.11, 0.29605, 2.2698, 0.2315, 2.9898, 0.51655, 0.6621]


def preset(col: Collection, name: str, deck: str, **changes) -> DeckId:
    """A deck using a new preset with ``changes`` (Anki's legacy dict keys), returning the deck's id."""
    deck_id = col.decks.id(deck)
    config_id = col.decks.add_config_returning_id(name)
    config = col.decks.get_config(config_id)
    for key, value in changes.items():
        if "." in key:
            group, leaf = key.split(".")
            config[group][leaf] = value
        else:
            config[key] = value
    col.decks.update_config(config)
    deck_dict = col.decks.get(deck_id)
    deck_dict["conf"] = config_id
    col.decks.save(deck_dict)
    return deck_id


def random_histories(col: Collection, deck: str, count: int, seed: int) -> list:
    rng = random.Random(seed)
    notes = []
    for serial in range(count):
        day, sequence = 0, []
        for _ in range(rng.randint(2, 12)):
            day += rng.choice([0, 1, rng.randint(1, 10), rng.randint(10, 100), rng.randint(100, 400)])
            sequence.append((day, rng.randint(1, 4)))
        note = add_note(col, f"{deck} q{serial}", "a", deck=deck)
        insert_revlog(col, note.card_ids()[0], revlog_rows(sequence, serial + seed * 100))
        notes.append(note)
    return notes


def assert_memory_matches(store, col: Collection, notes: list) -> None:
    for note in notes:
        anki = col.compute_memory_state(note.card_ids()[0])
        card = srs_card(store, card_uid(note.guid, 0))
        assert math.isclose(card.memory.stability, anki.stability, rel_tol=1e-3), f"stability {card.memory.stability} vs {anki.stability} ({note['Front']})"
        assert abs(card.memory.difficulty - anki.difficulty) <= 1e-3, f"difficulty {card.memory.difficulty} vs {anki.difficulty} ({note['Front']})"


@pytest.mark.parametrize("legacy", [False, True])
def test_non_default_parameters_are_imported_per_deck_and_states_match_anki(store, col, tmp_path, legacy):
    preset(col, "Fast", "Lang::German", fsrsParams6=PARAMS_A, desiredRetention=0.85, **{"new.delays": [2, 15.5], "rev.maxIvl": 3650, "new.perDay": 35})
    preset(col, "Slow", "Physics", fsrsParams6=PARAMS_B, desiredRetention=0.95, **{"lapse.delays": [], "lapse.leechFails": 5, "rev.perDay": 500})
    notes = random_histories(col, "Lang::German", 25, 1) + random_histories(col, "Physics", 25, 2)
    result = import_anki(store, export(col, tmp_path / "p.apkg", legacy=legacy), tmp_path / "out", zone=UTC)

    german, physics = srs_settings.load(store, "Lang::German"), srs_settings.load(store, "Physics")
    assert german.parameters == tuple(PARAMS_A) and physics.parameters == tuple(PARAMS_B)
    assert (german.desired_retention, physics.desired_retention) == (0.85, 0.95)
    assert srs_settings.format_steps(german.learning_steps) == "2m 930s" and german.maximum_interval == 3650 and german.new_per_day == 35
    assert physics.relearning_steps == () and physics.leech_threshold == 5 and physics.reviews_per_day == 500
    assert srs_settings.load(store).parameters == DEFAULT_PARAMETERS  # the global settings stay the user's
    assert set(result.settings) == {"Lang::German", "Physics"}
    assert_memory_matches(store, col, notes)
    with store.read() as conn:  # other devices learn the settings through `srs remote sync`
        events = conn.execute("SELECT data FROM event WHERE kind = 'setting'").fetchall()
    assert any("Lang::German" in payload and "parameters" in payload for (payload,) in events)

    again = import_anki(store, export(col, tmp_path / "p2.apkg", legacy=legacy), tmp_path / "out", zone=UTC)
    assert again.settings == {}  # nothing differs any more: nothing rewritten


def test_fsrs5_parameters_are_read_as_fsrs6_and_states_match_anki(store, col, tmp_path):
    preset(col, "Five", "Five", fsrsParams6=[], fsrsParams5=PARAMS_5, desiredRetention=0.9)
    notes = random_histories(col, "Five", 30, 3)
    import_anki(store, export(col, tmp_path / "p.apkg"), tmp_path / "out", zone=UTC)
    assert srs_settings.load(store, "Five").parameters == (*PARAMS_5, 0.0, 0.5)
    assert_memory_matches(store, col, notes)


def test_what_srs_cannot_take_is_reported_and_the_rest_is_imported(store, col, tmp_path):
    """Anki clamps what its UI sets; a package edited elsewhere may hold anything: srs takes what it accepts and says what not."""
    preset(col, "Odd", "Odd", fsrsParams6=PARAMS_A, **{"new.perDay": 12})
    preset(col, "Older", "Older", fsrsParams6=[], fsrsWeights=[1.0] * 17)
    add_note(col, "q", "a", deck="Odd")
    add_note(col, "q2", "a", deck="Older")

    def odd_values(db) -> None:
        confs = json.loads(db.execute("SELECT dconf FROM col").fetchone()[0])
        for conf in confs.values():
            if conf["name"] == "Odd":
                conf["desiredRetention"], conf["rev"]["maxIvl"] = 0.5, 0
        db.execute("UPDATE col SET dconf = ?", (json.dumps(confs),))

    path = rezip(export(col, tmp_path / "p.apkg", legacy=True), tmp_path / "odd.apkg", odd_values)
    result = import_anki(store, path, tmp_path / "out", zone=UTC)
    assert result.settings["Odd"] == {"new_per_day": 12, "parameters": PARAMS_A}
    assert [reason.split(" ")[0] for reason in result.settings_skipped["Odd"]] == ["maximum_interval", "desired_retention"]
    assert "FSRS-4.5" in result.settings_skipped["Older"][0] and "Older" not in result.settings
    assert srs_settings.load(store, "Older").parameters == DEFAULT_PARAMETERS


def test_a_collection_with_fsrs_off_gives_no_parameters(store, col, tmp_path):
    preset(col, "Old", "Old", fsrsParams6=PARAMS_A, **{"new.perDay": 7})
    col.set_config("fsrs", False)
    add_note(col, "q", "a", deck="Old")
    path = tmp_path / "c.colpkg"
    col.export_collection_package(str(path), include_media=True, legacy=False)
    col.reopen()
    result = import_anki(store, path, tmp_path / "out", zone=UTC)
    assert result.settings["Old"] == {"new_per_day": 7}
    assert srs_settings.load(store, "Old").parameters == DEFAULT_PARAMETERS
    assert any("FSRS is off" in reason for reason in result.settings_skipped["Old"])


def test_settings_are_written_with_the_history_so_bad_input_writes_none(store, col, tmp_path):
    preset(col, "Fast", "Fast", fsrsParams6=PARAMS_A)
    add_note(col, "q", "a", deck="Fast")
    path = export(col, tmp_path / "p.apkg")
    damaged = tmp_path / "damaged.apkg"
    damaged.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    with pytest.raises(Exception):
        import_anki(store, damaged, tmp_path / "out", zone=UTC)
    assert srs_settings.load_all(store) == {}


@pytest.mark.parametrize("value, shown", [(0.9, 0.9), (0.8999999761581421, 0.9), (0.212, 0.212), (15.5, 15.5), (1.0, 1.0)])
def test_float32_values_read_as_anki_shows_them(value, shown):
    assert shortest_float32(value) == shown


def test_unreadable_deck_options_are_reported_and_the_notes_still_come_in(store, col, tmp_path):
    preset(col, "Fast", "Fast", fsrsParams6=PARAMS_A)
    note = add_note(col, "q", "a", deck="Fast")
    path = rezip(export(col, tmp_path / "p.apkg", legacy=True), tmp_path / "bad.apkg", lambda db: db.execute("UPDATE col SET dconf = '{not json'"))
    result = import_anki(store, path, tmp_path / "out", zone=UTC)
    assert result.presets_unreadable and result.settings == {}
    assert srs_card(store, card_uid(note.guid, 0)) is not None
    assert srs_settings.load_all(store) == {}
