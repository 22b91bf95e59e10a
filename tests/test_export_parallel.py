"""Rendering an export's texts in worker processes: the same bytes as rendering them in-process, and no fork for small batches."""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

from srs.decks import bundled_decks_dir, sync_paths
from srs.exporters import export_anki
from srs.exporters.anki import cloze, render, render_batch
from srs.storage import open_store

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)


class CountingPool(render_batch.ProcessPoolExecutor):
    """The real pool, counting how many were made and how many batches were handed to them."""

    made = 0
    batches = 0

    def __init__(self, *args, **kwargs):
        type(self).made += 1
        super().__init__(*args, **kwargs)

    def map(self, *args, **kwargs):
        type(self).batches += 1
        return super().map(*args, **kwargs)


@pytest.fixture
def pools(monkeypatch) -> type[CountingPool]:
    CountingPool.made = CountingPool.batches = 0
    monkeypatch.setattr(render_batch, "ProcessPoolExecutor", CountingPool)
    return CountingPool


@pytest.fixture
def forkable(monkeypatch) -> None:
    """Fork even if an earlier test left a thread running (the rule itself is tested below, with a real thread)."""
    monkeypatch.setattr(render_batch, "can_fork", lambda: True)


def bundled_texts() -> list[str]:
    """Every field of every bundled card (code blocks, lists, tables, cloze markers), and each again made unique."""
    texts = []
    for path in sorted(bundled_decks_dir().rglob("*.yaml")):
        for card in yaml.safe_load(path.read_text(encoding="utf-8"))["cards"]:
            for side in ("front", "back", "cloze", "extra"):
                text = card.get(side) or ""
                if text:
                    texts.append(cloze.protect(text) if side == "cloze" else text)
    return texts + [f"{text}\n\n```python\ncard_{i} = {i}\n```\n" for i, text in enumerate(texts)]


def test_workers_render_the_same_html_as_this_process_in_the_same_order(pools, forkable):
    texts = bundled_texts()
    serial = [render.markdown_html(text) for text in texts]

    parallel = render_batch.render_all(texts, workers=2, min_chars=0)

    assert pools.made == 1  # it really went to worker processes
    assert parallel == serial
    assert len(texts) > 500 and sum('<span class="' in html for html in parallel) > 50  # a real mix, with highlighted code


class CountingFastPath:
    """render_batch.fast_markdown_html, counting its calls in this process and the batches handed to workers before the first."""

    def __init__(self, pools: type[CountingPool]) -> None:
        self.pools = pools
        self.calls = 0
        self.batches_before = None

    def __call__(self, text: str) -> str | None:
        if self.batches_before is None:
            self.batches_before = self.pools.batches
        self.calls += 1
        return render.fast_markdown_html(text)


def test_fenced_code_goes_to_the_workers_before_the_fast_path_runs_here(pools, forkable, monkeypatch):
    texts = bundled_texts()
    fast = CountingFastPath(pools)
    monkeypatch.setattr(render_batch, "fast_markdown_html", fast)

    assert render_batch.render_all(texts, workers=2, min_chars=0) == [render.markdown_html(text) for text in texts]
    assert pools.made == 1 and fast.batches_before == 1  # the workers had the fenced texts before the fast path ran here
    assert fast.calls == sum("```" not in text for text in texts)  # fenced code is never tried on the fast path


def test_without_fenced_code_the_fast_path_runs_first_and_only_what_it_refuses_goes_to_the_workers(pools, forkable, monkeypatch):
    texts = [text for text in bundled_texts() if "```" not in text]
    fast = CountingFastPath(pools)
    monkeypatch.setattr(render_batch, "fast_markdown_html", fast)

    assert render_batch.render_all(texts, workers=2, min_chars=0) == [render.markdown_html(text) for text in texts]
    assert pools.made == 1 and fast.calls == len(texts) and fast.batches_before == 0
    assert sum(render.fast_markdown_html(text) is None for text in texts) > 50  # slow texts: lists, tables, quotes


def test_a_small_batch_is_rendered_without_forking(pools, forkable):
    texts = ["**bold** and a list:\n\n- a\n- b", "```python\nx = 1\n```"]
    assert render_batch.render_all(texts, workers=2) == [render.markdown_html(text) for text in texts]
    assert pools.made == 0


def test_no_fork_while_another_thread_runs(pools):
    texts = bundled_texts()
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        assert not render_batch.can_fork()
        assert render_batch.render_all(texts, workers=2, min_chars=0) == [render.markdown_html(text) for text in texts]
    finally:
        release.set()
        thread.join()
    assert pools.made == 0


def export_bundled(tmp_path: Path, name: str) -> bytes:
    store = open_store(tmp_path / f"{name}.db")
    try:
        sync_paths(store, [bundled_decks_dir()], now=T0)
        result = export_anki(store, tmp_path / f"{name}.apkg", now=T0)
    finally:
        store.close()
    assert result.rendered > 100
    return result.path.read_bytes()


def test_an_export_rendered_by_workers_is_byte_identical_to_one_rendered_in_process(tmp_path, monkeypatch, pools, forkable):
    monkeypatch.setattr(render_batch, "usable_cores", lambda: 1)
    serial = export_bundled(tmp_path, "serial")
    assert pools.made == 0

    monkeypatch.setattr(render_batch, "usable_cores", lambda: 2)
    monkeypatch.setattr(render_batch, "PARALLEL_MIN_CHARS", 0)
    parallel = export_bundled(tmp_path, "parallel")
    assert pools.made == 1

    assert parallel == serial
