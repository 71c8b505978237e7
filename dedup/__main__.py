"""``python -m dedup``: the same as the ``dedup`` command."""

from .cli import main

main(prog_name="dedup")
