"""The note type the Anki export uses, and the fixed ids that let re-imports update in place.

A note's GUID comes from the card's stable uid (never its text); the note type and deck ids are
derived from fixed names. Changing any of these would make every user's next import add a new note
type, new decks or duplicate notes, so tests pin them.
"""

from __future__ import annotations

import hashlib

import genanki
from pygments.formatters import HtmlFormatter

MODEL_NAME = "srs: Front/Back/Extra/Source"
FIELDS = ("Front", "Back", "Extra", "Source")
LIGHT_STYLE = "default"
DARK_STYLE = "github-dark"
NIGHT = (".nightMode", ".night_mode")  # Anki desktop / AnkiDroid put one of these on an ancestor of the card
NIGHT_PAGE_BACKGROUND = "#0d1117"
NIGHT_CODE_BACKGROUND = "#161b22"  # a step lighter than the page (github-dark's own is the page colour)


def stable_id(kind: str, name: str) -> int:
    """A fixed id for a named object, in genanki's recommended range [2**30, 2**31)."""
    digest = hashlib.blake2b(f"srs:{kind}:{name}".encode(), digest_size=8).digest()
    return (1 << 30) + int.from_bytes(digest, "big") % (1 << 30)


def _code_css() -> str:
    light = HtmlFormatter(style=LIGHT_STYLE)
    dark = HtmlFormatter(style=DARK_STYLE)
    night = [f"{mode} .highlight" for mode in NIGHT]
    # Reset every token in night mode first, so a token the light style colours but the dark one
    # does not cannot keep its (unreadable) light colour.
    reset = ", ".join(f"{scope} span" for scope in night) + (
        " { color: inherit; background-color: transparent; font-weight: normal; font-style: normal; border: none; }"
    )
    return "\n".join(
        [
            *light.get_background_style_defs(".highlight"),
            *light.get_token_style_defs(".highlight"),
            reset,
            *dark.get_background_style_defs(night),
            *dark.get_token_style_defs(night),
        ]
    )


def _night(selector: str) -> str:
    return ", ".join(f"{mode} {selector}" for mode in NIGHT)


CARD_CSS = f"""\
.card {{
  font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 20px; line-height: 1.45; text-align: left;
  color: #1f2328; background-color: #ffffff;
}}
.card.nightMode, .card.night_mode, {_night(".card")} {{ color: #e6edf3; background-color: {NIGHT_PAGE_BACKGROUND}; }}
.srs {{ max-width: 44em; margin: 0 auto; overflow-wrap: anywhere; }}
.srs p {{ margin: 0.5em 0; }}
.srs code {{ font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.88em;
  background-color: rgba(127, 127, 127, 0.16); border-radius: 4px; padding: 0.1em 0.3em; }}
.srs pre {{ padding: 0.6em 0.8em; border-radius: 6px; overflow-x: auto; line-height: 1.35; }}
.srs pre code {{ background: none; padding: 0; font-size: 0.85em; }}
.srs pre:not(.highlight) {{ background-color: rgba(127, 127, 127, 0.12); }}
.srs table {{ border-collapse: collapse; margin: 0.5em 0; }}
.srs th, .srs td {{ border: 1px solid rgba(127, 127, 127, 0.45); padding: 0.25em 0.6em; }}
.srs blockquote {{ margin: 0.5em 0; padding-left: 0.8em; border-left: 3px solid rgba(127, 127, 127, 0.45); }}
.srs a {{ color: #0969da; }}
{_night(".srs a")} {{ color: #58a6ff; }}
.extra {{ margin-top: 1em; opacity: 0.85; }}
.extra .smaller {{ font-size: 0.85em; }}
{_code_css()}
{", ".join(f"{mode} .highlight" for mode in NIGHT)} {{ background-color: {NIGHT_CODE_BACKGROUND}; }}
"""

# Each .srs box keeps the card's font size, so its 44em maximum width is the same as the others' and
# the boxes line up; Extra's smaller text is an inner element. Source stays a note field (searchable,
# shown in the browser) but is not printed on the card: a file name and item number mean nothing to a learner.
FRONT_TEMPLATE = '<div class="srs front">{{Front}}</div>'
BACK_TEMPLATE = (
    "{{FrontSide}}\n<hr id=answer>\n"
    '<div class="srs back">{{Back}}</div>\n'
    '{{#Extra}}<div class="srs extra"><div class="smaller">{{Extra}}</div></div>{{/Extra}}'
)


