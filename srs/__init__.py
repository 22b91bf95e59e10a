"""srs: spaced-repetition flashcards in the terminal.

The package reads like a map of the product:

- ``model``       plain dataclasses shared by every layer
- ``storage``     SQLite through the standard sqlite3 module: schema, migrations, backups, queries
- ``decks``       YAML deck files: strict loading, validation, sync into the store
- ``scheduling``  FSRS as a pure function of (state, rating, now, seed)
- ``review``      today's queue, answering, undo, bury, suspend
- ``stats``       progress figures
- ``ingest``      study material to YAML decks
- ``cli``         the ``srs`` command (thin wrappers)
- ``tui``         the Textual app
"""

__version__ = "0.1.0"
