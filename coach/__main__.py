"""`python -m coach ...` entry point."""

from __future__ import annotations

from coach.cli import main

raise SystemExit(main())
