"""Status icons and colours shared by the queue and the panes (theme variables only)."""

from __future__ import annotations

ICONS = {
    "pending": "·",
    "running": "▶",
    "ok": "✓",
    "error": "✗",
    "timeout": "⧗",
    "crashed": "‼",
    "cancelled": "⊘",
}
STYLES = {
    "pending": "$foreground-muted",
    "running": "bold $accent",
    "ok": "$success",
    "error": "$error",
    "timeout": "$warning",
    "crashed": "bold $error",
    "cancelled": "$warning",
}


def icon(status: str) -> str:
    return ICONS.get(status, "?")


def style(status: str) -> str:
    return STYLES.get(status, "")
