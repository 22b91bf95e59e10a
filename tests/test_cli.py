"""The CLI surface: help text everywhere, errors without tracebacks, the commands end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from srs.cli import app
from tests.conftest import simple_deck


def run(*args: str, db: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "SRS_DB": str(db)}
    result = subprocess.run([sys.executable, "-m", "srs", *args], capture_output=True, text=True, env=env)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def all_commands() -> list[tuple[str, object]]:
    root = typer.main.get_command(app)
    found = []

    def walk(prefix: str, command) -> None:
        found.append((prefix, command))
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                walk(f"{prefix} {name}".strip(), sub)

    walk("", root)
    return found


def test_every_command_and_option_has_help_text() -> None:
    for name, command in all_commands():
        assert (command.help or "").strip(), f"command '{name}' has no help"
        for param in command.params:
            if param.param_type_name == "option" and param.name != "help":
                assert (param.help or "").strip(), f"option {param.opts} of '{name}' has no help"


def test_status_on_a_new_db_shows_the_bundled_decks(tmp_path) -> None:
    out = run(db=tmp_path / "s.db").stdout
    assert "PyTorch" in out and "Quizzes" in out


def test_broken_deck_gives_file_line_and_leaves_db_alone(tmp_path) -> None:
    db = tmp_path / "s.db"
    deck = tmp_path / "bad.yaml"
    deck.write_text("deck: X\ncards:\n  - id: a\n    front: Q\n    back: yes\n")
    run("status", db=db, check=False)
    before = run("due", "--json", db=db).stdout
    result = run("sync", str(deck), db=db, check=False)
    assert result.returncode == 1
    assert f"{deck}:5:11: error: 'back' must be text" in result.stderr
    assert "srs: error:" in result.stderr and "Traceback" not in result.stderr
    assert run("due", "--json", db=db).stdout == before


def test_answer_show_undo_round_trip(tmp_path) -> None:
    db = tmp_path / "s.db"
    deck = tmp_path / "d.yaml"
    deck.write_text(simple_deck(2))
    run("sync", str(deck), db=db)
    assert "learning" in run("answer", "c0", "good", db=db).stdout
    shown = json.loads(run("show", "c0", "--json", db=db).stdout)
    assert shown["state"] == "learning" and shown["reps"] == 1 and len(shown["history"]) == 1
    assert "c0" in run("undo", db=db).stdout
    assert json.loads(run("show", "c0", "--json", db=db).stdout)["state"] == "new"


def test_due_json_schema(tmp_path) -> None:
    db = tmp_path / "s.db"
    deck = tmp_path / "d.yaml"
    deck.write_text(simple_deck(3))
    run("sync", str(deck), db=db)
    data = json.loads(run("due", "--json", "--deck", "Test", db=db).stdout)
    assert data["counts"] == {"new": 3, "learning": 0, "review": 0}
    assert [c["id"] for c in data["cards"]] == ["c0", "c1", "c2"] and set(data["cards"][0]) == {"id", "deck", "state", "due"}


@pytest.mark.parametrize(
    "args, message",
    [
        (("answer", "nope", "good"), "no card with id 'nope'"),
        (("answer", "c0", "perfect"), "'perfect' is not a rating"),
        (("undo",), "there is no answer to undo"),
        (("config", "new_per_day", "lots"), "'lots' is not a valid value"),
        (("sync", "missing.yaml"), "missing.yaml: no such file or folder"),
    ],
)
def test_user_errors_are_one_line_without_traceback(tmp_path, args, message) -> None:
    db = tmp_path / "s.db"
    deck = tmp_path / "d.yaml"
    deck.write_text(simple_deck(1))
    run("sync", str(deck), db=db)
    result = run(*args, db=db, check=False)
    assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr


def test_newer_db_is_refused_cleanly(tmp_path) -> None:
    import sqlite3

    db = tmp_path / "future.db"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()
    result = run(db=db, check=False)
    assert result.returncode == 1 and "newer srs" in result.stderr and "Traceback" not in result.stderr


def test_each_command_is_registered_by_the_module_start_up_imports_for_it() -> None:
    from srs.cli import COMMAND_MODULES, invoked_command

    for info in app.registered_commands:
        name = info.name or info.callback.__name__.replace("_", "-")
        assert info.callback.__module__ == f"srs.cli.{COMMAND_MODULES.get(name, name)}", name
    for group in app.registered_groups:
        assert COMMAND_MODULES.get(group.name, group.name) in {m.rsplit(".", 1)[-1] for m in sys.modules if m.startswith("srs.cli.")}
    assert invoked_command(["--db", "x.db", "review", "--deck", "A"]) == "review"
    assert invoked_command(["--json"]) is None


def test_a_single_command_starts_without_the_others(tmp_path) -> None:
    code = "import sys; sys.argv = ['srs', 'due']; import srs.cli; print(sorted(m for m in sys.modules if m.startswith('srs.cli.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['srs.cli.app', 'srs.cli.due', 'srs.cli.status']"


def test_review_starts_without_the_quiz_screen_or_the_yaml_parser() -> None:
    # What `srs review` imports before its first card (issue 15's cold start): the quiz screen and PyYAML
    # (only needed to parse a changed deck file) are loaded when first used.
    code = (
        "import sys; sys.argv = ['srs', 'review']; import srs.cli, srs.tui.app, srs.tui.screens.review\n"
        "print(','.join(m for m in ('yaml', 'srs.decks.load', 'srs.quiz', 'srs.tui.screens.quiz') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""
