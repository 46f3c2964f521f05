"""The help screen: the keys in force (after the user's keymap) and what the icons mean."""

from __future__ import annotations

from collections.abc import Mapping

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from benchtui.tui import keys
from benchtui.tui.widgets import status

INTRO = (
    "benchtui measures each operation in its own child process and shows it live.\n"
    "Pick operations on the suites screen, adjust their settings for this run, and run them;\n"
    "the live screen follows the running operation (enter on another one in the queue shows\n"
    "its summary; enter on the running one follows the run again). Results are saved to the\n"
    "tracker. Latency: log-scaled HdrHistogram buckets, bulk to p90, tail to p99, beyond."
)


def help_text(keymap: Mapping[str, str]) -> Content:
    lines: list[Content] = [
        Content.styled("benchtui", "bold $primary"),
        Content(INTRO),
        Content(""),
    ]
    lines.append(Content.styled("Keys", "bold"))
    for binding in keys.ALL:
        key = keys.shown_key(binding, keymap)
        lines.append(
            Content.assemble(
                (f"  {key:<12}", "bold $accent"),
                binding.description,
                "  ",
                (f"({binding.id})", "$foreground-muted"),
            )
        )
    lines.append(
        Content.assemble(("  ctrl+p      ", "bold $accent"), "command palette (themes too)")
    )
    lines.append(Content(""))
    lines.append(Content.styled("Status icons", "bold"))
    for name in status.ICONS:
        lines.append(Content.assemble("  ", (status.icon(name), status.style(name)), f"  {name}"))
    lines.append(Content(""))
    lines.append(
        Content.styled(
            "Remap keys in $XDG_CONFIG_HOME/benchtui/config.toml, e.g.\n"
            '  [keymap]\n  "benchtui.run" = "f5"',
            "$foreground-muted",
        )
    )
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    """Keys and legend; escape or ? closes it."""

    BINDINGS = [keys.BACK, Binding("question_mark", "back", "Close", show=False)]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90%; max-width: 96; height: auto; max-height: 90%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    """

    def __init__(self, keymap: Mapping[str, str]) -> None:
        super().__init__()
        self.keymap = dict(keymap)

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "help"
            yield Static(help_text(self.keymap))

    def action_back(self) -> None:
        self.dismiss()
