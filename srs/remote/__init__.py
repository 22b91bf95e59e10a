"""Several devices, one collection (``srs remote``): a shared store of events, and the merge.

``models`` and ``store`` talk to the shared store through SQLAlchemy; ``merge`` and ``sync`` work on the
local SQLite collection; ``status`` (last sync, events waiting) reads only the local collection. Only the ``srs remote`` commands (and ``srs review`` with autosync) import this
package, so the local commands never load SQLAlchemy for it.
"""
