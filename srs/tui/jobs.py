"""DB work off the UI thread: a job runs in a thread worker and posts one message back."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from textual.dom import DOMNode
from textual.message import Message
from textual.worker import Worker

from srs.errors import SrsError


class JobFailed(Message):
    """A job raised; ``error`` is a message for the user (plain text, may quote user text)."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


def describe(exc: BaseException) -> str:
    """An exception as one line for the user."""
    if isinstance(exc, SrsError):
        return str(exc)
    if isinstance(exc, sqlite3.Error):  # the real cause (disk full, read-only, busy), not a bare SQLite message
        from srs.storage import db, default_db_path
        from srs.storage.failures import explain

        return explain(exc, db.last_opened or default_db_path())
    return f"{type(exc).__name__}: {exc}"


class JobDone(Message):
    """A job has ended (posted to the app after the job's own message): the app checkpoints once writing pauses."""


def start_job(node: DOMNode, job: Callable[[], Message], group: str = "db") -> Worker[None]:
    """Run ``job`` in a thread worker; post what it returns (or ``JobFailed``) to ``node``, then ``JobDone`` to the app."""
    app = node.app

    def run() -> None:
        try:
            message = job()
        except Exception as exc:  # shown to the user: a failed read or write must not kill the app
            message = JobFailed(describe(exc))
        node.post_message(message)
        app.post_message(JobDone())

    return node.run_worker(run, thread=True, group=group, exit_on_error=False)
