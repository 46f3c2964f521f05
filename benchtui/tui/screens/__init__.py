"""The TUI's screens: suites (choose and edit), live run, help, and the quit confirmation."""
