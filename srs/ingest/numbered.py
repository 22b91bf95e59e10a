"""Numbered items (``1. text`` with continuation lines), shared by question lists and answer keys.

Structure is read outside fenced code only. Items sit at one indentation (that of the first numbered
line). Headings and rules end an item and start a new section; level headings (Beginner / Intermediate /
Advanced, as ``###`` headings, bold lines or lines of their own) set the level of the items under them.
A number that does not go up within a section (``1.`` inside answer 5) is read as part of the item above,
with a warning, so numbered lists inside answers survive.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from srs.ingest.model import Finding
from srs.ingest.text import NUMBERED, Source, fence_mask, heading, indent_of, is_rule, level_line, short, strip_indent, trim_blank


@dataclass
class Entry:
    """One numbered item: its first line's text and the lines that follow it."""

    number: int
    line: int
    text: str
    content_col: int  # where the text after "N. " starts: continuation lines are dedented by this much
    section: int
    level: str | None
    rest: list[str] = field(default_factory=list)
    rest_lines: list[int] = field(default_factory=list)

    def continuation(self) -> list[str]:
        """The lines after the first, dedented, without leading/trailing blank lines."""
        return trim_blank([strip_indent(line, self.content_col) for line in self.rest])

    def body(self) -> str:
        """The first line's text and the lines after it, dedented; blank lines between paragraphs kept."""
        return "\n".join(trim_blank([self.text, *(strip_indent(line, self.content_col) for line in self.rest)]))


@dataclass
class Split:
    entries: list[Entry]
    findings: list[Finding]


def numbered_line(line: str) -> tuple[int, int, str, int] | None:
    """(indent, number, text, content column) of a ``12. text`` line."""
    match = NUMBERED.match(line)
    if not match:
        return None
    text = (match.group("text") or "").rstrip()
    content_col = line.index(text, match.end("num")) if text else len(line) + 1
    return len(match.group("indent")), int(match.group("num")), text, content_col


def count_items(lines: list[str]) -> tuple[list[str], int]:
    """The texts of top-level numbered lines (outside code, at the first numbered line's indentation),
    and how many non-blank lines come before the first of them."""
    mask = fence_mask(lines)
    texts: list[str] = []
    indent: int | None = None
    before = 0
    for line, fenced in zip(lines, mask):
        found = None if fenced else numbered_line(line)
        if found and (indent is None or found[0] == indent):
            indent = found[0]
            texts.append(found[2])
        elif not texts and line.strip():
            before += 1
    return texts, before


def split(source: Source, *, strict_paragraphs: bool) -> Split:
    """Split a file into numbered entries.

    With ``strict_paragraphs`` (question lists), an item's answer is only the lines right under it (plus
    indented lines and code); an unindented paragraph after a blank line belongs to no item. Otherwise
    (answer keys) such paragraphs continue the item, except after the last item.
    """
    reader = _Reader(source, strict_paragraphs)
    for index, (line, fenced) in enumerate(zip(source.lines, fence_mask(source.lines))):
        reader.feed(source.loc(index), line, fenced)
    reader.close()
    return Split(reader.entries, reader.findings)


class _Reader:
    def __init__(self, source: Source, strict: bool) -> None:
        self.source = source
        self.strict = strict
        self.entries: list[Entry] = []
        self.findings: list[Finding] = []
        self.current: Entry | None = None
        self.indent: int | None = None
        self.section = 0
        self.level: str | None = None
        self.level_depth = 7
        self.blank_before = False
        self.loose_from: int | None = None

    def feed(self, number: int, line: str, fenced: bool) -> None:
        if fenced:
            self._text(number, line, code=True)
        elif not line.strip():
            self.blank_before = True
            if self.current is not None:
                self.current.rest.append(line)
                self.current.rest_lines.append(number)
        elif self._structure(number, line):
            self.blank_before = False
        else:
            self._text(number, line, code=False)

    def _structure(self, number: int, line: str) -> bool:
        """Headings, rules, level lines and numbered lines; True if the line was one of them."""
        found = heading(line)
        item = numbered_line(line)
        # A plain line such as "Advanced" right under a question is an answer, not a level heading.
        standalone = found or self.current is None or self.blank_before or line.lstrip().startswith(("**", "__"))
        level = level_line(line) if standalone and not (item and not found) else None
        if level or found or is_rule(line):
            self._end_item()
            self.section += 1
            depth = found[0] if found else 7
            if level:
                self.level, self.level_depth = level, depth
            elif found and depth <= self.level_depth:
                self.level, self.level_depth = None, 7
            return True
        if item is None or (self.indent is not None and item[0] != self.indent):
            return False
        indent, value, text, col = item
        if self.current is not None and value <= self.current.number:
            self.findings.append(Finding(self.source.shown, number, f"'{value}.' does not follow item {self.current.number}: read as part of item {self.current.number}"))
            return False
        if self.entries and self.current is None and self.entries[-1].section == self.section and value <= self.entries[-1].number:
            self.findings.append(Finding(self.source.shown, number, f"item {value} comes after item {self.entries[-1].number} in the same section"))
        if self.entries and value > self.entries[-1].number + 1:
            gap = self.entries[-1].number + 1
            missing = str(gap) if value == gap + 1 else f"{gap}-{value - 1}"
            self.findings.append(Finding(self.source.shown, number, f"numbering jumps from {self.entries[-1].number} to {value}: item {missing} not in the file"))
        self._end_item()
        self.indent = indent
        self.current = Entry(value, number, text, col, self.section, self.level)
        self.entries.append(self.current)
        return True

    def _text(self, number: int, line: str, code: bool) -> None:
        entry = self.current
        if entry is not None:
            paragraph = self.blank_before and not code and indent_of(line) < max(entry.content_col, 1)
            if paragraph and self.strict:
                self._end_item()
            else:
                entry.rest.append(line)
                entry.rest_lines.append(number)
                self.blank_before = False
                return
        if self.entries and self.loose_from is None:
            self.loose_from = number
        self.blank_before = False

    def _end_item(self) -> None:
        self._flush_loose()
        self.current = None

    def _flush_loose(self) -> None:
        if self.loose_from is not None:
            self.findings.append(Finding(self.source.shown, self.loose_from, f"text outside any numbered item, not read: '{short(self.source.lines[self.loose_from - 1])}'", "note"))
            self.loose_from = None

    def close(self) -> None:
        if self.current is not None and not self.strict:
            self._trim_outro(self.current)
        self._end_item()

    def _trim_outro(self, entry: Entry) -> None:
        """After the last item, an unindented paragraph after a blank line is a closing remark, not part of the answer."""
        mask = fence_mask(entry.rest)
        for position in range(1, len(entry.rest)):
            line, previous = entry.rest[position], entry.rest[position - 1]
            if mask[position] or previous.strip() or not line.strip() or indent_of(line) >= max(entry.content_col, 1):
                continue
            if any(mask[position:]):
                continue  # a code block further down belongs to the answer
            self.loose_from = entry.rest_lines[position]
            del entry.rest[position:], entry.rest_lines[position:]
            return
