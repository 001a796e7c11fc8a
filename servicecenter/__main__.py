"""`python -m servicecenter` is the `servicecenter` command."""

from servicecenter.cli import main

raise SystemExit(main())
