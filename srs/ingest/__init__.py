"""``srs ingest``: study material in its common shapes becomes YAML deck files.

Shapes: quiz answer sheets (quiz.py), study notes (notes.py), question lists (questions.py) and answer keys
(answers.py); detect.py picks one, build.py gives the cards ids and sources, writer.py writes or merges the
deck file (yamlout.py emits the YAML, merge.py splices new cards into an existing file).

Ids are ``PREFIX/LOCAL``. LOCAL follows the bundled decks' scheme: ``quiz03-q07`` (quizzes numbered in file
order, items by their Qn), ``note-07``, ``qlist-042``, ``key-05``; when numbering restarts per section the
section is named too (``qlist-beginner-001``, ``key-s2-01``). PREFIX defaults to a slug of the file name
(``001_524f5d0acfacaac9.txt`` -> ``001-524f5d0acfacaac9``), so re-running on the same file gives the same ids
while two files, or a file and the bundled decks, never collide. ``--prefix NAME`` pins it (e.g. before
renaming the file); ``--prefix ""`` gives bare local ids. ``source`` is ``FILENAME#item`` (``#quiz03-q07``,
``#7``, ``#42``, ``#5``).

Deck names: ``--deck``, else the file's ``# title``, else its name. A quiz that gets a deck file of its own
(the only quiz written, or ``-o DIR/``) is ``NAME::NN quiz title``; several quizzes in one deck file keep
their titles as comments above their cards, and their topics as tags.

Items missing a side become drafts (``draft: true``, the side left empty). Writing into an existing deck
file adds only cards whose ids are new; the cards already there stay byte for byte as they were.
"""

from srs.ingest.build import IngestedFile, ingest_file, ingest_files, ingest_source, known_shapes
from srs.ingest.detect import detect
from srs.ingest.model import Finding, Shape
from srs.ingest.writer import DeckPlan, Written, plan_decks, render, write

__all__ = [
    "DeckPlan", "Finding", "IngestedFile", "Shape", "Written", "detect", "ingest_file", "ingest_files",
    "ingest_source", "known_shapes", "plan_decks", "render", "write",
]
