"""Hostile settings and output paths: refused with a clear message, never stored, never a broken collection."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import fsrs
import pytest

from srs import settings as srs_settings
from srs.decks import sync_paths
from srs.errors import SrsError
from srs.ingest import ingest_file, plan_decks, write
from srs.model import MemoryState, Rating, State
from srs.review import answer, find_card
from srs.scheduling import Settings, review
from srs.storage import settings_store
from tests.conftest import T0, simple_deck

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ingest"
DEFAULTS = [float(p) for p in fsrs.scheduler.DEFAULT_PARAMETERS]


def _with(index: int, value: str) -> str:
    values = [str(p) for p in DEFAULTS]
    values[index] = value
    return " ".join(values)


# -- item 12: parameters and steps within the scheduler's bounds --------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [_with(0, "nan"), _with(3, "inf"), _with(20, "-inf"), _with(0, "0"), _with(4, "11"), _with(20, "0.9"), _with(7, "1e308"),
     " ".join(str(p) for p in DEFAULTS[:19]), " ".join(str(p) for p in DEFAULTS) + " 0.5", "1,2,x"],
    ids=["nan", "inf", "-inf", "w0-below", "w4-above", "decay-above", "huge", "19-numbers", "22-numbers", "not-a-number"],
)
def test_parameters_outside_the_schedulers_bounds_are_refused_and_answers_keep_working(store, write_deck, text) -> None:
    sync_paths(store, [write_deck("a.yaml", simple_deck(2))], now=T0)
    with pytest.raises(SrsError):
        srs_settings.set_value(store, "parameters", text)
    with store.read() as conn:
        assert "parameters" not in settings_store.all_settings(conn).get("", {})
    assert answer(store, find_card(store, "c0").id, Rating.GOOD, T0).after.state == State.LEARNING


def test_parameters_at_the_bounds_are_accepted(store) -> None:
    low = " ".join(str(v) for v in fsrs.scheduler.LOWER_BOUNDS_PARAMETERS)
    assert srs_settings.set_value(store, "parameters", low) == list(fsrs.scheduler.LOWER_BOUNDS_PARAMETERS)


@pytest.mark.parametrize("steps", ["1m 99999999999999d", "1m 36501d", "0.001s", "1e5d", " ".join(["1m"] * 100)])
def test_steps_that_would_overflow_or_never_be_reached_are_refused(store, steps) -> None:
    for key in ("learning_steps", "relearning_steps"):
        with pytest.raises(SrsError):
            srs_settings.set_value(store, key, steps)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_retention_must_be_a_finite_number(store, value) -> None:
    with pytest.raises(SrsError):
        srs_settings.set_value(store, "desired_retention", value)


def test_cli_says_which_parameter_is_wrong(tmp_path) -> None:
    env = {**os.environ, "SRS_DB": str(tmp_path / "srs.db")}
    result = subprocess.run([sys.executable, "-m", "srs", "config", "parameters", _with(0, "nan")], capture_output=True, text=True, env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "srs: error: 'nan' is not a finite number" in result.stderr


# -- item 11: learning steps respect maximum_interval -------------------------------------------------------------


@pytest.mark.parametrize("maximum", [1, 30, 365])
def test_a_learning_step_never_schedules_beyond_maximum_interval(maximum) -> None:
    settings = Settings(learning_steps=(timedelta(minutes=1), timedelta(days=9999)), relearning_steps=(timedelta(days=9999),), maximum_interval=maximum)
    new = MemoryState()
    first = review(new, Rating.GOOD, T0, 1, settings)  # to the 9999-day step
    assert first.state == State.LEARNING and first.due <= T0 + timedelta(days=maximum)
    graduated = review(first, Rating.GOOD, first.due, 1, settings)
    lapsed = review(graduated, Rating.AGAIN, graduated.due, 1, settings)
    assert lapsed.state == State.RELEARNING and lapsed.due <= graduated.due + timedelta(days=maximum)


def test_a_huge_step_stored_by_an_older_srs_is_capped_not_fatal(store, write_deck) -> None:
    sync_paths(store, [write_deck("a.yaml", simple_deck(1))], now=T0)
    with store.write() as conn:
        settings_store.put_setting(conn, "", "learning_steps", "1m 99999d")
    first = answer(store, find_card(store, "c0").id, Rating.GOOD, T0)  # to the 99999-day step
    assert first.after.state == State.LEARNING and first.after.due <= T0 + timedelta(days=36500)


# -- item 10: ingest -o follows the umask and symlinks ------------------------------------------------------------


def _ingest_to(target: Path) -> None:
    for plan in plan_decks([ingest_file(FIXTURES / "notes_small.md")], target, None):
        write(plan)


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_a_new_deck_file_gets_the_mode_the_umask_gives(tmp_path, umask) -> None:
    previous = os.umask(umask)
    try:
        _ingest_to(tmp_path / "new.yaml")
    finally:
        os.umask(previous)
    assert (tmp_path / "new.yaml").stat().st_mode & 0o777 == 0o666 & ~umask


def test_merging_into_an_existing_deck_file_keeps_its_mode(tmp_path) -> None:
    target = tmp_path / "deck.yaml"
    _ingest_to(target)
    os.chmod(target, 0o640)
    target.write_text(target.read_text().replace("cards:\n", "cards:\n  - id: mine\n    front: Q\n    back: A\n", 1))
    _ingest_to(target)
    assert target.stat().st_mode & 0o777 == 0o640


def test_writing_through_a_symlink_writes_its_target_and_keeps_the_link(tmp_path) -> None:
    real = tmp_path / "decks" / "real.yaml"
    real.parent.mkdir()
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    _ingest_to(link)  # a dangling link: the file is created where it points
    assert link.is_symlink() and real.is_file() and "cards:" in real.read_text()
    size = real.stat().st_size
    real.write_text(real.read_text().replace("cards:\n", "cards:\n  - id: mine\n    front: Q\n    back: A\n", 1))
    _ingest_to(link)  # merging through the link
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert "id: mine" in real.read_text() and real.stat().st_size > size
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
