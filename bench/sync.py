"""Sync speed: a generated 10k-card deck, first sync and unchanged re-sync.

Run: .venv/bin/python bench/sync.py   (aims on a 2-core machine: first < 1.5 s, re-sync < 0.1 s)
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from srs.decks import sync_paths  # noqa: E402
from srs.storage import open_store  # noqa: E402

CARDS = 10_000


def deck_text(n: int) -> str:
    lines = ["deck: Bench::Sync", "description: generated", "cards:"]
    for i in range(n):
        lines += [
            f"  - id: bench-{i:05d}",
            f"    front: What is the result of operation number {i} on a tensor of shape [{i % 7}, {i % 5}]?",
            "    back: |-",
            f"      A tensor of shape `[{i % 7}, {i % 5}]` (case {i}).",
            "      ```python",
            f"      x = torch.zeros({i % 7}, {i % 5})",
            "      ```",
            f"    extra: Generated card {i} with some extra explanation text.",
            "    tags: [tensor-ops, bench]",
            "    difficulty: easy",
            f"    source: bench.txt#{i}",
        ]
    return "\n".join(lines) + "\n"


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    firsts, resyncs = [], []
    for _ in range(3):
        with tempfile.TemporaryDirectory() as tmp:
            deck = Path(tmp) / "deck.yaml"
            deck.write_text(deck_text(CARDS))
            store = open_store(Path(tmp) / "bench.db")
            firsts.append(timed(lambda: sync_paths(store, [deck])))
            for _ in range(5):
                resyncs.append(timed(lambda: sync_paths(store, [deck])))
            store.close()
    size_kib = len(deck_text(CARDS).encode()) // 1024
    print(f"deck: {CARDS} cards, {size_kib} KiB")
    print(f"first sync:     median {statistics.median(firsts) * 1000:7.1f} ms  (runs: {', '.join(f'{t * 1000:.0f}' for t in firsts)}; aim < 1500 ms)")
    print(f"unchanged sync: median {statistics.median(resyncs) * 1000:7.1f} ms  (aim < 100 ms)")


if __name__ == "__main__":
    main()
