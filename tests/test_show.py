"""`srs show` and `srs config` as text: aligned, indented, rounded."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from typer.testing import CliRunner

from srs.cli import app
from srs.decks import sync_paths
from srs.model import Rating
from srs.review import answer, find_card
from srs.storage import open_store
from tests.conftest import T0

DECK = """\
deck: Show
cards:
  - id: s0
    front: |-
      First line of the front
      second line of the front
    back: |-
      ```python
      x = torch.zeros(2, 3)  # a long line of code that must never be wrapped by srs show, whatever the width is
      ```
    extra: A long explanation that goes on and on, far past the width of a narrow terminal, so that it has to wrap somewhere.
"""


def srs(db: Path, *args: str, columns: int = 60) -> str:
    result = CliRunner().invoke(app, [*args, "--db", str(db)], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    return result.output


def collection(tmp_path: Path, write_deck) -> Path:
    db = tmp_path / "show.db"
    store = open_store(db)
    try:
        sync_paths(store, [write_deck("s.yaml", DECK)], now=T0)
        answer(store, find_card(store, "s0").id, Rating.HARD, T0)
        answer(store, find_card(store, "s0").id, Rating.GOOD, T0 + timedelta(minutes=10))
    finally:
        store.close()
    return db


def test_show_indents_every_later_line_of_a_field_under_its_first(tmp_path: Path, write_deck) -> None:
    lines = srs(collection(tmp_path, write_deck), "show", "s0").splitlines()
    column = lines[0].index(":") + 2
    assert all(line.index(": ") + 2 == column for line in lines if not line.startswith(" " * column) and ": " in line[:column])
    front = lines.index(next(line for line in lines if "front:" in line))
    assert lines[front + 1] == " " * column + "second line of the front"
    code = next(line for line in lines if "x = torch.zeros" in line)
    assert code.startswith(" " * column) and code.endswith("whatever the width is")  # code is never wrapped
    extra = lines.index(next(line for line in lines if "extra:" in line))
    tags = lines.index(next(line for line in lines if "tags:" in line))
    assert tags - extra >= 2  # the long extra was wrapped to the terminal...
    for line in lines[extra:tags]:
        assert len(line) <= 60 and (line is lines[extra] or line.startswith(" " * column + line.strip()[:1]))  # ...each piece under the first


def test_show_json_rounds_stability_and_difficulty_alike(tmp_path: Path, write_deck) -> None:
    data = json.loads(srs(collection(tmp_path, write_deck), "show", "s0", "--json"))
    for key in ("stability", "difficulty_fsrs"):
        assert data[key] == round(data[key], 4) and len(repr(data[key]).split(".")[1]) <= 4


def test_config_lists_the_parameters_under_the_table(tmp_path: Path, write_deck) -> None:
    from srs.settings import DESCRIPTIONS

    out = srs(collection(tmp_path, write_deck), "config", columns=120)
    rows = {line[2:].split()[0]: line for line in out.splitlines() if line[2:].split()[:1] and line[2:].split()[0] in DESCRIPTIONS}
    assert set(rows) == set(DESCRIPTIONS)
    for name, line in rows.items():  # every description starts in one column: no value pushes it along
        assert line.index(DESCRIPTIONS[name]) == 34, line
    assert rows["parameters"].split()[1:3] == ["21", "below"]
    numbers = [line.split() for line in out.split("parameters:\n")[1].splitlines()[:3]]
    assert [len(line) for line in numbers] == [7, 7, 7]
