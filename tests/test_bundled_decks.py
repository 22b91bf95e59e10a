"""The bundled PyTorch decks: every item of the study material is a finished card with a topic and a difficulty."""

from __future__ import annotations

import re

from srs.decks import bundled_decks_dir, check_paths
from srs.decks.load import is_long_back

TOPICS = {
    "tensor-ops", "autograd", "nn-modules", "training-loop", "optimizers", "loss-metrics", "data-loading", "deployment",
    "performance", "gpu-cuda", "custom-modules", "debugging", "serialization", "advanced-training", "transfer-learning",
}
EXPECTED_SOURCES = (
    {f"001_524f5d0acfacaac9.txt#quiz{q:02d}-q{i:02d}" for q in range(1, 13) for i in range(1, 11)}
    | {f"002_72777c599272712e.txt#{n}" for n in range(1, 61)}
    | {f"003_6a6c08d00160d1f6.txt#{n}" for n in range(1, 101)}
    | {f"004_d7e70a60bed9f25f.txt#{n}" for n in range(1, 19)}
)


def bundled_cards():
    loaded = check_paths([bundled_decks_dir()])
    assert loaded.errors == []
    return loaded, [card for deck in loaded.decks for card in deck.cards]


def test_check_reports_no_errors_drafts_or_warnings() -> None:
    loaded, cards = bundled_cards()
    assert [str(p) for p in loaded.problems] == []
    assert not any(card.draft for card in cards)
    assert not any(is_long_back(card.back) for card in cards)


def test_every_seed_item_is_represented_exactly_once() -> None:
    _, cards = bundled_cards()
    seen: dict[str, str] = {}
    for card in cards:
        for source in card.sources:
            assert source not in seen, f"{source} is on both {seen[source]} and {card.uid}"
            seen[source] = card.uid
    assert set(seen) == EXPECTED_SOURCES


def test_every_card_has_topic_tags_and_a_difficulty() -> None:
    _, cards = bundled_cards()
    for card in cards:
        topics = [tag for tag in card.tags if tag in TOPICS]
        assert topics, f"{card.uid} has no topic tag"
        assert set(card.tags) <= TOPICS, f"{card.uid} has unknown tags {set(card.tags) - TOPICS}"
        assert card.difficulty in ("easy", "medium", "hard"), card.uid


def test_decks_are_organised_for_choosing() -> None:
    loaded, _ = bundled_cards()
    names = {deck.deck for deck in loaded.decks}
    assert sum(name.startswith("PyTorch::Quizzes::") for name in names) == 12
    assert any(name.startswith("PyTorch::Study Notes") for name in names)
    assert {"PyTorch::Question Bank::1 Beginner", "PyTorch::Question Bank::2 Intermediate", "PyTorch::Question Bank::3 Advanced"} <= names


def test_code_blocks_name_their_language() -> None:
    _, cards = bundled_cards()
    for card in cards:
        for text in (card.front, card.back, card.cloze, card.extra):
            fences = [line.strip() for line in text.splitlines() if line.strip().startswith("```")]
            openers = fences[0::2]
            assert all(len(opener) > 3 for opener in openers), f"{card.uid}: a code block without a language"


# A version claim must name its version ("since PyTorch 2.9", "checked in PyTorch 2.13"): "PyTorch 2.x"
# or "recent versions" is false for part of the range it names (ONNX export's dynamo=True default
# came only in 2.9), and goes stale unnoticed.
VAGUE_VERSION = re.compile(
    r"\b(?:PyTorch|torch|torchvision)\s+\d+\.x\b"
    r"|\b(?:recent|newer|modern|current|latest|later)\s+(?:(?:PyTorch|torch|torchvision)\s+)?(?:versions?|releases?)\b"
    r"|\b(?:recent|newer|modern|current)\s+(?:PyTorch|torch|torchvision)\b"
    r"|\bnowadays\b|\bthese days\b|\bas of now\b",
    re.IGNORECASE,
)


def test_version_claims_name_their_version() -> None:
    _, cards = bundled_cards()
    vague = [
        f"{card.uid}: {match.group()!r}"
        for card in cards
        for text in (card.front, card.back, card.cloze, card.extra)
        for match in VAGUE_VERSION.finditer(text)
    ]
    assert vague == [], "name the version (e.g. 'since PyTorch 2.9', 'checked in PyTorch 2.13'): " + "; ".join(vague)


def test_the_vague_version_rule_catches_what_it_is_for() -> None:
    assert VAGUE_VERSION.search("In PyTorch 2.x, `torch.onnx.export` defaults to `dynamo=True`")
    assert VAGUE_VERSION.search("recent versions also accept float images")
    assert not VAGUE_VERSION.search("Since PyTorch 2.9, `torch.onnx.export` defaults to `dynamo=True`; TensorFlow 1.x used sessions")


def test_some_cards_are_cloze_deletions_or_reversed_and_the_readme_lists_them() -> None:
    from pathlib import Path

    _, cards = bundled_cards()
    converted = [card for card in cards if card.cloze or card.reverse]
    assert 10 <= len(converted) <= 20
    assert sum(bool(card.cloze) for card in converted) >= 5 and sum(card.reverse for card in converted) >= 3
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert all(f"`{card.uid}`" in readme for card in converted), [card.uid for card in converted if f"`{card.uid}`" not in readme]
