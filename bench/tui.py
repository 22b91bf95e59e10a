"""TUI latency at 100k cards: launch to first card on screen, and key press to next card.

A synthetic collection is built once per study day and cached in bench/out/ (gitignored): 100,000 cards in 10
decks under "Bench" (30k new, 1k learning, 69k review with due dates spread over 420 days, so ~3k are due
today) and about 140k review-log rows, with the bundled cards' own texts (code fences, lists, long extras).
It is built through the storage layer's own functions (sync_store.insert_cards, review_store.record_answer).
Each run works on a copy.

Measured, headless (App.run_test, 100x30), with the real clock, the garbage collector paused for start-up as
`srs review` pauses it (the app resumes it with the first card and freezes what start-up made, so later full
collections skip it: without that, as this bench ran before 2026-12-06, they took up to 50-66 ms where `srs review`'s
take 12-27 ms, and answer p99 read 76-83 ms where it is 48-59). Keys go in through the headless driver, as
Pilot.press sends them, without Pilot's wait for the whole process to go idle (that would time the harness):
- launch: SrsApp construction + run_test until the first card is on screen (`srs review --deck/--tag` opens
  the review screen at once; the bench studies all decks that way), cold (first) and warm (median of the rest);
  and until the deck list (home) has its counts;
- answer latency: key press to the next card rendered (its Markdown mounted and the screen refreshed), over
  200 answers (Good, with Again every 10th so learning cards come back); the reveal too. Each twice: until the
  screen has settled (the headline), and until the first frame written (`App._display`) that shows the change.
  They differ because Textual lays the screen out twice: the first layout sets new sizes (the card fields'
  virtual size, the back and extra shown on reveal), each asking for another layout, which waits for the next
  frame tick. The first frame already holds the card (checked on 2026-12-06 by comparing the whole screen's
  text after the two frames); the second repaints it the same (a card that grows a scrollbar gets the thumb in
  the column the card view keeps for it);
- the durable write alone (Session.answer: state + log, fsynced), which is why answers run in a thread worker.
Aims: first card < 0.6 s, answer p99 < 50 ms.

Cold start in a real terminal (issue 15): fresh processes on a pseudo-terminal (100x30, TERM=xterm-256color),
interleaved, median wall and CPU of each:
- `srs due` until it exits (its whole listing printed);
- `srs review --deck Bench` until the first card is on the terminal: its timer "0:00 / 0:" and the first line of
  its front as srs renders it (the card the queue gives first, found by the bench before each run);
- the same on the day's first run, when today's backup is due (its copies are set aside for each such run): the
  backup is made in the background once the screen is up, so this is the first card's time too;
- the floor: `python -c 'import textual.app'` plus opening the collection with sqlite3 (a query on it), until exit;
- for scale, a bare Textual app (the same open, then one Static drawn) until its line is on the terminal;
in a new (seeded) order each round;
on the 100k-card collection and on a new user's collection (the bundled decks, as `make run` makes it).
Aim: each <= 1.1x the floor, judged on the median of the rounds' own ratios: round i of every command runs back
to back, so a round's ratio is free of the machine's drift between rounds (medians of 15 rounds of two identical
commands differed by up to 8% in one run here; the medians' ratio is printed too).

Run: .venv/bin/python bench/tui.py [--rebuild] [--answers 200] [--launches 5] [--cold 30] [--cold-only]
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import json
import os
import pty
import random
import re
import select
import signal
import shutil
import statistics
import struct
import subprocess
import sys
import termios
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A user's installed srs runs from cached bytecode; an environment that forbids writing it (this sandbox sets
# PYTHONDONTWRITEBYTECODE) would have every fresh process compile srs's ~50 modules again (~0.1-0.3 s).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.path.insert(0, str(ROOT))

from textual import events  # noqa: E402

from srs.clock import day_bounds, local_zone  # noqa: E402
from srs.decks import bundled_decks_dir, check_paths  # noqa: E402
from srs.gcpause import pause_for_startup  # noqa: E402
from srs.model import Flags, MemoryState, Rating, Scope, State  # noqa: E402
from srs.review import Session  # noqa: E402
from srs.storage import open_store  # noqa: E402
from srs.storage.connection import PAGE_SIZE  # noqa: E402
from srs.storage import review_store, sync_store  # noqa: E402
from srs.tui.app import SrsApp  # noqa: E402
from srs.tui.screens.decks import DecksScreen  # noqa: E402
from srs.tui.screens.review import ReviewScreen  # noqa: E402

OUT = ROOT / "bench" / "out"
PRISTINE, WORK = OUT / "tui-100k.db", OUT / "tui-work.db"
META = OUT / "tui-100k.json"
FORMAT = 1
CARDS, DECKS, NEW, LEARNING = 100_000, 10, 30_000, 1_000
UTC = timezone.utc
SIZE = (100, 30)


def texts() -> list[tuple[str, str, str, tuple[str, ...], str | None]]:
    loaded = check_paths([bundled_decks_dir()])
    return [(c.front, c.back, c.extra, c.tags, c.difficulty) for deck in loaded.decks for c in deck.cards if not c.draft]


def build(path: Path, now: datetime) -> None:
    """The synthetic collection, through the storage functions, in one transaction."""
    for old in OUT.glob(path.name + "*"):
        old.unlink()
    rng = random.Random(20260302)
    pool = texts()
    start, _ = day_bounds(now, UTC, 4)
    store = open_store(path)
    with store.write() as conn:
        deck_ids = sync_store.ensure_decks(conn, {f"Bench::Deck {d}": "generated" for d in range(DECKS)})
        rows, history = [], []
        for i in range(CARDS):
            front, back, extra, tags, difficulty = pool[i % len(pool)]
            row = {
                "uid": f"bench-{i}", "deck_id": deck_ids[f"Bench::Deck {i % DECKS}"], "origin": f"/bench/deck{i % DECKS}.yaml",
                "line": i, "position": i // DECKS, "front": f"{front}\n\n(card {i})", "back": back, "extra": extra,
                "tags": " " + " ".join(tags) + " ", "difficulty": difficulty, "sources": "", "draft": False, "retired": False,
                "content_hash": f"h{i}", "created_at": start - timedelta(days=500), "state": 0, "reps": 0, "lapses": 0,
            }
            if i >= NEW:
                learning = i < NEW + LEARNING
                last = start - timedelta(days=rng.randint(1, 60) if not learning else 1, seconds=rng.randint(0, 80_000))
                due = now + timedelta(minutes=rng.randint(-600, 300)) if learning else start + timedelta(days=rng.randint(-20, 400), hours=rng.randint(6, 20))
                memory = MemoryState(State.LEARNING if learning else State.REVIEW, 0 if learning else None,
                                     rng.uniform(0.5, 2) if learning else rng.lognormvariate(3, 1.2), rng.uniform(1, 10), due, last, 2, 0)
                row.update(state=int(memory.state), step=memory.step, stability=memory.stability, fsrs_difficulty=memory.difficulty,
                           due=memory.due, last_review=memory.last_review, reps=memory.reps)
                history.append((i + 1, memory))
            rows.append(row)
        sync_store.insert_cards(conn, rows)
        for card_id, memory in history:
            first = MemoryState(State.LEARNING, 0, memory.stability, memory.difficulty, memory.last_review - timedelta(days=3),
                                memory.last_review - timedelta(days=4), 1, 0)
            review_store.record_answer(conn, card_id, Rating.GOOD, memory.last_review - timedelta(days=4), 8000, MemoryState(), Flags(), first, Flags())
            review_store.record_answer(conn, card_id, Rating.GOOD, memory.last_review, 6000, first, Flags(), memory, Flags())
    store.close()


def prepare(rebuild: bool) -> datetime:
    OUT.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    wanted = {"format": FORMAT, "day": day_bounds(now, UTC, 4)[0].isoformat(), "page_size": PAGE_SIZE}
    meta = json.loads(META.read_text()) if META.exists() else {}
    if rebuild or meta != wanted or not PRISTINE.exists():
        started = time.perf_counter()
        build(PRISTINE, now)
        META.write_text(json.dumps(wanted))
        print(f"built {CARDS:,} cards in {time.perf_counter() - started:.1f} s (cached in {PRISTINE.relative_to(ROOT)})")
    return now


def fresh_copy() -> Path:
    for old in OUT.glob(WORK.name + "*"):
        old.unlink()
    shutil.copyfile(PRISTINE, WORK)
    return WORK


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def until(condition, timeout: float = 30.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise RuntimeError("timed out")
        await asyncio.sleep(0.0002)


async def launch_once(path: Path) -> tuple[float, float]:
    """(ms to open the store, ms from App construction to the first card on screen)."""
    started = time.perf_counter()
    store = open_store(path)
    opened = time.perf_counter()
    pause_for_startup()  # as `srs review` does: the app resumes and freezes once its first card is up
    app = SrsApp(store, Scope(), zone=UTC)
    async with app.run_test(size=SIZE) as _pilot:
        await until(lambda: isinstance(app.screen, ReviewScreen) and app.screen.card_serial >= 1)
        first = time.perf_counter()
    store.close()
    return (opened - started) * 1000, (first - opened) * 1000


async def deck_list_once(path: Path) -> float:
    """ms from App construction (no scope: the home screen) to the deck list filled in."""
    store = open_store(path)
    started = time.perf_counter()
    pause_for_startup()  # as `srs review` does
    app = SrsApp(store, zone=UTC)
    async with app.run_test(size=SIZE) as _pilot:
        await until(lambda: isinstance(app.screen, DecksScreen) and app.screen.data is not None)
        loaded = time.perf_counter()
    store.close()
    return (loaded - started) * 1000


def press(app: SrsApp, key: str) -> None:
    """Send one key as the terminal driver would. (Pilot.press also waits for the whole process to go idle,
    which would time the harness rather than the app.)"""
    app._driver.send_message(events.Key(key, " " if key == "space" else key))


async def rendered(app: SrsApp) -> None:
    """Until the screen has been refreshed after the change."""
    done = asyncio.Event()
    app.screen.call_after_refresh(done.set)
    await done.wait()


class Frames:
    """When the app wrote each frame (``App._display``), with the review screen's phase and step at that moment."""

    def __init__(self, app: SrsApp) -> None:
        self.log: list[tuple[float, str, object]] = []
        write = app._display

        def display(screen, renderable) -> None:  # noqa: ANN001 (Textual's signature)
            write(screen, renderable)
            self.log.append((time.perf_counter(), getattr(screen, "phase", ""), getattr(screen, "step", None)))

        app._display = display

    def first_since(self, started: float, shows) -> float:  # noqa: ANN001
        """ms from ``started`` to the first frame written since then for which ``shows(phase, step)`` holds."""
        return next((at - started) * 1000 for at, phase, step in self.log if at >= started and shows(phase, step))


