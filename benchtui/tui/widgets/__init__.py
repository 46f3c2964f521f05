"""The TUI's widgets: each pane renders from an immutable snapshot set on a reactive."""
