"""Running srs in a pseudo-terminal, as a user in a terminal would: read the screen, press keys."""

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


def read_until(fd: int, wanted: bytes, seconds: float) -> bytes:
    """What the terminal shows until ``wanted`` appears, the program closes it, or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    seen = b""
    while wanted not in seen:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the program closed the terminal
                break
            if not chunk:
                break
            seen += chunk
    return seen


class Terminal:
    """``srs ARGS`` on a 100x30 pseudo-terminal (stdin and stderr, where Textual reads and draws)."""

    def __init__(self, args: list[str], db: Path) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        env = {**os.environ, "SRS_DB": str(db), "TERM": "xterm-256color"}
        self.child = subprocess.Popen([sys.executable, "-m", "srs", *args], stdin=slave, stdout=subprocess.DEVNULL, stderr=slave, env=env, start_new_session=True)
        os.close(slave)

    def wait_for(self, text: str, seconds: float) -> bytes:
        return read_until(self.master, text.encode(), seconds)

    def press(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def wait_exit(self, seconds: float) -> int | None:
        """The exit status, or None if still running after ``seconds`` (the screen is drained meanwhile:
        a full terminal buffer would block the program)."""
        deadline = time.monotonic() + seconds
        while self.child.poll() is None and time.monotonic() < deadline:
            read_until(self.master, b"\x00never\x00", min(0.2, max(0.0, deadline - time.monotonic())))
        return self.child.poll()

    def close(self) -> None:
        if self.child.poll() is None:
            self.child.kill()
            self.child.wait()
        os.close(self.master)
