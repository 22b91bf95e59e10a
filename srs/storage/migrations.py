"""Schema versions, as ordered steps. ``PRAGMA user_version`` records the last step applied.

Each step runs in its own ``BEGIN IMMEDIATE`` transaction together with the version bump, so a
crash mid-migration leaves the DB at the previous version, never half-migrated.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable

V1_CORE = """
CREATE TABLE deck (
    id INTEGER PRIMARY KEY,
    name VARCHAR NOT NULL UNIQUE,
    description VARCHAR NOT NULL DEFAULT ''
);
CREATE TABLE card (
    id INTEGER PRIMARY KEY,
    uid VARCHAR NOT NULL UNIQUE,
    deck_id INTEGER NOT NULL REFERENCES deck(id),
    origin VARCHAR NOT NULL,
    line INTEGER NOT NULL,
    position INTEGER NOT NULL,
    front VARCHAR NOT NULL,
    back VARCHAR NOT NULL,
    extra VARCHAR NOT NULL DEFAULT '',
    tags VARCHAR NOT NULL DEFAULT '',
    difficulty VARCHAR,
    sources VARCHAR NOT NULL DEFAULT '',
    draft BOOLEAN NOT NULL DEFAULT 0,
    retired BOOLEAN NOT NULL DEFAULT 0,
    content_hash VARCHAR NOT NULL,
    state INTEGER NOT NULL DEFAULT 0,
    step INTEGER,
    stability FLOAT,
    fsrs_difficulty FLOAT,
    due BIGINT,
    last_review BIGINT,
    reps INTEGER NOT NULL DEFAULT 0,
    lapses INTEGER NOT NULL DEFAULT 0,
    suspended BOOLEAN NOT NULL DEFAULT 0,
    leech BOOLEAN NOT NULL DEFAULT 0,
    buried_until BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX ix_card_deck ON card(deck_id);
CREATE INDEX ix_card_due ON card(state, due) WHERE state > 0;
CREATE INDEX ix_card_new ON card(origin, position) WHERE state = 0;
CREATE TABLE review (
    id INTEGER PRIMARY KEY,
    card_id INTEGER NOT NULL REFERENCES card(id),
    rating INTEGER NOT NULL,
    reviewed_at BIGINT NOT NULL,
    duration_ms INTEGER,
    state_before INTEGER NOT NULL,
    interval_before FLOAT,
    before VARCHAR NOT NULL,
    after VARCHAR NOT NULL
);
CREATE INDEX ix_review_card ON review(card_id, id);
CREATE INDEX ix_review_time ON review(reviewed_at);
"""

V2_SYNC_AND_SETTINGS = """
CREATE TABLE sync_file (
    path VARCHAR PRIMARY KEY,
    digest VARCHAR NOT NULL,
    synced_at BIGINT NOT NULL
);
CREATE TABLE setting (
    scope VARCHAR NOT NULL,
    key VARCHAR NOT NULL,
    value VARCHAR NOT NULL,
    PRIMARY KEY (scope, key)
);
"""

# Covering indexes for `srs stats`, so a year of reviews is aggregated from compact index entries
# instead of the wide rows: by time (replaces ix_review_time, same leading column) and by card
# (per-topic retention without sorting every answer).
V3_REVIEW_STATS_INDEXES = """
CREATE INDEX ix_review_stats ON review(reviewed_at, state_before, rating, interval_before, card_id);
CREATE INDEX ix_review_card_stats ON review(card_id, state_before, reviewed_at, rating);
DROP INDEX ix_review_time;
"""

V4_QUIZ_HISTORY = """
CREATE TABLE quiz (
    id INTEGER PRIMARY KEY,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    deck VARCHAR,
    topic VARCHAR,
    planned INTEGER NOT NULL,
    answered INTEGER NOT NULL DEFAULT 0,
    correct INTEGER NOT NULL DEFAULT 0,
    time_used_ms INTEGER NOT NULL DEFAULT 0,
    budget_ms INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE quiz_item (
    id INTEGER PRIMARY KEY,
    quiz_id INTEGER NOT NULL REFERENCES quiz(id),
    card_id INTEGER NOT NULL REFERENCES card(id),
    position INTEGER NOT NULL,
    difficulty VARCHAR NOT NULL,
    correct BOOLEAN NOT NULL,
    timed_out BOOLEAN NOT NULL,
    elapsed_ms INTEGER NOT NULL,
    budget_ms INTEGER NOT NULL,
    rating INTEGER NOT NULL,
    review_id INTEGER
);
CREATE INDEX ix_quiz_item_quiz ON quiz_item(quiz_id, position);
"""

# The deck list counts every live card per deck; this index answers it without reading card rows
# (which hold the card text) at all.
V5_DECK_COUNTS_INDEX = """
CREATE INDEX ix_card_deck_counts ON card(deck_id, state, due, draft, retired, suspended, buried_until);
DROP INDEX ix_card_deck;
"""


# `srs stats` scans every card's scheduling columns; in id order (so per-card joins need no sort)
# and without the Markdown text, a scan of 100k cards reads ~8 MB instead of ~75 MB.
V6_CARD_STATS_INDEX = """
CREATE INDEX ix_card_stats ON card(id, tags, deck_id, draft, retired, state, due, last_review, stability, suspended, leech, buried_until);
"""

# `srs export anki` keeps the HTML it rendered for each distinct card text, keyed by a digest of the
# renderer version and the text, so a re-export renders only the texts that changed.
V7_RENDER_CACHE = """
CREATE TABLE render_cache (
    key BLOB PRIMARY KEY,
    renderer VARCHAR NOT NULL,
    html VARCHAR NOT NULL
);
"""

# Every answer rewrites the entries of the card's indexes that hold state or due; the deck-count
# index cost ~0.07 ms per answer at 100k cards, while the deck list without it scans the narrow
# ix_card_stats instead (33 -> 58 ms at 100k cards). Answers happen far more often than deck lists.
V8_DROP_DECK_COUNTS_INDEX = """
DROP INDEX ix_card_deck_counts;
"""

# An Anki export dates each note by when its content last changed, so Anki skips the notes of a
# re-export that did not change instead of reporting every one "updated". Cards synced before this
# step are dated now: the next export updates them once. ``export_renderer`` dates the renderer (see
# exporters/anki/render_cache.py): a new one makes every note newer.
V9_CONTENT_CHANGED_AT = """
ALTER TABLE card ADD COLUMN content_changed_at BIGINT NOT NULL DEFAULT 0;
UPDATE card SET content_changed_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000000;
CREATE TABLE export_renderer (
    renderer VARCHAR PRIMARY KEY,
    since BIGINT NOT NULL
);
"""

# Several devices (`srs remote`): every review gets a globally unique id (time-ordered, so the index
# grows at its right edge) and the device it came from (NULL: this one); bury, suspend, unsuspend,
# settings and undo of a synced answer become events; `sync_state` keeps this device's id and what
# was sent and received. Cards suspended or buried before this step get an event, so a replay from
# the events keeps them so.
V11_SYNC_EVENTS = """
ALTER TABLE review ADD COLUMN uid VARCHAR;
ALTER TABLE review ADD COLUMN device VARCHAR;
UPDATE review SET uid = printf('%013x', reviewed_at) || lower(hex(randomblob(8)));
CREATE UNIQUE INDEX ix_review_uid ON review(uid);
CREATE TABLE event (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uid VARCHAR NOT NULL UNIQUE,
    device VARCHAR,
    at BIGINT NOT NULL,
    kind VARCHAR NOT NULL,
    card_uid VARCHAR,
    data VARCHAR NOT NULL DEFAULT ''
);
CREATE INDEX ix_event_card ON event(card_uid, at);
CREATE TABLE sync_state (
    key VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);
CREATE TABLE sync_orphan (
    uid VARCHAR PRIMARY KEY,
    card_uid VARCHAR NOT NULL,
    device VARCHAR NOT NULL,
    at BIGINT NOT NULL,
    kind VARCHAR NOT NULL,
    rating INTEGER,
    duration_ms INTEGER,
    data VARCHAR NOT NULL DEFAULT ''
);
CREATE INDEX ix_sync_orphan_card ON sync_orphan(card_uid);
INSERT INTO sync_state (key, value) VALUES ('device', lower(hex(randomblob(8))));
INSERT INTO event (uid, at, kind, card_uid, data)
    SELECT printf('%013x', CAST(strftime('%s', 'now') AS INTEGER) * 1000000) || lower(hex(randomblob(8))),
           CAST(strftime('%s', 'now') AS INTEGER) * 1000000, 'suspend', uid, ''
    FROM card WHERE suspended = 1 AND leech = 0;
INSERT INTO event (uid, at, kind, card_uid, data)
    SELECT printf('%013x', CAST(strftime('%s', 'now') AS INTEGER) * 1000000) || lower(hex(randomblob(8))),
           CAST(strftime('%s', 'now') AS INTEGER) * 1000000, 'bury', uid, CAST(buried_until AS TEXT)
    FROM card WHERE buried_until IS NOT NULL
"""


def _review_ids_never_reused(conn: sqlite3.Connection) -> None:
    """V10: ``review.id`` becomes AUTOINCREMENT, so an id is never given to a second answer.

    Without it SQLite hands out max(id) + 1, and an answer undone in one process (``srs undo``) freed its id for
    the next answer (``srs answer``), which an open review window then undid by that id. SQLite cannot add
    AUTOINCREMENT to a table: the table is rebuilt from its own DDL (whatever columns earlier steps gave it), rows
    copied with their ids (which seeds ``sqlite_sequence``), and every index on it recreated.
    """
    table_sql = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'review'").fetchone()[0]
    index_sql = [row[0] for row in conn.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'review' AND sql IS NOT NULL")]
    rebuilt, count = re.subn(r"\bid\s+INTEGER\s+PRIMARY\s+KEY\b(?!\s+AUTOINCREMENT)", "id INTEGER PRIMARY KEY AUTOINCREMENT", table_sql, count=1, flags=re.I)
    if not count:
        return  # already AUTOINCREMENT
    conn.execute(re.sub(r"^CREATE TABLE\s+\"?review\"?", "CREATE TABLE review_v10", rebuilt, count=1, flags=re.I))
    conn.execute("INSERT INTO review_v10 SELECT * FROM review")
    conn.execute("DROP TABLE review")
    conn.execute("ALTER TABLE review_v10 RENAME TO review")
    for sql in index_sql:
        conn.execute(sql)


# `srs sync` skips a deck file without reading it when its size, mtime, ctime and inode are what the
# last sync recorded (``sync_file``), and reads and hashes it when in doubt. The triggers make that
# safe against the DB changing under it: any change to the content of a card (by a sync of other
# files, or by any other program) empties the recorded digest of the file the card came from, so that
# file is parsed again at the next sync instead of being skipped. ``cards``: its live cards then.
V12_SYNC_FILE_STAT = [
    "ALTER TABLE sync_file ADD COLUMN size BIGINT",
    "ALTER TABLE sync_file ADD COLUMN mtime_ns BIGINT",
    "ALTER TABLE sync_file ADD COLUMN ctime_ns BIGINT",
    "ALTER TABLE sync_file ADD COLUMN inode BIGINT",
    "ALTER TABLE sync_file ADD COLUMN cards INTEGER",
    """CREATE TRIGGER sync_file_stale_on_card_insert AFTER INSERT ON card
    BEGIN UPDATE sync_file SET digest = '' WHERE path = NEW.origin AND digest != ''; END""",
    """CREATE TRIGGER sync_file_stale_on_card_delete AFTER DELETE ON card
    BEGIN UPDATE sync_file SET digest = '' WHERE path = OLD.origin AND digest != ''; END""",
    """CREATE TRIGGER sync_file_stale_on_card_update
    AFTER UPDATE OF uid, deck_id, origin, line, position, front, back, extra, tags, difficulty, sources, draft, retired, content_hash ON card
    BEGIN UPDATE sync_file SET digest = '' WHERE path IN (OLD.origin, NEW.origin) AND digest != ''; END""",
]


# `srs export anki` keeps each plain card's finished Anki note (``export_note``: GUID, fields HTML, tags,
# date), so a re-export copies unchanged notes into the package with one INSERT ... SELECT instead of
# listing, rendering and joining every card again (see storage/note_store.py). The triggers drop a card's
# note whenever anything the note is made of really changes (a sync rewrites every content column of a card
# that moved in its file; its note stays), or the card goes, so a stored note is never stale;
# they also count such changes in ``export_note_epoch``, so an export that rendered a note before a
# change does not store it after. The row also says which renderer (and since when) made the stored notes.
V13_EXPORT_NOTES = [
    """CREATE TABLE export_note (
    card_id INTEGER PRIMARY KEY,
    guid VARCHAR NOT NULL,
    flds VARCHAR NOT NULL,
    tags VARCHAR NOT NULL,
    mod BIGINT NOT NULL
)""",
    """CREATE TABLE export_note_epoch (
    id INTEGER PRIMARY KEY,
    epoch INTEGER NOT NULL DEFAULT 0,
    renderer VARCHAR NOT NULL DEFAULT '',
    since BIGINT NOT NULL DEFAULT 0
)""",
    "INSERT INTO export_note_epoch (id) VALUES (0)",
    """CREATE TRIGGER export_note_stale_on_card_update
    AFTER UPDATE OF id, uid, front, back, extra, tags, difficulty, sources, content_changed_at ON card
    WHEN OLD.id IS NOT NEW.id OR OLD.uid IS NOT NEW.uid OR OLD.front IS NOT NEW.front OR OLD.back IS NOT NEW.back
        OR OLD.extra IS NOT NEW.extra OR OLD.tags IS NOT NEW.tags OR OLD.difficulty IS NOT NEW.difficulty
        OR OLD.sources IS NOT NEW.sources OR OLD.content_changed_at IS NOT NEW.content_changed_at
    BEGIN
        DELETE FROM export_note WHERE card_id IN (OLD.id, NEW.id);
        UPDATE export_note_epoch SET epoch = epoch + 1;
    END""",
    """CREATE TRIGGER export_note_stale_on_card_delete AFTER DELETE ON card
    BEGIN
        DELETE FROM export_note WHERE card_id = OLD.id;
        UPDATE export_note_epoch SET epoch = epoch + 1;
    END""",
]


# A card's text (front, back, extra, sources) moves to ``card_text``, one row per card, as Anki keeps note text
# apart from cards. Every answer rewrites its card's row; a narrow row makes that cheaper, and lets `srs stats`
# and the deck list scan the card table itself, so ``ix_card_stats`` (rewritten by every answer too) goes.
# Measured on a copy of a 100k-card collection: 6.6-7.9 us less per answer (see ARCHITECTURE.md). The triggers
# of steps 12 and 13 that watched the text on ``card`` now watch ``card_text``; a card's text is deleted with it.
V14_CARD_TEXT = [
    """CREATE TABLE card_text (
    card_id INTEGER PRIMARY KEY REFERENCES card(id),
    front VARCHAR NOT NULL,
    back VARCHAR NOT NULL,
    extra VARCHAR NOT NULL DEFAULT '',
    sources VARCHAR NOT NULL DEFAULT ''
)""",
    "INSERT INTO card_text (card_id, front, back, extra, sources) SELECT id, front, back, extra, sources FROM card",
    "DROP TRIGGER sync_file_stale_on_card_update",
    "DROP TRIGGER export_note_stale_on_card_update",
    "DROP INDEX ix_card_stats",
    "ALTER TABLE card DROP COLUMN front",
    "ALTER TABLE card DROP COLUMN back",
    "ALTER TABLE card DROP COLUMN extra",
    "ALTER TABLE card DROP COLUMN sources",
    # The card's own delete triggers say it changed; the text's below only speak for text deleted alone.
    """CREATE TRIGGER card_text_delete_with_card AFTER DELETE ON card
    BEGIN DELETE FROM card_text WHERE card_id = OLD.id; END""",
    """CREATE TRIGGER sync_file_stale_on_card_update
    AFTER UPDATE OF uid, deck_id, origin, line, position, tags, difficulty, draft, retired, content_hash ON card
    BEGIN UPDATE sync_file SET digest = '' WHERE path IN (OLD.origin, NEW.origin) AND digest != ''; END""",
    """CREATE TRIGGER sync_file_stale_on_text_change AFTER UPDATE ON card_text
    BEGIN UPDATE sync_file SET digest = '' WHERE path IN (SELECT origin FROM card WHERE id IN (OLD.card_id, NEW.card_id)) AND digest != ''; END""",
    """CREATE TRIGGER sync_file_stale_on_text_insert AFTER INSERT ON card_text
    BEGIN UPDATE sync_file SET digest = '' WHERE path = (SELECT origin FROM card WHERE id = NEW.card_id) AND digest != ''; END""",
    """CREATE TRIGGER sync_file_stale_on_text_delete AFTER DELETE ON card_text
    WHEN EXISTS (SELECT 1 FROM card WHERE id = OLD.card_id)
    BEGIN UPDATE sync_file SET digest = '' WHERE path = (SELECT origin FROM card WHERE id = OLD.card_id) AND digest != ''; END""",
    """CREATE TRIGGER export_note_stale_on_card_update
    AFTER UPDATE OF id, uid, tags, difficulty, content_changed_at ON card
    WHEN OLD.id IS NOT NEW.id OR OLD.uid IS NOT NEW.uid OR OLD.tags IS NOT NEW.tags OR OLD.difficulty IS NOT NEW.difficulty
        OR OLD.content_changed_at IS NOT NEW.content_changed_at
    BEGIN
        DELETE FROM export_note WHERE card_id IN (OLD.id, NEW.id);
        UPDATE export_note_epoch SET epoch = epoch + 1;
    END""",
    """CREATE TRIGGER export_note_stale_on_text_change AFTER UPDATE ON card_text
    WHEN OLD.card_id IS NOT NEW.card_id OR OLD.front IS NOT NEW.front OR OLD.back IS NOT NEW.back
        OR OLD.extra IS NOT NEW.extra OR OLD.sources IS NOT NEW.sources
    BEGIN
        DELETE FROM export_note WHERE card_id IN (OLD.card_id, NEW.card_id);
        UPDATE export_note_epoch SET epoch = epoch + 1;
    END""",
    # An insert over a card's text (INSERT OR REPLACE) fires no delete trigger.
    """CREATE TRIGGER export_note_stale_on_text_insert AFTER INSERT ON card_text
    WHEN EXISTS (SELECT 1 FROM export_note WHERE card_id = NEW.card_id)
    BEGIN
        DELETE FROM export_note WHERE card_id = NEW.card_id;
        UPDATE export_note_epoch SET epoch = epoch + 1;
    END""",
    """CREATE TRIGGER export_note_stale_on_text_delete AFTER DELETE ON card_text
    WHEN EXISTS (SELECT 1 FROM card WHERE id = OLD.card_id)
    BEGIN
        DELETE FROM export_note WHERE card_id = OLD.card_id;
        UPDATE export_note_epoch SET epoch = epoch + 1;
    END""",
]


def _statements(statements: list[str]) -> Callable[[sqlite3.Connection], None]:
    """A step of statements that may hold ';' themselves (triggers)."""

    def step(conn: sqlite3.Connection) -> None:
        for statement in statements:
            conn.execute(statement)

    step.statements = statements  # type: ignore[attr-defined]  # so a test can find a step wherever it is numbered
    return step


def _script(sql: str) -> Callable[[sqlite3.Connection], None]:
    def step(conn: sqlite3.Connection) -> None:
        for statement in sql.split(";"):
            if statement.strip():
                conn.execute(statement)

    return step


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _script(V1_CORE),
    _script(V2_SYNC_AND_SETTINGS),
    _script(V3_REVIEW_STATS_INDEXES),
    _script(V4_QUIZ_HISTORY),
    _script(V5_DECK_COUNTS_INDEX),
    _script(V6_CARD_STATS_INDEX),
    _script(V7_RENDER_CACHE),
    _script(V8_DROP_DECK_COUNTS_INDEX),
    _script(V9_CONTENT_CHANGED_AT),
    _review_ids_never_reused,
    _script(V11_SYNC_EVENTS),
    _statements(V12_SYNC_FILE_STAT),
    _statements(V13_EXPORT_NOTES),
    _statements(V14_CARD_TEXT),
]
LATEST_VERSION = len(MIGRATIONS)


def user_version(conn: sqlite3.Connection) -> int:
    """The schema version recorded in the DB file."""
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection, target: int = LATEST_VERSION) -> list[int]:
    """Apply the missing steps up to ``target``; return the versions applied.

    ``conn`` must be in autocommit mode (isolation_level=None) so that each step is one explicit
    transaction. The version is re-read inside the write lock, so two processes opening a new DB
    at once do not both run a step.
    """
    applied = []
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = user_version(conn)
            if current >= target:
                conn.execute("ROLLBACK")
                return applied
            MIGRATIONS[current](conn)
            conn.execute(f"PRAGMA user_version = {current + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied.append(current + 1)
