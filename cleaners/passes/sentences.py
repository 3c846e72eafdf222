"""Sentence segmentation with timing.

Boundaries come from, in order of trust:

1. speaker-turn changes;
2. the captions' own end punctuation (". ? !");
3. a length bound: a sentence longer than ``Context.max_sentence_words`` is split where
   a new clause most likely starts (before "and", "but", "so", "because" followed by a
   subject, or after a comma), never in the first or last few words, and as near the
   middle as such a point allows; one longer than two thirds of the bound is split only
   where a new clause clearly starts. An "and" or "so" left opening such a sentence
   stays: dropping words here, after the disfluency passes have settled, could expose
   a new repeat and break idempotence.

Pauses are not used: auto-caption word times are interpolated inside 2-3 second cues,
so a gap between words says little. The first word of a sentence is capitalised, a
lone "i" becomes "I", and a sentence without end punctuation gets a full stop; all
are recorded as edits of this pass. A sentence's time is its first word's start to
its last word's end, so sentence starts never go back.
"""

from __future__ import annotations

import re

import polars as pl

from cleaners.pipeline import SENTENCE_END, Context, live, update

# "i", "i'm", "i've", "i'd", "i'll" said as the pronoun.
_LONE_I = r"^i(?:['’](?:m|ve|d|ll))?[,;:!?.\"”)]*$"
_CONJUNCTIONS = {"and", "but", "so", "because", "whereas", "although", "though"}
# a full stop that does not end a sentence: "i.e.", "U.S.", "Dr."
_ABBREVIATION = re.compile(r"(?i)^(?:(?:\w\.){2,}|mr\.|mrs\.|ms\.|dr\.|prof\.|vs\.|st\.)[,;:]?$")
_CLAUSE_STARTS = {"i", "we", "you", "they", "he", "she", "it", "it's", "that's", "there's", "there", "this", "people",
                  "i'm", "we're", "you're", "they're", "i've", "we've", "if", "when", "the", "then"}
MIN_PIECE = 6  # words: no split leaves a fragment shorter than this
CLEAR_CLAUSE = 2.5  # split score of "and"/"but"/"so" + a subject, or a comma before a conjunction


_NOT_KEY = re.compile(r"[^\w']")


def _key(word: str) -> str:
    return _NOT_KEY.sub("", word.lower().replace("’", "'"))


def split_points(outs: list[str], most: int, soft: int | None = None) -> list[int]:
    """Where to cut a run of ``outs`` (one sentence) so no piece exceeds ``most`` words.

    A sentence longer than ``soft`` words (default: two thirds of ``most``) is also cut,
    but only where a new clause clearly starts ("... the results and then we looked").
    """
    soft = soft if soft is not None else (2 * most) // 3
    if len(outs) <= soft:
        return []
    return _split(outs, [_key(o) for o in outs], most, soft)


def _split(outs: list[str], keys: list[str], most: int, soft: int) -> list[int]:
    """:func:`split_points` with the words' keys computed once for all the recursive calls."""
    n = len(outs)
    if n <= soft:
        return []
    best, best_score = None, -1.0
    for k in range(MIN_PIECE, n - MIN_PIECE + 1):
        word, nxt = keys[k], keys[k + 1] if k + 1 < n else ""
        score = 0.0
        if outs[k - 1].endswith((",", ";", ":", "—")):
            score += 2
        if word in _CONJUNCTIONS:
            score += 2 + (1 if nxt in _CLAUSE_STARTS else 0)
        elif word in _CLAUSE_STARTS and outs[k - 1].endswith(","):
            score += 1
        score -= abs(k - n / 2) / n  # prefer the middle
        if score > best_score:
            best, best_score = k, score
    if n <= most and best_score < CLEAR_CLAUSE:
        return []
    if best is None:
        best = n // 2
    head = _split(outs[:best], keys[:best], most, soft)
    return head + [best] + [best + p for p in _split(outs[best:], keys[best:], most, soft)]


def run(words: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    toks = live(words).select("i", "out", "turn")
    if toks.height == 0:
        return words.with_columns(pl.lit(None, dtype=pl.Int32).alias("sent"))
    outs = toks["out"].to_list()
    # 1-2: a sentence opens at a turn change and after end punctuation ("Dr." is no end).
    # The end test runs in polars; only the few tokens that pass it meet the abbreviation check.
    ends = toks["out"].str.contains(SENTENCE_END).to_list()
    ends = [e and not _ABBREVIATION.match(o) for e, o in zip(ends, outs)]
    opens = (toks["turn"] != toks["turn"].shift(1)) | pl.Series(ends).shift(1)
    starts = opens.fill_null(True).arg_true().to_list()
    # 3: over-long sentences split where a clause starts
    pieces = []
    for k, j in zip(starts, starts[1:] + [len(outs)]):
        pieces.append(k)
        pieces += [k + cut for cut in split_points(outs[k:j], ctx.max_sentence_words)]
    opening = [False] * len(outs)
    for k in pieces:
        opening[k] = True
    toks = toks.with_columns((pl.Series(opening).cum_sum() - 1).cast(pl.Int32).alias("sent"))
    first = pl.col("sent") != pl.col("sent").shift(1).fill_null(-1)
    last = pl.col("sent") != pl.col("sent").shift(-1).fill_null(-1)
    lone_i = pl.col("out").str.contains(_LONE_I)
    caps = toks.filter(first | lone_i).select(
        "i", (pl.col("out").str.slice(0, 1).str.to_uppercase() + pl.col("out").str.slice(1)).alias("out")
    )
    words = update(words, caps, "sentences")
    toks = toks.join(caps.rename({"out": "_cap"}), on="i", how="left", maintain_order="left").with_columns(pl.coalesce("_cap", "out").alias("out"))
    stops = toks.filter(last & ~pl.col("out").str.contains(SENTENCE_END)).select(
        "i", (pl.col("out").str.strip_chars_end(",;:—–") + ".").alias("out")
    )
    words = update(words, stops, "sentences")
    return words.drop("sent", strict=False).join(toks.select("i", "sent"), on="i", how="left", maintain_order="left")
