"""``srs ingest``: shapes, detection, ids, drafts, YAML the strict loader accepts, merging, the CLI and the seed files."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from srs.decks.load import parse_deck
from srs.decks.sync import check_paths, sync_paths
from srs.errors import SrsError
from srs.ingest import Shape, detect, ingest_file, ingest_files, plan_decks, render, write
from srs.ingest.merge import merge
from srs.ingest.text import source_from_bytes
from srs.ingest.topics import TOPIC_SLUGS, topic_tags
from srs.ingest.yamlout import Section, deck_text
from srs.model import CardSpec
from srs.review import build_queue
from srs.storage import open_store
from tests.conftest import CliResult, run_cli

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
SEEDS = Path(__file__).parent / "data" / "seeds"  # a copy of the study material, so a lone clone tests it
SEED_COUNTS = {  # from tests/data/seeds/README.md
    "001_524f5d0acfacaac9.txt": (Shape.QUIZ, 120),
    "002_72777c599272712e.txt": (Shape.NOTES, 60),
    "003_6a6c08d00160d1f6.txt": (Shape.QUESTIONS, 100),
    "004_d7e70a60bed9f25f.txt": (Shape.ANSWERS, 18),
}
KNOWN_SHAPES = ("quiz", "notes", "questions", "answers")
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def seeds_dir() -> Path:
    """The study material the bundled decks were made from, shipped with the tests."""
    if not SEEDS.is_dir():
        pytest.fail(f"seed folder {SEEDS} is missing: it is part of the repository (tests/data/seeds)")
    return SEEDS


def fixture(name: str) -> Path:
    return FIXTURES / name


def line_of(path: Path, text: str) -> int:
    """1-based line of the first line containing ``text``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


def by_local_id(ingested) -> dict[str, CardSpec]:
    return {card.uid.split("/", 1)[-1]: card for card in ingested.cards}


def loads_cleanly(text: str) -> tuple:
    """Parse YAML with the strict loader; return (deck, warnings) and fail on any error."""
    deck, problems = parse_deck("out.yaml", text.encode())
    errors = [p for p in problems if p.severity == "error"]
    assert deck is not None and not errors, errors
    return deck, [p for p in problems if p.severity == "warning"]


# --- the seed files ------------------------------------------------------------------------------


def test_the_study_material_ships_with_the_tests_and_nothing_reads_outside_the_repository() -> None:
    """A lone clone (no shared/ beside it) runs the whole suite."""
    repo = Path(__file__).resolve().parents[1]
    assert SEEDS.resolve().is_relative_to(repo) and (SEEDS / "README.md").is_file()
    assert {p.name for p in SEEDS.glob("*.txt")} == set(SEED_COUNTS) | {"000_26b68593ac0a6552.txt"}
    outside = re.compile(r"\.\./shared|parents\[\d\]\s*/\s*[\"']shared")
    for test_file in repo.glob("tests/**/*.py"):
        assert not outside.search(test_file.read_text(encoding="utf-8")), test_file


@pytest.mark.parametrize("name", sorted(SEED_COUNTS))
def test_seed_file_ingests_with_readme_counts_and_passes_the_loader(seeds_dir: Path, name: str, tmp_path: Path) -> None:
    shape, count = SEED_COUNTS[name]
    ingested = ingest_file(seeds_dir / name)
    assert ingested.shape is shape and ingested.detected
    assert len(ingested.cards) == count
    [plan] = plan_decks([ingested], tmp_path / "deck.yaml")
    write(plan)
    loaded = check_paths([tmp_path / "deck.yaml"])
    assert loaded.errors == []
    [deck] = loaded.decks
    assert len(deck.cards) == count
    draft_warnings = [p for p in loaded.problems if p.message.startswith("draft")]
    assert len(draft_warnings) == sum(card.draft for card in deck.cards) == ingested.drafts
    assert all(card.sources == (f"{name}#{card.sources[0].split('#')[1]}",) for card in deck.cards)


