"""The run's queue: every chosen operation with its status icon, in run order.

Redrawn from the ``RunView`` entries only when a line changes; picking an entry (enter or
click) posts ``EntryChosen`` so the screen shows that operation's panes (a finished one's
summary stays browsable). Knows nothing of how a run is driven.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from benchtui import format as fmt
from benchtui.tui import keys
from benchtui.tui.messages import EntryChosen
from benchtui.tui.session import EntryKey, QueueEntry
from benchtui.tui.widgets import status

MUTED = "$foreground-muted"


def entry_id(key: EntryKey) -> str:
    return f"{key[0]}:{key[1]}"


def entry_prompt(entry: QueueEntry, show_suite: bool, shown: bool) -> Content:
    snap = entry.snapshot
    parts: list[tuple[str, str] | str] = [
        (f"{status.icon(snap.status)} ", status.style(snap.status)),
        (snap.operation, "bold" if shown else ""),
    ]
    if show_suite:
        parts.append((f" · {entry.suite}", MUTED))
    # No live percentage here: a line that changes every frame would repaint the whole list.
    if snap.status == "running":
        parts.append((f" {snap.phase or 'starting'}", MUTED))
    elif snap.result is not None and snap.status == "ok" and snap.latency_samples:
        parts.append((f" {fmt.duration_ns(snap.latency.p50)}", MUTED))
    elif snap.result is not None:
        parts.append((f" {snap.status}", status.style(snap.status)))
    return Content.assemble(*parts)


class QueueList(OptionList):
    """The operations of the run; ``update_entries`` keeps it in step with the session."""

    BINDINGS = [keys.OPEN.with_key("enter")]
    DEFAULT_CSS = """
    QueueList, QueueList:focus {
        height: 1fr; border: none; background: $surface;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._keys: list[EntryKey] = []
        self._prompts: dict[EntryKey, Content] = {}

    def update_entries(self, entries: tuple[QueueEntry, ...], shown: EntryKey | None) -> None:
        show_suite = len({e.key[0] for e in entries}) > 1
        keys_ = [e.key for e in entries]
        if keys_ != self._keys:
            self._keys = keys_
            self._prompts = {e.key: entry_prompt(e, show_suite, e.key == shown) for e in entries}
            self.set_options(Option(self._prompts[e.key], id=entry_id(e.key)) for e in entries)
            return
        if self.highlighted is None and shown in keys_:
            # The cursor starts on the shown entry; from then on it is the person's.
            self.highlighted = keys_.index(shown)
        for entry in entries:
            prompt = entry_prompt(entry, show_suite, entry.key == shown)
            if prompt != self._prompts.get(entry.key):
                self._prompts[entry.key] = prompt
                self.replace_option_prompt(entry_id(entry.key), prompt)

    def action_open(self) -> None:
        self.action_select()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        index = event.option_index
        if 0 <= index < len(self._keys):
            self.post_message(EntryChosen(self._keys[index]))
