"""Run the symact command line: ``python -m symact``."""

from .presentation.cli import main

raise SystemExit(main())
