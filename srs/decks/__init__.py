"""YAML deck files: strict loading (``load``), discovery and sync into the store (``sync``)."""

from srs.decks.sync import bundled_decks_dir, check_paths, discover, refresh_bundled, sync_paths

__all__ = ["bundled_decks_dir", "check_paths", "discover", "load_deck_file", "parse_deck", "refresh_bundled", "sync_paths"]


def __getattr__(name: str):
    # ``load`` (and PyYAML) is imported when first asked for: start-up only checks the bundled decks' hashes.
    if name in ("load_deck_file", "parse_deck"):
        from srs.decks import load

        return getattr(load, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
