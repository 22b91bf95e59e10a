"""The deck list as a tree, with new / learning / due columns right-aligned as in Anki."""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from srs.overview import DeckRow
from srs.review import Counts
from srs.tui.text import clean

COLUMN = 7  # width of each count column
COLUMNS = ("new", "learning", "due")


@dataclass(frozen=True)
class DeckLine:
    """One node of the tree: a deck (``deck`` None is the root, all decks) and its counts for today."""

    deck: str | None
    label: str
    new: int
    learning: int
    due: int


def header_text(width: int) -> str:
    """'Deck ... New  Learn  Due' aligned over the count columns of a tree ``width`` cells wide."""
    titles = "".join(title.rjust(COLUMN) for title in ("New", "Learn", "Due"))
    return "Deck".ljust(max(0, width - len(titles))) + titles


class DeckHeader(Static):
    """The column titles over a ``DeckTree`` (sized at paint time, so it follows resizes)."""

    def render(self) -> Content:
        tree = self.screen.query_one(DeckTree)
        return Content(header_text(tree.scrollable_content_region.width))


class DeckTree(Tree[DeckLine]):
    """Decks nested by '::'. Enter studies the deck under the cursor (the root: every deck)."""

    BINDINGS = [
        Binding("enter", "select_cursor", "Study", show=True),
        Binding("space", "toggle_node", "Fold", show=False),
    ]
    KEY_HELP = {"select_cursor": "Study the deck under the cursor (All decks: every deck)", "toggle_node": "Fold or unfold a deck"}
    COMPONENT_CLASSES = {"deck-tree--new", "deck-tree--learning", "deck-tree--due", "deck-tree--zero"}

    def __init__(self, **kwargs) -> None:
        super().__init__(Text("All decks"), data=DeckLine(None, "All decks", 0, 0, 0), **kwargs)
        self.auto_expand = False
        self.guide_depth = 3

    def load(self, rows: list[DeckRow], totals: Counts) -> None:
        """Rebuild the tree from ``deck_overview`` rows, keeping the cursor on the same deck."""
        selected = self.cursor_node.data.deck if self.cursor_node is not None and self.cursor_node.data else None
        self.clear()
        self.root.data = DeckLine(None, "All decks", totals.new, totals.learning, totals.review)
        nodes: dict[str, TreeNode[DeckLine]] = {}
        for row in rows:
            parent_name = row.name.rpartition("::")[0]
            parent = nodes.get(parent_name, self.root)
            line = DeckLine(row.name, row.short_name, row.new, row.learning, row.review)
            has_children = any(other.name.startswith(row.name + "::") for other in rows)
            label = Text(clean(row.short_name))
            nodes[row.name] = parent.add(label, data=line, expand=True) if has_children else parent.add_leaf(label, data=line)
        self.root.expand()
        target = nodes.get(selected) if selected else None
        # Node lines are laid out on the next refresh; only then can the cursor find the node.
        self.call_after_refresh(self.move_cursor, target or self.root)
        self.call_after_refresh(self.screen.query(DeckHeader).refresh)

    def on_resize(self) -> None:
        # The header's columns follow this tree's width; repaint it once the new size is laid out.
        self.call_after_refresh(self.screen.query(DeckHeader).refresh)

    def _depth(self, node: TreeNode[DeckLine]) -> int:
        depth = 0
        while node.parent is not None:
            node, depth = node.parent, depth + 1
        return depth

    def render_label(self, node: TreeNode[DeckLine], base_style: Style, style: Style) -> Text:
        """Name, cut to fit, then the three counts in fixed columns at the right edge."""
        line = node.data
        if line is None:
            return super().render_label(node, base_style, style)
        prefix = (self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE) if node.allow_expand else ""
        room = self.scrollable_content_region.width - self._depth(node) * self.guide_depth - len(prefix) - COLUMN * 3
        name = Text(clean(line.label), style=style, no_wrap=True, end="")
        name.truncate(max(1, room), overflow="ellipsis", pad=True)
        counts = Text()
        for kind, value in zip(COLUMNS, (line.new, line.learning, line.due)):
            component = "deck-tree--zero" if value == 0 else f"deck-tree--{kind}"
            counts.append(str(value).rjust(COLUMN), style=self.get_component_rich_style(component, partial=True))
        return Text.assemble((prefix, base_style), name, counts)
