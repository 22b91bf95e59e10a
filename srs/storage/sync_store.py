"""SQL for deck sync: what the DB holds of the deck files, and applying a sync plan in one transaction."""

from __future__ import annotations

from dataclasses import astuple, dataclass
from datetime import datetime
from sqlite3 import Connection

from srs.storage.deferred import schema_objects_deferred
from srs.storage.timecodec import from_us, to_us


@dataclass(frozen=True)
class StoredCard:
    """What sync needs to know of a card already in the DB."""

    id: int
    uid: str
    origin: str
    line: int
    content_hash: str
    content_changed_at: datetime
    retired: bool


@dataclass(frozen=True)
class FileStat:
    """What ``os.stat`` says of a deck file, as far as telling a changed file goes."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int


@dataclass(frozen=True)
class FileState:
    """What the last sync recorded of a deck file: its digest ('' if its cards changed since), the
    stat taken before reading it (None if it could not be trusted) and its live cards then."""

    digest: str
    stat: FileStat | None
    cards: int | None


def file_states(conn: Connection) -> dict[str, FileState]:
    """Path -> what the last sync recorded, for every file synced before."""
    rows = conn.execute("SELECT path, digest, size, mtime_ns, ctime_ns, inode, cards FROM sync_file")
    return {
        path: FileState(digest, FileStat(size, mtime, ctime, inode) if None not in (size, mtime, ctime, inode) else None, cards)
        for path, digest, size, mtime, ctime, inode, cards in rows
    }


def record_file_states(conn: Connection, states: dict[str, FileState], now: datetime) -> None:
    """Remember each synced file's digest, stat and card count."""
    if not states:
        return
    stamp = to_us(now)
    conn.executemany(
        "INSERT INTO sync_file (path, digest, synced_at, size, mtime_ns, ctime_ns, inode, cards) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(path) DO UPDATE SET digest = excluded.digest, synced_at = excluded.synced_at, size = excluded.size, "
        "mtime_ns = excluded.mtime_ns, ctime_ns = excluded.ctime_ns, inode = excluded.inode, cards = excluded.cards",
        [
            (path, state.digest, stamp, *(astuple(state.stat) if state.stat else (None,) * 4), state.cards)
            for path, state in states.items()
        ],
    )


def record_file_stats(conn: Connection, stats: dict[str, tuple[str, FileStat]]) -> None:
    """Remember the stat of files found unchanged by their hash (path -> (digest, stat)); a row whose
    digest changed meanwhile (another sync, a card edited) is left alone."""
    conn.executemany(
        "UPDATE sync_file SET size = ?, mtime_ns = ?, ctime_ns = ?, inode = ? WHERE path = ? AND digest = ?",
        [(*astuple(stat), path, digest) for path, (digest, stat) in stats.items()],
    )


def live_card_counts(conn: Connection, paths: list[str]) -> dict[str, int]:
    """Path -> how many live cards came from that file."""
    counts = dict.fromkeys(paths, 0)
    for start in range(0, len(paths), 500):
        chunk = paths[start : start + 500]
        rows = conn.execute(f"SELECT origin, count(*) FROM card WHERE retired = 0 AND origin IN ({', '.join('?' * len(chunk))}) GROUP BY origin", chunk)
        counts.update(rows.fetchall())
    return counts


def file_digests(conn: Connection) -> dict[str, str]:
    """Path -> content hash of every file synced before."""
    return dict(conn.execute("SELECT path, digest FROM sync_file").fetchall())


def stored_cards(conn: Connection) -> dict[str, StoredCard]:
    """Every card in the DB by uid (retired ones included, so they can come back)."""
    rows = conn.execute("SELECT id, uid, origin, line, content_hash, content_changed_at, retired FROM card")
    return {row[1]: StoredCard(row[0], row[1], row[2], row[3], row[4], from_us(row[5]), bool(row[6])) for row in rows}


def ensure_decks(conn: Connection, descriptions: dict[str, str]) -> dict[str, int]:
    """Create missing decks (and their '::' parents); update descriptions. Return name -> id for all decks."""
    existing = dict(conn.execute("SELECT name, id FROM deck").fetchall())
    wanted: dict[str, str | None] = {}
    for name, description in descriptions.items():
        parts = name.split("::")
        for depth in range(1, len(parts)):
            wanted.setdefault("::".join(parts[:depth]), None)
        wanted[name] = description
    for name, description in wanted.items():
        if name not in existing:
            existing[name] = conn.execute("INSERT INTO deck (name, description) VALUES (?, ?)", (name, description or "")).lastrowid
        elif description is not None:
            conn.execute("UPDATE deck SET description = ? WHERE name = ?", (description, name))
    return existing


TEXT_COLUMNS = ("front", "back", "extra", "sources")  # kept in ``card_text``, one row per card
_INSERT_TEXT_BY_UID = f"INSERT INTO card_text (card_id, {', '.join(TEXT_COLUMNS)}) VALUES ((SELECT id FROM card WHERE uid = ?), ?, ?, ?, ?)"


def insert_cards(conn: Connection, rows: list[dict]) -> None:
    """Insert new cards (rows hold every content column, ``uid`` among them, and may hold scheduling columns)."""
    if not rows:
        return
    columns = [c for c in rows[0] if c not in TEXT_COLUMNS]
    sql = f"INSERT INTO card ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    conn.executemany(sql, [tuple(_bindable(row[c]) for c in columns) for row in rows])
    conn.executemany(_INSERT_TEXT_BY_UID, [(row["uid"], *(row.get(c, "") for c in TEXT_COLUMNS)) for row in rows])


