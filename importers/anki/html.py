"""Anki field HTML -> Markdown, when the HTML is simple; otherwise the HTML is kept as it is.

Simple means what Anki's editor writes for plain formatting: ``div``/``p``/``br`` lines, bold,
italic, ``code``, ``pre``, links, images, one-level lists, headings and rules, without attributes
other than ``href``, ``src`` and ``alt``. Anything else (colours, tables, underline, sub/superscript,
``style`` or ``class`` attributes...) keeps the field's HTML, so nothing a card shows is lost.

Media are referenced relative to the deck file: ``<img src="a.png">`` becomes ``![](media/a.png)``
and ``[sound:a.mp3]`` a link to ``media/a.mp3``; the names found are reported so the files can be copied.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from urllib.parse import quote

MEDIA_DIR = "media"
_SOUND = re.compile(r"\[sound:([^\]\n]+)\]")
_SPACE = re.compile(r"[ \t\n\r\f\v\u00a0]+")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
_PLAIN = re.compile(r"[^<>~&\\`*_\[\]|#+=\-!\n\t\r\u00a0]*")  # nothing Markdown or HTML would read specially
_ESCAPE = re.compile(r"([\\`*_\[\]<|])")
_ENTITY_LIKE = re.compile(r"&(?=#|[A-Za-z][A-Za-z0-9]*;)")
_LINE_START = re.compile(r"^(?:([#>+=\-]|~(?=~~))|(\d{1,9})([.)]))", re.MULTILINE)  # ~~~ would open a code fence
_EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
_SRC = re.compile(r"""(<img\b[^>]*?\bsrc\s*=\s*)(["']?)([^"'\s>]+)\2""", re.IGNORECASE)
_TRAILING_BREAKS = re.compile(r"(\\\n)+$")
_SPACED_BREAK = re.compile(r" *\\\n *")
_BREAK_RUN = re.compile(r"(?:\\\n){2,}")
_INLINE_TAGS = {"b": "**", "strong": "**", "i": "*", "em": "*"}
_BLOCK_TAGS = {"div", "p"}


@dataclass
class Converted:
    """A field as Markdown (or its HTML, when not simple), and the media files it references."""

    text: str
    kept_html: bool = False
    media: list[str] = field(default_factory=list)


def media_path(name: str) -> str:
    """The Markdown link target of media file ``name`` (angle brackets when it has spaces or parentheses)."""
    target = f"{MEDIA_DIR}/{name}"
    return f"<{target}>" if re.search(r"[\s()<>]", target) else target


def is_local_media(name: str) -> bool:
    """A media file name from the package (not a URL, not a path out of the media folder)."""
    return bool(name) and not _EXTERNAL.match(name) and "/" not in name and "\\" not in name and name not in (".", "..") and not name.startswith(".")


def escape_text(text: str) -> str:
    """Plain text as Markdown that renders as that text."""
    text = text.translate(_ESCAPES)  # _ESCAPE.sub(r"\\\1", text), one C pass without a match object per character
    return _ENTITY_LIKE.sub(r"\\&", text) if "&" in text else text


_ESCAPES = {ord(char): "\\" + char for char in "\\`*_[]<|"}  # the characters _ESCAPE matches


def _escape_line_starts(text: str) -> str:
    return _LINE_START.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), text)


class _NotSimple(Exception):
    pass


