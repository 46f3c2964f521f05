"""Entry point of the TUI: ``benchtui [PATH...] [--theme NAME] [--db PATH]``.

Parses the arguments, reads the user's config, and runs the app. Problems with the config are
shown inside the app (not printed), so the terminal never gets a traceback for a bad file.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="benchtui",
        description="Open the live TUI on suite files or folders (default: the sample suites).",
    )
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="suite file or folder")
    parser.add_argument("--theme", metavar="NAME", help="theme name (see the command palette)")
    parser.add_argument("--db", metavar="PATH", help="tracker database file")
    parser.add_argument("--no-save", action="store_true", help="do not save runs to the tracker")
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    from benchtui.tui.app import BenchApp
    from benchtui.tui.config import load_config

    config, problems = load_config()
    app = BenchApp(
        args.paths,
        config=config,
        theme_name=args.theme,
        db=args.db,
        save=not args.no_save,
        startup_notices=problems,
        offer_demo=True,
    )
    try:
        app.run()
    finally:
        # Belt and braces: the app kills its run on unmount; make sure even on a crash.
        if app.session is not None:
            app.session.cancel()
    return app.return_code or 0