async def answer_latencies(path: Path, answers: int) -> tuple[dict[str, list[float]], int]:
    """Per answer: key press to next card on screen; per reveal: key press to the answer side on screen. Each as the
    first frame that shows it, and as the screen settled (Textual's second layout pass done: see the module doc).
    Also the size of today's queue."""
    store = open_store(path)
    pause_for_startup()  # as `srs review` does
    app = SrsApp(store, Scope(), zone=UTC)
    frames = Frames(app)
    times: dict[str, list[float]] = {"answer": [], "answer_first": [], "reveal": [], "reveal_first": []}
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: isinstance(app.screen, ReviewScreen) and app.screen.card_serial >= 1)
        screen = app.screen
        queue_size = screen.step.counts.total
        for n in range(answers):
            await pilot.pause(0.01)  # a reader: the card is on screen for a moment
            started = time.perf_counter()
            press(app, "space")
            await until(lambda: screen.phase == "answer")
            await rendered(app)
            times["reveal"].append((time.perf_counter() - started) * 1000)
            times["reveal_first"].append(frames.first_since(started, lambda phase, _step: phase == "answer"))
            before, shown = screen.card_serial, screen.step
            started = time.perf_counter()
            press(app, "1" if n % 10 == 0 else "3")
            await until(lambda: screen.card_serial > before or screen.phase == "done")
            times["answer"].append((time.perf_counter() - started) * 1000)
            if screen.phase == "done":
                break
            times["answer_first"].append(frames.first_since(started, lambda phase, step: phase == "question" and step is not shown))
    store.close()
    return times, queue_size


