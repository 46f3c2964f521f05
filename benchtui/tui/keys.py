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
# The trend screen comes with the next issue; the binding exists now so keymaps stay stable.
TREND = Binding("t", "app.trend", "Trend", id="benchtui.trend", show=False)
HELP = Binding("question_mark", "app.help", "Help", id="benchtui.help", key_display="?")
QUIT = Binding("ctrl+q", "app.quit", "Quit", id="benchtui.quit", priority=True)

ALL: tuple[Binding, ...] = (TOGGLE, OPEN, RUN, CANCEL, LIVE, BACK, TREND, HELP, QUIT)
KNOWN_IDS = frozenset(b.id for b in ALL if b.id)


def shown_key(binding: Binding, keymap: Mapping[str, str]) -> str:
    """The key(s) a person presses for ``binding`` under ``keymap``."""
    if binding.id and binding.id in keymap:
        return keymap[binding.id]
    return binding.key_display or binding.key
