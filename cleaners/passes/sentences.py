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


def _key(word: str) -> str:
    return re.sub(r"[^\w']", "", word.lower().replace("’", "'"))


def split_points(outs: list[str], most: int, soft: int | None = None) -> list[int]:
    """Where to cut a run of ``outs`` (one sentence) so no piece exceeds ``most`` words.

    A sentence longer than ``soft`` words (default: two thirds of ``most``) is also cut,
    but only where a new clause clearly starts ("... the results and then we looked").
    """
    n = len(outs)
    soft = soft if soft is not None else (2 * most) // 3
    if n <= soft:
        return []
    best, best_score = None, -1.0
    for k in range(MIN_PIECE, n - MIN_PIECE + 1):
        word, nxt = _key(outs[k]), _key(outs[k + 1]) if k + 1 < n else ""
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
    return split_points(outs[:best], most, soft) + [best] + [best + p for p in split_points(outs[best:], most, soft)]


def run(words: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    toks = live(words).select("i", "out", "turn")
    if toks.height == 0:
        return words.with_columns(pl.lit(None, dtype=pl.Int32).alias("sent"))
    outs = toks["out"].to_list()
    turns = toks["turn"].to_list()
    # 1-2: turns and the captions' end punctuation
    sent = []
    n = 0
    ends = re.compile(SENTENCE_END)
    for k, (o, t) in enumerate(zip(outs, turns)):
        if k and turns[k - 1] != t:
            n += 1
        sent.append(n)
        if ends.search(o) and not _ABBREVIATION.match(o):
            n += 1
    # 3: over-long sentences split where a clause starts
    final = []
    n = 0
    k = 0
    while k < len(sent):
        j = k
        while j < len(sent) and sent[j] == sent[k]:
            j += 1
        cuts = set(split_points(outs[k:j], ctx.max_sentence_words))
        for m in range(k, j):
            if m - k in cuts:
                n += 1
            final.append(n)
        n += 1
        k = j
    toks = toks.with_columns(pl.Series("sent", final, dtype=pl.Int32))
    toks = toks.with_columns(pl.col("sent").rank("dense").cast(pl.Int32).sub(1).alias("sent"))
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
