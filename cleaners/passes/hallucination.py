"""Hallucination loops: text a recogniser repeats over silence or music.

Whisper, fed silence, music or a stuck decoder, writes the same words again
and again ("Thanks for watching! Thanks for watching! ..."). Two named fixes:

- a known hallucination phrase (``cleaners/data/hallucinations.txt``) said two
  or more times in a row is dropped entirely: nobody said it;
- any phrase of 5 to 15 words said three or more times in a row is a decoding
  loop: the first copy stays (with its own time), the copies are dropped, and
  the first copy ends with the last copy's punctuation so the sentence still ends.

A phrase said once or twice, and phrases of up to 4 words ("no, no, no", "one
of the one of the") are left to the disfluency passes: people stutter those.
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import polars as pl
import regex

from cleaners.pipeline import Context, live, update

_PUNCT = regex.compile(r"[^\w'\-]+")
SHORTEST_LOOP = 5  # words in a looping phrase; shorter repeats are the repeats pass's
LONGEST_LOOP = 15
LOOP_COPIES = 3  # times said in a row before it counts as a loop


def _key(word: str) -> str:
    return _PUNCT.sub("", word.casefold())


def known_phrases() -> dict[str, list[tuple[str, ...]]]:
    """Known phrases as word-key tuples, indexed by their first word."""
    text = resources.files("cleaners.data").joinpath("hallucinations.txt").read_text(encoding="utf-8")
    out: dict[str, list[tuple[str, ...]]] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            phrase = tuple(k for k in (_key(w) for w in line.split()) if k)
            out.setdefault(phrase[0], []).append(phrase)
    return out


def _copies(keys: list[str], at: int, n: int) -> int:
    """How many times ``keys[at:at+n]`` occurs back to back from ``at``."""
    phrase = keys[at : at + n]
    c = 1
    while keys[at + c * n : at + (c + 1) * n] == phrase:
        c += 1
    return c


def _loop_starts(keys: list[str]) -> set[int]:
    """Positions where some phrase of SHORTEST..LONGEST_LOOP words is said LOOP_COPIES times in a row.

    A vectorised first sieve (word ids compared at distance n) so long inputs
    stay fast; :func:`find_loops` confirms each candidate.
    """
    ids = {}
    arr = np.fromiter((ids.setdefault(k, len(ids)) if k else -1 - j for j, k in enumerate(keys)), dtype=np.int64, count=len(keys))
    found: set[int] = set()
    for n in range(SHORTEST_LOOP, LONGEST_LOOP + 1):
        span = (LOOP_COPIES - 1) * n
        if len(arr) < span + n:
            break
        eq = np.concatenate(([0], np.cumsum(arr[:-n] == arr[n:])))
        ok = np.nonzero(eq[span:] - eq[:-span] == span)[0]
        found.update(ok.tolist())
    return found


def find_loops(keys: list[str], known: dict[str, list[tuple[str, ...]]]) -> tuple[list[int], list[tuple[int, int]]]:
    """Positions (into ``keys``) of the words to drop, and (kept, dropped) pairs whose punctuation moves."""
    drop: list[int] = []
    ends: list[tuple[int, int]] = []
    starts = sorted(_loop_starts(keys) | {k for k, key in enumerate(keys) if key in known})
    k = 0
    for at in starts:
        if at < k:
            continue
        k = at
        step = 0
        for phrase in known.get(keys[k], ()):
            n = len(phrase)
            if tuple(keys[k : k + n]) == phrase and (c := _copies(keys, k, n)) >= 2:
                drop += range(k, k + c * n)
                step = c * n
                break
        else:
            for n in range(SHORTEST_LOOP, LONGEST_LOOP + 1):
                if k + LOOP_COPIES * n > len(keys):
                    break
                if keys[k] == keys[k + n] and keys[k] and (c := _copies(keys, k, n)) >= LOOP_COPIES:
                    drop += range(k + n, k + c * n)
                    ends.append((k + n - 1, k + c * n - 1))
                    step = c * n
                    break
        k += step
    return drop, ends


def run(words: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    toks = live(words).select("i", "out")
    if toks.height == 0:
        return words
    if "hallucinations" not in ctx.cache:
        ctx.cache["hallucinations"] = known_phrases()
    outs = toks["out"].to_list()
    idx = toks["i"].to_list()
    drop, ends = find_loops([_key(w) for w in outs], ctx.cache["hallucinations"])
    if not drop:
        return words
    changes = [(idx[k], "") for k in drop] + [(idx[kept], outs[last]) for kept, last in ends]
    return update(words, pl.DataFrame(changes, schema={"i": pl.UInt32, "out": pl.String}, orient="row"), "hallucination")
