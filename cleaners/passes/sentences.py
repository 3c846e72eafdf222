"""Sentence segmentation with timing.

Boundaries come from the captions' own end punctuation, speaker-turn changes and
a length bound. The first word of a sentence is capitalised and a sentence
without end punctuation gets a period; both are recorded as edits.
"""

from __future__ import annotations

import re

import polars as pl

from cleaners.pipeline import Context, live, update

_END = r"[.?!…][\"'”’)\]]*$"


def run(words: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    toks = live(words).select("i", "out", "turn")
    if toks.height == 0:
        return words.with_columns(pl.lit(None, dtype=pl.Int32).alias("sent"))
    outs = toks["out"].to_list()
    turns = toks["turn"].to_list()
    sent = []
    n = 0
    length = 0
    for k, (o, t) in enumerate(zip(outs, turns)):
        if k and (turns[k - 1] != t or length >= ctx.max_sentence_words):
            n += 1
            length = 0
        sent.append(n)
        length += 1
        if o and re.search(_END, o):
            n += 1
            length = 0
    toks = toks.with_columns(pl.Series("sent", sent, dtype=pl.Int32))
    toks = toks.with_columns(pl.col("sent").rank("dense").cast(pl.Int32).sub(1).alias("sent"))
    first = toks.group_by("sent").agg(pl.col("i").first().alias("i"), pl.col("out").first().alias("out"))
    last = toks.group_by("sent").agg(pl.col("i").last().alias("i"), pl.col("out").last().alias("out"))
    caps = first.select("i", (pl.col("out").str.slice(0, 1).str.to_uppercase() + pl.col("out").str.slice(1)).alias("out"))
    stops = last.filter(~pl.col("out").str.contains(_END)).select(
        "i", (pl.col("out").str.strip_chars_end(",;:-") + ".").alias("out")
    )
    words = update(words, caps, "sentences")
    words = update(words, stops, "sentences")
    return words.drop("sent", strict=False).join(toks.select("i", "sent"), on="i", how="left", maintain_order="left")
