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
    speech = words.filter(pl.col("kind") == "word").select("i", "out")
    toks = speech["out"].to_list()
    idx = speech["i"].to_list()
    drop: list[tuple[int, str]] = []
    k = 0
    while k < len(toks):
        t = toks[k]
        # "[ __ ]" arrives as three tokens, "[__]" as one.
        if t == "[" and k + 2 < len(toks) and toks[k + 1] == "__" and toks[k + 2].startswith("]"):
            drop += [(idx[k], ctx.censor_marker + toks[k + 2][1:]), (idx[k + 1], ""), (idx[k + 2], "")]
            k += 3
            continue
        if t.startswith("[__]"):
            drop.append((idx[k], ctx.censor_marker + t[4:]))
        elif SOUND_LABEL.match(t):
            drop.append((idx[k], ""))
        k += 1
    if drop:
        words = update(words, pl.DataFrame(drop, schema={"i": pl.UInt32, "out": pl.String}, orient="row"), "non-speech")
    return words
