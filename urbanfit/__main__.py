"""``python -m urbanfit`` runs the command line."""

from urbanfit.cli import entry

entry()