def write_latencies(path: Path, count: int = 100) -> list[float]:
    """Session.answer alone (the durable write the worker does)."""
    store = open_store(path)
    session = Session(store, Scope(), UTC)
    samples = []
    for n in range(count):
        now = datetime.now(UTC)
        card = session.current(now)
        if card is None:
            break
        started = time.perf_counter()
        session.answer(card.id, Rating.GOOD if n % 10 else Rating.AGAIN, now, 5000)
        samples.append((time.perf_counter() - started) * 1000)
    store.close()
    return samples


def import_ms() -> float:
    """A fresh interpreter importing the CLI and the TUI (what `srs review` pays before the app starts)."""
    code = "import time; t = time.perf_counter(); import srs.cli, srs.tui.app; print((time.perf_counter() - t) * 1000)"
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout) for _ in range(3)]
    return statistics.median(runs)


ESCAPES = re.compile(rb"\x1b(\[[0-9;?<=>]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")
FIRST_CARD = "0:00 / 0:".encode()  # the card timer, drawn in the same refresh as the card


def first_card_line(path: Path, deck: str) -> bytes:
    """The start of the first line the first card of ``deck`` shows on the terminal (rendered as srs renders it)."""
    from srs.decks.cloze import card_kind
    from srs.tui.widgets.card_view import markdown, render_strips
    from srs.tui.widgets.cloze import END, START, cloze_source

    store = open_store(path)
    try:
        now = datetime.now(UTC)
        card = Session(store, Scope(deck=deck), local_zone(), now).current(now)  # srs review's own zone
    finally:
        store.close()
    assert card is not None, f"no card due in {deck}"
    ordinal = card_kind(card.uid).ordinal
    text = card.front if ordinal is None else cloze_source(card.front, ordinal, False).replace(START, "").replace(END, "")
    width = SIZE[0] - 6  # the card view's margins, border and padding
    from rich.style import Style

    lines = ["".join(segment.text for segment in strip).strip() for strip in render_strips(markdown(text), width, Style())]
    first = next(line for line in lines if line)
    return first[:24].strip().encode()