class _Converter(HTMLParser):
    def __init__(self, parser: bool = True) -> None:
        if parser:  # without: only fed by _feed_regular, until start_parser (most fields never need HTMLParser's state)
            self.start_parser()
        self.blocks: list[str] = []
        self.inline: list[str] = []
        self.open_inline: list[tuple[str, int]] = []  # (tag, index in self.inline where it starts)
        self.media: list[str] = []
        self.link: tuple[str, int] | None = None
        self.code_start: int | None = None
        self.pre: list[str] | None = None
        self.list_kind: str | None = None
        self.list_items: list[str] = []
        self.heading: int | None = None
        self.needs_check = False  # emphasis next to punctuation: CommonMark's flanking rules may not read it as such

    def start_parser(self) -> None:
        """HTMLParser's own state, for ``feed``."""
        HTMLParser.__init__(self, convert_charrefs=True)

    # -- blocks
    def _flush(self) -> None:
        if self.open_inline or self.link or self.code_start is not None:
            raise _NotSimple("a block ends inside inline markup")
        text = "".join(self.inline)
        self.inline = []
        text = text.strip(" ")
        if text.endswith("\n"):  # _TRAILING_BREAKS ends in "\n" or matches before a final one
            text = _TRAILING_BREAKS.sub("", text)  # no hard break at the end of a block
        if "\\\n" in text:
            text = _SPACED_BREAK.sub("\\\n", text)
            text = _BREAK_RUN.sub("\n\n", text)  # an empty line between two lines: a paragraph break
        if not text:
            return
        if self.list_kind is not None:
            self.list_items.append(text)
            return
        text = _escape_line_starts(text)
        if self.heading:
            text = "#" * self.heading + " " + text.replace("\\\n", " ")
        self.blocks.append(text)

    def _end_list(self) -> None:
        self._flush()
        marker = "-" if self.list_kind == "ul" else None
        lines = []
        for number, item in enumerate(self.list_items, 1):
            prefix = f"{marker} " if marker else f"{number}. "
            body = _escape_line_starts(item).replace("\\\n", "\\\n" + " " * len(prefix))
            lines.append(prefix + body)
        if lines:
            self.blocks.append("\n".join(lines))
        self.list_kind, self.list_items = None, []

    # -- parser callbacks
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        values = dict(attrs)
        if self.pre is not None:
            if tag == "code" and not attrs:
                return
            if tag == "br":
                self.pre.append("\n")
                return
            raise _NotSimple(tag)
        if tag == "a" and names <= {"href"} and values.get("href"):
            if self.link is not None or self.code_start is not None:
                raise _NotSimple("nested link")
            self._no_bang_before_bracket()
            self.link = (values["href"] or "", len(self.inline))
            self.inline.append("[")
        elif tag == "img" and names <= {"src", "alt"} and values.get("src"):
            src = values["src"] or ""
            if is_local_media(src):
                self.media.append(src)
                target = media_path(src)
            elif src.startswith(("http://", "https://")) and not re.search(r"[\s<>]", src):
                target = src
            else:
                raise _NotSimple("image source")
            self.inline.append(f"![{escape_text(values.get('alt') or '')}]({target})")
        elif attrs:
            raise _NotSimple(f"{tag} with attributes")
        elif tag in _INLINE_TAGS:
            if self.code_start is not None:
                raise _NotSimple("markup in code")
            self.open_inline.append((tag, len(self.inline)))
        elif tag == "code":
            if self.code_start is not None:
                raise _NotSimple("nested code")
            self.code_start = len(self.inline)
        elif tag == "br":
            self.inline.append("\\\n")
        elif tag == "span":
            pass
        elif tag in _BLOCK_TAGS:
            self._flush()
        elif tag in ("ul", "ol"):
            if self.list_kind is not None:
                raise _NotSimple("nested list")
            self._flush()
            self.list_kind = tag
        elif tag == "li":
            if self.list_kind is None:
                raise _NotSimple("list item outside a list")
            self._flush()
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._flush()
            self.heading = int(tag[1])
        elif tag == "hr":
            self._flush()
            self.blocks.append("---")
        elif tag == "pre":
            self._flush()
            self.pre = []
        else:
            raise _NotSimple(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self.pre is not None:
            if tag == "code":
                return
            if tag != "pre":
                raise _NotSimple(tag)
            code = "".join(self.pre).strip("\n").replace("\t", "    ")
            fence = "```"
            while fence in code:
                fence += "`"
            self.blocks.append(f"{fence}\n{code}\n{fence}")
            self.pre = None
            return
        if tag in _INLINE_TAGS:
            if not self.open_inline or _INLINE_TAGS[self.open_inline[-1][0]] != _INLINE_TAGS[tag]:
                raise _NotSimple("unbalanced emphasis")
            _, start = self.open_inline.pop()
            self._wrap(start, _INLINE_TAGS[tag])
        elif tag == "code":
            if self.code_start is None:
                raise _NotSimple("unbalanced code")
            self._close_code()
        elif tag == "a":
            if self.link is None:
                raise _NotSimple("unbalanced link")
            href, start = self.link
            self.link = None
            inner = "".join(self.inline[start + 1 :])
            label = inner.strip(" ")
            lead, trail = (" " if inner[:1] == " " else ""), (" " if inner[-1:] == " " else "")
            if not label or "\\\n" in label:
                raise _NotSimple("empty or multi-line link")
            target = f"<{href}>" if re.search(r"[\s()]", href) else href
            if re.search(r"[<>\n]", href):
                raise _NotSimple("link target")
            del self.inline[start:]
            self.inline.append(f"{lead}[{label}]({target}){trail}")
        elif tag in _BLOCK_TAGS or tag == "li":
            self._flush()
        elif tag in ("ul", "ol"):
            self._end_list()
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._flush()
            self.heading = None
        elif tag in ("span", "br", "img", "hr"):
            pass
        else:
            raise _NotSimple(tag)

    def _no_bang_before_bracket(self) -> None:
        """A '!' right before a link would make it an image: escape it."""
        last = self.inline[-1] if self.inline else ""
        if last.endswith("!"):
            backslashes = len(last[:-1]) - len(last[:-1].rstrip("\\"))
            if backslashes % 2 == 0:  # an odd count would already escape it
                self.inline[-1] = last[:-1] + "\\!"

    def _wrap(self, start: int, marker: str) -> None:
        inner = "".join(self.inline[start:])
        del self.inline[start:]
        core = inner.strip(" ")
        if not core:
            self.inline.append(inner)
            return
        if "\\\n" in core or core.startswith(("*", "\\\n")) or core.endswith("*"):
            raise _NotSimple("emphasis across lines or nested emphasis")
        before = "".join(self.inline[-1:])
        if not (core[0].isalnum() and core[-1].isalnum()) or before.endswith(("*", "`")):
            self.needs_check = True
        lead = inner[: len(inner) - len(inner.lstrip(" "))]
        trail = inner[len(inner.rstrip(" ")) :]
        self.inline.append(f"{lead}{marker}{core}{marker}{trail}")

    def _close_code(self) -> None:
        code = "".join(self.inline[self.code_start :])
        del self.inline[self.code_start :]
        self.code_start = None
        if not code.strip():
            self.inline.append(code)
            return
        if "\\\n" in code:
            raise _NotSimple("line break in code")
        ticks = "`"
        while ticks in code:
            ticks += "`"
        if "".join(self.inline[-1:]).endswith(("*", "`")):
            self.needs_check = True
        pad = " " if code.startswith("`") or code.endswith("`") else ""
        self.inline.append(f"{ticks}{pad}{code}{pad}{ticks}")

    def handle_data(self, data: str) -> None:
        if self.pre is not None:
            self.pre.append(data.replace("\u00a0", " "))
            return
        text = _SPACE.sub(" ", data)
        if self.code_start is not None:
            self.inline.append(text)
            return
        if not self.inline or self.inline[-1].endswith(("\\\n", " ")):
            text = text.lstrip(" ")
        if "[sound:" not in text:  # what _SOUND needs to match: most text has no sound
            self.inline.append(escape_text(text))
            return
        pos = 0
        for match in _SOUND.finditer(text):
            self.inline.append(escape_text(text[pos : match.start()]))
            name = match.group(1).strip()
            if not is_local_media(name):
                raise _NotSimple("sound reference")
            self.media.append(name)
            self._no_bang_before_bracket()
            self.inline.append(f"[{escape_text(name)}]({media_path(name)})")
            pos = match.end()
        self.inline.append(escape_text(text[pos:]))

    def result(self) -> str:
        if self.pre is not None or self.list_kind is not None or self.heading:
            raise _NotSimple("unclosed block")
        self._flush()
        return "\n\n".join(self.blocks)


def _kept_html(html: str) -> Converted:
    """The HTML as it is, with media sources pointed into the media folder."""
    media: list[str] = []

    def local(match: re.Match) -> str:
        name = match.group(3)
        if not is_local_media(name):
            return match.group(0)
        media.append(name)
        return f'{match.group(1)}"{MEDIA_DIR}/{quote(name)}"'

    text = _SRC.sub(local, html)
    for name in _SOUND.findall(html):
        if is_local_media(name.strip()):
            media.append(name.strip())
    return Converted(text.replace("\t", "    "), True, media)


_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)((?:\s+[A-Za-z_:][-A-Za-z0-9_:.]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?)*)\s*(/?)>")
_ATTR = re.compile(r"([A-Za-z_:][-A-Za-z0-9_:.]*)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'=<>`]+)))?")


