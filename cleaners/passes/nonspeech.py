"""Page chrome and non-speech cues.

Chrome lines (from the reader) and bracketed sound labels such as ``[Music]`` or
``[Applause]`` are dropped. The censored-word marker ``[ __ ]`` that YouTube
prints is kept as one visible marker (``Context.censor_marker``) so a reader of
the clean text sees that a word is missing.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import regex

from cleaners.pipeline import Context, update

SOUND_LABEL = regex.compile(
    r"(?i)^[\[(](music|applause|laughter|laughs|laughing|inaudible|silence|noise|cheering|"
    r"background noise|crosstalk|foreign|sound|no audio|music playing)[\])][.,]?$"
)


def run(words: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    is_word = pl.col("kind") == "word"
    # Every censor marker and sound label opens with a bracket: one look over the table finds
    # them, and only those tokens, with the two words after them, reach the Python loop.
    flags = words.select(
        ((pl.col("kind") == "chrome") & (pl.col("out") != "")).fill_null(False).alias("chrome"),
        is_word.fill_null(False).alias("word"),
        (is_word & (pl.col("out").str.starts_with("[") | pl.col("out").str.starts_with("("))).fill_null(False).alias("opens"),
    )
    chrome = flags["chrome"].arg_true()
    if len(chrome):
        words = update(words, pl.DataFrame({"i": words["i"].gather(chrome), "out": ""}), "non-speech")
    word_rows = np.flatnonzero(flags["word"].to_numpy())
    at = np.flatnonzero(flags["opens"].to_numpy()[word_rows])  # the openers, counted in words
    if not len(at):
        return words
    # each opener's row and the rows of the next two words (-1: none)
    rows = np.stack([np.where(at + k < len(word_rows), word_rows[np.minimum(at + k, len(word_rows) - 1)], -1) for k in range(3)])
    seen = np.unique(rows[rows >= 0])
    outs = dict(zip(seen.tolist(), words["out"].gather(seen).to_list()))
    drop_at: list[int] = []
    drop_out: list[str] = []
    for r, r1, r2 in zip(*rows.tolist()):
        t, o1, o2 = outs[r], outs.get(r1), outs.get(r2)
        # "[ __ ]" arrives as three tokens, "[__]" as one.
        if t == "[" and o2 is not None and o1 == "__" and o2.startswith("]"):
            drop_at += [r, r1, r2]
            drop_out += [ctx.censor_marker + o2[1:], "", ""]
        elif t.startswith("[__]"):
            drop_at.append(r)
            drop_out.append(ctx.censor_marker + t[4:])
        elif SOUND_LABEL.match(t):
            drop_at.append(r)
            drop_out.append("")
    if not drop_at:
        return words
    ids = words["i"].gather(pl.Series(drop_at, dtype=pl.UInt32))
    return update(words, pl.DataFrame({"i": ids, "out": pl.Series(drop_out, dtype=pl.String)}), "non-speech")
