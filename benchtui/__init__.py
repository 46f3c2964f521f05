"""benchtui: did my change make the critical path faster or leaner, or is it noise?

The package is split so that the measuring core (``suite``, ``measure``, ``runner``,
``tracker``, ``stats``) never imports Textual; only ``benchtui.tui`` does.
"""

__version__ = "0.1.0"
