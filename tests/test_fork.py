"""``srs decks fork DIR``: the user's copies of the bundled decks take over their cards, ids and history."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from srs.decks import bundled as bundled_module
from srs.decks import bundled_decks_dir
from tests.conftest import run_cli


@pytest.fixture
def bundled(tmp_path, monkeypatch) -> Path:
    """A private copy of the bundled decks standing in for the installed ones (so a test can 'upgrade' them)."""
    from srs.cli import sync as sync_command
    from srs.decks import fork as fork_module

    copy = tmp_path / "bundled"
    shutil.copytree(bundled_decks_dir(), copy)
    for module in (bundled_module, fork_module, sync_command):
        monkeypatch.setattr(module, "bundled_decks_dir", lambda: copy)
    return copy


def first_due(db: Path) -> str:
    return json.loads(run_cli("due", "--json", db=db).stdout)["cards"][0]["id"]


def test_a_plain_copy_gives_one_duplicate_id_error_per_card(bundled, tmp_path) -> None:
    db = tmp_path / "c.db"
    run_cli(db=db)
    shutil.copytree(bundled, tmp_path / "mine")
    result = run_cli("sync", str(tmp_path / "mine"), db=db)
    assert result.code == 1 and result.stderr.count("duplicate id") > 250


def test_fork_hands_the_cards_and_their_history_to_the_copies(bundled, tmp_path) -> None:
    db, mine = tmp_path / "c.db", tmp_path / "mine"
    uid = first_due(db)
    assert run_cli("answer", uid, "good", db=db).code == 0
    result = run_cli("decks", "fork", str(mine), db=db)
    assert result.code == 0, result.stderr
    files = sorted(p.relative_to(bundled) for p in bundled.rglob("*.yaml"))
    assert sorted(p.relative_to(mine) for p in mine.rglob("*.yaml")) == files
    assert f"copied {len(files)} deck file(s) to {mine}" in result.stdout

    edited = next(p for p in mine.rglob("*.yaml") if f"id: {uid}\n" in p.read_text())
    edited.write_text(edited.read_text().replace(f"id: {uid}\n    front: |-\n", f"id: {uid}\n    front: |-\n      (edited)\n", 1))
    synced = json.loads(run_cli("sync", "--json", str(mine), db=db).stdout)
    assert synced["updated"] == [uid] and synced["added"] == [] and synced["retired"] == []
    shown = json.loads(run_cli("show", uid, "--json", db=db).stdout)
    assert shown["front"].startswith("(edited)") and shown["reps"] == 1 and len(shown["history"]) == 1


def test_after_a_fork_the_bundled_decks_no_longer_sync_and_plain_sync_syncs_the_fork(bundled, tmp_path) -> None:
    db, mine = tmp_path / "c.db", tmp_path / "mine"
    run_cli(db=db)
    assert run_cli("decks", "fork", str(mine), db=db).code == 0
    answer_key = bundled / "answer-key.yaml"  # an upgrade of srs changes a bundled card
    answer_key.write_text(answer_key.read_text().replace("id: key-02\n", "id: key-02\n    draft: true\n", 1))
    assert json.loads(run_cli("show", "key-02", "--json", db=db).stdout)["draft"] is False
    result = run_cli("sync", db=db)
    assert result.code == 0, result.stderr
    assert result.stdout.startswith(f"syncing {mine} (this collection's copy of the bundled decks)") and "no change" in result.stdout


def test_fork_keeps_a_copy_the_user_already_made_and_edited(bundled, tmp_path) -> None:
    db, mine = tmp_path / "c.db", tmp_path / "mine"
    run_cli(db=db)
    shutil.copytree(bundled, mine)
    answer_key = mine / "answer-key.yaml"
    answer_key.write_text(answer_key.read_text().replace("id: key-02\n", "id: key-02\n    draft: true\n", 1))
    result = run_cli("decks", "fork", str(mine), db=db)
    assert result.code == 0 and "copied 0 deck file(s)" in result.stdout and "kept 19 already there" in result.stdout
    assert "draft: true" in answer_key.read_text()
    synced = json.loads(run_cli("sync", "--json", str(mine), db=db).stdout)
    assert synced["updated"] == ["key-02"] and synced["errors"] == []


def test_fork_refuses_a_folder_inside_the_bundled_decks(bundled, tmp_path) -> None:
    result = run_cli("decks", "fork", str(bundled / "quizzes"), db=tmp_path / "c.db")
    assert result.code == 1 and result.stderr.startswith("srs: error:") and "outside the bundled decks" in result.stderr
