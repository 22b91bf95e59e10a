"""`srs review` and `srs quiz` without a terminal: a clear refusal, never a busy loop or a traceback.

From /dev/null the TUI once polled for keys forever at 70% CPU; with stdin closed it died with a
traceback. A deadline turns a hang into a failure. With a pseudo-terminal the TUI still opens.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reliability.terminal import Terminal

DEADLINE = 60.0


def _close_stdin() -> None:
    os.close(0)


def run_srs(args: list[str], tmp_path: Path, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "SRS_DB": str(tmp_path / "srs.db")}
    try:
        return subprocess.run([sys.executable, "-m", "srs", *args], capture_output=kwargs.pop("capture_output", True), text=True, env=env, timeout=DEADLINE, **kwargs)
    except subprocess.TimeoutExpired:
        pytest.fail(f"srs {' '.join(args)} still running after {DEADLINE:.0f} s (waiting for keys that never come?)")


@pytest.mark.parametrize("command", ["review", "quiz"])
@pytest.mark.parametrize("stdin", ["/dev/null", "closed"])
def test_full_screen_commands_refuse_without_a_terminal(tmp_path: Path, command: str, stdin: str) -> None:
    if stdin == "closed":
        result = run_srs([command], tmp_path, preexec_fn=_close_stdin)
    else:
        result = run_srs([command], tmp_path, stdin=subprocess.DEVNULL)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"srs: error: srs {command} needs a terminal: standard input is not one"), result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1


def test_review_refuses_when_its_screen_would_go_to_a_file(tmp_path: Path) -> None:
    """Textual draws on stderr: redirected to a file, the user would see nothing and the file would fill with escapes."""
    master, slave = os.openpty()
    try:
        result = run_srs(["review"], tmp_path, stdin=slave, capture_output=True)
    finally:
        os.close(master)
        os.close(slave)
    assert result.returncode == 1
    assert result.stderr.startswith("srs: error: srs review needs a terminal: standard error is not one"), result.stderr


def test_review_opens_in_a_terminal_and_quits_with_q(tmp_path: Path) -> None:
    terminal = Terminal(["review"], tmp_path / "srs.db")
    try:
        shown = terminal.wait_for("All decks", DEADLINE)
        assert b"All decks" in shown, shown[-2000:]
        terminal.press(b"q")
        assert terminal.wait_exit(DEADLINE) == 0
    finally:
        terminal.close()


@pytest.mark.parametrize("words", [["review"], ["review", "--deck", "PyTorch"], ["--db", "{db}", "review"]])
def test_a_refused_review_creates_no_collection(tmp_path: Path, words: list[str]) -> None:
    """The terminal is checked before the collection is opened: a refusal leaves no folder and no file behind."""
    db = tmp_path / "no" / "such" / "dir" / "x.db"
    env = {**os.environ, "SRS_DB": str(db)}
    args = [word.format(db=db) for word in words]
    result = subprocess.run([sys.executable, "-m", "srs", *args], stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env, timeout=DEADLINE)
    assert result.returncode == 1 and "needs a terminal" in result.stderr, result.stderr
    assert not (tmp_path / "no").exists()


def test_a_refused_review_through_typer_creates_no_collection(tmp_path: Path) -> None:
    db = tmp_path / "no" / "such" / "dir" / "x.db"
    from typer.testing import CliRunner

    from srs.cli import app

    result = CliRunner().invoke(app, ["review", "--db", str(db), "--tag", "x"])  # CliRunner's stdin is no terminal
    assert "needs a terminal" in str(result.exception), result.output
    assert not (tmp_path / "no").exists()