def test_seed_quiz_ids_sources_and_topics(seeds_dir: Path) -> None:
    ingested = ingest_file(seeds_dir / "001_524f5d0acfacaac9.txt")
    cards = by_local_id(ingested)
    card = cards["quiz01-q09"]
    assert card.uid == "001-524f5d0acfacaac9/quiz01-q09"
    assert card.sources == ("001_524f5d0acfacaac9.txt#quiz01-q09",)
    assert card.back == "torch.Size([])" and card.front == "" and card.draft
    assert "squeeze() removes ALL size-1 dimensions" in card.extra
    assert len(ingested.groups) == 12 and all(f"quiz{n:02d}-q10" in cards for n in range(1, 13))
    assert cards["quiz12-q01"].tags[0] == "serialization"
    letter = [f for f in ingested.findings if "option letter 'C'" in f.message]
    assert len(letter) == 1 and letter[0].line == line_of(seeds_dir / "001_524f5d0acfacaac9.txt", "Q10: C")


def test_seed_question_list_levels_and_answers(seeds_dir: Path) -> None:
    cards = by_local_id(ingest_file(seeds_dir / "003_6a6c08d00160d1f6.txt"))
    assert cards["qlist-005"].back == "th.cuda.is_available()" and not cards["qlist-005"].draft
    assert cards["qlist-001"].draft and cards["qlist-001"].back == ""
    assert (cards["qlist-020"].difficulty, cards["qlist-021"].difficulty, cards["qlist-100"].difficulty) == ("easy", "medium", "hard")
    assert "intermediate" in cards["qlist-021"].tags and cards["qlist-042"].sources == ("003_6a6c08d00160d1f6.txt#42",)
    assert sum(not card.draft for card in cards.values()) == 7


def test_seed_notes_keep_markdown_and_skip_the_overview(seeds_dir: Path) -> None:
    cards = by_local_id(ingest_file(seeds_dir / "002_72777c599272712e.txt"))
    assert cards["note-01"].front.startswith('What is a "Tensor" in PyTorch')
    assert "- **Rank-0 Tensor (Scalar)**" in cards["note-02"].back
    assert not any("Architecture Overview" in card.back or "Define-by-Run), which" in card.back for card in cards.values())


def test_the_outline_seed_is_refused(seeds_dir: Path) -> None:
    with pytest.raises(SrsError, match="not a shape srs ingest knows"):
        ingest_file(seeds_dir / "000_26b68593ac0a6552.txt")


def test_all_seeds_in_one_deck_have_no_id_collisions(seeds_dir: Path) -> None:
    files = ingest_files([seeds_dir / name for name in sorted(SEED_COUNTS)])
    [plan] = plan_decks(files, None)
    deck, _ = loads_cleanly(render(plan))
    assert len(deck.cards) == sum(count for _, count in SEED_COUNTS.values())


# --- detection -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "shape"),
    [
        ("quiz_seven.txt", Shape.QUIZ),
        ("quiz_missing_reasoning.txt", Shape.QUIZ),
        ("notes_small.md", Shape.NOTES),
        ("questions_levels.txt", Shape.QUESTIONS),
        ("questions_nolevels.txt", Shape.QUESTIONS),
        ("questions_crlf.txt", Shape.QUESTIONS),
        ("answers_code_lists.md", Shape.ANSWERS),
        ("unknown_shape.txt", None),
    ],
)
def test_detects_each_shape(name: str, shape: Shape | None) -> None:
    source = source_from_bytes(name, name, Path(name).stem, fixture(name).read_bytes())
    assert detect(source.lines) is shape


def test_unknown_shape_is_refused_naming_the_known_shapes() -> None:
    with pytest.raises(SrsError) as caught:
        ingest_file(fixture("unknown_shape.txt"))
    message = str(caught.value)
    assert "unknown_shape.txt" in message and "--format" in message
    assert all(f"{shape} (" in message for shape in KNOWN_SHAPES)