def make_model() -> genanki.Model:
    """The note type: fixed id, fields Front/Back/Extra/Source, one card, CSS with code highlighting."""
    return genanki.Model(
        stable_id("model", MODEL_NAME),
        MODEL_NAME,
        fields=[{"name": name} for name in FIELDS],
        templates=[{"name": "Card 1", "qfmt": FRONT_TEMPLATE, "afmt": BACK_TEMPLATE}],
        css=CARD_CSS,
    )


_BASE91 = "".join(genanki.util.BASE91_TABLE)
_BASE91_PAIRS = [high + low for high in _BASE91 for low in _BASE91]  # two digits per divmod: half the steps


def note_guid(uid: str) -> str:
    """The note's GUID: from the card's stable uid, so editing the text updates the same note.

    Equal to ``genanki.guid_for("srs", uid)`` (a test checks), computed without its per-byte Python loop.
    """
    value = int.from_bytes(hashlib.sha256(f"srs__{uid}".encode()).digest()[:8], "big")
    # 8281 ** 5 > 2 ** 64: five pairs hold any value. genanki writes no leading zero digit: strip them.
    value, p0 = divmod(value, 8281)
    value, p1 = divmod(value, 8281)
    value, p2 = divmod(value, 8281)
    p4, p3 = divmod(value, 8281)
    pairs = _BASE91_PAIRS
    return (pairs[p4] + pairs[p3] + pairs[p2] + pairs[p1] + pairs[p0]).lstrip(_BASE91[0])


# Cloze notes and reversed pairs (issue #19). Each is its own note type with a fixed id; their cards
# look like the "srs" ones (same CSS, and the reversed type's first card is the "srs" card itself).
CLOZE_MODEL_NAME = "srs: Cloze"
CLOZE_FIELDS = ("Text", "Back Extra", "Source")  # Anki's own Cloze type has Text and Back Extra
REVERSED_MODEL_NAME = "srs: Front/Back/Extra/Source (and reversed card)"
CLOZE_CSS = CARD_CSS + (
    f".cloze {{ font-weight: bold; color: #0969da; }}\n{_night('.cloze')}, .card.nightMode .cloze, .card.night_mode .cloze {{ color: #58a6ff; }}\n"
)
CLOZE_FRONT_TEMPLATE = '<div class="srs front">{{cloze:Text}}</div>'
CLOZE_BACK_TEMPLATE = (  # as BACK_TEMPLATE: Extra's smaller text inside its box, Source not printed
    '<div class="srs front">{{cloze:Text}}</div>\n'
    '{{#Back Extra}}<div class="srs extra"><div class="smaller">{{Back Extra}}</div></div>{{/Back Extra}}'
)
# Card 2 asks the back and answers the front ({{FrontSide}} is then the back, as Anki does it).
REVERSE_FRONT_TEMPLATE = FRONT_TEMPLATE.replace("{{Front}}", "{{Back}}")
REVERSE_BACK_TEMPLATE = BACK_TEMPLATE.replace("{{Back}}", "{{Front}}")


def make_cloze_model() -> genanki.Model:
    """Anki's Cloze shape: fields Text/Back Extra/Source, one card per {{cN::...}} in Text."""
    return genanki.Model(
        stable_id("model", CLOZE_MODEL_NAME),
        CLOZE_MODEL_NAME,
        fields=[{"name": name} for name in CLOZE_FIELDS],
        templates=[{"name": "Cloze", "qfmt": CLOZE_FRONT_TEMPLATE, "afmt": CLOZE_BACK_TEMPLATE}],
        css=CLOZE_CSS,
        model_type=genanki.Model.CLOZE,
    )


def make_reversed_model() -> genanki.Model:
    """Anki's "Basic (and reversed card)" shape: the "srs" fields, card 1 front to back, card 2 back to front."""
    return genanki.Model(
        stable_id("model", REVERSED_MODEL_NAME),
        REVERSED_MODEL_NAME,
        fields=[{"name": name} for name in FIELDS],
        templates=[
            {"name": "Card 1", "qfmt": FRONT_TEMPLATE, "afmt": BACK_TEMPLATE},
            {"name": "Card 2", "qfmt": REVERSE_FRONT_TEMPLATE, "afmt": REVERSE_BACK_TEMPLATE},
        ],
        css=CARD_CSS,
    )
