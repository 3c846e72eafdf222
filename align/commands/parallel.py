"""`transcript-align parallel` (being written)."""

from __future__ import annotations

import click


@click.command("parallel")
def command():
    """(being written)"""
    raise click.UsageError("'parallel' is not built yet")
