"""``python -m urbanfit`` runs the command line."""

from urbanfit.cli import main

main()
