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
from bisect import bisect_left, bisect_right

import numpy as np
import polars as pl

from cleaners.pipeline import SENTENCE_END, Context, live, row_positions, update

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
    scores = _clause_scores(outs)
    return _split(scores.tolist(), np.flatnonzero(scores).tolist(), 0, len(outs), most, soft)


def _clause_scores(outs: list[str]) -> np.ndarray:
    """Per word, how clearly a new clause starts at it (before the preference for the middle).

    The same for every piece the recursion looks at: a cut point is never within
    MIN_PIECE words of a piece's end, so the word after it is always in the piece.
    """
    keys = [_key(o) for o in outs] + [""]
    scores = np.zeros(len(outs), dtype=np.float64)
    for k in range(1, len(outs)):
        score = 0.0
        comma = outs[k - 1].endswith(",")
        if comma or outs[k - 1].endswith((";", ":", "—")):
            score += 2
        word = keys[k]
        if word in _CONJUNCTIONS:
            score += 2 + (1 if keys[k + 1] in _CLAUSE_STARTS else 0)
        elif word in _CLAUSE_STARTS and comma:
            score += 1
        scores[k] = score
    return scores


def _split(scores: list[float], marked: list[int], lo: int, hi: int, most: int, soft: int) -> list[int]:
    """Cut points (relative to ``lo``) of the piece ``lo:hi``, given :func:`_clause_scores`
    and where those scores are above zero (``marked``, ascending).

    The best cut has the highest clause score less its distance from the middle (the first of
    equals). That distance is at most 1/2 and a clause score at least 1, so a marked word always
    beats an unmarked one, and without any marked word the cut nearest the middle wins: only the
    few marked words in the piece need a look.
    """
    n = hi - lo
    if n <= soft:
        return []
    first, final = lo + MIN_PIECE, hi - MIN_PIECE  # cuts leave no piece under MIN_PIECE words
    best, best_score = None, -1.0
    if first <= final:
        half = n / 2
        for at in marked[bisect_left(marked, first) : bisect_right(marked, final)]:
            total = scores[at] - abs(at - lo - half) / n
            if total > best_score:
                best, best_score = at - lo, total
        if best is None:
            best = n // 2
            best_score = -abs(best - half) / n
    if n <= most and best_score < CLEAR_CLAUSE:
        return []
    if best is None:
        best = n // 2
    head = _split(scores, marked, lo, lo + best, most, soft)
    return head + [best] + [best + p for p in _split(scores, marked, lo + best, hi, most, soft)]


_WORDS = sorted(_CONJUNCTIONS | _CLAUSE_STARTS)


def _clause_scores_of(toks: pl.DataFrame) -> np.ndarray:
    """:func:`_clause_scores` of a run of tokens at once, the word tests in polars.

    The conjunctions and clause starts are plain ASCII words, so a token can be one only if
    its letters a-z and apostrophes alone spell one; only those few meet :func:`_key`.
    Scores across a sentence boundary are never read (see :func:`_clause_scores`).
    """
    out, prev = pl.col("out"), pl.col("out").shift(1)
    ascii_key = out.str.to_lowercase().str.replace_all("’", "'", literal=True).str.replace_all(r"[^a-z']", "")
    # the key test once per distinct spelling: the long sentences repeat their words
    spellings = toks["out"].unique()
    candidates = spellings.filter(spellings.to_frame("out").select(ascii_key.is_in(_WORDS)).to_series())
    flags = toks.select(
        prev.str.ends_with(",").fill_null(False).alias("comma"),
        pl.any_horizontal(prev.str.ends_with(p) for p in (";", ":", "—")).fill_null(False).alias("stop"),
        out.is_in(candidates.implode()).alias("maybe"),
    )
    comma, stop = flags["comma"].to_numpy(), flags["stop"].to_numpy()
    conj = np.zeros(toks.height + 1, dtype=bool)  # one more: the word after the last
    clause = np.zeros(toks.height + 1, dtype=bool)
    maybe = flags["maybe"].arg_true()
    outs = toks["out"].gather(maybe).to_list()
    kind = {o: (k in _CONJUNCTIONS, k in _CLAUSE_STARTS) for o in set(outs) for k in (_key(o),)}
    at = maybe.to_numpy()
    found = np.array([kind[o] for o in outs], dtype=bool).reshape(-1, 2)
    conj[at], clause[at] = found[:, 0], found[:, 1]
    conj, clause_next, clause = conj[:-1], clause[1:], clause[:-1]
    scores = 2.0 * (comma | stop) + np.where(conj, 2.0 + clause_next, np.where(clause & comma, 1.0, 0.0))
    scores[0] = 0.0
    return scores


