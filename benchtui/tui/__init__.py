"""The live TUI (Textual): pick operations, watch runs live, switch themes.

The only package of benchtui that imports Textual. It draws what the core measures: runs go
through ``benchtui.runner.supervisor`` (child processes), results go to ``benchtui.tracker``.
Nothing in here measures anything, and nothing outside it imports it except ``benchtui.cli``
(lazily, when ``benchtui`` is run without a sub-command).
"""
