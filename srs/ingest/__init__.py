"""``srs ingest``: study material in its common shapes becomes YAML deck files.

Shapes: quiz answer sheets (quiz.py), study notes (notes.py), question lists (questions.py) and answer keys
(answers.py); detect.py picks one, build.py gives the cards ids and sources, writer.py writes or merges the
deck file (yamlout.py emits the YAML, merge.py splices new cards into an existing file).
"""

from srs.ingest.build import IngestedFile, ingest_file, ingest_files, ingest_source, known_shapes
from srs.ingest.detect import detect
from srs.ingest.model import Finding, Shape
from srs.ingest.writer import DeckPlan, Written, plan_decks, render, write

__all__ = [
    "DeckPlan", "Finding", "IngestedFile", "Shape", "Written", "detect", "ingest_file", "ingest_files",
    "ingest_source", "known_shapes", "plan_decks", "render", "write",
]
