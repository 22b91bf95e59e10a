"""The console script (srs.entry): a plain `srs review` skips typer; every other command line is typer's, unchanged."""

from __future__ import annotations

import subprocess
import sys

import pytest

from srs.entry import review_options


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["review"], {"global_db": None, "db": None, "deck": None, "tag": None}),
        (["review", "--deck", "PyTorch::Basics", "--tag=leech"], {"global_db": None, "db": None, "deck": "PyTorch::Basics", "tag": "leech"}),
        (["--db", "a.db", "review", "--db=b.db"], {"global_db": "a.db", "db": "b.db", "deck": None, "tag": None}),
        (["--db=~/c.db", "review", "--tag", "x y"], {"global_db": "~/c.db", "db": None, "deck": None, "tag": "x y"}),
    ],
)
def test_a_plain_review_is_read_without_typer(args, expected) -> None:
    assert review_options(args) == expected


@pytest.mark.parametrize(
    "args",
    [
        [], ["due"], ["--json", "review"], ["--version"], ["review", "--help"], ["review", "-h"], ["review", "extra"],
        ["review", "--deck"], ["review", "--deck", "--tag", "x"], ["review", "--deck="], ["review", "--deck", "A", "--deck", "B"],
        ["review", "--json"], ["review", "--"], ["--db", "a.db"], ["--tag", "x", "review"], ["quiz", "--deck", "A"],
    ],
)
def test_every_other_command_line_goes_to_typer(args) -> None:
    assert review_options(args) is None


def run(entry: str, args: list[str], tmp_path) -> subprocess.CompletedProcess:
    """``srs ARGS`` in a fresh process through ``entry`` (``srs.entry`` or ``srs.cli``), with no terminal."""
    code = f"import sys; sys.argv = ['srs', *{args!r}]; from {entry} import main; main()"
    env = {"SRS_DB": str(tmp_path / "s.db"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize(
    "args",
    [
        ["review"],  # no terminal: the same refusal
        ["review", "--deck", "No such deck"],  # an unknown deck: the same error
        ["review", "--help"],  # typer's help
        ["review", "--deck"],  # typer's usage error
        ["--json", "review"],  # the global options' check
    ],
)
def test_review_says_the_same_through_the_console_script_as_through_typer(args, tmp_path) -> None:
    fast, typer_path = run("srs.entry", args, tmp_path), run("srs.cli", args, tmp_path)
    assert (fast.returncode, fast.stdout, fast.stderr) == (typer_path.returncode, typer_path.stdout, typer_path.stderr)
    assert fast.returncode != 0 or args == ["review", "--help"]


def test_a_plain_review_imports_no_typer_and_runs_the_review(tmp_path) -> None:
    db = tmp_path / "s.db"
    code = (
        "import sys\n"
        "import srs.launch\n"
        "srs.launch.require_terminal = lambda command: None\n"
        "srs.launch.run_review = lambda store, deck, tag: print('review', store.path.name, deck, tag, "
        "[m for m in ('typer', 'click', 'srs.cli') if m in sys.modules])\n"
        f"sys.argv = ['srs', 'review', '--db', {str(db)!r}, '--deck', 'PyTorch']\n"
        "from srs.entry import main\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "review s.db PyTorch None []"


def test_shell_completion_is_typer_s_even_on_a_review_command_line(tmp_path) -> None:
    code = (
        "import sys, srs.cli\n"
        "srs.cli.main = lambda argv=None: (print('typer', argv), sys.exit(0))\n"
        "sys.argv = ['srs', 'review']\n"
        "from srs.entry import main\n"
        "main()\n"
    )
    env = {"_SRS_COMPLETE": "bash_complete", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SRS_DB": str(tmp_path / "s.db")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)
    assert result.stdout.strip() == "typer None", result.stderr