def test_format_overrides_detection() -> None:
    ingested = ingest_file(fixture("questions_nolevels.txt"), Shape.ANSWERS)
    assert ingested.shape is Shape.ANSWERS and not ingested.detected
    assert all(card.draft and card.front == "" for card in ingested.cards)
    assert "--format" in ingested.summary()


def test_format_that_finds_nothing_is_an_error() -> None:
    with pytest.raises(SrsError, match="no items found"):
        ingest_file(fixture("unknown_shape.txt"), Shape.NOTES)


# --- quiz answer sheets --------------------------------------------------------------------------


def test_quiz_with_seven_items() -> None:
    ingested = ingest_file(fixture("quiz_seven.txt"))
    assert [card.uid for card in ingested.cards] == [f"quiz-seven/quiz01-q{n:02d}" for n in range(1, 8)]
    assert all(card.draft and card.front == "" for card in ingested.cards)
    q6 = ingested.cards[5]
    assert q6.back == 'torch.amp.autocast("cuda")'
    assert q6.extra.startswith("torch.cuda.amp.autocast is deprecated")
    assert q6.tags == ("autograd", "optimizers", "advanced-training")
    assert q6.sources == ("quiz_seven.txt#quiz01-q06",)
    assert ingested.findings == []
    [plan] = plan_decks([ingested], None)
    assert plan.deck == "quiz_seven::01 Autograd Quiz - 7 MCQs on Autograd, Optimizers and Mixed Precision"
    deck, warnings = loads_cleanly(render(plan))
    assert len(deck.cards) == 7 and len(warnings) == 7


def test_quiz_missing_reasoning_and_other_partly_read_items() -> None:
    path = fixture("quiz_missing_reasoning.txt")
    ingested = ingest_file(path)
    cards = by_local_id(ingested)
    warnings = {(f.line, f.severity): f.message for f in ingested.findings}
    # Quizzes are numbered in file order, whatever their titles say.
    assert ingested.groups == {1: "Quiz 4 - Data Loading and DataLoader Workers", 2: "Quiz 7 - Serialization: state_dict and Checkpoints"}
    assert cards["quiz01-q05"].extra == "" and cards["quiz01-q05"].back == "shuffle=True"
    assert "no reasoning" in warnings[(line_of(path, "Q5: shuffle=True"), "warning")]
    assert "option letter 'B'" in warnings[(line_of(path, "Q3: B"), "warning")]
    assert cards["quiz01-q04"].back == "It pins host memory\nso copies to the GPU are faster"
    assert cards["quiz02-q03"].back == "" and cards["quiz02-q03"].extra.startswith("weights_only=True")
    assert "no answer under Solution:" in warnings[(line_of(path, "Q3: weights_only"), "warning")]
    assert (1, "note") in warnings  # the file's own title line is reported, not silently dropped
    assert len(ingested.cards) == 8


def test_quiz_report_names_path_and_line() -> None:
    ingested = ingest_file(fixture("quiz_missing_reasoning.txt"))
    shown = [str(f) for f in ingested.findings if f.severity == "warning"]
    assert any(text.startswith(f"{fixture('quiz_missing_reasoning.txt')}:11: warning: quiz 1 Q5") for text in shown)


def test_quiz_without_separators_splits_at_each_question() -> None:
    data = b"Question: Tensors\nSolution:\nQ1: a\nReasoning:\nQ1: b\nQuestion: Autograd\nSolution:\nQ1: c\nQ2: d\n"
    ingested = _ingest_bytes("sheet.txt", data)
    assert [card.uid for card in ingested.cards] == ["sheet/quiz01-q01", "sheet/quiz02-q01", "sheet/quiz02-q02"]
    assert ingested.groups == {1: "Tensors", 2: "Autograd"}


# --- study notes ---------------------------------------------------------------------------------


