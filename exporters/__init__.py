"""Exporters: the collection's cards in other apps' formats (Anki ``.apkg`` via genanki)."""

from .anki import AnkiExport, default_filename, export_anki

__all__ = ["AnkiExport", "default_filename", "export_anki"]
