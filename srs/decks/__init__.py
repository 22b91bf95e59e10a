"""YAML deck files: strict loading (``load``), discovery and sync into the store (``sync``), the bundled decks (``bundled``)."""

__all__ = ["bundled_decks_dir", "check_paths", "discover", "load_deck_file", "parse_deck", "refresh_bundled", "sync_paths"]

# Each name is imported when first asked for: start-up checks the bundled decks (``bundled``) without
# importing ``sync`` or PyYAML (``load``).
_HOMES = {
    "bundled_decks_dir": "bundled",
    "check_paths": "sync",
    "discover": "sync",
    "refresh_bundled": "sync",
    "sync_paths": "sync",
    "load_deck_file": "load",
    "parse_deck": "load",
}


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"{__name__}.{home}"), name)