def test_notes_keep_markdown_code_and_sub_headings() -> None:
    ingested = ingest_file(fixture("notes_small.md"))
    cards = by_local_id(ingested)
    assert list(cards) == ["note-01", "note-02", "note-03"]
    first = cards["note-01"]
    assert first.front == "What does `tensor.view()` require of the tensor's memory?"
    assert first.back.startswith("It needs a **compatible** memory layout:\n\n- the tensor must be contiguous, or")
    assert "### a comment in code, not a heading" in first.back and "#### Tip" in first.back
    assert first.back.endswith("Use `reshape()` when unsure.")
    assert (first.difficulty, first.tags[-1]) == ("easy", "beginner")
    assert cards["note-03"].difficulty == "hard" and cards["note-03"].front.startswith("How does gradient checkpointing")
    assert "overview" not in " ".join(card.back for card in cards.values())


def test_notes_empty_answer_is_a_draft_and_stray_text_is_reported() -> None:
    path = fixture("notes_small.md")
    ingested = ingest_file(path)
    cards = by_local_id(ingested)
    assert cards["note-02"].draft and cards["note-02"].back == ""
    lines = {f.line: f for f in ingested.findings}
    assert lines[line_of(path, "### 2.")].severity == "warning"
    assert lines[line_of(path, "closing summary")].severity == "note"
    assert "closing summary" not in cards["note-03"].back


# --- question lists ------------------------------------------------------------------------------


def test_question_list_without_level_headings() -> None:
    path = fixture("questions_nolevels.txt")
    ingested = ingest_file(path)
    cards = by_local_id(ingested)
    assert list(cards) == [f"qlist-00{n}" for n in range(1, 6)]
    assert all(card.difficulty is None for card in cards.values())
    assert not any(tag in ("beginner", "intermediate", "advanced") for card in cards.values() for tag in card.tags)
    assert cards["qlist-001"].back == "It switches dropout and batch norm to evaluation behaviour." and not cards["qlist-001"].draft
    assert cards["qlist-002"].draft and cards["qlist-005"].draft
    assert cards["qlist-003"].back == 'torch.save(model.state_dict(), "model.pt")'
    assert cards["qlist-004"].back == '```python\nx = x.to("cuda")\n```'
    [note] = [f for f in ingested.findings if f.severity == "note"]
    assert note.line == line_of(path, "This paragraph after a blank line")


def test_question_list_levels_restarting_numbers_and_answer_labels() -> None:
    cards = by_local_id(ingest_file(fixture("questions_levels.txt")))
    assert list(cards) == ["qlist-beginner-001", "qlist-beginner-002", "qlist-beginner-003", "qlist-advanced-001", "qlist-advanced-002"]
    assert cards["qlist-beginner-002"].back == "torch.zeros(2, 3)"
    assert cards["qlist-beginner-001"].sources == ("questions_levels.txt#beginner-1",)
    assert [cards[k].difficulty for k in cards] == ["easy", "easy", "easy", "hard", "hard"]
    assert cards["qlist-advanced-002"].tags == ("deployment", "advanced")


def test_windows_line_endings_read_like_unix_ones() -> None:
    data = fixture("questions_crlf.txt").read_bytes()
    assert b"\r\n" in data, "the fixture must keep its Windows line endings"
    crlf = ingest_file(fixture("questions_crlf.txt"))
    lf = _ingest_bytes("questions_crlf.txt", data.replace(b"\r\n", b"\n"))
    assert [c.content_key() for c in crlf.cards] == [c.content_key() for c in lf.cards]
    cards = by_local_id(crlf)
    assert cards["qlist-021"].back == "It batches and shuffles a Dataset." and cards["qlist-021"].difficulty == "medium"
    assert cards["qlist-023"].difficulty == "hard" and "\r" not in render(plan_decks([crlf], None)[0])


@pytest.mark.parametrize("name", ["quiz_seven.txt", "quiz_missing_reasoning.txt", "notes_small.md", "questions_levels.txt", "questions_nolevels.txt", "answers_code_lists.md"])
def test_every_fixture_reads_the_same_with_windows_line_endings(name: str) -> None:
    data = fixture(name).read_bytes()
    lf = _ingest_bytes(name, data)
    crlf = _ingest_bytes(name, data.replace(b"\n", b"\r\n"))
    assert [c.content_key() for c in crlf.cards] == [c.content_key() for c in lf.cards]
    assert [(f.line, f.message) for f in crlf.findings] == [(f.line, f.message) for f in lf.findings]


