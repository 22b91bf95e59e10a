"""`srs remote` from the command line: add, sync, status; the deck list's sync line; autosync around `srs review`."""

from __future__ import annotations

import subprocess
import sys

from tests.test_cli import run


def test_two_devices_through_the_command_line(tmp_path) -> None:
    store = tmp_path / "shared.db"
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    run("remote", "add", str(store), db=a)
    run("remote", "add", str(store), db=b)
    assert "never synced · 0 events waiting" in run(db=a).stdout
    card = run("due", "--json", db=a).stdout.split('"id": "', 1)[1].split('"', 1)[0]
    run("answer", card, "good", db=a)
    run("suspend", card, db=a)
    assert "2 events waiting" in run(db=a).stdout
    out = run("remote", "sync", db=a).stdout
    assert "sent 2" in out
    assert "synced just now · 0 events waiting" in run(db=a).stdout
    assert "received 2" in run("remote", "sync", db=b).stdout
    shown = run("show", card, "--json", db=b).stdout
    assert '"suspended": true' in shown and '"reps": 1' in shown
    status = run("remote", db=b).stdout
    assert "collection: default" in status and "waiting:    0" in status


def test_a_store_that_cannot_be_reached_is_a_clear_error(tmp_path) -> None:
    db = tmp_path / "a.db"
    result = run("remote", "add", str(tmp_path / "no" / "such" / "dir" / "store.db"), db=db, check=False)
    assert result.returncode == 1 and result.stderr.startswith("srs: error: cannot use the remote store") and "Traceback" not in result.stderr
    result = run("remote", "sync", db=db, check=False)
    assert result.returncode == 1 and "no remote is set" in result.stderr


def test_sync_failure_mid_way_is_a_message_and_keeps_the_answers(tmp_path) -> None:
    shared, db = tmp_path / "shared.db", tmp_path / "a.db"
    run("remote", "add", str(shared), db=db)
    card = run("due", "--json", db=db).stdout.split('"id": "', 1)[1].split('"', 1)[0]
    run("answer", card, "good", db=db)
    shared.write_bytes(b"this is not a database" * 100)
    result = run("remote", "sync", db=db, check=False)
    assert result.returncode == 1 and "Nothing was lost" in result.stderr and "Traceback" not in result.stderr
    assert "1 event waiting" in run(db=db).stdout


def test_remote_autosync_syncs_when_review_opens_and_closes(tmp_path, monkeypatch) -> None:
    shared, db = tmp_path / "shared.db", tmp_path / "a.db"
    run("remote", "add", str(shared), db=db)
    card = run("due", "--json", db=db).stdout.split('"id": "', 1)[1].split('"', 1)[0]
    run("answer", card, "good", db=db)
    run("config", "remote_autosync", "true", db=db)
    code = (
        "import sys\n"
        "from srs.tui.app import SrsApp\n"
        "SrsApp.run = lambda self: print('review screen shown')\n"
        f"sys.argv = ['srs', '--db', {str(db)!r}, 'review']\n"
        "import srs.launch\n"
        "srs.launch.require_terminal = lambda command: None  # no terminal here; the screen is faked\n"
        "from srs.entry import main  # the console script: srs review without typer\n"
        "main()\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "review screen shown" in out.stdout and "remote: sent 0, received 0" in out.stdout  # sent on open, nothing left on close
    assert "synced just now · 0 events waiting" in run(db=db).stdout
    shared.write_bytes(b"this is not a database" * 100)
    run("answer", card, "good", db=db)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and "review screen shown" in out.stdout
    assert "remote sync on open failed, working offline" in out.stderr
    assert "1 event waiting" in run(db=db).stdout


def test_remote_autosync_is_kept_on_this_device(tmp_path) -> None:
    db = tmp_path / "a.db"
    run("config", "remote_autosync", "true", db=db)
    assert "remote_autosync" in run("config", db=db).stdout
    result = run("config", "remote_autosync", "true", "--deck", "PyTorch", db=db, check=False)
    assert result.returncode == 1 and "without --deck" in result.stderr


def test_deck_list_and_review_status_do_not_load_sqlalchemy() -> None:
    code = (
        "import sys; sys.argv = ['srs']; import srs.cli, srs.remote.status, srs.tui.screens.decks; "
        "print([m for m in ('srs.remote.sync', 'srs.remote.store', 'srs.remote.models') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
