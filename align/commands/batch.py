"""`transcript-align batch` (being written)."""

from __future__ import annotations

import click


@click.command("batch")
def command():
    """(being written)"""
    raise click.UsageError("'batch' is not built yet")
