"""`python -m app` starts Ponder (GUI) or one of its headless commands."""

from app.cli import main

raise SystemExit(main())