def _feed_regular(converter: _Converter, html: str) -> bool:
    """Tokenise ``html`` with one regular expression when it is plain tags and text (what editors write);
    False, with nothing fed, when anything else is in it (comments, stray ``<``...): HTMLParser then reads it."""
    tags = list(_TAG.finditer(html))
    # Every tag holds a "<": as many as tags means none is elsewhere. Otherwise look between the tags (a quoted value may hold one).
    if html.count("<") != len(tags) and not _only_tags(html, tags):
        return False
    pos = 0
    for match in tags:
        start = match.start()
        if start > pos:
            text = html[pos:start]
            converter.handle_data(unescape(text) if "&" in text else text)
        pos = match.end()
        closing, tag, attributes, _self_closing = match.groups()
        tag = tag.lower()
        if closing:
            converter.handle_endtag(tag)
        elif not attributes:
            converter.handle_starttag(tag, [])
        else:
            converter.handle_starttag(tag, [_attribute(found) for found in _ATTR.finditer(attributes)])
    if pos < len(html):
        text = html[pos:]
        converter.handle_data(unescape(text) if "&" in text else text)
    return True


def _attribute(found: re.Match) -> tuple[str, str | None]:
    """(name, value) as HTMLParser gives them: the value of whichever quoting matched, unescaped; None without a value.

    (``findall`` would give "" for the two quotings that did not match, so a value in single quotes or none read as empty.)
    """
    value = next((v for v in found.group(2, 3, 4) if v is not None), None)
    return found.group(1).lower(), None if value is None else unescape(value)


