"""The ``benchtui`` command line: the TUI with no sub-command, headless sub-commands otherwise.

Sub-command modules are imported only when chosen, so ``benchtui run`` never imports Textual
and ``benchtui --help`` stays instant.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from collections.abc import Sequence

# name -> (module, help)
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("benchtui.commands.run", "measure a suite headless (CI, scripts)"),
    "list": ("benchtui.commands.list", "list the suites and operations in files or folders"),
    "history": ("benchtui.commands.history", "versions x operations from the tracker"),
    "compare": ("benchtui.commands.compare", "compare two versions: faster, slower or noise"),
    "export": ("benchtui.commands.export", "write tracked runs as JSON"),
    "import": ("benchtui.commands.importer", "merge runs from JSON files into the tracker"),
    "demo": ("benchtui.commands.demo", "record three real versions of a sample change to explore"),
}


def build_parser(available: dict[str, tuple[str, str]]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="benchtui",
        usage="benchtui [--theme NAME] [--db PATH] [--no-save] [PATH ...]\n"
        "       benchtui COMMAND [options]",
        description="Did my change make the critical path faster or leaner, or is it noise?\n\n"
        "Without a COMMAND, benchtui opens the TUI on the suite files or folders given (the\n"
        "bundled sample suites when none): --theme NAME picks a theme, --db PATH the tracker\n"
        "file, --no-save keeps runs out of it.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from benchtui import __version__

    parser.add_argument("--version", action="version", version=f"benchtui {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in available.items():
        command_parser = sub.add_parser(
            name, prog=f"benchtui {name}", help=help_text, description=help_text
        )
        importlib.import_module(module_name).configure(command_parser)
    return parser


def _available(wanted: str | None) -> dict[str, tuple[str, str]]:
    """Commands whose module is importable; only the chosen one is imported when known."""
    names = [wanted] if wanted in COMMANDS else list(COMMANDS)
    found = {}
    for name in names:
        module_name, help_text = COMMANDS[name]
        if importlib.util.find_spec(module_name) is not None:
            found[name] = (module_name, help_text)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    first = next((a for a in args_list if not a.startswith("-")), None)
    if first is None and not any(a in ("-h", "--help", "--version") for a in args_list):
        return _launch_tui(args_list)  # flags only, e.g. `benchtui --theme nord`
    if first not in COMMANDS and not any(a in ("-h", "--help", "--version") for a in args_list):
        # `benchtui PATH...` opens the TUI on those suites.
        return _launch_tui(args_list)
    if first not in COMMANDS and any(a in ("-h", "--help") for a in args_list):
        # `benchtui --theme nord --help` or `benchtui suites/ --help`: help for the TUI form,
        # which the top-level help describes (the first word is no command).
        build_parser(_available(None)).print_help()
        return 0
    parser = build_parser(_available(first))
    args = parser.parse_args(args_list)
    if args.command is None:
        parser.print_help()
        return 0
    module = importlib.import_module(COMMANDS[args.command][0])
    try:
        return int(module.main(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `benchtui history --json | head`: the reader left; exit quietly, as Unix tools do.
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _launch_tui(argv: list[str]) -> int:
    if importlib.util.find_spec("benchtui.tui") is None:
        parser = build_parser(_available(None))
        parser.print_help()
        return 0
    from benchtui.tui.launch import main as tui_main

    return tui_main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