# A card's content as sync writes it, in this order (values bound as they are: times already in µs): the columns
# of ``card``, then those of ``card_text``.
CARD_CONTENT_COLUMNS = ("deck_id", "origin", "line", "position", "tags", "difficulty", "draft", "content_hash")
CONTENT_COLUMNS = CARD_CONTENT_COLUMNS + TEXT_COLUMNS
_TEXT_START, _TEXT_END = len(CARD_CONTENT_COLUMNS), len(CONTENT_COLUMNS)
_INSERT_CONTENT = (
    f"INSERT INTO card (id, {', '.join(CARD_CONTENT_COLUMNS)}, content_changed_at, uid, created_at, state) "
    f"VALUES ({', '.join('?' * (len(CARD_CONTENT_COLUMNS) + 4))}, 0)"
)
_INSERT_TEXT = f"INSERT INTO card_text (card_id, {', '.join(TEXT_COLUMNS)}) VALUES ({', '.join('?' * (len(TEXT_COLUMNS) + 1))})"
_UPDATE_CONTENT = f"UPDATE card SET {', '.join(f'{c} = ?' for c in CARD_CONTENT_COLUMNS)}, content_changed_at = ? WHERE id = ?"
# An upsert, so a card whose text row went missing gets it back from its file.
_UPSERT_TEXT = _INSERT_TEXT + f" ON CONFLICT (card_id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in TEXT_COLUMNS)}"


# Per-row triggers that a bulk insert of new cards would fire once per card (~25 ms of the ~150 ms a 10k-card first
# sync spends in SQLite);
# ``insert_content_rows`` sets them aside and does their work once, for all the rows.
INSERT_TRIGGERS = ("sync_file_stale_on_card_insert", "sync_file_stale_on_text_insert", "export_note_stale_on_text_insert")
BULK_INSERT = 1000


def insert_content_rows(conn: Connection, rows: list[tuple]) -> None:
    """Insert new cards: each row is the CONTENT_COLUMNS values, then content_changed_at, uid, created_at (µs).

    Plain tuples, one executemany per table: 10k cards are inserted without a dict or a conversion per card. The
    ids are the ones SQLite would give (one above the largest), set here so each text row names its card.
    """
    if not rows:
        return
    first = (conn.execute("SELECT max(id) FROM card").fetchone()[0] or 0) + 1
    bulk = len(rows) >= BULK_INSERT
    with schema_objects_deferred(conn, "trigger", INSERT_TRIGGERS, bulk):
        conn.executemany(_INSERT_CONTENT, [(first + n, *row[:_TEXT_START], *row[_TEXT_END:]) for n, row in enumerate(rows)])
        conn.executemany(_INSERT_TEXT, [(first + n, *row[_TEXT_START:_TEXT_END]) for n, row in enumerate(rows)])
    if bulk:
        _after_insert(conn, first)


def _after_insert(conn: Connection, first: int) -> None:
    """What INSERT_TRIGGERS do, done once for all the cards from id ``first`` on."""
    conn.execute("UPDATE sync_file SET digest = '' WHERE path IN (SELECT origin FROM card WHERE id >= ?) AND digest != ''", (first,))
    if conn.execute("DELETE FROM export_note WHERE card_id >= ?", (first,)).rowcount:
        conn.execute("UPDATE export_note_epoch SET epoch = epoch + 1")


def update_content_rows(conn: Connection, rows: list[tuple]) -> None:
    """Rewrite content and placement of existing cards: CONTENT_COLUMNS values, content_changed_at (µs), card id."""
    if rows:
        conn.executemany(_UPDATE_CONTENT, [(*row[:_TEXT_START], *row[_TEXT_END:]) for row in rows])
        conn.executemany(_UPSERT_TEXT, [(row[-1], *row[_TEXT_START:_TEXT_END]) for row in rows])


def update_cards(conn: Connection, rows: list[dict]) -> None:
    """Update content and placement of existing cards by id; scheduling columns are never touched."""
    if not rows:
        return
    columns = [key for key in rows[0] if key != "card_id" and key not in TEXT_COLUMNS]
    if columns:
        sql = f"UPDATE card SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?"
        conn.executemany(sql, [tuple(_bindable(row[c]) for c in columns) + (row["card_id"],) for row in rows])
    texts = [key for key in rows[0] if key in TEXT_COLUMNS]
    if texts:
        sql = f"UPDATE card_text SET {', '.join(f'{c} = ?' for c in texts)} WHERE card_id = ?"
        conn.executemany(sql, [tuple(row[c] for c in texts) + (row["card_id"],) for row in rows])


def _bindable(value):
    return to_us(value) if isinstance(value, datetime) else value


def set_retired(conn: Connection, card_ids: list[int], retired: bool) -> None:
    """Retire cards (never queued again, history kept) or bring them back."""
    if card_ids:
        conn.executemany("UPDATE card SET retired = ? WHERE id = ?", [(retired, card_id) for card_id in card_ids])


def forget_file_digests(conn: Connection, paths: list[str]) -> None:
    """Drop the hashes of files that are gone, so a file that comes back is parsed again."""
    if paths:
        conn.executemany("DELETE FROM sync_file WHERE path = ?", [(path,) for path in paths])


def move_origins(conn: Connection, old_root: str, new_root: str) -> int:
    """Hand the cards and file hashes of files under ``old_root`` to the same files under ``new_root``.

    Roots end with '/'. Returns how many cards moved.
    """
    size = len(old_root)
    moved = conn.execute(
        "UPDATE card SET origin = ? || substr(origin, ?) WHERE substr(origin, 1, ?) = ?", (new_root, size + 1, size, old_root)
    ).rowcount
    conn.execute(
        "UPDATE OR REPLACE sync_file SET path = ? || substr(path, ?) WHERE substr(path, 1, ?) = ?", (new_root, size + 1, size, old_root)
    )
    return moved
