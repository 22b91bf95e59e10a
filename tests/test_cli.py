"""The CLI surface: help text everywhere, errors without tracebacks, the commands end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from srs.cli import app
from tests.conftest import CliResult, run_cli, simple_deck


def run(*args: str, db: Path, check: bool = True) -> CliResult:
    """``srs ARGS`` in this process, on the collection ``db`` (via SRS_DB)."""
    result = run_cli(*args, db=db)
    if check:
        assert result.code == 0, result.stderr
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
    assert result.code == 1
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
    assert result.code == 1 and message in result.stderr and "Traceback" not in result.stderr


def test_newer_db_is_refused_cleanly(tmp_path) -> None:
    import sqlite3

    db = tmp_path / "future.db"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()
    result = run(db=db, check=False)
    assert result.code == 1 and "newer srs" in result.stderr and "Traceback" not in result.stderr


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


def test_the_console_script_runs_as_a_process(tmp_path) -> None:
    """One real process: the entry point, exit code and streams as a shell sees them."""
    env = {"SRS_DB": str(tmp_path / "s.db"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "srs", "bury"], capture_output=True, text=True, env=env)
    assert result.returncode == 2 and result.stderr.startswith("srs: error: missing ID") and result.stdout == ""


# --- conventions: --db everywhere, usage errors, global options, --version, completion ----------------

FILES_ONLY = {"ingest", "remote init"}  # commands that open no collection (files; a remote store only)


def leaf_commands() -> list[tuple[str, object]]:
    return [(name, command) for name, command in all_commands() if name and not getattr(command, "commands", None)]


def test_every_command_on_a_collection_takes_db_and_the_files_only_ones_are_named() -> None:
    for name, command in leaf_commands():
        takes_db = any(param.name == "db" for param in command.params)
        assert takes_db != (name in FILES_ONLY), f"'srs {name}' --db"


def test_every_argument_names_itself_for_users() -> None:
    """Arguments have a metavar, so usage lines and errors never show a Python parameter name."""
    for name, command in leaf_commands():
        for param in command.params:
            if param.param_type_name == "argument":
                assert param.metavar and param.metavar.isupper(), f"argument {param.name} of 'srs {name}'"


@pytest.mark.parametrize(
    "args, first_line, usage",
    [
        (("bury",), "srs: error: missing ID... (card ids, as in the deck files)", "usage: srs bury [OPTIONS] ID..."),
        (("answer", "c0"), "srs: error: missing RATING (1-4 or again, hard, good, easy)", "usage: srs answer [OPTIONS] ID RATING"),
        (("due", "--bogus"), "srs: error: no such option: --bogus", "usage: srs due [OPTIONS]"),
        (("stats", "--days", "0"), "srs: error: invalid value for '--days'", "usage: srs stats [OPTIONS]"),
        (("frobnicate",), "srs: error: no such command 'frobnicate'", "usage: srs [OPTIONS] COMMAND [ARGS]..."),
    ],
)
def test_usage_errors_are_srs_errors_with_exit_2(tmp_path, args, first_line, usage) -> None:
    result = run(*args, db=tmp_path / "s.db", check=False)
    lines = result.stderr.splitlines()
    assert result.code == 2 and lines[0].startswith(first_line) and lines[1].startswith(usage), result.stderr
    assert "Error:" not in result.stderr and "card_ids" not in result.stderr and "Traceback" not in result.stderr


def test_global_json_and_db_reach_the_command(tmp_path) -> None:
    deck = tmp_path / "d.yaml"
    deck.write_text(simple_deck(2))
    chosen, other = tmp_path / "chosen.db", tmp_path / "other.db"
    run("--db", str(chosen), "sync", str(deck), db=other)
    data = json.loads(run("--json", "--db", str(chosen), "due", "--deck", "Test", db=other).stdout)
    assert [card["id"] for card in data["cards"]] == ["c0", "c1"]
    assert json.loads(run("--json", "due", "--deck", "Test", db=other).stdout)["cards"] == []
    assert json.loads(run("--json", "show", "c0", db=chosen).stdout)["id"] == "c0"


def test_global_options_a_command_cannot_use_are_refused(tmp_path) -> None:
    db = tmp_path / "s.db"
    result = run("--json", "review", db=db, check=False)
    assert result.code == 1 and result.stderr == "srs: error: 'srs review' has no JSON output; leave out --json\n"
    result = run("--db", str(db), "ingest", str(tmp_path / "x.txt"), db=db, check=False)
    assert result.code == 1 and "'srs ingest' works on files only" in result.stderr


def test_version() -> None:
    from srs import __version__

    result = run_cli("--version")
    assert result.code == 0 and result.stdout == f"srs {__version__}\n"


def test_shell_completion_completes_commands_and_options(monkeypatch) -> None:
    monkeypatch.setenv("_SRS_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", "srs sta")
    monkeypatch.setenv("COMP_CWORD", "1")
    assert run_cli().stdout.split() == ["stats"]
    monkeypatch.setenv("COMP_WORDS", "srs decks f")
    monkeypatch.setenv("COMP_CWORD", "2")
    assert run_cli().stdout.split() == ["fork"]
    monkeypatch.delenv("_SRS_COMPLETE")
    assert any(param.name == "install_completion" for param in typer.main.get_command(app).params)


# --- --json on check, sync, answer, doctor, export -----------------------------------------------------


def test_check_and_sync_json(tmp_path) -> None:
    db = tmp_path / "s.db"
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(simple_deck(2))
    bad.write_text("deck: B\ncards:\n  - id: b\n    front: Q\n    back: no\n")
    checked = json.loads(run("check", "--json", str(good), db=db).stdout)
    assert checked == {"files": 1, "cards": 2, "drafts": 0, "errors": [], "warnings": []}
    result = run("--json", "check", str(bad), db=db, check=False)
    assert result.code == 1 and json.loads(result.stdout)["errors"][0] | {"message": ""} == {
        "path": str(bad), "line": 5, "col": 11, "severity": "error", "message": ""}
    synced = json.loads(run("sync", "--json", str(good), db=db).stdout)
    assert synced["added"] == ["c0", "c1"] and synced["changed"] is True and synced["errors"] == []
    result = run("sync", "--json", str(bad), db=db, check=False)
    assert result.code == 1 and json.loads(result.stdout)["errors"][0]["line"] == 5 and json.loads(result.stdout)["changed"] is False


def test_answer_doctor_and_export_json(tmp_path) -> None:
    db = tmp_path / "s.db"
    deck = tmp_path / "d.yaml"
    deck.write_text(simple_deck(1))
    run("sync", str(deck), db=db)
    answered = json.loads(run("answer", "c0", "good", "--json", db=db).stdout)
    assert answered["id"] == "c0" and answered["rating"] == "good" and answered["state"] == "learning" and answered["interval"] == "10m"
    doctor = json.loads(run("--json", "doctor", db=db).stdout)
    assert doctor["healthy"] is True and doctor["cards_checked"] >= 1 and doctor["reviews_checked"] == 1
    assert run("doctor", db=db).stdout.splitlines()[0].endswith(" cards and 1 review")  # not "1 reviews"
    exported = json.loads(run("export", "anki", "--json", "--deck", "Test", "-o", str(tmp_path / "t.apkg"), db=db).stdout)
    assert exported == {"path": str(tmp_path / "t.apkg"), "notes": 1, "cards": 1, "decks": 1}


def test_check_with_db_reports_ids_other_synced_files_own(tmp_path) -> None:
    db = tmp_path / "s.db"
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(simple_deck(1))
    second.write_text(simple_deck(1, deck="Other"))
    run("sync", str(first), db=db)
    assert run("check", str(second), db=db).code == 0  # no --db: the files alone are fine
    result = run("check", "--db", str(db), str(second), db=db, check=False)
    assert result.code == 1 and f"{second}:3:1: error: duplicate id 'c0' (already used at {first.resolve()}:3" in result.stderr
    assert run("check", "--db", str(tmp_path / "none.db"), str(second), db=db, check=False).stderr == f"srs: error: {tmp_path / 'none.db'}: no such collection\n"
