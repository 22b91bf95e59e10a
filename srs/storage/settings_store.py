"""SQL for settings: (scope, key) -> JSON value; scope '' is global, else a deck name."""

from __future__ import annotations

from sqlite3 import Connection


def all_settings(conn: Connection) -> dict[str, dict[str, object]]:
    """scope -> {key: value}."""
    found: dict[str, dict[str, object]] = {}
    rows = conn.execute("SELECT scope, key, value FROM setting").fetchall()
    if not rows:
        return found
    import json  # only for a collection with settings: not at every start-up (cold start, issue #15)

    for scope, key, value in rows:
        found.setdefault(scope, {})[key] = json.loads(value)
    return found


def put_setting(conn: Connection, scope: str, key: str, value: object) -> None:
    """Set one value."""
    import json

    conn.execute(
        "INSERT INTO setting (scope, key, value) VALUES (?, ?, ?) ON CONFLICT(scope, key) DO UPDATE SET value = excluded.value",
        (scope, key, json.dumps(value)),
    )


def delete_setting(conn: Connection, scope: str, key: str) -> bool:
    """Remove one value (back to the inherited one). Returns whether it existed."""
    return conn.execute("DELETE FROM setting WHERE scope = ? AND key = ?", (scope, key)).rowcount > 0
