"""Views of a cleaned word table: sentences and speaker names."""

from __future__ import annotations

import polars as pl

SENTENCE_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.Int32,
    "start": pl.Float64,
    "end": pl.Float64,
    "turn": pl.Int32,
    "speaker": pl.String,
    "text": pl.String,
    "first": pl.UInt32,  # token index of the first and last raw token the sentence covers
    "last": pl.UInt32,
}


def speaker_names(turns: pl.Series, hints: pl.Series, names: list[str]) -> pl.Series:
    """Speaker label per turn: the format's own name, else ``names`` taken in turn, else ``S1``, ``S2``.

    With no speaker tags, auto-captions mark changes with ``>>`` in an
    interview that alternates; so ``names`` cycle over the turns in order of
    first appearance.
    """
    out = []
    for turn, hint in zip(turns.to_list(), hints.to_list()):
        if hint:
            out.append(hint)
        elif names:
            out.append(names[(turn or 0) % len(names)])
        else:
            out.append(f"S{(turn or 0) % 2 + 1}")
    return pl.Series("speaker", out, dtype=pl.String)


def sentences(words: pl.DataFrame, speakers: list[str] | None = None) -> pl.DataFrame:
    """One row per sentence: ``id``, ``start``, ``end`` (seconds), ``turn``, ``speaker``, ``text``."""
    # only the columns the view reads: filtering the whole table would copy every column
    kept = words.select("sent", "start", "end", "turn", "hint", "out", "i").filter(
        pl.col("sent").is_not_null() & (pl.col("out") != "")
    )
    grouped = (
        kept.group_by("sent", maintain_order=True)
        .agg(
            pl.col("start").min(),
            pl.col("end").max(),
            pl.col("turn").first(),
            pl.col("hint").drop_nulls().first(),
            pl.col("out").alias("text"),  # joined below: list.join beats str.join inside the group_by
            pl.col("i").min().alias("first"),
            pl.col("i").max().alias("last"),
        )
        .with_columns(pl.col("text").list.join(" "))
        .sort("sent")
    )
    grouped = grouped.with_columns(speaker_names(grouped["turn"], grouped["hint"], speakers or []))
    return grouped.select(
        pl.col("sent").alias("id"), "start", "end", "turn", "speaker", "text", "first", "last"
    ).cast(SENTENCE_SCHEMA)
