"""YAML deck files: strict loading (``load``), discovery and sync into the store (``sync``)."""

from srs.decks.load import load_deck_file, parse_deck
from srs.decks.sync import bundled_decks_dir, check_paths, discover, refresh_bundled, sync_paths

__all__ = ["bundled_decks_dir", "check_paths", "discover", "load_deck_file", "parse_deck", "refresh_bundled", "sync_paths"]
