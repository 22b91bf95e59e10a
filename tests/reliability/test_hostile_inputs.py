"""Hostile input to `srs ingest`: lines hundreds of KiB long, made to trip backtracking patterns.

A numbered item followed by spaces once took 11 s at 30k characters (quadratic), so these lines
would take hours. Linear code reads each in well under a second. The work runs in a child
interpreter killed after a per-case deadline (a backtracking regex holds the GIL and cannot be
interrupted), then restarted on the remaining cases; the deadlines leave a loaded CI machine a
wide margin.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

import pytest

LINE = 256 * 1024
CASE_SECONDS = 30.0  # wall clock for one line through every parser (linear: well under a second)
CLI_SECONDS = 120.0

HOSTILE_LINES = {
    "numbered item then spaces": "1. x" + " " * LINE + "y",
    "plain text with inner spaces": "a" + " " * LINE + "b",
    "numbered item with tabs": "1. x" + "\t " * (LINE // 5) + "y",
    "heading of hashes": "###### " + "#" * LINE + " x",
    "numbered heading then spaces": "### 1. What" + " " * LINE + "?",
    "quiz item then spaces": "Q1: " + " " * LINE + "x",
    "row of stars": "*" * LINE,
    "dashes and spaces": "- " * (LINE // 2) + "x",
    "a topic keyword repeated": "gpu " * LINE,  # 1 MiB: blanking each mention by copying the text was quadratic in mentions
    "one long word": "1. " + "Q" * LINE + "?",
}

# For each case: every shape's parser (and detection) on the line, then the YAML for the result.
CHILD = r"""
import json, sys, time
from srs.ingest import Shape, ingest_source, plan_decks, render
from srs.ingest.text import source_from_bytes
cases = json.load(sys.stdin)
for name, line in cases.items():
    print(json.dumps(["start", name]), flush=True)
    data = ("# Hostile\n\n1. What?\n" + line + "\n\n### 2. Why?\n" + line + "\n").encode()
    began = time.process_time()
    for shape in [None, *Shape]:
        try:
            render(plan_decks([ingest_source(source_from_bytes("h", "h.txt", "h", data), shape)], None)[0])
        except Exception as exc:
            if type(exc).__module__.split(".")[0] != "srs":
                raise
    print(json.dumps(["done", name, time.process_time() - began]), flush=True)
"""


def _lines(stream, into: queue.Queue) -> None:
    for line in stream:
        into.put(line)
    into.put(None)


def _run_child(cases: dict[str, str]) -> dict[str, float | str]:
    """Run ``cases`` in one child; stop at the first case over ``CASE_SECONDS`` (killed) or at a crash."""
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    events: queue.Queue = queue.Queue()
    threading.Thread(target=_lines, args=(child.stdout, events), daemon=True).start()
    child.stdin.write(json.dumps(cases))
    child.stdin.close()
    results: dict[str, float | str] = {}
    current = next(iter(cases))
    while True:
        try:
            line = events.get(timeout=CASE_SECONDS * 2 if not results else CASE_SECONDS)  # the first case includes start-up
        except queue.Empty:
            child.kill()
            child.wait()
            results[current] = f"killed after {CASE_SECONDS:.0f} s (backtracking?)"
            return results
        if line is None:
            child.wait()
            if current not in results:
                results[current] = "the child died: " + child.stderr.read()[-2000:]
            return results
        event = json.loads(line)
        current = event[1]
        if event[0] == "done":
            results[current] = event[2]


@pytest.fixture(scope="module")
def parser_seconds() -> dict[str, float | str]:
    """CPU seconds per hostile line, or what went wrong; a case that hangs or crashes does not stop the others."""
    results: dict[str, float | str] = {}
    while len(results) < len(HOSTILE_LINES):
        results.update(_run_child({name: line for name, line in HOSTILE_LINES.items() if name not in results}))
    return results


@pytest.mark.parametrize("name", list(HOSTILE_LINES))
def test_each_hostile_line_reads_in_linear_time(parser_seconds: dict[str, float | str], name: str) -> None:
    seconds = parser_seconds[name]
    assert isinstance(seconds, float), f"{name}: {seconds}"


def test_cli_ingests_two_megabytes_of_hostile_lines(tmp_path: Path) -> None:
    lines = ["# Hostile", ""]
    for number, line in enumerate(HOSTILE_LINES.values(), start=1):
        lines += [f"{number}. What is case {number}?", line, ""]
    source = tmp_path / "hostile.txt"
    source.write_text("\n".join(lines), encoding="utf-8")
    assert 2_000_000 < source.stat().st_size < 5 * 1024 * 1024  # under ingest's 5 MiB limit
    env = {**os.environ, "SRS_DB": str(tmp_path / "srs.db")}
    try:
        result = subprocess.run(
            [sys.executable, "-m", "srs", "ingest", str(source), "-o", str(tmp_path / "out.yaml")],
            capture_output=True, text=True, env=env, timeout=CLI_SECONDS,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"srs ingest took over {CLI_SECONDS:.0f} s on 2 MB of hostile lines")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert (tmp_path / "out.yaml").stat().st_size > 2_000_000, result.stdout