# --- answer keys ---------------------------------------------------------------------------------


def test_answer_key_with_code_blocks_and_lists() -> None:
    path = fixture("answers_code_lists.md")
    ingested = ingest_file(path)
    cards = by_local_id(ingested)
    assert list(cards) == ["key-01", "key-02", "key-03", "key-04", "key-10"]
    assert all(card.draft and card.front == "" for card in cards.values())
    assert cards["key-01"].back == (
        "The training loop repeats four steps:\n- zero the gradients,\n- run the forward pass and compute the loss,\n"
        "- call `loss.backward()`, then `optimizer.step()`."
    )
    assert cards["key-02"].back == (
        'Save and load weights with the state_dict:\n```python\ntorch.save(model.state_dict(), "model.pt")\n\n'
        'model.load_state_dict(torch.load("model.pt"))\n```'
    )
    assert cards["key-03"].back.endswith("\n1. compute the total norm,\n2. scale gradients down if it exceeds `max_norm`.")
    assert cards["key-04"].back == "`model.eval()` switches dropout off.\n\nIt also makes batch norm use its running statistics."
    warned = {f.line for f in ingested.findings if f.severity == "warning"}
    assert {line_of(path, "1. compute"), line_of(path, "2. scale"), line_of(path, "10. Mixed")} <= warned
    assert cards["key-10"].sources == ("answers_code_lists.md#10",)


# --- ids -----------------------------------------------------------------------------------------


def test_ids_are_stable_and_prefixed_by_file() -> None:
    first = [card.uid for card in ingest_file(fixture("quiz_seven.txt")).cards]
    again = [card.uid for card in ingest_file(fixture("quiz_seven.txt")).cards]
    assert first == again
    custom = ingest_file(fixture("quiz_seven.txt"), prefix="pytorch-quiz")
    assert custom.cards[0].uid == "pytorch-quiz/quiz01-q01"
    bare = ingest_file(fixture("quiz_seven.txt"), prefix="")
    assert bare.cards[0].uid == "quiz01-q01"


def test_same_prefix_for_two_files_is_refused() -> None:
    with pytest.raises(SrsError, match="--prefix"):
        ingest_files([fixture("quiz_seven.txt"), fixture("quiz_missing_reasoning.txt")], prefix="")
    with pytest.raises(SrsError, match="--prefix"):
        ingest_file(fixture("quiz_seven.txt"), prefix="bad prefix")


def test_topic_tags_use_only_the_fifteen_slugs() -> None:
    assert len(TOPIC_SLUGS) == 15
    assert topic_tags("Model Saving, Checkpoints, ONNX Export, Pruning") == ("serialization", "deployment")
    assert topic_tags("Gradient checkpointing to save memory") == ("performance",)
    assert topic_tags("a title naming no topic at all") == ()


# --- YAML output ---------------------------------------------------------------------------------

# Ingest replaces control characters when it reads a file (text.read_source), so the writer only ever sees
# text without them; the deck loader refuses them.
_text = st.text(st.characters(exclude_categories=("Cs", "Cc"), include_characters="\n"), max_size=80)


@settings(max_examples=300, deadline=None)
@given(front=_text, back=_text.filter(lambda s: s != ""), extra=_text, deck=_text.filter(lambda s: s.strip() and "::" not in s and s.strip(":") == s))
def test_any_text_round_trips_through_the_strict_loader(front: str, back: str, extra: str, deck: str) -> None:
    card = CardSpec(uid="x/q-01", front=front, back=back, extra=extra, tags=("autograd",), difficulty="easy", sources=("f.txt#1",), draft=not front.strip() or not back.strip())
    parsed, _ = loads_cleanly(deck_text(deck, "d", [Section("a # comment", [card])]))
    assert parsed.deck == deck
    assert parsed.cards[0].content_key() == card.content_key()


