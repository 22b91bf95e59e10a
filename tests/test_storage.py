"""The store: connection settings, migrations, refusal of newer or broken files, aware datetimes, no ORM in the commands."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone

import pytest

from srs.errors import DatabaseError
from srs.storage import open_store
from srs.storage.backup import list_backups
from srs.storage.migrations import LATEST_VERSION, MIGRATIONS
from srs.storage.timecodec import from_us, to_us


def test_pragmas(store) -> None:
    with store.read() as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION


def test_the_write_connection_is_durable_and_checks_foreign_keys(store) -> None:
    with store.write() as conn:
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("INSERT INTO card (uid, deck_id, origin, line, position, content_hash, created_at) "
                         "VALUES ('x', 999, 'f', 1, 0, 'h', 0)")


def test_a_failed_write_leaves_nothing_and_the_store_keeps_working(store) -> None:
    with pytest.raises(ZeroDivisionError):
        with store.write() as conn:
            conn.execute("INSERT INTO deck (name) VALUES ('Gone')")
            1 / 0
    with store.write() as conn:
        conn.execute("INSERT INTO deck (name) VALUES ('Kept')")
    with store.read() as conn:
        assert [row[0] for row in conn.execute("SELECT name FROM deck")] == ["Kept"]


def test_a_read_refuses_to_write(store) -> None:
    # A write in read() would be rolled back silently at the end of the block: it must fail loudly instead.
    with store.read() as conn, pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("INSERT INTO deck (name) VALUES ('No')")


def test_a_write_nested_in_a_write_is_an_error_not_a_deadlock(store) -> None:
    with store.write(), pytest.raises(RuntimeError, match="nested"):
        with store.write():
            pass


def test_a_read_sees_one_snapshot_while_another_thread_writes(store) -> None:
    import threading

    with store.read() as conn:
        assert conn.execute("SELECT count(*) FROM deck").fetchone()[0] == 0

        def add() -> None:
            with store.write() as w:
                w.execute("INSERT INTO deck (name) VALUES ('New')")

        writer = threading.Thread(target=add)
        writer.start()
        writer.join()
        assert conn.execute("SELECT count(*) FROM deck").fetchone()[0] == 0
    with store.read() as conn:
        assert conn.execute("SELECT count(*) FROM deck").fetchone()[0] == 1


def test_store_is_a_context_manager_that_closes_its_connections(tmp_path) -> None:
    with open_store(tmp_path / "srs.db") as store:
        with store.write() as conn:
            conn.execute("INSERT INTO deck (name) VALUES ('A')")
        with store.read() as reader:
            pass
    with pytest.raises(sqlite3.ProgrammingError):
        conn.execute("SELECT 1")  # the write connection was closed
    with pytest.raises(sqlite3.ProgrammingError):
        reader.execute("SELECT 1")  # and so were the pooled readers
    # The last connection closed: SQLite folded the WAL into the file and removed it.
    assert not (tmp_path / "srs.db-wal").exists()
    with store.read() as conn:  # a closed Store opens connections again when used
        assert conn.execute("SELECT name FROM deck").fetchone()[0] == "A"
    store.close()


@pytest.mark.parametrize("name", ["a#b.db", "q?mode=rwc.db", "p%41.db", "sp ace.db", "ü.db"])
def test_file_uri_names_exactly_the_file(tmp_path, name) -> None:
    from srs.storage.connection import file_uri

    path = tmp_path / name
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.commit()
    conn = sqlite3.connect(file_uri(path, mode="ro"), uri=True)
    try:
        assert conn.execute("SELECT name FROM sqlite_master").fetchone()[0] == "t"
    finally:
        conn.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_migration_from_v1_keeps_data_and_backs_up_first(tmp_path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    MIGRATIONS[0](conn)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO deck (id, name) VALUES (1, 'Kept')")
    conn.close()
    store = open_store(path)
    try:
        assert store.migrated_from == 1 and not store.created
        with store.read() as c:
            assert c.execute("SELECT name FROM deck").fetchone()[0] == "Kept"
            assert c.execute("SELECT count(*) FROM sync_file").fetchone()[0] == 0
    finally:
        store.close()
    backups = list_backups(path)
    assert len(backups) == 1 and "before-migration-v1" in backups[0].name
    copy = sqlite3.connect(backups[0])
    assert copy.execute("PRAGMA user_version").fetchone()[0] == 1
    copy.close()


def test_cards_from_before_v9_are_dated_when_migrated(tmp_path) -> None:
    # Their content may have changed since the last Anki export, so an export after the upgrade must update them once.
    path = tmp_path / "v8.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for step in MIGRATIONS[:8]:
        step(conn)
    conn.execute("PRAGMA user_version = 8")
    conn.execute("INSERT INTO deck (id, name) VALUES (1, 'D')")
    conn.execute(
        "INSERT INTO card (uid, deck_id, origin, line, position, front, back, content_hash, created_at) "
        "VALUES ('a', 1, 'd.yaml', 1, 0, 'Q', 'A', 'h', 0)"
    )
    conn.close()
    before = datetime.now(timezone.utc).replace(microsecond=0)
    store = open_store(path)
    try:
        with store.read() as c:
            stamp = from_us(c.execute("SELECT content_changed_at FROM card").fetchone()[0])
    finally:
        store.close()
    assert before <= stamp <= datetime.now(timezone.utc)


def test_newer_schema_is_refused_and_left_untouched(tmp_path) -> None:
    path = tmp_path / "new.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE future (x)")
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="written by a newer srs"):
        open_store(path)
    assert path.read_bytes() == before and not (tmp_path / "new.db-wal").exists()


def test_garbage_file_is_refused_with_a_clear_message(tmp_path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(DatabaseError, match="not a usable srs database"):
        open_store(path)
    assert path.read_bytes() == b"this is not sqlite" * 100


def test_datetimes_round_trip_aware_utc() -> None:
    moment = datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=timezone.utc)
    assert from_us(to_us(moment)) == moment and from_us(to_us(moment)).tzinfo == timezone.utc
    with pytest.raises(ValueError):
        to_us(datetime(2026, 1, 1))


ORM_MODULES = ("sqlalchemy", "sqlmodel", "pydantic")


def _command_modules() -> list[str]:
    import pkgutil

    import srs.cli

    return sorted(m.name for m in pkgutil.iter_modules(srs.cli.__path__) if m.name != "app")


@pytest.mark.parametrize("command", _command_modules())
def test_no_command_imports_an_orm(command) -> None:
    # The local collection is plain sqlite3: SQLAlchemy alone cost every command 0.2-0.4 s of start-up.
    import subprocess
    import sys

    code = (
        f"import sys; sys.argv = ['srs', {command!r}]\n"
        f"import srs.cli.{command}, srs.tui.app\n"
        f"print(','.join(m for m in {ORM_MODULES!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_commands_run_on_the_local_collection_without_an_orm(tmp_path) -> None:
    import subprocess
    import sys

    code = (
        "import atexit, sys\n"
        f"atexit.register(lambda: print('ORM:' + ','.join(m for m in {ORM_MODULES!r} if m in sys.modules)))\n"
        "from srs.cli import main\nmain()"
    )
    db = str(tmp_path / "srs.db")

    def run(*args: str) -> list[str]:
        result = subprocess.run([sys.executable, "-c", code, *args, "--db", db], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        *output, loaded = result.stdout.strip().splitlines()
        assert loaded == "ORM:", args
        return output

    first = json.loads("\n".join(run("due", "--json")))["cards"][0]["id"]
    for args in (["answer", first, "good"], ["stats", "--json"], ["undo"], ["show", first], ["doctor"], []):
        run(*args)


def test_core_imports_no_ui_libraries() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import srs.review, srs.decks, srs.overview, srs.settings, srs.scheduling, srs.storage, srs.entry, srs.launch\n"
        "bad = [m for m in ('textual', 'rich', 'typer') if m in sys.modules]\nprint(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


# --- The review log's state JSON ---------------------------------------------------------------------------------

from hypothesis import given, settings as hypothesis_settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from srs.model import Flags, MemoryState, State  # noqa: E402
from srs.storage.review_store import memory_from_json, memory_to_json, stored_state_json  # noqa: E402

_moments = st.one_of(st.none(), st.integers(0, 4_000_000_000_000_000).map(from_us))


@hypothesis_settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(list(State)), st.one_of(st.none(), st.integers(0, 99)), st.one_of(st.none(), st.floats(allow_nan=False)),
    st.one_of(st.none(), st.floats(1, 10)), _moments, _moments, st.integers(0, 10**6), st.integers(0, 10**4), st.booleans(), st.booleans(), _moments,
)
def test_state_json_is_what_json_dumps_writes(state, step, stability, difficulty, due, last, reps, lapses, suspended, leech, buried) -> None:
    """The encoder made once gives json.dumps' text exactly (logs written before it compare equal), and reads back."""
    memory, flags = MemoryState(state, step, stability, difficulty, due, last, reps, lapses), Flags(suspended, leech, buried)
    text = memory_to_json(memory, flags)
    expected = [int(state), step, stability, difficulty, to_us(due), to_us(last), reps, lapses, suspended, leech, to_us(buried)]
    assert text == json.dumps(expected)
    assert memory_from_json(text) == (memory, flags)
    # The answer path writes the state before from the card row itself: flags as SQLite's 0 and 1, times as integers.
    row = (int(state), step, stability, difficulty, to_us(due), to_us(last), reps, lapses, int(suspended), int(leech), to_us(buried), 7, "uid")
    assert stored_state_json(row) == text