def on_terminal(argv: list[str], env: dict[str, str], marker: bytes | tuple[bytes, ...] | None, timeout: float = 60.0) -> tuple[float, float]:
    """(wall s, CPU s) of a fresh process on a new pseudo-terminal: until ``marker`` is on screen (all of them, if
    several), or until it exits."""
    markers = (marker,) if isinstance(marker, bytes) else marker
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: a 100x30 terminal, then the command
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
        os.execve(argv[0], argv, env)
    screen, elapsed = b"", None
    try:
        while elapsed is None:
            if time.perf_counter() - started > timeout:
                raise RuntimeError(f"{argv} showed nothing in {timeout} s: {ESCAPES.sub(b'', screen)[-400:]!r}")
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the child exited and closed the terminal
                chunk = b""
            if not chunk:
                if markers is not None:
                    raise RuntimeError(f"{argv} exited before showing {markers!r}: {ESCAPES.sub(b'', screen)[-400:]!r}")
                elapsed = time.perf_counter() - started
                break
            screen += chunk
            if markers is not None:
                shown = ESCAPES.sub(b"", screen)
                if all(one in shown for one in markers):
                    elapsed = time.perf_counter() - started
    finally:
        if markers is not None:
            os.kill(pid, signal.SIGKILL)  # nothing was answered: nothing to lose
        _, status, usage = os.wait4(pid, 0)
        os.close(fd)
    if markers is None and os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{argv} failed: {ESCAPES.sub(b'', screen)[-400:]!r}")
    return elapsed, usage.ru_utime + usage.ru_stime