def test_block_scalars_for_text_and_quotes_where_yaml_would_misread() -> None:
    card = CardSpec(uid="x/1", front="no", back="1", extra="- yes: [a] # b", tags=("true",), sources=("a b.txt#1",))
    text = deck_text("D", "", [Section("", [card])])
    assert "    front: |-\n      no\n" in text and "    back: |-\n      1\n" in text
    assert 'tags: ["true"]' in text
    parsed, _ = loads_cleanly(text)
    assert parsed.cards[0].content_key() == card.content_key()


# --- writing and merging -------------------------------------------------------------------------


def _ingest_bytes(name: str, data: bytes):
    from srs.ingest.build import ingest_source

    return ingest_source(source_from_bytes(name, name, Path(name).stem, data))


def _inserted(before: bytes, after: bytes) -> bytes:
    """What was inserted into ``before`` to give ``after``; fails unless ``before`` survives byte for byte around it."""
    start = 0
    while start < len(before) and before[start] == after[start]:
        start += 1
    tail = len(before) - start
    assert after[len(after) - tail:] == before[start:], "existing bytes were changed"
    return after[start: len(after) - tail]


def test_merge_into_existing_file_keeps_edited_cards_byte_for_byte(tmp_path: Path) -> None:
    target = tmp_path / "deck.yaml"
    shutil.copy(fixture("existing_deck.yaml"), target)
    before = target.read_bytes()
    ingested = ingest_file(fixture("questions_nolevels.txt"))
    [plan] = plan_decks([ingested], target)
    result = write(plan)
    after = target.read_bytes()
    assert not result.created
    assert result.added == [f"questions-nolevels/qlist-00{n}" for n in (3, 4, 5)]
    assert result.kept == ["questions-nolevels/qlist-001", "questions-nolevels/qlist-002"]
    inserted = _inserted(before, after).decode()
    assert inserted.startswith("- id: questions-nolevels/qlist-003\n  front: |-\n")  # the file's own indentation
    assert after.endswith(b"# (end of the hand-edited cards)\n")
    deck, _ = loads_cleanly(after.decode())
    assert deck.deck == "Hand-edited questions"
    edited = {card.uid: card for card in deck.cards}
    assert edited["questions-nolevels/qlist-001"].front.startswith("Which two kinds of layers")
    assert not edited["questions-nolevels/qlist-002"].draft
    assert "my-own-card" in edited
    again = write(plan)
    assert again.added == [] and target.read_bytes() == after


def test_merge_keeps_windows_line_endings_and_handles_no_final_newline(tmp_path: Path) -> None:
    target = tmp_path / "deck.yaml"
    original = fixture("existing_deck.yaml").read_bytes().replace(b"\n", b"\r\n").rstrip(b"\r\n")
    target.write_bytes(original)
    [plan] = plan_decks([ingest_file(fixture("questions_nolevels.txt"))], target)
    write(plan)
    after = target.read_bytes()
    assert after.startswith(original.rsplit(b"\r\n", 1)[0])
    assert b"\n" not in after.replace(b"\r\n", b"")
    deck, _ = loads_cleanly(after.decode())
    assert len(deck.cards) == 6


def test_merge_into_empty_inline_card_list(tmp_path: Path) -> None:
    target = tmp_path / "deck.yaml"
    target.write_text('deck: "Mine"\ncards: []\n')
    [plan] = plan_decks([ingest_file(fixture("quiz_seven.txt"))], target)
    result = write(plan)
    deck, _ = loads_cleanly(target.read_text())
    assert deck.deck == "Mine" and len(deck.cards) == 7 and len(result.added) == 7


def test_merge_refuses_a_broken_deck_file_and_leaves_it_alone(tmp_path: Path) -> None:
    target = tmp_path / "deck.yaml"
    target.write_text("deck: x\ncards:\n  - id: a\n    front: yes\n    back: b\n")
    before = target.read_bytes()
    [plan] = plan_decks([ingest_file(fixture("quiz_seven.txt"))], target)
    with pytest.raises(SrsError, match="has errors"):
        write(plan)
    assert target.read_bytes() == before


