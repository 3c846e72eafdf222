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

from collections.abc import Sequence
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


def _loop_starts(keys: list[str] | pl.Series | Keys) -> set[int]:
    """Positions where some phrase of SHORTEST..LONGEST_LOOP words is said LOOP_COPIES times in a row.

    A vectorised first sieve (word ids compared at distance n) so long inputs
    stay fast; :func:`find_loops` confirms each candidate.
    """
    if isinstance(keys, Keys):
        arr = keys.ids()
    else:
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


class Keys(Sequence):
    """The keys of a run of tokens, each a code into the distinct keys: a list of strings to
    :func:`find_known` and :func:`find_loops`, built only where they look."""

    def __init__(self, codes: np.ndarray, distinct: list[str]):
        self.codes, self.distinct = codes, distinct

    @classmethod
    def of(cls, texts: pl.Series) -> Keys:
        """The keys of ``texts``, :func:`token_key` run once per distinct text."""
        if len(texts) == 0:
            return cls(np.zeros(0, dtype=np.int64), [])
        spellings = texts.unique(maintain_order=True)
        code: dict[str, int] = {}  # a plain loop: a few thousand keys, fewer than polars' set-up costs
        key_of = np.array([code.setdefault(k, len(code)) for k in pl.select(token_key(pl.lit(spellings))).to_series().to_list()], dtype=np.int64)
        return cls(key_of[texts.cast(pl.Enum(spellings)).to_physical().to_numpy()], list(code))

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, at):
        if isinstance(at, slice):
            return [self.distinct[c] for c in self.codes[at].tolist()]
        return self.distinct[self.codes[at]]

    def at(self, positions: np.ndarray) -> Keys:
        return Keys(self.codes[positions], self.distinct)

    def among(self, words) -> np.ndarray:
        """Positions whose key is one of ``words``."""
        return np.flatnonzero(np.fromiter((k in words for k in self.distinct), dtype=bool, count=len(self.distinct))[self.codes])

    def ids(self) -> np.ndarray:
        """As :func:`_word_ids`, without a hash: the codes, and an empty key matching nothing."""
        ids = self.codes.copy()
        if "" in self.distinct:
            empty = np.flatnonzero(self.codes == self.distinct.index(""))
            ids[empty] = -1 - empty
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


def find_loops(keys: list[str] | pl.Series | Keys) -> tuple[list[int], list[tuple[int, int]]]:
    """Positions of the copies of looping phrases (all but the first), and (kept, dropped) pairs
    whose punctuation moves."""
    drop: list[int] = []
    ends: list[tuple[int, int]] = []
    starts = _loop_starts(keys)
    if not starts:
        return drop, ends
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
    ).select("i", "out", shown=pl.when(pl.col("out") != "").then(pl.col("out")).otherwise(pl.col("raw")))
    if said.height == 0:
        return words
    known = known_phrases()
    keys = Keys.of(said["shown"])
    drop = find_known(keys, known, keys.among(known).tolist())
    if drop:
        words = update(words, said[drop].select("i", pl.lit("").alias("out")), "hallucination")
    # The tokens still shown: those said and not dropped, with the same keys (a live token's key is its out's).
    shown = (said["out"] != "").to_numpy()
    shown[drop] = False
    toks = np.flatnonzero(shown)
    drop, ends = find_loops(keys.at(toks))
    if not drop:
        return words
    idx = said["i"].gather(toks).to_list()
    outs = said["out"].gather(toks)
    changes = [(idx[k], "") for k in drop] + [(idx[kept], outs[last]) for kept, last in ends]
    return update(words, pl.DataFrame(changes, schema={"i": pl.UInt32, "out": pl.String}, orient="row"), "hallucination")
