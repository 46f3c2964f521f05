"""The suites screen: a tree of suites and operations with checkboxes, the highlighted
operation's settings (editable for this run), the version label, and Run.

It keeps the selection and the per-run overrides, and posts ``RunRequested`` to the app; it
does not start runs or probe anything itself. Suites that failed to load appear in the tree in
the error colour with their message; they never hide the good ones.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Static

from benchtui.suite import Operation, Suite, SuiteError
from benchtui.tui import keys
from benchtui.tui.messages import CursorMoved, OpKey, RunRequested, SelectionChanged, SettingsEdited
from benchtui.tui.session import RunGroup
from benchtui.tui.widgets.settings import SettingsForm
from benchtui.tui.widgets.suite_tree import SuiteTree

MUTED = "$foreground-muted"
FALLBACK_LABEL = "unversioned"


class SuitesScreen(Screen[None]):
    """Choose operations, adjust their settings for this run, and start it."""

    BINDINGS = [keys.RUN, keys.LIVE, keys.BACK]
    DEFAULT_CSS = """
    SuitesScreen #suites-body { height: 1fr; }
    SuitesScreen #suite-tree {
        width: 2fr; min-width: 28; max-width: 48; height: 1fr;
        border: round $primary 40%; border-title-color: $primary;
    }
    SuitesScreen #suite-tree:focus { border: round $accent; }
    SuitesScreen #details {
        width: 3fr; height: 1fr; padding: 0 1; scrollbar-size-vertical: 1;
        border: round $primary 40%; border-title-color: $primary;
    }
    SuitesScreen #details:focus-within { border: round $accent; }
    SuitesScreen #op-title { text-style: bold; height: auto; }
    SuitesScreen #op-description { color: $foreground-muted; height: auto; }
    SuitesScreen #run-row { height: 1; margin-top: 1; }
    SuitesScreen #run-row Label { width: 14; color: $foreground-muted; }
    SuitesScreen #label-input { width: 1fr; margin-right: 1; }
    /* A button's default 16 cells would leave the label too little room at 80 columns. */
    SuitesScreen #run-button { width: auto; min-width: 0; padding: 0 1; }
    SuitesScreen #selection-summary { color: $foreground-muted; height: auto; }
    SuitesScreen #problems { color: $error; height: auto; margin-top: 1; }
    """

    problems: reactive[tuple[str, ...]] = reactive(())
    default_label: reactive[str] = reactive("", init=False)

    def __init__(self, suites: list[Suite], errors: list[SuiteError]) -> None:
        super().__init__()
        self.suites = suites
        self.errors = errors
        self.overrides: dict[OpKey, Operation] = {}
        self.invalid: dict[OpKey, str] = {}
        self._label_touched = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="suites-body"):
            tree = SuiteTree(self.suites, self.errors, id="suite-tree")
            tree.border_title = "suites"
            yield tree
            # Not focusable itself: enter on an operation goes straight to its first field.
            with VerticalScroll(id="details", can_focus=False) as details:
                details.border_title = "settings for this run"
                yield Static(id="op-title")
                yield Static(id="op-description")
                yield SettingsForm(id="settings")
                with Horizontal(id="run-row"):
                    yield Label("version label")
                    yield Input(placeholder=FALLBACK_LABEL, id="label-input", compact=True)
                    yield Button("Run ▶", id="run-button", compact=True, variant="primary")
                yield Static(id="selection-summary")
                yield Static(id="problems")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(SettingsForm).display = False
        self._summarise(frozenset())
        if not self.suites:
            self.query_one("#op-title", Static).update("No suites loaded")
        tree = self.query_one(SuiteTree)
        tree.focus()
        self.watch_default_label(self.default_label)
        self.call_after_refresh(self._first_operation)

    def _first_operation(self) -> None:
        """Start on the first operation so its settings are in view at once."""
        tree = self.query_one(SuiteTree)
        tree.cursor_line = 1 if self.suites else 0

    # ------------------------------------------------------------------ from the app
    def watch_default_label(self, label: str) -> None:
        """The tracker's default label fills the input, unless the person typed one."""
        fields = self.query("#label-input").results(Input)
        field = next(fields, None)
        if field is not None and label and not self._label_touched:
            with self.prevent(Input.Changed):
                field.value = label

    def watch_problems(self, problems: tuple[str, ...]) -> None:
        if not self.is_mounted:
            return
        text = "\n".join(f"✗ {p}" for p in problems)
        self.query_one("#problems", Static).update(
            Content.assemble(("The run did not start:\n", "bold"), text) if problems else ""
        )

    # ------------------------------------------------------------------ events
    def on_cursor_moved(self, message: CursorMoved) -> None:
        form = self.query_one(SettingsForm)
        title = self.query_one("#op-title", Static)
        description = self.query_one("#op-description", Static)
        if message.key is not None:
            suite = self.suites[message.key[0]]
            base = suite.operation(message.key[1])
            current = self.overrides.get(message.key, base)
            title.update(Content.assemble(message.key[1], (f"  {suite.name}", MUTED)))
            extra = [f"setup {base.setup}"] if base.setup else []
            extra += [f"teardown {base.teardown}"] if base.teardown else []
            description.update(" · ".join([base.description or "(no description)", *extra]))
            form.display = True
            form.show(message.key, base, current)
        elif message.suite_index is not None:
            suite = self.suites[message.suite_index]
            form.display = False
            title.update(Content.assemble(suite.name, (f"  {len(suite.operations)} ops", MUTED)))
            description.update(f"{suite.description}\n{suite.path}".strip())
        elif message.error is not None:
            form.display = False
            title.update(Content.styled("Suite not loaded", "bold $error"))
            description.update(Content.styled(str(message.error), "$error"))

    def on_settings_edited(self, message: SettingsEdited) -> None:
        tree = self.query_one(SuiteTree)
        base = self.suites[message.key[0]].operation(message.key[1])
        if message.error is not None:
            self.invalid[message.key] = message.error
            tree.set_edited(message.key, True)
            return
        self.invalid.pop(message.key, None)
        if message.operation is None or message.operation == base:
            self.overrides.pop(message.key, None)
            tree.set_edited(message.key, False)
        else:
            self.overrides[message.key] = message.operation
            tree.set_edited(message.key, True)

    def on_selection_changed(self, message: SelectionChanged) -> None:
        self._summarise(message.selected)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "label-input":
            self._label_touched = True

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "label-input":
            self.action_run_selected()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "run-button":
            event.stop()
            self.action_run_selected()

    # ------------------------------------------------------------------ actions
    def action_run_selected(self) -> None:
        selected = self.query_one(SuiteTree).selected
        if not selected:
            self.notify(
                "Nothing selected: press space on operations (or a suite) first.",
                severity="warning",
            )
            return
        broken = sorted(k for k in selected if k in self.invalid)
        if broken:
            key = broken[0]
            self.notify(
                f"{key[1]}: {self.invalid[key]}", title="Fix the settings first", severity="error"
            )
            return
        groups = []
        for index, suite in enumerate(self.suites):
            ops = tuple(
                self.overrides.get((index, op.name), op)
                for op in suite.operations
                if (index, op.name) in selected
            )
            if ops:
                groups.append(RunGroup(suite, ops))
        label = self.query_one("#label-input", Input).value.strip() or FALLBACK_LABEL
        self.problems = ()
        self.post_message(RunRequested(tuple(groups), label))

    def action_back(self) -> None:
        """Escape from the settings: back to the tree."""
        self.query_one(SuiteTree).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":  # only offered while editing settings
            return not self.query_one(SuiteTree).has_focus
        return True

    # ------------------------------------------------------------------ internals
    def _summarise(self, selected: frozenset[OpKey]) -> None:
        count = len(selected)
        suites = len({k[0] for k in selected})
        if count:
            text = f"{count} operation{'s' * (count != 1)} selected"
            if suites > 1:
                text += f" in {suites} suites (run one after the other)"
            text += " · r runs them"
        else:
            text = "space selects operations · enter edits one · r runs the selection"
        self.query_one("#selection-summary", Static).update(text)
