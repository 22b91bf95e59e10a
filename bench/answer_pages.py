"""What one answer writes: database pages per answer, srs (by table and index) against Anki, from the WAL itself.

On copies of bench/scheduler.py's synthetic collections (100k cards, 1M reviews; built there if missing), with the
WAL never checkpointed during the run, each side answers ``--answers`` cards the way bench/scheduler.py does (srs:
Session.preview then Session.answer; Anki: get_queued_cards then answer_card). Every commit appends the pages it
changed to the WAL as frames (a 24-byte header naming the page, then the page), so counting the frames added and
looking each page number up in SQLite's ``dbstat`` (taken before the run) tells which b-tree each write was for.
Pages the run allocated at the end of the file are counted as "new pages (right edges)".

Not a timing: pages are what each commit writes and what its fsync waits for, on any disk.

Run: .venv/bin/python bench/answer_pages.py [--answers 500]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import struct
from collections import Counter
from pathlib import Path

import scheduler  # noqa: E402  (bench/scheduler.py: the synthetic collections, and the path to srs)
from anki.collection import Collection  # noqa: E402
from anki.cards import Card as AnkiCard  # noqa: E402
from anki.scheduler_pb2 import CardAnswer  # noqa: E402

from srs.clock import utc_now  # noqa: E402
from srs.model import Rating, Scope  # noqa: E402
from srs.review import Session  # noqa: E402
from srs.storage import connection, open_store  # noqa: E402

FRAME_HEADER, WAL_HEADER = 24, 32


def page_owners(path: Path) -> dict[int, str]:
    """Page number -> the table or index it belongs to (``dbstat``)."""
    with sqlite3.connect(path) as conn:
        return {page: name for name, page in conn.execute("SELECT name, pageno FROM dbstat")}


def wal_pages(wal: Path, page_size: int, start: int) -> list[int]:
    """The page number of every frame appended to ``wal`` after byte ``start``.

    Frames of an earlier pass over the file (before a checkpoint restarted it) carry other salts: refused, as the
    count would then be wrong.
    """
    data = wal.read_bytes()
    salts = data[16:24]
    offset = max(start, WAL_HEADER)
    pages = []
    while offset + FRAME_HEADER <= len(data):
        if data[offset + 8 : offset + 16] != salts:
            raise SystemExit(f"{wal}: a frame of an earlier WAL pass at byte {offset}: the WAL was checkpointed during the run")
        pages.append(struct.unpack(">I", data[offset : offset + 4])[0])
        offset += FRAME_HEADER + page_size
    return pages


def srs_pages(path: Path, answers: int) -> tuple[Counter[str], int]:
    """Pages written by ``answers`` answers through the review screen's Session, by table or index; and the page size."""
    owners = page_owners(path)
    configure = connection.configure
    connection.configure = lambda conn: (configure(conn), conn.execute("PRAGMA wal_autocheckpoint = 0"))
    try:
        store = open_store(path)
        session = Session(store, Scope(deck="Bench"), zone=scheduler.UTC)
        wal = Path(f"{path}-wal")
        start = wal.stat().st_size if wal.exists() else 0
        rng = random.Random(1)
        for _ in range(answers):
            now = utc_now()
            card = session.current(now)
            if card is None:  # the queue ran out: today's cards again
                session.refill(now)
                card = session.current(now)
            session.preview(card.id, now)
            session.answer(card.id, rng.choice(list(Rating)), utc_now())
        with store.read() as conn:
            page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        counted = Counter(owners.get(page, "new pages (right edges)") for page in wal_pages(wal, page_size, start))
        store.close()  # the last connection checkpoints and removes the WAL: counted before
        return counted, page_size
    finally:
        connection.configure = configure


def anki_pages(path: Path, answers: int) -> tuple[Counter[str], int]:
    """Pages written by ``answers`` answers through Anki's answer_card, by table or index; and the page size."""
    owners = page_owners(path)
    col = Collection(str(path))
    try:
        col.db.execute("PRAGMA wal_autocheckpoint = 0")
        col.decks.set_current(col.decks.id("Bench"))
        wal = Path(f"{path}-wal")
        start = wal.stat().st_size if wal.exists() else 0
        rng = random.Random(1)
        for _ in range(answers):
            queued = col.sched.get_queued_cards().cards[0]
            card = AnkiCard(col)
            card._load_from_backend_card(queued.card)
            card.start_timer()
            rating = CardAnswer.Rating.Value(rng.choice(list(Rating)).name)
            col.sched.answer_card(col.sched.build_answer(card=card, states=queued.states, rating=rating))
        page_size = col.db.scalar("PRAGMA page_size")
        pages = wal_pages(wal, page_size, start)
        return Counter(owners.get(page, "new pages (right edges)") for page in pages), page_size
    finally:
        col.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=500, help="answers on each side (default 500)")
    args = parser.parse_args()
    pristine_srs, pristine_anki, _ = scheduler.pristine(rebuild=False)
    work_srs, work_anki = scheduler.OUT / "pages-srs.db", scheduler.OUT / "pages-anki.anki2"
    for source, target in ((pristine_srs, work_srs), (pristine_anki, work_anki)):
        scheduler.remove_files(target)
        shutil.copyfile(source, target)
    try:
        ours = srs_pages(work_srs, args.answers)
        theirs = anki_pages(work_anki, args.answers)
    finally:
        scheduler.remove_files(work_srs)
        scheduler.remove_files(work_anki)
    print(f"pages written per answer, {args.answers} answers on {scheduler.CARDS:,} cards / {scheduler.REVIEW_ROWS:,} reviews:")
    for side, (counted, page_size) in (("srs", ours), ("Anki", theirs)):
        for name, count in counted.most_common():
            print(f"  {side:5}{name:28}{count / args.answers:6.2f}")
        total = sum(counted.values()) / args.answers
        print(f"  {side:5}{'total':28}{total:6.2f}  ({page_size // 1024} KB pages: {total * page_size / 1024:.1f} KB an answer)")


if __name__ == "__main__":
    main()
