"""Disfluencies: fillers, stutters and repeats, discourse fillers, false starts.

Each sub-pass is listed in :data:`PASSES` with the lowest level it runs at:
``light`` removes fillers and stutters only; ``standard`` adds discourse fillers
("you know", "I mean", filler "like") where they are fillers; ``clean`` adds
false starts.
"""

from __future__ import annotations

from importlib import resources

import polars as pl

from cleaners.pipeline import Context, live, update

_PUNCT = r"[^\w'\-]"


def _wordlist(name: str) -> list[str]:
    text = resources.files("cleaners.data").joinpath(name).read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def _key() -> pl.Expr:
    return pl.col("out").str.to_lowercase().str.replace_all(_PUNCT, "")


def fillers(words: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    toks = live(words).with_columns(_key().alias("k"))
    hits = toks.filter(pl.col("k").is_in(_wordlist("fillers.txt"))).select("i", pl.lit("").alias("out"))
    return update(words, hits, "fillers")


def repeats(words: pl.DataFrame, ctx: Context, longest: int = 4) -> pl.DataFrame:
    """Drop the first copy of a word or phrase said twice in a row ("the the", "I I I", "it is it is")."""
    for _ in range(8):  # until nothing changes: a removal can expose a new repeat
        toks = live(words).with_columns(_key().alias("k"))
        drop = pl.lit(False)
        for n in range(longest, 0, -1):
            same = pl.lit(True)
            for j in range(n):
                same = same & (pl.col("k").shift(-j) == pl.col("k").shift(-j - n)) & (pl.col("k").shift(-j) != "")
            same = same.fill_null(False)
            # the phrase starting here repeats right after: drop its n words
            covered = same
            for j in range(1, n):
                covered = covered | same.shift(j).fill_null(False)
            drop = drop | covered
        hits = toks.filter(drop).select("i", pl.lit("").alias("out"))
        if hits.height == 0:
            break
        words = update(words, hits, "repeats")
    return words


PASSES = [
    ("fillers", fillers, "light", "drop um, uh, er, hmm"),
    ("repeats", repeats, "light", "drop stutters and immediately repeated words and phrases"),
]


def run(words: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    for _name, fn, level, _about in PASSES:
        if ctx.at_least(level):
            words = fn(words, ctx)
    return words
