"""Today's backup on `srs review`: made in the background once the screen is up, not before the first card."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import srs.tui.app
from srs import launch
from srs.storage.backup import backup_dir, list_backups, remove_abandoned_copies


def existing_collection(tmp_path: Path) -> Path:
    """A collection opened once before (a new one gets no backup: there is nothing to lose yet)."""
    path = tmp_path / "srs.db"
    launch.open_collection_at(path).close()
    assert list_backups(path) == []
    return path


def test_opening_for_the_review_leaves_the_backup_to_it(tmp_path) -> None:
    path = existing_collection(tmp_path)
    launch.open_collection_at(path, backup=False).close()
    assert list_backups(path) == []
    launch.open_collection_at(path).close()  # any other command: before it starts
    assert len(list_backups(path)) == 1


def test_run_review_shows_its_screen_before_the_backup_and_has_it_when_it_returns(tmp_path, monkeypatch) -> None:
    path = existing_collection(tmp_path)
    seen: dict[str, object] = {}

    class ScreenThatStartsTheBackup:
        def __init__(self, store, scope, zone=None, opening=None, after_start=None) -> None:
            self.after_start = after_start

        def run(self) -> None:
            seen["backups on screen"] = list_backups(path)
            self.after_start()  # what SrsApp does once its first screen is up

    monkeypatch.setattr(srs.tui.app, "SrsApp", ScreenThatStartsTheBackup)
    with launch.open_collection_at(path, backup=False) as store:
        launch.run_review(store, None, None)
    assert seen["backups on screen"] == []
    assert len(list_backups(path)) == 1


def test_a_new_collection_gets_no_backup_on_its_first_review(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(srs.tui.app, "SrsApp", lambda *args, **kwargs: type("Quit", (), {"run": lambda self: None})())
    path = tmp_path / "srs.db"
    with launch.open_collection_at(path, backup=False) as store:
        launch.run_review(store, None, None)
    assert list_backups(path) == []


def test_a_screen_closed_before_the_backup_began_makes_it_on_the_way_out(tmp_path, monkeypatch) -> None:
    path = existing_collection(tmp_path)
    monkeypatch.setattr(srs.tui.app, "SrsApp", lambda *args, **kwargs: type("Quit", (), {"run": lambda self: None})())
    with launch.open_collection_at(path, backup=False) as store:
        launch.run_review(store, None, None)
    assert len(list_backups(path)) == 1


def test_a_backup_that_fails_in_the_background_is_a_warning_after_the_screen(tmp_path, capsys) -> None:
    path = existing_collection(tmp_path)
    (tmp_path / "backups").write_text("not a folder")
    backup = launch.BackgroundBackup(path)
    backup.start()
    assert capsys.readouterr().err == ""  # nothing is printed while the screen may be up
    backup.finish()
    assert capsys.readouterr().err.startswith("srs: warning: ")


def test_copies_of_dead_processes_are_removed_and_live_ones_kept(tmp_path) -> None:
    folder = tmp_path / "backups" / "srs.db"
    folder.mkdir(parents=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    dead_pid = int(dead.stdout)
    names = {
        f".00003-20261205-010203-000000-daily.db.{dead_pid}.tmp": False,
        f".00003-20261205-010203-000000-daily.db.{dead_pid}.tmp-journal": False,
        f".00004-20261205-010203-000000-daily.db.{os.getpid()}.tmp": True,  # this process: a copy in progress
        "00002-20261204-010203-000000-daily.db": True,
        "notes.txt": True,
    }
    for name in names:
        (folder / name).write_text("x")
    remove_abandoned_copies(folder)
    assert {path.name for path in folder.iterdir()} == {name for name, kept in names.items() if kept}
    assert backup_dir(tmp_path / "srs.db") == folder


def test_a_day_with_its_backup_made_still_removes_an_abandoned_copy(tmp_path) -> None:
    from srs.storage.backup import daily_backup

    path = existing_collection(tmp_path)
    assert daily_backup(path) is not None and daily_backup(path) is None  # today's is made: the next is not due
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    abandoned = backup_dir(path) / f".00002-20261205-010203-000000-daily.db.{int(dead.stdout)}.tmp"
    abandoned.write_bytes(b"x" * 4096)
    assert daily_backup(path) is None and not abandoned.exists()