def cold_starts(path: Path, deck: str, runs: int) -> dict[str, list[tuple[float, float]]]:
    """(wall s, CPU s) of each round of `srs due`, `srs review` to the first card, the floor and the bare app, interleaved:
    round i of every command ran back to back."""
    python, srs = str(ROOT / ".venv" / "bin" / "python"), str(ROOT / ".venv" / "bin" / "srs")
    env = {**os.environ, "SRS_DB": str(path), "TERM": "xterm-256color", "COLUMNS": str(SIZE[0]), "LINES": str(SIZE[1])}
    floor = (
        "import textual.app, sqlite3, sys\n"
        "conn = sqlite3.connect(sys.argv[1]); conn.execute('SELECT count(*) FROM sqlite_master').fetchone(); conn.close()"
    )
    textual_app = (
        "import sqlite3, sys\n"
        "from textual.app import App\n"
        "from textual.widgets import Static\n"
        "conn = sqlite3.connect(sys.argv[1]); conn.execute('SELECT count(*) FROM sqlite_master').fetchone(); conn.close()\n"
        "class Shown(App):\n"
        "    def compose(self):\n"
        "        yield Static('0:00 / 0:20')\n"
        "Shown().run()"
    )
    commands = {
        "floor": ([python, "-c", floor, str(path)], None),
        "textual app": ([python, "-c", textual_app, str(path)], FIRST_CARD),
        "srs due": ([srs, "due"], None),
        "srs review": ([srs, "review", "--deck", deck], FIRST_CARD),
        "srs review, backup due": ([srs, "review", "--deck", deck], FIRST_CARD),
    }
    backups = path.parent / "backups" / path.name
    aside = backups.with_name(backups.name + ".aside")

    def run(name: str, argv: list[str], marker: bytes | None) -> tuple[float, float]:
        if name != "srs review, backup due":
            return on_terminal(argv, env, marker_of(name, marker))
        # The day's first command finds no backup from today: this collection's copies are set aside for the run
        # (and put back after it, so that the other commands find today's).
        if backups.exists():
            backups.rename(aside)
        try:
            return on_terminal(argv, env, marker_of(name, marker))
        finally:
            shutil.rmtree(backups, ignore_errors=True)
            if aside.exists():
                aside.rename(backups)

    def marker_of(name: str, marker: bytes | None) -> bytes | tuple[bytes, ...] | None:
        # The queue can change between runs (learning cards fall due), so the card is looked up each time.
        return (marker, first_card_line(path, deck)) if name.startswith("srs review") else marker

    for name, (argv, marker) in commands.items():  # warm-up: page cache, .pyc files, the once-a-day backup
        run(name, argv, marker)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    order, shuffle = list(commands), random.Random(15).shuffle
    for _ in range(runs):
        # A new order each round: in a fixed one, `srs review` always ran right after `srs due`, and its median and
        # that of the identical run which followed it ("backup due", up to its first card) differed by up to 12%.
        shuffle(order)
        for name in order:
            argv, marker = commands[name]
            samples[name].append(run(name, argv, marker))
    return samples


def bundled_collection() -> Path:
    """A new user's collection: the bundled decks, as the first `srs` run makes it."""
    path = OUT / "tui-bundled.db"
    for old in OUT.glob(path.name + "*"):
        old.unlink()
    subprocess.run([str(ROOT / ".venv" / "bin" / "srs"), "--db", str(path)], capture_output=True, check=True)
    return path