@hypothesis_settings(max_examples=100, deadline=None)
@given(st.sampled_from([float("nan"), float("inf"), float("-inf"), 0.1, None]), st.sampled_from([float("nan"), float("-inf"), 5.5, None]))
def test_state_json_spells_odd_floats_as_json_does(stability, difficulty) -> None:
    row = (2, None, stability, difficulty, 1, 2, 3, 0, 1, 0, None)
    assert stored_state_json(row) == json.dumps([2, None, stability, difficulty, 1, 2, 3, 0, True, False, None])


# --- Bulk review inserts (import) ---------------------------------------------------------------------------------


def _review_rows(card_id: int, count: int, start_us: int) -> list[tuple]:
    from srs.storage import import_store

    times = [start_us + i * 60_000_000 for i in range(count)]
    return [(card_id, 3, at, 1000, 0, None, "[0]", "[2]", uid, None) for at, uid in zip(times, import_store.imported_review_uids(f"c{card_id}", times))]


def test_a_bulk_insert_rebuilds_the_logs_indexes_as_they_were(tmp_path, monkeypatch) -> None:
    """Many rows into a smaller log: indexes dropped and built again from their own SQL; the unique id still holds."""
    from srs.decks import sync_paths
    from srs.storage import import_store
    from tests.conftest import T0, simple_deck

    monkeypatch.setattr(import_store, "BULK_ROWS", 10)
    deck = tmp_path / "d.yaml"
    deck.write_text(simple_deck(1), encoding="utf-8")
    store = open_store(tmp_path / "srs.db")
    sync_paths(store, [deck], now=T0)
    index_sql = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'review' ORDER BY name"
    with store.read() as conn:
        before = conn.execute(index_sql).fetchall()
        card_id = conn.execute("SELECT id FROM card").fetchone()[0]
    rows = _review_rows(card_id, 50, 1_700_000_000_000_000)
    statements = []
    with store.write() as conn:
        conn.set_trace_callback(statements.append)
        import_store.insert_reviews(conn, rows)
        conn.set_trace_callback(None)
    assert any(s.startswith("DROP INDEX") for s in statements)  # the bulk path ran
    with store.read() as conn:
        assert conn.execute(index_sql).fetchall() == before
        assert conn.execute("SELECT count(*) FROM review INDEXED BY ix_review_card WHERE card_id = ?", (card_id,)).fetchone()[0] == 50
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    statements.clear()
    with pytest.raises(sqlite3.IntegrityError), store.write() as conn:  # a duplicate id fails when the index is built: nothing is kept
        conn.set_trace_callback(statements.append)
        import_store.insert_reviews(conn, rows[:5] + rows[:5] + _review_rows(card_id, 60, 1_800_000_000_000_000))
    with store.read() as conn:
        assert conn.execute("SELECT count(*) FROM review").fetchone()[0] == 50
        assert conn.execute(index_sql).fetchall() == before
    statements.clear()
    with store.write() as conn:  # fewer rows than the log holds: plain inserts
        conn.set_trace_callback(statements.append)
        import_store.insert_reviews(conn, _review_rows(card_id, 20, 1_900_000_000_000_000))
        conn.set_trace_callback(None)
    assert not any(s.startswith("DROP INDEX") for s in statements)
    store.close()


