"""Hostile deck files: each gets a prompt, clear error (or loads as inert text); memory stays bounded."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from srs.decks import sync_paths
from srs.review import find_card
from tests.conftest import T0

MEMORY_LIMIT_KIB = 400 * 1024


def sync_cli(tmp_path, deck) -> subprocess.CompletedProcess:
    code = (
        "import resource, runpy, sys\n"
        "sys.argv = ['srs', 'sync', sys.argv[1]]\n"
        "try:\n    runpy.run_module('srs', run_name='__main__')\n"
        "finally:\n    print('maxrss', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    )
    env = {**os.environ, "SRS_DB": str(tmp_path / "srs.db")}
    return subprocess.run([sys.executable, "-c", code, str(deck)], capture_output=True, text=True, env=env, timeout=120)


def max_rss(result) -> int:
    return int(result.stderr.rsplit("maxrss ", 1)[1].split()[0])


HOSTILE = {
    "alias-bomb.yaml": ("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, c in zip("abcdefgh", "bcdefghi")), "1:4: error: YAML anchors"),
    "nested.yaml": ("deck: X\ncards:\n" + "".join("  " * i + "- \n" for i in range(1, 400)), "error:"),
    "flow-nested.yaml": ("deck: X\ncards: " + "[" * 5000 + "]" * 5000 + "\n", "error:"),
    "latin1.yaml": ("deck: X\ncards:\n  - id: a\n    front: caf\xe9\n    back: b\n".encode("latin-1"), "4:15: error: the file is not valid UTF-8"),
    "nul.yaml": ("deck: X\ncards:\n  - id: a\n    front: a\x00b\n    back: b\n", "4:13: error: control character U+0000"),
    "escape.yaml": ("deck: X\ncards:\n  - id: a\n    front: \x1b[2J\x1b]0;owned\x07\n    back: b\n", "4:12: error: control character U+001B"),
    "two-docs.yaml": ("deck: X\ncards: []\n---\ndeck: Y\ncards: []\n", "error: a deck file holds exactly one YAML document"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_gets_a_clear_error(tmp_path, name) -> None:
    content, expected = HOSTILE[name]
    deck = tmp_path / name
    deck.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = sync_cli(tmp_path, deck)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and expected in result.stderr, result.stderr
    assert max_rss(result) < MEMORY_LIMIT_KIB


@pytest.mark.slow
def test_fifty_megabyte_file_is_refused_without_reading_it(tmp_path) -> None:
    deck = tmp_path / "huge.yaml"
    with deck.open("w") as handle:
        handle.write("deck: X\ncards:\n")
        line = "  - {id: x, front: " + "a" * 900 + ", back: b}\n"
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(line)
    result = sync_cli(tmp_path, deck)
    assert result.returncode == 1 and "deck files are limited to 5 MiB" in result.stderr
    assert max_rss(result) < MEMORY_LIMIT_KIB


def test_markup_html_and_bidi_load_as_plain_text(store, write_deck) -> None:
    text = '"[bold]x[/] [@click=app.quit]quit[/] <script>alert(1)</script> <img src=x onerror=alert(1)> \\u202eevil"'
    deck = write_deck("h.yaml", f"deck: X\ncards:\n  - id: h\n    front: {text}\n    back: x[/]\n")
    sync_paths(store, [deck], now=T0)
    card = find_card(store, "h")
    assert card.front.startswith("[bold]x[/] [@click=app.quit]") and "<script>" in card.front and "\u202e" in card.front
    assert card.back == "x[/]"