def print_cold(runs: int) -> None:
    print(f"cold start on a {SIZE[0]}x{SIZE[1]} pseudo-terminal, medians of {runs} interleaved fresh processes "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: other work on the machine shows in wall time)")
    print("  ratio: the median of each round's own ratio (command / floor, run back to back), with the middle half of "
          "the rounds' ratios; the aim (<= 1.1x) is judged on it")
    for label, path, deck in (("100k cards", fresh_copy(), "Bench"), ("bundled decks", bundled_collection(), "PyTorch")):
        rounds = cold_starts(path, deck, runs)
        got = {name: (statistics.median(w for w, _ in samples), statistics.median(c for _, c in samples)) for name, samples in rounds.items()}
        floor_wall, floor_cpu = got["floor"]
        print(f"  {label}: floor (import textual.app + sqlite3 open) {floor_wall * 1000:.0f} ms wall, {floor_cpu * 1000:.0f} ms CPU")
        for name in ("textual app", "srs due", "srs review", "srs review, backup due"):
            wall, cpu = got[name]
            ratios = sorted(mine[0] / floor[0] for mine, floor in zip(rounds[name], rounds["floor"]))
            paired, low, high = statistics.median(ratios), percentile(ratios, 25), percentile(ratios, 75)
            what = {"textual app": "for scale, a bare Textual app (the same open, then one line drawn) to its line",
                    "srs due": "srs due to exit"}.get(name, f"{name} to the first card")
            verdict = "" if name == "textual app" else (" (OK)" if paired <= 1.1 else " (OVER the 1.1x aim)")
            print(f"    {what}: {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU; {paired:.2f}x floor{verdict}, "
                  f"middle half {low:.2f}-{high:.2f}x; medians' ratio {wall / floor_wall:.2f}x wall, {cpu / floor_cpu:.2f}x CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached 100k-card collection")
    parser.add_argument("--answers", type=int, default=200, help="answers to time (default 200)")
    parser.add_argument("--launches", type=int, default=5, help="launches to time (default 5)")
    parser.add_argument("--cold", type=int, default=30, help="cold starts on a terminal to time, each command (default 30; 0: none)")
    parser.add_argument("--cold-only", action="store_true", help="only the cold starts")
    args = parser.parse_args()
    prepare(args.rebuild)
    if args.cold > 0:
        print_cold(args.cold)
    if args.cold_only:
        return

    path = fresh_copy()
    launches = [asyncio.run(launch_once(path)) for _ in range(args.launches)]
    open_ms = [o for o, _ in launches]
    first_ms = [f for _, f in launches]
    deck_ms = [asyncio.run(deck_list_once(path)) for _ in range(3)]
    times, queue_size = asyncio.run(answer_latencies(fresh_copy(), args.answers))
    answer_ms, reveal_ms = times["answer"], times["reveal"]
    writes = write_latencies(fresh_copy())

    print(f"srs review on {CARDS:,} cards, headless {SIZE[0]}x{SIZE[1]}; today's queue {queue_size} cards; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (figures are wall-clock: other load shows in p99)")
    print(f"  import srs.cli + srs.tui.app (fresh interpreter): {import_ms():.0f} ms")
    print(f"  open_store: {statistics.median(open_ms):.1f} ms")
    print(f"  launch -> first card on screen: cold {first_ms[0]:.0f} ms, warm median {statistics.median(first_ms[1:] or first_ms):.0f} ms "
          f"(aim < 600 ms)")
    print(f"  launch -> deck list (home) filled in: median {statistics.median(deck_ms):.0f} ms (the screen is up at once; "
          "the counts come from a worker)")
    print(f"  answer key -> next card rendered (includes Textual's 60 fps frame pacing), {len(answer_ms)} answers: p50 {percentile(answer_ms, 50):.1f} ms, "
          f"p99 {percentile(answer_ms, 99):.1f} ms, max {max(answer_ms):.1f} ms (aim p99 < 50 ms)")
    print(f"    the same, to the first frame showing the next card: p50 {percentile(times['answer_first'], 50):.1f} ms, "
          f"p99 {percentile(times['answer_first'], 99):.1f} ms")
    print(f"  reveal key -> answer side rendered: p50 {percentile(reveal_ms, 50):.1f} ms, p99 {percentile(reveal_ms, 99):.1f} ms")
    print(f"    the same, to the first frame showing it: p50 {percentile(times['reveal_first'], 50):.1f} ms, "
          f"p99 {percentile(times['reveal_first'], 99):.1f} ms")
    print(f"  durable write alone (Session.answer, fsynced), {len(writes)} answers: p50 {percentile(writes, 50):.1f} ms, "
          f"p99 {percentile(writes, 99):.1f} ms -> runs in a thread worker")
    for old in OUT.glob(WORK.name + "*"):
        old.unlink()


if __name__ == "__main__":
    main()
