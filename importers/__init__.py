"""Importers: other apps' collections -> srs deck files and review history."""