def _only_tags(html: str, tags: list[re.Match]) -> bool:
    """No "<" in the text between the tags."""
    pos = 0
    for match in tags:
        if "<" in html[pos : match.start()]:
            return False
        pos = match.end()
    return "<" not in html[pos:]


def to_markdown(html: str) -> Converted:
    """A field's HTML as Markdown if it is simple, else kept (see the module docstring)."""
    html = _CONTROL.sub("", html.replace("\r\n", "\n"))
    if _PLAIN.fullmatch(html):
        return Converted(" ".join(html.split()))
    converter = _Converter(parser=False)
    try:
        if not _feed_regular(converter, html):
            converter.start_parser()
            converter.feed(html)
            converter.close()
        text = converter.result()
    except _NotSimple:
        return _kept_html(html)
    if converter.needs_check and visible_text(_render(text)) != visible_text(html):
        return _kept_html(html)
    return Converted(text, False, converter.media)


def to_markdown_all(texts: Sequence[str]) -> list[Converted]:
    """``to_markdown`` of each text, in order."""
    return [to_markdown(text) for text in texts]


def _render(markdown: str) -> str:
    from srs.exporters.anki.render import markdown_html

    return markdown_html(markdown)


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag not in _INLINE_TAGS and tag not in ("code", "span", "a"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag not in _INLINE_TAGS and tag not in ("code", "span", "a"):
            self.parts.append(" ")


def visible_text(html: str) -> str:
    """The text a browser shows for ``html``, whitespace collapsed (tags count as spaces)."""
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).replace("\u00a0", " ").split())
