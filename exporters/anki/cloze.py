"""Cloze text through the Markdown renderer: Anki's ``{{cN::text::hint}}`` markers survive intact.

The renderer must not see the markers: in a code block Pygments would split ``{{c1::`` across
token spans, which Anki's cloze parser cannot read. Each marker is therefore swapped for one
private-use character before rendering (no span can split one character) and swapped back in the
HTML (where a code block's lexer wrapped one in an error span, the span is dropped). Private-use characters already in the text are dropped first, so a card cannot forge markers.
"""

from __future__ import annotations

import re

from srs.decks.cloze import MAX_ORDINAL, scan

_FIRST = 0xE000  # {{cN:: is chr(_FIRST + N)
_HINT = chr(_FIRST + MAX_ORDINAL + 1)
_CLOSE = chr(_FIRST + MAX_ORDINAL + 2)
_OURS = re.compile(f"[{chr(_FIRST)}-{_CLOSE}]")
# Pygments lexes a lone private-use character as an error token (a red box in some styles): unwrap it.
_ERROR_SPAN = re.compile(f'<span class="err">([{chr(_FIRST)}-{_CLOSE}]+)</span>')
_RESTORE = {_FIRST + n: f"{{{{c{n}::" for n in range(1, MAX_ORDINAL + 1)} | {ord(_HINT): "::", ord(_CLOSE): "}}"}


def protect(text: str) -> str:
    """``text`` with each deletion's markers as single private-use characters (render this)."""
    text = _OURS.sub("", text)
    pieces = []
    position = 0
    for deletion in scan(text)[0]:
        pieces += [text[position : deletion.start], chr(_FIRST + deletion.ordinal), deletion.answer]
        if deletion.hint is not None:
            pieces += [_HINT, deletion.hint]
        pieces.append(_CLOSE)
        position = deletion.end
    pieces.append(text[position:])
    return "".join(pieces)


def restore(html: str) -> str:
    """The rendered HTML of a ``protect``-ed text with Anki's cloze markers back in place."""
    if "err" in html:
        html = _ERROR_SPAN.sub(r"\1", html)
    return html.translate(_RESTORE)
