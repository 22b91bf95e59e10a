"""YAML deck files: strict loading (``load``), discovery and sync into the store (``sync``), the bundled decks (``bundled``)."""

from srs.lazy import lazy_names

__all__ = ["bundled_decks_dir", "check_paths", "discover", "load_deck_file", "parse_deck", "refresh_bundled", "sync_paths"]

# Each name is imported when first asked for: start-up checks the bundled decks (``bundled``) without
# importing ``sync`` or PyYAML (``load``).
__getattr__ = lazy_names(
    __name__,
    {
        "bundled_decks_dir": "srs.decks.bundled",
        "check_paths": "srs.decks.sync",
        "discover": "srs.decks.sync",
        "refresh_bundled": "srs.decks.sync",
        "sync_paths": "srs.decks.sync",
        "load_deck_file": "srs.decks.load",
        "parse_deck": "srs.decks.load",
    },
)
