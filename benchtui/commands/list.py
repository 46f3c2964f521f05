"""``benchtui list``: the suites and operations in files or folders, with their settings.

Reads suite files only; it imports none of the code under test.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from benchtui.suite import Operation, discover_suites


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        help="suite files or folders of them (default: the bundled sample suites, so a "
        "regular install shows where they are)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")


def _amount(op: Operation) -> str:
    if op.iterations is not None:
        return f"{op.iterations:,} iterations"
    return f"{op.duration:g} s"


def main(args: argparse.Namespace) -> int:
    paths = args.paths
    if not paths:
        from benchtui.bundled import sample_suites_dir

        bundled = sample_suites_dir()
        if bundled is None:
            print(
                "error: no suite path given and the bundled sample suites were not found",
                file=sys.stderr,
            )
            return 2
        paths = [bundled]
    suites, errors = discover_suites(paths)
    if args.json:
        print(
            json.dumps(
                {
                    "suites": [
                        {
                            "name": s.name,
                            "path": str(s.path),
                            "description": s.description,
                            "operations": [{"name": o.name, **o.settings()} for o in s.operations],
                        }
                        for s in suites
                    ],
                    "errors": [str(e) for e in errors],
                },
                indent=2,
            )
        )
    else:
        for suite in suites:
            print(f"{suite.name}  ({suite.path})")
            if suite.description:
                print(f"  {suite.description}")
            width = max(len(op.name) for op in suite.operations)
            for op in suite.operations:
                extra = []
                if op.concurrency > 1:
                    extra.append(f"concurrency {op.concurrency}")
                if not op.memory:
                    extra.append("no memory phase")
                details = ", ".join([_amount(op), *extra])
                print(f"  {op.name.ljust(width)}  {op.target}  [{details}]")
            print()
        for error in errors:
            print(f"error: {error}", file=sys.stderr)
    return 2 if errors else 0
