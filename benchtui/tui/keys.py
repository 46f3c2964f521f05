"""Every key binding of the TUI, each with an id, so a user keymap can remap it.

Screens and widgets list these constants in their ``BINDINGS``; the help screen lists them
with the keys actually in force (after the user's keymap). Keymap ids are the ``id`` field,
e.g. ``"benchtui.run" = "f5"`` in ``config.toml``.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.binding import Binding

TOGGLE = Binding("space", "toggle_selection", "Select", id="benchtui.toggle")
OPEN = Binding("enter", "open", "Open", id="benchtui.open")
RUN = Binding("r", "run_selected", "Run", id="benchtui.run")
CANCEL = Binding("c", "app.cancel_run", "Cancel run", id="benchtui.cancel")
LIVE = Binding("l", "app.show_live", "Live view", id="benchtui.live")
BACK = Binding("escape", "back", "Back", id="benchtui.back")
TREND = Binding("t", "app.trend", "Trend", id="benchtui.trend")
HELP = Binding("question_mark", "app.help", "Help", id="benchtui.help", key_display="?")
QUIT = Binding("ctrl+q", "app.quit", "Quit", id="benchtui.quit", priority=True)

# The trend and compare screens.
FILTER = Binding("slash", "filter", "Filter", id="benchtui.trend.filter", key_display="/")
CHART = Binding("m", "chart", "Chart", id="benchtui.trend.chart")
MARK = Binding("space", "mark", "Mark", id="benchtui.trend.mark")
VS_PREVIOUS = Binding("enter", "compare_previous", "vs previous", id="benchtui.trend.previous")
VS_MARKED = Binding("v", "compare_marked", "Compare marked", id="benchtui.trend.compare")
RERUN = Binding("r", "rerun", "Re-run", id="benchtui.trend.rerun")
EXPORT = Binding("e", "export", "Export", id="benchtui.trend.export")
DELETE = Binding("d", "delete_run", "Delete run", id="benchtui.trend.delete")
OLDER = Binding("left_square_bracket", "older", "Older", id="benchtui.trend.older", key_display="[")
NEWER = Binding(
    "right_square_bracket", "newer", "Newer", id="benchtui.trend.newer", key_display="]"
)
SWAP = Binding("s", "swap", "Swap A/B", id="benchtui.compare.swap")

ALL: tuple[Binding, ...] = (
    TOGGLE,
    OPEN,
    RUN,
    CANCEL,
    LIVE,
    BACK,
    TREND,
    HELP,
    QUIT,
    FILTER,
    CHART,
    MARK,
    VS_PREVIOUS,
    VS_MARKED,
    RERUN,
    EXPORT,
    DELETE,
    OLDER,
    NEWER,
    SWAP,
)
KNOWN_IDS = frozenset(b.id for b in ALL if b.id)
# Every id starts with this; a keymap may leave it out ("trend.filter" = "f"), as help shows.
ID_PREFIX = "benchtui."


def full_id(binding_id: str) -> str:
    """The binding id a keymap entry names, with or without ``ID_PREFIX``."""
    if binding_id in KNOWN_IDS or ID_PREFIX + binding_id not in KNOWN_IDS:
        return binding_id
    return ID_PREFIX + binding_id


def shown_key(binding: Binding, keymap: Mapping[str, str]) -> str:
    """The key(s) a person presses for ``binding`` under ``keymap``."""
    if binding.id and binding.id in keymap:
        return keymap[binding.id]
    return binding.key_display or binding.key
