"""``python -m benchtui`` is the same as the ``benchtui`` console script."""

from benchtui.cli import main

raise SystemExit(main())