def test_backup_stamps_are_read_as_strptime_reads_them() -> None:
    # srs.storage.backup reads the stamps it writes without strptime (a start-up cost); the result must not change.
    from datetime import datetime

    from srs.storage.backup import _STAMP, _parse_stamp

    written = [datetime(2026, 3, 2, 4, 5, 6, 7), datetime(1999, 12, 31, 23, 59, 59, 999999), datetime(2030, 1, 1)]
    odd = ["20260230-120000-000000", "20261301-000000-000000", "20260101-240000-000000", "2026011-1200-5", "20260101-120000-5", "x"]
    for text in [moment.strftime(_STAMP) for moment in written] + odd:
        try:
            expected = datetime.strptime(text, _STAMP)
        except ValueError:
            expected = None
        assert _parse_stamp(text) == expected, text


def test_a_bulk_insert_stores_every_row_in_order_and_restores_the_cache(tmp_path, monkeypatch) -> None:
    """Rows go in ROWS_PER_INSERT to a statement and the rest one by one: every row, in its order; the page cache as it was."""
    from srs.decks import sync_paths
    from srs.storage import import_store
    from tests.conftest import T0, simple_deck

    monkeypatch.setattr(import_store, "BULK_ROWS", 10)
    monkeypatch.setattr(import_store, "ROWS_PER_INSERT", 7)
    deck = tmp_path / "d.yaml"
    deck.write_text(simple_deck(1), encoding="utf-8")
    store = open_store(tmp_path / "srs.db")
    sync_paths(store, [deck], now=T0)
    with store.read() as conn:
        card_id = conn.execute("SELECT id FROM card").fetchone()[0]
    rows = [(card_id, 1 + i % 4, at, i, i % 3, i / 7, f"[{i}]", f"[{i + 1}]", uid, None if i % 2 else "dev")
            for i, (_, _, at, *_rest, uid, _device) in enumerate(_review_rows(card_id, 51, 1_700_000_000_000_000))]
    with store.write() as conn:
        cache = conn.execute("PRAGMA cache_size").fetchone()[0]
        import_store.insert_reviews(conn, rows)
        assert conn.execute("PRAGMA cache_size").fetchone()[0] == cache
    with store.read() as conn:
        stored = conn.execute(
            "SELECT card_id, rating, reviewed_at, duration_ms, state_before, interval_before, before, after, uid, device FROM review ORDER BY id"
        ).fetchall()
    assert stored == rows
    store.close()


