"""Hallucination loops: text a recogniser repeats over silence or music.

Whisper, fed silence, music or a stuck decoder, writes the same words again
and again ("Thanks for watching! Thanks for watching! ..."). Two named fixes:

- a known hallucination phrase (``cleaners/data/hallucinations.txt``) said two
  or more times in a row is dropped entirely: nobody said it;
- any phrase of 5 to 15 words said three or more times in a row is a decoding
  loop: the first copy stays (with its own time), the copies are dropped, and
  the first copy ends with the last copy's punctuation so the sentence still ends.

The pass runs after the disfluency passes, so it sees loops that only appear
once stutters and fillers are gone, and leaves nothing for them to find later
(cleaning twice changes nothing). A phrase said once or twice, and phrases of
up to 4 words ("no, no, no", "one of the one of the") are the disfluency
passes' to judge: people stutter those.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import polars as pl

from cleaners.pipeline import Context, token_key, update

SHORTEST_LOOP = 5  # words in a looping phrase; shorter repeats are the repeats pass's
LONGEST_LOOP = 15
LOOP_COPIES = 3  # times said in a row before it counts as a loop


@cache  # a shipped file: read it once per process, not once per cleaned episode
def known_phrases() -> dict[str, list[tuple[str, ...]]]:
    """Known phrases as word-key tuples, indexed by their first word."""
    text = resources.files("cleaners.data").joinpath("hallucinations.txt").read_text(encoding="utf-8")
    out: dict[str, list[tuple[str, ...]]] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            keys = pl.DataFrame({"w": line.split()}).select(token_key(pl.col("w"))).to_series()
            phrase = tuple(k for k in keys.to_list() if k)
            out.setdefault(phrase[0], []).append(phrase)
    return out


def _copies(keys: list[str], at: int, n: int) -> int:
    """How many times ``keys[at:at+n]`` occurs back to back from ``at``."""
    phrase = keys[at : at + n]
    c = 1
    while keys[at + c * n : at + (c + 1) * n] == phrase:
        c += 1
    return c


def _loop_starts(keys: list[str] | pl.Series) -> set[int]:
    """Positions where some phrase of SHORTEST..LONGEST_LOOP words is said LOOP_COPIES times in a row.

    A vectorised first sieve (word ids compared at distance n) so long inputs
    stay fast; :func:`find_loops` confirms each candidate.
    """
    arr = _word_ids(keys if isinstance(keys, pl.Series) else pl.Series(keys, dtype=pl.String))
    found: set[int] = set()
    for n in range(SHORTEST_LOOP, LONGEST_LOOP + 1):
        span = (LOOP_COPIES - 1) * n
        if len(arr) < span + n:
            break
        eq = np.concatenate(([0], np.cumsum(arr[:-n] == arr[n:])))
        ok = np.nonzero(eq[span:] - eq[:-span] == span)[0]
        found.update(ok.tolist())
    return found


def _word_ids(keys: pl.Series) -> np.ndarray:
    """A number per key, equal for equal keys; an empty key (a token of punctuation only) matches nothing.

    A hash (no sort): two words that happen to share one only add a candidate that
    :func:`find_loops` then rejects.
    """
    ids = keys.hash(seed=0).to_numpy().view(np.int64).copy()
    empty = (keys == "").to_numpy()
    ids[empty] = -1 - np.flatnonzero(empty)
    return ids


def find_known(keys: list[str], known: dict[str, list[tuple[str, ...]]], at: list[int] | None = None) -> list[int]:
    """Positions of known hallucination phrases said two or more times in a row (all copies).

    ``at``: the positions whose key starts a known phrase, if the caller found them already
    (the others are passed over one by one anyway).
    """
    drop: list[int] = []
    k = 0
    for p in range(len(keys)) if at is None else at:
        if p < k:
            continue  # inside the copies just dropped
        k = p
        for phrase in known.get(keys[k], ()):
            n = len(phrase)
            if tuple(keys[k : k + n]) == phrase and (c := _copies(keys, k, n)) >= 2:
                drop += range(k, k + c * n)
                k += c * n
                break
    return drop


def find_loops(keys: list[str] | pl.Series) -> tuple[list[int], list[tuple[int, int]]]:
    """Positions of the copies of looping phrases (all but the first), and (kept, dropped) pairs
    whose punctuation moves."""
    drop: list[int] = []
    ends: list[tuple[int, int]] = []
    starts = _loop_starts(keys)
    keys = keys.to_list() if isinstance(keys, pl.Series) else keys
    k = 0
    for at in sorted(starts):
        if at < k:
            continue
        k = at
        for n in range(SHORTEST_LOOP, LONGEST_LOOP + 1):
            if k + LOOP_COPIES * n > len(keys):
                break
            if keys[k] and keys[k] == keys[k + n] and (c := _copies(keys, k, n)) >= LOOP_COPIES:
                drop += range(k + n, k + c * n)
                ends.append((k + n - 1, k + c * n - 1))
                k += c * n
                break
    return drop, ends


def run(words: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    # Known phrases: the repeats pass (which runs first) has already dropped all but the last copy,
    # so the copies it dropped are counted too.
    said = words.filter(
        (pl.col("kind") == "word") & ((pl.col("out") != "") | (pl.col("rule") == "repeats"))
    ).select("i", "out", "raw")
    if said.height == 0:
        return words
    known = known_phrases()
    shown = pl.when(pl.col("out") != "").then(pl.col("out")).otherwise(pl.col("raw"))
    said = said.with_columns(token_key(shown).alias("k"))
    said = said.with_columns(pl.col("k").is_in(sorted(known)).alias("_opens"))
    keys = said["k"].to_list()
    drop = find_known(keys, known, said["_opens"].arg_true().to_list())
    if drop:
        words = update(words, said[drop].select("i", pl.lit("").alias("out")), "hallucination")
    # The tokens still shown: those said and not dropped, with the same keys (a live token's key is its out's).
    gone = np.zeros(said.height, dtype=bool)
    gone[drop] = True
    toks = said.filter((pl.col("out") != "") & pl.Series(~gone))
    outs = toks["out"].to_list()
    idx = toks["i"].to_list()
    drop, ends = find_loops(toks["k"])
    if not drop:
        return words
    changes = [(idx[k], "") for k in drop] + [(idx[kept], outs[last]) for kept, last in ends]
    return update(words, pl.DataFrame(changes, schema={"i": pl.UInt32, "out": pl.String}, orient="row"), "hallucination")
