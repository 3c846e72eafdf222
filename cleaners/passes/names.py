"""Misheard names and terms (being written): glossary + companion-document matcher."""

from __future__ import annotations

import polars as pl

from cleaners.pipeline import Context


def run(words: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    return words
