"""The only layer that knows SQL: schema, migrations, backups and queries."""

from srs.storage.db import Store, default_db_path, open_store

__all__ = ["Store", "default_db_path", "open_store"]