# --- Page size -----------------------------------------------------------------------------------------------------


def test_a_new_collection_has_small_pages_and_an_old_one_keeps_its_own(tmp_path, monkeypatch) -> None:
    from srs.storage import db

    open_store(tmp_path / "new.db").close()
    with monkeypatch.context() as patched:
        patched.setattr(db, "PAGE_SIZE", 4096)  # a collection made before (SQLite's default size)
        open_store(tmp_path / "old.db").close()
    store = open_store(tmp_path / "old.db")  # opened again by this srs: not rewritten
    store.close()

    def page_size(name: str) -> int:
        conn = sqlite3.connect(tmp_path / name)
        try:
            return conn.execute("PRAGMA page_size").fetchone()[0]
        finally:
            conn.close()

    assert (page_size("new.db"), page_size("old.db")) == (2048, 4096)


def test_a_backup_restores_over_a_collection_with_another_page_size(tmp_path, monkeypatch) -> None:
    from srs.errors import BackupError
    from srs.storage import db
    from srs.storage.backup import make_backup, restore_backup

    def collection(name: str, page_size: int, deck: str) -> Path:
        with monkeypatch.context() as patched:
            patched.setattr(db, "PAGE_SIZE", page_size)
            with open_store(tmp_path / name) as store, store.write() as conn:
                conn.execute("INSERT INTO deck (name) VALUES (?)", (deck,))
        return tmp_path / name

    small = collection("small.db", 2048, "small")
    for source, target in ((small, collection("large.db", 4096, "large")), (collection("large2.db", 4096, "large2"), collection("small2.db", 2048, "small2"))):
        restore_backup(make_backup(source, "manual"), target)
        conn = sqlite3.connect(target)
        try:
            assert conn.execute("SELECT name FROM deck WHERE name != 'Default' ORDER BY id").fetchall() == [(source.stem,)]
            assert conn.execute("PRAGMA page_size").fetchone()[0] == sqlite3.connect(source).execute("PRAGMA page_size").fetchone()[0]
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            conn.close()
    busy = collection("busy.db", 4096, "busy")
    holder = sqlite3.connect(busy)
    holder.execute("SELECT count(*) FROM deck").fetchone()  # another program has it open
    try:
        with pytest.raises(BackupError, match="open in another program"):
            restore_backup(make_backup(small, "manual"), busy)
    finally:
        holder.close()
    conn = sqlite3.connect(busy)
    assert conn.execute("SELECT name FROM deck WHERE name = 'busy'").fetchall() == [("busy",)]
    conn.close()
