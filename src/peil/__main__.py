"""`python -m peil` runs the `peil` command."""

from peil.cli import main

main()