def run(words: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    toks = live(words).select("i", "out", "turn")
    if toks.height == 0:
        return words.with_columns(pl.lit(None, dtype=pl.Int32).alias("sent"))
    n = toks.height
    # 1-2: a sentence opens at a turn change and after end punctuation ("Dr." is no end).
    # The end test runs in polars; only the few tokens that pass it meet the abbreviation check.
    punctuated = toks["out"].str.contains(SENTENCE_END)
    marked = punctuated.arg_true()
    abbreviations = [k for k, o in zip(marked.to_list(), toks["out"].gather(marked).to_list()) if _ABBREVIATION.match(o)]
    ends = punctuated.clone().scatter(abbreviations, False) if abbreviations else punctuated  # scatter works in place
    opens = (toks["turn"] != toks["turn"].shift(1)) | ends.shift(1)
    starts = opens.fill_null(True).arg_true().to_numpy()
    # 3: over-long sentences split where a clause starts
    most = ctx.max_sentence_words
    soft = (2 * most) // 3
    stops = np.append(starts[1:], n)
    pieces = [starts]
    long = np.flatnonzero(stops - starts > soft)
    if len(long):
        # the long sentences' tokens one after another: scores are read only inside a sentence
        firsts, lasts = starts[long], stops[long]
        sizes = lasts - firsts
        offsets = np.concatenate(([0], np.cumsum(sizes)))
        rows = np.arange(offsets[-1]) - np.repeat(offsets[:-1] - firsts, sizes)
        scores = _clause_scores_of(toks[rows])
        marked, scores = np.flatnonzero(scores).tolist(), scores.tolist()
        cuts = []
        for k, lo, hi in zip(firsts.tolist(), offsets[:-1].tolist(), offsets[1:].tolist()):
            cuts.extend(k + cut for cut in _split(scores, marked, lo, hi, most, soft))
        pieces.append(np.array(cuts, dtype=np.int64))
    opening = np.zeros(n, dtype=bool)
    opening[np.concatenate(pieces)] = True
    sent = np.cumsum(opening, dtype=np.int32) - 1
    last = np.append(opening[1:], True)
    # The first word capitalised, a lone "i" too; then a full stop where a sentence has no end
    # (capitalising a first letter never changes how a token ends: "punctuated" still holds).
    # Only the tokens that change meet a string operation, and the table is written once.
    outs = toks["out"]
    maybe_i = outs.str.starts_with("i").arg_true()  # the pattern only on the few that could match
    lone_i = maybe_i.filter(outs.gather(maybe_i).str.contains(_LONE_I)).to_numpy()
    cap = np.union1d(np.flatnonzero(opening), lone_i)
    capped = outs.gather(cap)
    outs = outs.scatter(cap, capped.str.slice(0, 1).str.to_uppercase() + capped.str.slice(1))
    stop = np.flatnonzero(last & ~punctuated.to_numpy())
    outs = outs.scatter(stop, outs.gather(stop).str.strip_chars_end(",;:—–") + ".")
    touched = np.union1d(cap, stop)
    words = update(words, toks[touched].select("i", pl.Series("out", outs.gather(touched))), "sentences")
    return _with_sentences(words, toks["i"], sent)


def _with_sentences(words: pl.DataFrame, i: pl.Series, sent: np.ndarray) -> pl.DataFrame:
    """``words`` with ``sent`` set on the tokens ``i`` and null elsewhere."""
    rows = row_positions(words, i)
    if rows is None:
        return words.drop("sent", strict=False).join(
            pl.DataFrame({"i": i, "sent": sent}), on="i", how="left", maintain_order="left"
        )
    column = pl.Series("sent", [None], dtype=pl.Int32).extend_constant(None, words.height - 1)
    return words.drop("sent", strict=False).with_columns(column.scatter(rows, sent))