def test_merge_keeps_a_card_whose_text_was_edited_even_if_ingest_would_write_it_differently() -> None:
    existing = deck_text("D", "", [Section("", [CardSpec(uid="f/key-01", front="Edited front", back="Edited back")])]).encode()
    fresh = CardSpec(uid="f/key-01", front="", back="original", draft=True)
    new = CardSpec(uid="f/key-02", front="", back="second", draft=True)
    merged = merge("d.yaml", existing, [Section("", [fresh, new])])
    assert merged.kept == ["f/key-01"] and merged.added == ["f/key-02"]
    assert merged.data.startswith(existing)


def test_folder_output_writes_one_deck_per_quiz_with_its_title(tmp_path: Path) -> None:
    files = ingest_files([fixture("quiz_missing_reasoning.txt"), fixture("notes_small.md")])
    plans = plan_decks(files, f"{tmp_path}/out/", deck="PyTorch::Practice")
    for plan in plans:
        write(plan)
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["notes-small.yaml", "quiz-missing-reasoning-quiz01.yaml", "quiz-missing-reasoning-quiz02.yaml"]
    loaded = check_paths([tmp_path / "out"])
    assert loaded.errors == []
    decks = sorted(deck.deck for deck in loaded.decks)
    assert decks == ["PyTorch::Practice", "PyTorch::Practice::01 Quiz 4 - Data Loading and DataLoader Workers", "PyTorch::Practice::02 Quiz 7 - Serialization: state_dict and Checkpoints"]


def test_synced_drafts_are_stored_but_never_queued(tmp_path: Path) -> None:
    target = tmp_path / "deck.yaml"
    [plan] = plan_decks([ingest_file(fixture("questions_nolevels.txt"))], target)
    write(plan)
    store = open_store(tmp_path / "x.db")
    try:
        report = sync_paths(store, [target])
        assert len(report.added) == 5
        queue = build_queue(store, now=NOW, zone=timezone.utc)
        assert queue.counts().new == 3  # the 2 drafts are loaded but not queued
    finally:
        store.close()


def test_the_ingest_library_imports_no_ui_packages() -> None:
    code = "import sys, srs.ingest; print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'typer')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "[]", result.stderr


# --- the command ---------------------------------------------------------------------------------


def _srs(*args: str) -> CliResult:
    return run_cli(*args)


def test_cli_prints_yaml_to_stdout_and_the_report_to_stderr() -> None:
    result = _srs("ingest", str(fixture("quiz_missing_reasoning.txt")))
    assert result.code == 0, result.stderr
    deck, _ = loads_cleanly(result.stdout)
    assert len(deck.cards) == 8
    assert "quiz answer sheets (detected), 2 quizzes: 8 cards (0 finished, 8 drafts)" in result.stderr
    assert f"{fixture('quiz_missing_reasoning.txt')}:11: warning: quiz 1 Q5: no reasoning line" in result.stderr


def test_cli_writes_and_merges_with_the_report_on_stdout(tmp_path: Path) -> None:
    out = tmp_path / "deck.yaml"
    first = _srs("ingest", str(fixture("answers_code_lists.md")), "-o", str(out), "--deck", "Keys")
    assert first.code == 0, first.stderr
    assert "answer key (detected): 5 cards (0 finished, 5 drafts)" in first.stdout and "wrote" in first.stdout
    second = _srs("ingest", str(fixture("answers_code_lists.md")), "-o", str(out))
    assert "0 new cards added, 5 already there left as they are" in second.stdout
    check = _srs("check", str(out))
    assert check.code == 0 and "0 error(s)" in check.stdout


def test_cli_refuses_an_unknown_shape() -> None:
    result = _srs("ingest", str(fixture("unknown_shape.txt")))
    assert result.code == 1 and result.stdout == ""
    assert result.stderr.startswith("srs: error: ") and all(f"{shape} (" in result.stderr for shape in KNOWN_SHAPES)
