"""Run the symact command line: ``python -m symact``."""

from .cli import main

raise SystemExit(main())
