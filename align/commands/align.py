"""`transcript-align align` (being written)."""

from __future__ import annotations

import click


@click.command("align")
def command():
    """(being written)"""
    raise click.UsageError("'align' is not built yet")
