"""Speaker turns.

A ``>>`` token (auto-captions' speaker-change mark) or a change of the speaker
name a format carries (``<v Name>``, diarised Whisper) starts a new turn. Turns
are numbered from 0; naming them is the sentences view's job (see
:func:`cleaners.sentences.speaker_names`), so better attribution can replace
this pass without touching anything else.
"""

from __future__ import annotations

import polars as pl

from cleaners.pipeline import Context, update

TURN_MARK = ">>"


def run(words: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    is_word = pl.col("kind") == "word"
    mark = is_word & pl.col("raw").str.starts_with(TURN_MARK)
    hint = pl.col("hint").forward_fill()
    hint_change = is_word & pl.col("hint").is_not_null() & (hint != hint.shift(1)).fill_null(False)
    words = words.with_columns((mark | hint_change).cum_sum().cast(pl.Int32).alias("turn"))
    # ">>" alone is dropped; ">>Yeah" keeps its word.
    marks = words.filter(mark).select("i", pl.col("out").str.strip_chars_start(">").alias("out"))
    return update(words, marks, "turns")
