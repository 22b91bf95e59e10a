"""Reading study material and recognising its building blocks (headings, rules, fences, numbered lines, levels)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from srs.errors import SrsError
from srs.ingest.model import Finding

MAX_SOURCE_BYTES = 5 * 1024 * 1024
TAB_WIDTH = 4

# Patterns match from the line start and end in a greedy `.*`; trailing spaces and closing #s are
# stripped in Python. (A lazy `(.*?)\s*$` tail retries the rest of the line at every character:
# quadratic, 11 s on a line of 30k spaces.)
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*)$")
RULE = re.compile(r"^\s{0,3}([-*_=])(?:\s*\1){2,}\s*$")
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})")
NUMBERED = re.compile(
    r"^(?P<indent>\s*)(?:\*\*)?(?:(?:Q|Question|No\.?)\s*)?(?P<num>\d{1,4})(?:\*\*)?\s*[.):](?:\*\*)?(?:\s+(?P<text>.*))?$",
    re.IGNORECASE,
)
ANSWER_LABEL = re.compile(r"^\s*(?:\*\*)?(?:answer|ans|a)\s*:(?:\*\*)?\s*", re.IGNORECASE)

LEVELS = {
    "beginner": "beginner", "basic": "beginner", "easy": "beginner", "elementary": "beginner",
    "intermediate": "intermediate", "medium": "intermediate",
    "advanced": "advanced", "hard": "advanced", "expert": "advanced",
}
LEVEL_DIFFICULTY = {"beginner": "easy", "intermediate": "medium", "advanced": "hard"}
# Words a level heading may hold besides the level itself ("Level 1 - Beginner", "Advanced (expert) level",
# "Intermediate Level (30 Questions)"); any other word ("Advanced Topics", "Basic tensor ops") means it is no level heading.
_LEVEL_FILLER = {"level", "levels", "question", "questions", "section", "tier", "difficulty", "the"}


# Characters a deck file may not hold raw (the loader refuses them, or YAML reads them as line breaks).
_UNSAFE_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


@dataclass
class Source:
    """A study-material file as lines: line ``n`` (1-based) is ``lines[n - 1]``."""

    shown: str  # the path as the user gave it, for messages
    name: str  # the file name, for source strings
    stem: str
    lines: list[str]
    findings: list[Finding] = field(default_factory=list)

    def loc(self, index: int) -> int:
        """1-based line number of a 0-based index."""
        return index + 1


def read_source(path: Path) -> Source:
    """Read a file as text: UTF-8 (cp1252 as a fallback), any line endings, tabs expanded, control characters replaced."""
    shown = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            raise SrsError(f"{shown}: file is {size // 1024} KiB; ingest reads files up to {MAX_SOURCE_BYTES // (1024 * 1024)} MiB (split it)")
        data = path.read_bytes()
    except IsADirectoryError:
        raise SrsError(f"{shown}: is a folder; name the files to ingest") from None
    except FileNotFoundError:
        raise SrsError(f"{shown}: no such file") from None
    except OSError as exc:
        raise SrsError(f"{shown}: cannot read file: {exc.strerror or exc}") from None
    return source_from_bytes(shown, path.name, path.stem, data)


def source_from_bytes(shown: str, name: str, stem: str, data: bytes) -> Source:
    """Decode and normalise raw bytes (separate from disk I/O so tests can feed bytes directly)."""
    findings: list[Finding] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        findings.append(Finding(shown, line, "the file is not valid UTF-8; read it as Windows-1252 (check accented characters)", "note"))
        text = data.decode("cp1252", errors="replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = []
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.expandtabs(TAB_WIDTH).rstrip()
        if _UNSAFE_CHARS.search(line):
            findings.append(Finding(shown, number, "control or separator characters replaced (a deck file cannot hold them)", "note"))
            line = _UNSAFE_CHARS.sub(lambda m: " " if m.group() in "\u2028\u2029" else "\ufffd", line)
        lines.append(line)
    if lines and lines[-1] == "":
        lines.pop()
    return Source(shown, name, stem, lines, findings)


def fence_mask(lines: list[str]) -> list[bool]:
    """True for each line that is a fence line or inside a fenced code block (such lines are never structure)."""
    mask = []
    opener: str | None = None
    for line in lines:
        match = FENCE.match(line)
        if opener is None:
            if match:
                opener = match.group(2)
            mask.append(opener is not None)
        else:
            mask.append(True)
            if match and match.group(2)[0] == opener[0] and len(match.group(2)) >= len(opener) and not line[match.end():].strip():
                opener = None
    return mask


def heading(line: str) -> tuple[int, str] | None:
    """(depth, text) of a Markdown ATX heading, else None."""
    match = HEADING.match(line)
    return (len(match.group(1)), match.group(2).rstrip().rstrip("#").rstrip()) if match else None


def is_rule(line: str) -> bool:
    """A horizontal rule or separator line (---, ***, ===, ____)."""
    return bool(RULE.match(line))


def unbold(text: str) -> str:
    """Text without surrounding emphasis markers (**x**, __x__, *x*)."""
    text = text.strip()
    for marker in ("**", "__", "*", "_"):
        if len(text) > 2 * len(marker) and text.startswith(marker) and text.endswith(marker):
            return text[len(marker):-len(marker)].strip()
    return text


def level_of(text: str) -> str | None:
    """'beginner' | 'intermediate' | 'advanced' when the text is a level heading ("Beginner Level (20 Questions)")."""
    words = re.findall(r"[a-z]+", re.sub(r"\([^)]*\)", " ", text.lower()))
    levels = [LEVELS[word] for word in words if word in LEVELS]
    if len(levels) != 1 or any(word not in LEVELS and word not in _LEVEL_FILLER for word in words):
        return None
    return levels[0]


def level_line(line: str) -> str | None:
    """The level named by a line that stands on its own as a level heading: '## Advanced', '**Beginner**', 'Intermediate Level:'."""
    found = heading(line)
    if found:
        return level_of(found[1])
    return level_of(line) if line.strip() else None


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def strip_indent(line: str, width: int) -> str:
    """Remove up to ``width`` leading spaces (Markdown list continuation)."""
    return line[min(width, indent_of(line)):]


def trim_blank(lines: list[str]) -> list[str]:
    """Lines without leading and trailing blank lines."""
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def join_block(lines: list[str]) -> str:
    """Trimmed lines as one text block."""
    return "\n".join(trim_blank(lines))


def short(text: str, width: int = 60) -> str:
    """A one-line excerpt for messages."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def file_title(lines: list[str]) -> str:
    """The first level-1 heading, if the file opens with one (before any other content)."""
    for line in lines:
        if not line.strip():
            continue
        found = heading(line)
        return unbold(found[1]) if found and found[0] == 1 else ""
    return ""
