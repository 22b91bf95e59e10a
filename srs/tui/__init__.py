"""The Textual review app (``srs review``). Only this package and ``srs.cli`` import textual."""
