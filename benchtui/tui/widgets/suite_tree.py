"""The tree of suites and their operations, each with a checkbox; broken suites in red.

It owns the selection (which operations are checked) and shows which ones have settings
edited for this run. It posts ``SelectionChanged`` and ``CursorMoved``; it does not
know about runs or settings values.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

from rich.style import Style
from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from benchtui.suite import Suite, SuiteError
from benchtui.tui import keys
from benchtui.tui.messages import CursorMoved, OpKey, SelectionChanged

CHECKED, UNCHECKED, PARTIAL = "☑", "☐", "▣"


@dataclass(frozen=True)
class SuiteData:
    index: int


@dataclass(frozen=True)
class OperationData:
    key: OpKey


@dataclass(frozen=True)
class ErrorData:
    error: SuiteError


NodeData = SuiteData | OperationData | ErrorData


class SuiteTree(Tree[NodeData]):
    """Suites (top level) and their operations (leaves), with checkboxes."""

    BINDINGS = [keys.TOGGLE, keys.OPEN]
    COMPONENT_CLASSES = Tree.COMPONENT_CLASSES | {
        "suite-tree--checked",
        "suite-tree--unchecked",
        "suite-tree--partial",
        "suite-tree--edited",
        "suite-tree--error",
        "suite-tree--muted",
    }
    DEFAULT_CSS = """
    SuiteTree { background: $surface; }
    SuiteTree > .suite-tree--checked { color: $success; }
    SuiteTree > .suite-tree--unchecked { color: $foreground-muted; }
    SuiteTree > .suite-tree--partial { color: $accent; }
    SuiteTree > .suite-tree--edited { color: $accent; text-style: bold; }
    SuiteTree > .suite-tree--error { color: $error; text-style: bold; }
    SuiteTree > .suite-tree--muted { color: $foreground-muted; }
    """

    def __init__(
        self, suites: list[Suite], errors: list[SuiteError], *, id: str | None = None
    ) -> None:
        super().__init__("suites", id=id)
        self.show_root = False
        self.guide_depth = 3
        self.suites = suites
        self.errors = errors
        self.selected: set[OpKey] = set()
        self.edited: set[OpKey] = set()
        self._op_nodes: dict[OpKey, TreeNode[NodeData]] = {}
        self._suite_nodes: dict[int, TreeNode[NodeData]] = {}

    def on_mount(self) -> None:
        for index, suite in enumerate(self.suites):
            node = self.root.add(suite.name, SuiteData(index), expand=True)
            self._suite_nodes[index] = node
            for op in suite.operations:
                key = (index, op.name)
                self._op_nodes[key] = node.add_leaf(op.name, OperationData(key))
        for error in self.errors:
            self.root.add_leaf(_error_name(error), ErrorData(error))

    # ------------------------------------------------------------------ public
    def set_edited(self, key: OpKey, edited: bool) -> None:
        if edited:
            self.edited.add(key)
        else:
            self.edited.discard(key)
        if key in self._op_nodes:
            self._relabel_op(key)

    def select_keys(self, keys_: set[OpKey]) -> None:
        self.selected = set(keys_) & set(self._op_nodes)
        for index in self._suite_nodes:
            self._relabel_suite(index)
        for key in self._op_nodes:
            self._relabel_op(key)
        self.post_message(SelectionChanged(frozenset(self.selected)))

    @property
    def highlighted_key(self) -> OpKey | None:
        node = self.cursor_node
        if node is not None and isinstance(node.data, OperationData):
            return node.data.key
        return None

    # ------------------------------------------------------------------ actions
    def action_toggle_selection(self) -> None:
        node = self.cursor_node
        if node is None or node.data is None:
            return
        data = node.data
        if isinstance(data, OperationData):
            self.selected ^= {data.key}
            self._relabel_op(data.key)
            self._relabel_suite(data.key[0])
        elif isinstance(data, SuiteData):
            keys_ = {(data.index, op.name) for op in self.suites[data.index].operations}
            if keys_ <= self.selected:
                self.selected -= keys_
            else:
                self.selected |= keys_
            self._relabel_suite(data.index)
            for key in keys_:
                self._relabel_op(key)
        else:
            return
        self.post_message(SelectionChanged(frozenset(self.selected)))

    def action_open(self) -> None:
        """Enter: fold a suite, or move to an operation's settings."""
        node = self.cursor_node
        if node is None:
            return
        if isinstance(node.data, SuiteData):
            node.toggle()
        elif isinstance(node.data, OperationData):
            self.screen.focus_next()
        elif isinstance(node.data, ErrorData):
            self.notify(str(node.data.error), title="Suite not loaded", severity="error")

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[NodeData]) -> None:
        event.stop()
        data = event.node.data
        if isinstance(data, OperationData):
            self.post_message(CursorMoved(key=data.key, suite_index=data.key[0]))
        elif isinstance(data, SuiteData):
            self.post_message(CursorMoved(suite_index=data.index))
        elif isinstance(data, ErrorData):
            self.post_message(CursorMoved(error=data.error))

    # ------------------------------------------------------------------ labels
    def render_label(self, node: TreeNode[NodeData], base_style: Style, style: Style) -> Text:
        """Checkbox, name and markers, coloured by component classes (theme variables)."""
        data = node.data
        part = partial(self.get_component_rich_style, partial=True)
        label = node.label.copy()
        label.stylize(style)
        if isinstance(data, OperationData):
            chosen = data.key in self.selected
            mark = (
                (CHECKED, part("suite-tree--checked"))
                if chosen
                else (UNCHECKED, part("suite-tree--unchecked"))
            )
            edited = (" *", part("suite-tree--edited")) if data.key in self.edited else ""
            return Text.assemble(mark, " ", label, edited)
        if isinstance(data, SuiteData):
            suite = self.suites[data.index]
            keys_ = {(data.index, op.name) for op in suite.operations}
            count = len(keys_ & self.selected)
            if count == len(keys_):
                mark = (CHECKED, part("suite-tree--checked"))
            elif count:
                mark = (PARTIAL, part("suite-tree--partial"))
            else:
                mark = (UNCHECKED, part("suite-tree--unchecked"))
            icon = self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE
            label.stylize("bold")
            muted = part("suite-tree--muted")
            return Text.assemble(
                (icon, base_style), mark, " ", label, (f"  {count}/{len(keys_)}", muted)
            )
        if isinstance(data, ErrorData):
            return Text.assemble(
                ("✗ ", part("suite-tree--error")),
                (label.plain, part("suite-tree--error")),
                (" not loaded", part("suite-tree--muted")),
            )
        return super().render_label(node, base_style, style)

    def _relabel_op(self, key: OpKey) -> None:
        node = self._op_nodes[key]
        node.set_label(node.label)

    def _relabel_suite(self, index: int) -> None:
        node = self._suite_nodes[index]
        node.set_label(node.label)


def _error_name(error: SuiteError) -> str:
    return Path(error.path).name if error.path else "suite"
