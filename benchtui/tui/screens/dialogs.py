"""Small modals of the trend screen: ask for a text (a label, a path) and pick a stored run.

They only ask: each dismisses with the answer (or ``None`` when the person backs out) and the
screen that pushed them acts on it.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from benchtui.tui.history_queries import RunInfo
from benchtui.tui.widgets import status

# Toasts dock at the bottom right by default: right over a centred dialog's buttons, where a
# click lands on the toast (dismissing it) instead of the button. On a modal they stack from
# the top instead, clipped to its upper part, where a dialog has its text, never its buttons:
# toasts that do not fit there come into view as the older ones expire.
TOASTS_CLEAR_OF_BUTTONS = """
{name} ToastRack {{ dock: top; align: right top; max-height: 40%; margin: 0; }}
"""

DIALOG_CSS = (
    """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 76; max-width: 95%; height: auto; max-height: 90%;
    border: thick $primary; background: $surface; padding: 1 2;
}}
{name} .question {{ margin-bottom: 1; height: auto; }}
{name} .hint {{ color: $foreground-muted; height: auto; margin-top: 1; }}
{name} Horizontal {{ height: auto; align-horizontal: right; margin-top: 1; }}
{name} Button {{ margin-left: 2; }}
"""
    + TOASTS_CLEAR_OF_BUTTONS
)


class AskText(ModalScreen[str | None]):
    """A question with a one-line answer; enter accepts, escape backs out."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="benchtui.dialog.cancel")]
    DEFAULT_CSS = DIALOG_CSS.format(name="AskText")

    def __init__(self, question: str, value: str, hint: str = "", ok: str = "OK") -> None:
        super().__init__()
        self.question, self.value, self.hint, self.ok = question, value, hint, ok

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, classes="question")
            yield Input(self.value, id="answer")
            if self.hint:
                yield Static(self.hint, classes="hint")
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button(self.ok, id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._accept()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "ok":
            self._accept()
        else:
            self.dismiss(None)

    def _accept(self) -> None:
        answer = self.query_one(Input).value.strip()
        if answer:
            self.dismiss(answer)
        else:
            self.notify("An empty answer will not do.", severity="warning")

    def action_cancel(self) -> None:
        self.dismiss(None)


def run_prompt(run: RunInfo) -> Content:
    started = run.started_at[:19].replace("T", " ")
    return Content.assemble(
        (f"{status.icon(run.status)} ", status.style(run.status)),
        (started, "bold"),
        (f"  {run.run_id[:8]}  {len(run.operations)} operations", "$foreground-muted"),
    )


class PickRun(ModalScreen[RunInfo | None]):
    """Choose one of a version's runs (newest first)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="benchtui.dialog.cancel")]
    DEFAULT_CSS = (
        DIALOG_CSS.format(name="PickRun") + "PickRun OptionList { height: auto; max-height: 12; }"
    )

    def __init__(self, question: str, runs: tuple[RunInfo, ...]) -> None:
        super().__init__()
        self.question, self.runs = question, runs

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, classes="question")
            yield OptionList(*(Option(run_prompt(r), id=r.run_id) for r in self.runs))
            yield Static("enter chooses · escape backs out", classes="hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.runs[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
