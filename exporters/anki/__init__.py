"""Anki export: the collection's finished, live cards as one ``.apkg`` that Anki imports cleanly.

The modules, in the order an export runs them:

- ``render``: card text -> safe HTML (CommonMark, Pygments, nothing of the user's becomes markup);
- ``render_cache``: every distinct text rendered once, reusing HTML kept in the collection;
- ``notetype``: the note type (fields, templates, CSS with night mode) and the fixed ids;
- ``apkg``: the package itself (genanki's collection layout, notes as bulk rows, atomic write);
- ``export``: ``export_anki``, which puts them together.
"""

from .export import AnkiExport, default_filename, export_anki

__all__ = ["AnkiExport", "default_filename", "export_anki"]
