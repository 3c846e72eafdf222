"""Page chrome and non-speech cues.

Chrome lines (from the reader) and bracketed sound labels such as ``[Music]`` or
``[Applause]`` are dropped. The censored-word marker ``[ __ ]`` that YouTube
prints is kept as one visible marker (``Context.censor_marker``) so a reader of
the clean text sees that a word is missing.
"""

from __future__ import annotations

import polars as pl
import regex

from cleaners.pipeline import Context, update

SOUND_LABEL = regex.compile(
    r"(?i)^[\[(](music|applause|laughter|laughs|laughing|inaudible|silence|noise|cheering|"
    r"background noise|crosstalk|foreign|sound|no audio|music playing)[\])][.,]?$"
)


def run(words: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    chrome = words.filter((pl.col("kind") == "chrome") & (pl.col("out") != "")).select("i", pl.lit("").alias("out"))
    words = update(words, chrome, "non-speech")
    # Every censor marker and sound label opens with a bracket: only those tokens, with the two
    # words after them, reach the Python loop.
    speech = words.filter(pl.col("kind") == "word").select("i", "out")
    bracketed = speech.with_columns(
        pl.col("i").shift(-1).alias("i1"), pl.col("i").shift(-2).alias("i2"),
        pl.col("out").shift(-1).alias("o1"), pl.col("out").shift(-2).alias("o2"),
    ).filter(pl.col("out").str.starts_with("[") | pl.col("out").str.starts_with("("))
    drop: list[tuple[int, str]] = []
    for i, t, i1, i2, o1, o2 in bracketed.select("i", "out", "i1", "i2", "o1", "o2").iter_rows():
        # "[ __ ]" arrives as three tokens, "[__]" as one.
        if t == "[" and o2 is not None and o1 == "__" and o2.startswith("]"):
            drop += [(i, ctx.censor_marker + o2[1:]), (i1, ""), (i2, "")]
        elif t.startswith("[__]"):
            drop.append((i, ctx.censor_marker + t[4:]))
        elif SOUND_LABEL.match(t):
            drop.append((i, ""))
    if drop:
        words = update(words, pl.DataFrame(drop, schema={"i": pl.UInt32, "out": pl.String}, orient="row"), "non-speech")
    return words
