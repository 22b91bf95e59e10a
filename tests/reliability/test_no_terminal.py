"""`srs review` and `srs quiz` without a terminal: a clear refusal, never a busy loop or a traceback.

From /dev/null the TUI once polled for keys forever at 70% CPU; with stdin closed it died with a
traceback. A deadline turns a hang into a failure. With a pseudo-terminal the TUI still opens.
"""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

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


def _read_until(fd: int, wanted: bytes, deadline: float) -> bytes:
    seen = b""
    while wanted not in seen:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
    return seen


def test_review_opens_in_a_terminal_and_quits_with_q(tmp_path: Path) -> None:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    env = {**os.environ, "SRS_DB": str(tmp_path / "srs.db"), "TERM": "xterm-256color"}
    child = subprocess.Popen([sys.executable, "-m", "srs", "review"], stdin=slave, stdout=subprocess.DEVNULL, stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    try:
        shown = _read_until(master, b"All decks", time.monotonic() + DEADLINE)
        assert b"All decks" in shown, shown[-2000:]
        os.write(master, b"q")
        _read_until(master, b"\x1b[?1049l", time.monotonic() + DEADLINE)  # keep draining: a full pty would block the child
        assert child.wait(timeout=DEADLINE) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(master)
