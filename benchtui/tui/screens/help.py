"""The help screen: the keys in force (after the user's keymap), by screen, and what the icons
and the histogram's colours mean.

Keys, descriptions and keymap ids sit in a three-column grid, so a description that wraps
stays in its column at any width instead of running under the keys.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from benchtui.tui import keys
from benchtui.tui.screens.dialogs import TOASTS_CLEAR_OF_BUTTONS
from benchtui.tui.widgets import status

INTRO = (
    "benchtui measures each operation in its own child process and shows it live. "
    "Pick operations on the suites screen, adjust their settings for this run, and run them. "
    "The live screen follows the running operation: enter on another one in the queue shows "
    "its figures, enter on the running one follows the run again. Results are saved to the "
    "tracker; the trend screen compares versions."
)

# (section, [(binding, what it does)]): every binding of keys.ALL belongs to one section.
SECTIONS: tuple[tuple[str, tuple[tuple[Binding, str], ...]], ...] = (
    (
        "Everywhere",
        (
            (keys.HELP, "this help (again to close it)"),
            (keys.CANCEL, "cancel the run in flight: its worker is killed at once"),
            (keys.LIVE, "the live view of the current or last run"),
            (keys.TREND, "version history of every tracked operation"),
            (keys.BACK, "back: close a dialog, leave a screen or the settings"),
            (keys.QUIT, "quit (asks first while a run is in flight)"),
        ),
    ),
    (
        "Suites and live screens",
        (
            (keys.TOGGLE, "select or unselect the operation (on a suite: all of it)"),
            (
                keys.OPEN,
                "edit the operation's settings (on a suite: fold it); in the live queue: "
                "show that operation",
            ),
            (keys.RUN, "run the selected operations"),
        ),
    ),
    (
        "Trend screen",
        (
            (keys.FILTER, "filter the operations by name"),
            (keys.CHART, "next chart view"),
            (keys.MARK, "mark the version (two at most) to compare"),
            (keys.VS_PREVIOUS, "compare the version with the one before it"),
            (keys.VS_MARKED, "compare the two marked versions"),
            (keys.RERUN, "re-run the operation"),
            (keys.EXPORT, "export the marked (or this) version's runs as JSON"),
            (keys.DELETE, "delete a stored run of the version"),
            (keys.OLDER, "page to older versions"),
            (keys.NEWER, "page to newer versions"),
        ),
    ),
    ("Compare screen", ((keys.SWAP, "swap versions A and B"),)),
)
# Keys of Textual's own, not remappable here: (section, key, what it does).
FIXED_KEYS = (("Everywhere", "ctrl+p", "command palette: every action, themes too"),)
STATUS_MEANINGS = {
    "pending": "waiting its turn",
    "running": "being measured",
    "ok": "finished; every call succeeded",
    "error": "calls raised (or setup failed): see the output pane",
    "timeout": "killed after its timeout",
    "crashed": "the worker process died",
    "cancelled": "stopped by you, or never started because of a cancel",
}


def short_id(binding_id: str) -> str:
    """The id without the prefix every binding shares (the column stays narrow)."""
    return binding_id.removeprefix(keys.ID_PREFIX)


KeyRow = tuple[str, str, str]  # (key as pressed, what it does, keymap id or "")


def key_sections(keymap: Mapping[str, str]) -> list[tuple[str, list[KeyRow]]]:
    """Every binding with the key in force, by section.

    A binding added to ``keys.ALL`` but not to ``SECTIONS`` still shows, under "Other".
    """
    listed: set[str | None] = set()
    sections: list[tuple[str, list[KeyRow]]] = []
    for title, bindings in SECTIONS:
        rows = []
        for binding, description in bindings:
            listed.add(binding.id)
            rows.append((keys.shown_key(binding, keymap), description, binding.id or ""))
        rows += [(key, what, "") for section, key, what in FIXED_KEYS if section == title]
        sections.append((title, rows))
    other = [
        (keys.shown_key(b, keymap), b.description, b.id or "")
        for b in keys.ALL
        if b.id not in listed
    ]
    if other:
        sections.append(("Other", other))
    return sections


class HelpScreen(ModalScreen[None]):
    """Keys and legend; escape or ? closes it."""

    BINDINGS = [keys.BACK, Binding("question_mark", "back", "Close", show=False)]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90%; max-width: 100; height: auto; max-height: 90%;
        border: round $primary; border-title-color: $primary;
        background: $surface; padding: 0 1; scrollbar-size-vertical: 1;
    }
    HelpScreen .title { text-style: bold; color: $primary; }
    HelpScreen .para { height: auto; }
    HelpScreen .section { text-style: bold; margin-top: 1; height: auto; }
    HelpScreen .keys {
        grid-size: 3; grid-columns: 9 1fr 14; grid-rows: auto; grid-gutter: 0 2;
        height: auto;
    }
    HelpScreen .keys > Static { height: auto; }
    HelpScreen .keys > .key { text-style: bold; color: $accent; }
    HelpScreen .keys > .id { color: $foreground-muted; }
    HelpScreen .icons {
        grid-size: 3; grid-columns: 9 10 1fr; grid-rows: auto; grid-gutter: 0 2;
        height: auto;
    }
    HelpScreen .icons > Static { height: auto; }
    HelpScreen .icons > .name { text-style: bold; }
    HelpScreen .note { color: $foreground-muted; height: auto; margin-top: 1; }
    HelpScreen.-narrow .keys { grid-size: 2; grid-columns: 9 1fr; }
    HelpScreen.-narrow .keys > .id { display: none; }
    """ + TOASTS_CLEAR_OF_BUTTONS.format(name="HelpScreen")
    NARROW_BELOW = 64  # columns of the screen: below this the keymap ids make room

    def __init__(self, keymap: Mapping[str, str]) -> None:
        super().__init__()
        self.keymap = dict(keymap)

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "help"
            yield Static(INTRO, classes="para")
            # One grid per section, all with the same fixed key and id columns: keys and
            # descriptions line up down the whole screen, and a long description wraps
            # within its own column.
            for title, rows in key_sections(self.keymap):
                yield Static(title, classes="section")
                with Grid(classes="keys"):
                    for key, description, binding_id in rows:
                        yield Static(key, classes="key")
                        yield Static(description, classes="description")
                        yield Static(short_id(binding_id), classes="id")
            yield Static("Status icons", classes="section")
            with Grid(classes="icons"):
                for name in status.ICONS:
                    yield Static(Content.styled(status.icon(name), status.style(name)))
                    yield Static(name, classes="name")
                    yield Static(STATUS_MEANINGS.get(name, ""))
            yield Static("Latency histogram", classes="section")
            yield Static(
                Content.assemble(
                    "Log-scaled latency buckets: ",
                    ("the bulk up to p90", "$primary"),
                    ", ",
                    ("the tail up to p99", "$warning"),
                    ", ",
                    ("outliers beyond", "$error"),
                    "; ▾ marks p50, p90, p99 and p99.9.",
                ),
                classes="para",
            )
            yield Static(
                f"The right-hand column is each key's id, after {keys.ID_PREFIX!r}. Remap keys in "
                "$XDG_CONFIG_HOME/benchtui/config.toml by full id, e.g.\n"
                '  [keymap]\n  "benchtui.run" = "f5"',
                classes="note",
            )

    def on_mount(self) -> None:
        self.set_class(self.app.size.width < self.NARROW_BELOW, "-narrow")

    def on_resize(self) -> None:
        self.set_class(self.app.size.width < self.NARROW_BELOW, "-narrow")

    def action_back(self) -> None:
        self.dismiss()
