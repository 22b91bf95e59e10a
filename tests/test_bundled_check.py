"""The start-up check of the bundled decks (srs.decks.bundled): a stat per file, sync only when unsure."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from srs.decks import bundled as bundled_module
from srs.decks import files as files_module
from srs.decks.bundled import bundled_decks_dir, bundled_unchanged
from srs.decks.sync import refresh_bundled
from srs.storage import Store


@pytest.fixture
def copy(tmp_path, monkeypatch) -> Path:
    """A private copy of the bundled decks standing in for the installed ones; files count as settled at once."""
    folder = tmp_path / "bundled"
    shutil.copytree(bundled_decks_dir(), folder)
    monkeypatch.setattr(bundled_module, "bundled_decks_dir", lambda: folder)
    monkeypatch.setattr(files_module, "STAT_SETTLE_NS", 0)
    return folder


@pytest.fixture
def synced(store: Store, copy: Path) -> Store:
    assert refresh_bundled(store, first_use=True).added
    return store


def test_a_collection_synced_with_the_files_as_they_are_needs_nothing(synced: Store) -> None:
    assert bundled_unchanged(synced)


def test_a_first_use_always_syncs(synced: Store) -> None:
    assert not bundled_unchanged(synced, first_use=True)


def test_an_edited_file_is_not_vouched_for(synced: Store, copy: Path) -> None:
    deck = copy / "answer-key.yaml"
    deck.write_text(deck.read_text().replace("id: key-02\n", "id: key-02\n    draft: true\n", 1))
    assert not bundled_unchanged(synced)
    assert refresh_bundled(synced).updated == ["key-02"]
    assert bundled_unchanged(synced)


def test_a_touched_file_with_the_same_content_is_hashed_once_then_vouched_for_again(synced: Store, copy: Path) -> None:
    # A reinstall of srs touches every bundled file: one start-up reads them, the next ones stat them.
    deck = copy / "answer-key.yaml"
    os.utime(deck, ns=(deck.stat().st_atime_ns, deck.stat().st_mtime_ns + 10_000_000_000))
    assert not bundled_unchanged(synced)
    assert refresh_bundled(synced) is None  # same digest: nothing to sync, the new stat remembered
    assert bundled_unchanged(synced)


def test_an_added_or_removed_file_is_not_vouched_for(synced: Store, copy: Path) -> None:
    added = copy / "zz-new.yaml"
    shutil.copy(copy / "answer-key.yaml", added)
    assert not bundled_unchanged(synced)
    added.unlink()
    assert bundled_unchanged(synced)
    (copy / "answer-key.yaml").unlink()
    assert not bundled_unchanged(synced)


def test_a_collection_without_the_bundled_decks_is_left_alone(store: Store, copy: Path) -> None:
    assert bundled_unchanged(store)  # never had them: refresh_bundled would not add them either
    assert refresh_bundled(store) is None


def test_no_bundled_folder_needs_nothing(store: Store, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(bundled_module, "bundled_decks_dir", lambda: tmp_path / "missing")
    assert bundled_unchanged(store, first_use=False)


def test_opening_an_unchanged_collection_imports_no_deck_sync(tmp_path) -> None:
    # The point of the check: every command's start-up, `srs review` first, skips srs.decks.sync and PyYAML.
    db = tmp_path / "c.db"
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from srs.launch import open_collection_at\n"
        f"open_collection_at(Path({str(db)!r})).close()\n"
        "print([name for name in ('srs.decks.sync', 'yaml', 'srs.decks.load', 'hashlib') if name in sys.modules])\n"
    )
    env = {**os.environ, "HOME": str(tmp_path)}
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert "srs.decks.sync" in first  # a new collection gets the bundled decks
    again = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert again.strip() == "[]"
