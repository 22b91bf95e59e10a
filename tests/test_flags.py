"""`srs bury`, `srs suspend`, `srs unsuspend`: what they say about cards that already were so."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from srs.cli import app
from srs.decks import sync_paths
from srs.review import find_card
from srs.storage import open_store
from tests.conftest import simple_deck


def srs(db: Path, *args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--db", str(db)])
    assert result.exit_code == 0, result.output
    return result.output


def collection(tmp_path: Path, write_deck) -> Path:
    db = tmp_path / "flags.db"
    store = open_store(db)
    try:
        sync_paths(store, [write_deck("a.yaml", simple_deck(3))])
    finally:
        store.close()
    return db


def test_unsuspending_a_card_that_was_never_suspended_says_so(tmp_path: Path, write_deck) -> None:
    db = collection(tmp_path, write_deck)
    assert srs(db, "unsuspend", "c0") == "c0: not suspended, nothing to do\n"
    assert srs(db, "suspend", "c0") == "suspended 1 card\n"
    assert srs(db, "suspend", "c0", "c1") == "suspended 1 card\nc0: already suspended, left as is\n"
    assert srs(db, "suspend", "c0", "c1") == "c0, c1: already suspended, nothing to do\n"
    assert srs(db, "unsuspend", "c0", "c1", "c2") == "unsuspended 2 cards\nc2: not suspended, left as is\n"
    store = open_store(db)
    try:
        assert not any(find_card(store, uid).suspended for uid in ("c0", "c1", "c2"))
    finally:
        store.close()


def test_burying_a_buried_card_says_so(tmp_path: Path, write_deck) -> None:
    db = collection(tmp_path, write_deck)
    first = srs(db, "bury", "c0")
    assert first.startswith("buried 1 card until ")
    assert srs(db, "bury", "c0") == "c0: already buried until the next day, nothing to do\n"
    both = srs(db, "bury", "c0", "c1").splitlines()
    assert both[0].startswith("buried 1 card until ") and both[1] == "c0: already buried until the next day, left as is"


def test_counts_in_messages_are_singular_for_one() -> None:
    from srs.text import plural

    assert [plural(n, "day") for n in (0, 1, 2)] == ["0 days", "1 day", "2 days"]
    assert plural(1, "easy card") == "1 easy card" and plural(3, "easy card") == "3 easy cards"
