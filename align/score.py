"""Candidate scoring: which spans of the transcript could a unit come from?

Set-at-a-time: polars tables in and out, numpy arrays inside the English scorer. Transcript sentences are grouped into *windows* of 1..k consecutive
sentences (:func:`windows`), so a unit can map to a span. A *scorer* takes the units of one
language and the windows and returns *candidates* (:data:`CANDIDATE_SCHEMA`):

    key    the unit's row in the units table      first, last  sentence ids of the window
    score  in [0, 1], calibrated: the chance that the window is where the unit comes from
    plus evidence columns: coverage, anchors, fuzzy, matched

Scorers are registered per language in :data:`SCORERS`; :func:`score` picks one per unit
language and falls back to :func:`anchor_scorer` (numbers and Latin-script names, which any
language shares with an English talk). Another module registers its own, e.g.
``align.score.SCORERS["zh"] = my_chinese_scorer`` (``align.zh`` and ``align.crosslingual`` are
imported, when present, before scoring). The contract::

    scorer(units, windows) -> candidates
    units:      key (UInt32), lang, text, kind          one row per unit of that language
    windows:    first, last, start, end, size, text     :func:`windows` (1..MAX_WINDOW sentences)
    candidates: key, first, last, score + optional evidence (coverage, anchors, fuzzy, matched,
                lead, margin); a few per unit, best first. ``score`` must be a probability: the
                search keeps candidates above ``align.search.MIN_SCORE`` (0.5) and lets one
                jump back in the talk when its score exceeds that by ``JUMP_PENALTY`` (0.25).

The English scorer (:func:`lexical_scorer`): tokens are lowercased and lightly stemmed, stop words
dropped; a unit's terms join the window's terms weighted by rarity in the transcript (BM25's IDF),
numbers and names weigh double; ``coverage`` is the share of the unit's weight found in the
window. The best few windows per unit are then rescored with rapidfuzz (``fuzzy``: the best
partial match of the unit's words inside the window's words), which recognises quotations even
when the captions misspell a word. :func:`calibrate` maps the evidence to a probability.
"""

from __future__ import annotations

import math
from functools import lru_cache
from importlib import resources
from typing import Callable

import numpy as np
import polars as pl
import regex
from rapidfuzz import fuzz, process

CANDIDATE_SCHEMA: dict[str, pl.DataType] = {
    "key": pl.UInt32,  # row of the unit in the units table given to the scorer
    "first": pl.Int32,  # first and last transcript sentence id of the span
    "last": pl.Int32,
    "score": pl.Float64,  # in [0, 1]: calibrated chance the span is where the unit comes from
    "coverage": pl.Float64,  # share of the unit's term weight found in the span
    "anchors": pl.Int32,  # numbers and names shared with the span
    "fuzzy": pl.Float64,  # best partial string match of the unit inside the span, in [0, 1]
    "matched": pl.String,  # the shared terms, strongest first (for the trace)
    "lead": pl.Float64,  # where the fuzzy match begins, as a share of the span's first sentence
    "margin": pl.Float64,  # coverage here minus the best coverage elsewhere in the talk
}

WINDOW_SCHEMA: dict[str, pl.DataType] = {
    "first": pl.Int32,
    "last": pl.Int32,
    "start": pl.Float64,
    "end": pl.Float64,
    "size": pl.Int32,
    "text": pl.String,
}

MAX_WINDOW = 4  # sentences: long enough for a quoted passage, short enough to point at a moment
TOP_PER_UNIT = 8  # candidates kept per unit for the ordered search
# Terms said in more than this share of the transcript's sentences carry no position.
COMMON_SHARE = 0.04
# A window longer than it needs to be is slightly worse: its start is less precise.
SIZE_PENALTY = 0.03


def windows(sentences: pl.DataFrame, most: int = MAX_WINDOW) -> pl.DataFrame:
    """Windows of 1..``most`` consecutive sentences: first, last, start, end, size, text."""
    s = sentences.select("id", "start", "end", "text").sort("start", "id", maintain_order=True)
    frames = []
    n = s.height
    for k in range(1, most + 1):
        if n < k:
            break
        frames.append(pl.DataFrame({
            "first": s["id"][: n - k + 1],
            "last": s["id"][k - 1 :],
            "start": s["start"][: n - k + 1],
            "end": s["end"][k - 1 :],
            "size": pl.Series([k] * (n - k + 1), dtype=pl.Int32),
            "text": _joined(s["text"], k),
        }))
    if not frames:
        return pl.DataFrame(schema=WINDOW_SCHEMA)
    return pl.concat(frames).cast(WINDOW_SCHEMA)


def _joined(texts: pl.Series, k: int) -> pl.Series:
    lst = texts.to_list()
    return pl.Series([" ".join(lst[i : i + k]) for i in range(len(lst) - k + 1)], dtype=pl.String)


# ---------------------------------------------------------------------------------------------
# Terms

_WORD = regex.compile(r"[$€£]?\d[\d,]*(?:\.\d+)?%?|[\p{Latin}][\p{Latin}'’]*")
_NUMBER_WORDS = {
    w: str(n) for n, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split())
} | {"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80",
     "ninety": "90", "hundred": "100"}


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    text = resources.files("align.data").joinpath("stopwords-en.txt").read_text(encoding="utf-8")
    return frozenset(ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#"))


@lru_cache(maxsize=65536)  # a talk says the same words again and again: stem each once
def stem(word: str) -> str:
    """A light stemmer: plural, -ing, -ed, -ly; enough to meet "scaling"/"scale", "laws"/"law"."""
    if len(word) <= 3:
        return word
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("ly", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + repl
            break
    return word.rstrip("e") if len(word) > 4 else word


_MAGNITUDES = {"thousand", "million", "billion", "trillion", "percent", "x"}


# A word and whether a sentence ends right after it (the next word then starts a sentence).
_WORD_AND_STOP = regex.compile(rf"({_WORD.pattern})(?=([.?!]?))")


def terms(text: str) -> list[tuple[str, bool]]:
    """(term, is_anchor) in order: numbers and mid-sentence capitalised names are anchors.

    A number with its magnitude ("$50 trillion", "90%", "90 percent") is also one term: a much
    rarer anchor than "50" or "trillion" alone.
    """
    out: list[tuple[str, bool]] = []
    at_start = True
    last_number = None
    if len(_PAIRS[True]) + len(_PAIRS[False]) > _PAIRS_MAX:  # bounded, like an lru_cache
        _PAIRS[True].clear()
        _PAIRS[False].clear()
    for tok, stop in _WORD_AND_STOP.findall(text.replace("’", "'")):
        if tok[0].isdigit() or tok[0] in "$€£":
            num = tok.lstrip("$€£").replace(",", "").rstrip("%").rstrip(".")
            out.append((num, True))
            if tok.endswith("%"):
                out.append((num + "%", True))
            last_number = num
        else:
            if last_number is not None:
                low_tok = tok.lower()
                if low_tok in _MAGNITUDES:
                    out.append((last_number + ("%" if low_tok == "percent" else " " + low_tok), True))
                last_number = None
            known = _PAIRS[at_start]
            pairs = known.get(tok)
            if pairs is None:
                pairs = known[tok] = tuple((term, number_word or (capitalised and not at_start))
                                           for term, number_word, capitalised in _word_terms(tok))
            out.extend(pairs)
        at_start = bool(stop)
    return out


# (term, is_anchor) per word, by whether the word opens a sentence: a talk says the same words again
# and again. A vocabulary cache, kept per process (not per text) and bounded.
_PAIRS: dict[bool, dict[str, tuple[tuple[str, bool], ...]]] = {True: {}, False: {}}
_PAIRS_MAX = 200_000


def clear_caches() -> None:
    """Forget the per-word caches (stems, terms): the next text is scored as if it were the first."""
    _PAIRS[True].clear()
    _PAIRS[False].clear()
    _word_terms.cache_clear()
    stem.cache_clear()


@lru_cache(maxsize=65536)  # terms() meets the same words over and over: split and stem each once
def _word_terms(tok: str) -> tuple[tuple[str, bool, bool], ...]:
    """(term, is a number word, is capitalised) for each hyphen-separated part of a word, stop words left out."""
    out = []
    stops = stopwords()
    for part in tok.split("-"):
        low = part.lower().removesuffix("'s").strip("'")
        if not low or low in stops:
            continue
        if low in _NUMBER_WORDS:
            out.append((_NUMBER_WORDS[low], True, False))
        else:
            out.append((stem(low), False, part[:1].isupper() and len(low) > 1))
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# Scorers
#
# The lexical scorer works on integer arrays (numpy) rather than joins of polars tables: a talk
# of 1,250 sentences and four documents make ~40,000 (unit, sentence, term) hits and ~350,000
# (unit, window, term) rows, and a dozen joins and group-bys over those cost more than the
# arithmetic. The steps and the numbers are the same as the relational description above.


class _Transcript:
    """The sentences' terms: a vocabulary, each term's document frequency and the positions
    (sentence order) where it is said, as a CSR index (term -> sorted positions)."""

    def __init__(self, texts: list[str]):
        vocab: dict[str, int] = {}
        tids: list[int] = []  # term id of each (position, term), positions ascending
        counts: list[int] = []  # distinct terms per position
        for text in texts:
            seen = {vocab.setdefault(t, len(vocab)) for t, _anchor in terms(text or "")}
            tids.extend(seen)
            counts.append(len(seen))
        self.vocab = vocab
        tid = np.array(tids, dtype=np.int64)
        pos = np.repeat(np.arange(len(texts), dtype=np.int64), counts)
        order = np.argsort(tid, kind="stable")  # by term, positions ascending within a term
        self.positions = pos[order]
        self.df = np.bincount(tid, minlength=len(vocab))
        self.offsets = np.concatenate([[0], np.cumsum(self.df)])


def _idf(df: np.ndarray, n: int) -> np.ndarray:
    """BM25's IDF (computed by polars, as it always was, so every digit stays the same)."""
    return pl.Series(1 + (n - df.astype(np.float64) + 0.5) / (df + 0.5)).log().to_numpy()


def lexical_scorer(units: pl.DataFrame, wins: pl.DataFrame, *, anchors_only: bool = False,
                   top: int = TOP_PER_UNIT) -> pl.DataFrame:
    """Shared rare terms (IDF-weighted), numbers and names, then fuzzy rescoring of the best windows.

    ``units`` needs ``key`` and ``text``; ``wins`` is :func:`windows`. With ``anchors_only`` only
    numbers and Latin-script names count (for languages without a scorer of their own).
    """
    if units.height == 0 or wins.height == 0:
        return pl.DataFrame(schema=CANDIDATE_SCHEMA)
    size_of = wins["size"].to_numpy()
    # A window is (size, fpos): fpos is its first sentence's position in talk order (windows() layout).
    rows_by_size = {k: np.flatnonzero(size_of == k) for k in range(1, MAX_WINDOW + 1)}
    heads = wins["text"].gather(rows_by_size[1]).to_list()
    talk = _Transcript(heads)
    if not talk.vocab:  # nothing said that a unit could share
        return pl.DataFrame(schema=CANDIDATE_SCHEMA)
    n = max(len(heads), 1)
    idf = _idf(talk.df, n)
    common = talk.df > max(2, COMMON_SHARE * n)
    unseen_idf = math.log(1 + (n - 0.5) / 1.5)

    # The units' terms: weight w = idf, double for numbers and names; terms common in the talk dropped.
    keys = units["key"].to_list()
    ut_key, ut_names, ut_anchor = [], [], []  # one row per (unit, term), by unit then term
    for n_key, text in enumerate(units["text"].to_list()):
        anchor_of: dict[str, bool] = {}
        for t, anchor in terms(text or ""):
            if anchor:
                anchor_of[t] = True
            else:
                anchor_of.setdefault(t, False)
        for t in sorted(anchor_of):
            ut_key.append(n_key)
            ut_names.append(t)
            ut_anchor.append(anchor_of[t])
    vocab_get = talk.vocab.get
    tid = np.array([vocab_get(t, -1) for t in ut_names], dtype=np.int64)
    anchor_a = np.array(ut_anchor, dtype=bool)
    said = tid >= 0
    keep = ~(said & common[np.maximum(tid, 0)])
    if anchors_only:
        keep &= anchor_a
    weight = np.where(said, idf[np.maximum(tid, 0)], unseen_idf) * np.where(anchor_a, 2.0, 1.0)
    key_a = np.array(ut_key, dtype=np.int64)
    totals = np.bincount(key_a[keep], weights=weight[keep], minlength=len(keys))
    keep &= said  # terms the talk never says weigh in the total but have no hits
    if not keep.any():
        return pl.DataFrame(schema=CANDIDATE_SCHEMA)
    ut_key_a, ut_term_a, w_arr, ut_anchor_a = key_a[keep], tid[keep], weight[keep], anchor_a[keep]

    # Hits: every position where a unit's term is said, with the previous such position (-1: none).
    per_term = talk.df[ut_term_a]
    hit_ut = np.repeat(np.arange(ut_term_a.size), per_term)
    starts = np.repeat(np.cumsum(per_term) - per_term, per_term)
    within = np.arange(hit_ut.size) - starts
    slot = talk.offsets[ut_term_a][hit_ut] + within
    hit_pos = talk.positions[slot]
    hit_prev = np.where(within > 0, talk.positions[slot - 1], -1)

    # Spread: a hit counts for every window of size k holding its sentence (offset 0..k-1 into it),
    # once per window: only when the term was last said before the window (prev < fpos).
    sizes = np.array([k for k in range(1, MAX_WINDOW + 1) for _ in range(k)], dtype=np.int64)
    offsets = np.array([o for k in range(1, MAX_WINDOW + 1) for o in range(k)], dtype=np.int64)
    n_windows = np.array([0] + [rows_by_size[k].size for k in range(1, MAX_WINDOW + 1)], dtype=np.int64)
    fpos = hit_pos[:, None] - offsets[None, :]  # (hit, size-offset), row-major: hit by hit
    valid = (fpos >= 0) & (hit_prev[:, None] < fpos) & (fpos < n_windows[sizes][None, :])
    sp_hit, sp_combo = np.nonzero(valid)
    sp_ut = hit_ut[sp_hit]
    stride = int(n_windows.max())
    hit_key = ut_key_a[hit_ut]
    code = ((hit_key[:, None] * MAX_WINDOW + (sizes - 1)[None, :]) * stride + fpos)[valid]
    groups, group_of = _groups(code, len(keys) * MAX_WINDOW * stride)  # sorted: by unit, size, fpos
    got = np.bincount(group_of, weights=w_arr[sp_ut])
    anchors = np.bincount(group_of, weights=ut_anchor_a[sp_ut].astype(np.float64)).astype(np.int32)
    g_key = groups // (MAX_WINDOW * stride)
    g_size = groups // stride % MAX_WINDOW + 1
    g_fpos = groups % stride

    coverage = pl.Series(got / totals[g_key]).round(9).to_numpy()
    raw = coverage - SIZE_PENALTY * (g_size - 1).astype(np.float64)
    win_row = np.empty(groups.size, dtype=np.int64)
    for k in range(1, MAX_WINDOW + 1):
        at = g_size == k
        win_row[at] = rows_by_size[k][g_fpos[at]]
    start = wins["start"].to_numpy()[win_row]
    margin = _margin(g_key, coverage, start)

    # Only a unit's best top + 4 windows by raw coverage (ties broken by place) go on to fuzzy matching.
    kept = _best_per_unit(g_key, raw, top + 4)

    scored = pl.DataFrame({
        "key": pl.Series(keys, dtype=pl.UInt32).gather(g_key[kept]),
        "size": g_size[kept].astype(np.int32),
        "fpos": g_fpos[kept].astype(np.int32),
        "first": wins["first"].gather(win_row[kept]),
        "last": wins["last"].gather(win_row[kept]),
        "coverage": coverage[kept],
        "anchors": anchors[kept],
        "margin": margin[kept],
        "matched": _matched(kept, group_of, sp_ut, w_arr, ut_term_a, talk.vocab),
    })
    scored = _fuzzy(scored, units, heads)
    best = (
        scored.with_columns(calibrate().alias("score"))
        .sort(["score", "size", "first"], descending=[True, False, False])
        .group_by("key", maintain_order=True).head(top)
    )
    return best.select(list(CANDIDATE_SCHEMA)).cast(CANDIDATE_SCHEMA)


def _groups(code: np.ndarray, space: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(code, return_inverse=True)``; by a table over all possible codes (no sort) when
    that table is small (at most :data:`DENSE_CODES`: 40 MB), so memory stays flat on long talks."""
    if space > DENSE_CODES:
        return np.unique(code, return_inverse=True)
    present = np.zeros(space, dtype=bool)
    present[code] = True
    groups = np.flatnonzero(present)
    index = np.empty(space, dtype=np.int32)
    index[groups] = np.arange(groups.size, dtype=np.int32)
    return groups, index[code].astype(np.int64)


DENSE_CODES = 1 << 23


def _best_per_unit(g_key: np.ndarray, raw: np.ndarray, most: int) -> np.ndarray:
    """Rows of each unit's ``most`` best windows by ``raw``, ties broken by place; rows come sorted by
    (unit, size, fpos), and so does the answer.

    Sorting every window of every unit is most of the work, so first a coarse pass: per unit, the
    highest band of ``raw`` (bands 0.05 wide) above which it has at least ``most`` windows. A window
    below that band has ``most`` windows strictly better than it, so it can never be kept.
    """
    band = np.floor(raw * 20).astype(np.int64)  # monotone in raw
    band -= band.min()
    n_bands = int(band.max()) + 1
    counts = np.bincount(g_key * n_bands + band, minlength=(int(g_key.max()) + 1) * n_bands).reshape(-1, n_bands)
    at_least = np.cumsum(counts[:, ::-1], axis=1)[:, ::-1]  # windows in this band or above
    floor_band = np.where(at_least[:, 0] >= most, (at_least >= most).sum(axis=1) - 1, 0)
    rows = np.flatnonzero(band >= floor_band[g_key])
    order = rows[np.lexsort((-raw[rows], g_key[rows]))]  # stable: ties stay in (size, fpos) order
    kept = order[_rank_within(g_key[order]) < most]
    kept.sort()
    return kept


def _rank_within(sorted_keys: np.ndarray) -> np.ndarray:
    """0, 1, 2 ... within each run of equal values of a sorted array."""
    bounds = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    return np.arange(sorted_keys.size) - np.repeat(bounds, np.diff(np.r_[bounds, sorted_keys.size]))


ELSEWHERE = 90.0  # seconds: a window this far from the best one is a different place in the talk


def _margin(g_key: np.ndarray, coverage: np.ndarray, start: np.ndarray) -> np.ndarray:
    """``margin``: a window's coverage minus the best coverage found elsewhere in the talk.

    A unit that is really said somewhere has one place that stands out; a unit the talk never
    says matches common words everywhere about equally. Rows come sorted by unit, size, fpos.
    """
    bounds = np.flatnonzero(np.r_[True, g_key[1:] != g_key[:-1]])
    segment = np.repeat(np.arange(bounds.size), np.diff(np.r_[bounds, g_key.size]))
    c1 = np.maximum.reduceat(coverage, bounds)
    # the best window: among those of highest coverage, the first by size, then place
    at_best = np.flatnonzero(coverage == c1[segment])
    first_best = at_best[np.searchsorted(segment[at_best], np.arange(bounds.size))]
    s1 = start[first_best]
    far = np.abs(start - s1[segment]) > ELSEWHERE
    c2 = np.maximum.reduceat(np.where(far, coverage, -np.inf), bounds)
    c2[np.isneginf(c2)] = 0.0
    return coverage - np.where(far, c1[segment], c2[segment])


def _matched(kept: np.ndarray, group_of: np.ndarray, sp_ut: np.ndarray, w: np.ndarray, ut_term: np.ndarray,
             vocab: dict[str, int]) -> list[str]:
    """The shared terms of each kept window, strongest first (ties by spelling), six at most."""
    names = np.array(list(vocab), dtype=object)
    rank = np.empty(len(names), dtype=np.int64)
    rank[np.argsort(names.astype(str), kind="stable")] = np.arange(len(names))
    slot = np.full(group_of.max() + 1, -1, dtype=np.int64)
    slot[kept] = np.arange(kept.size)
    rows = np.flatnonzero(slot[group_of] >= 0)
    tid = ut_term[sp_ut[rows]]
    where = slot[group_of[rows]]
    order = np.lexsort((rank[tid], -w[sp_ut[rows]], where))
    where, tid = where[order], tid[order]
    six = _rank_within(where) < 6
    where, spelled = where[six], names[tid[six]].tolist()
    bounds = np.r_[np.flatnonzero(np.r_[True, where[1:] != where[:-1]]), where.size].tolist()
    return [" ".join(spelled[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]


_ALNUM_RUN = regex.compile(r"[\p{L}\p{N}]+")


def _norm(text: str) -> str:
    return " ".join(_ALNUM_RUN.findall(text.lower().replace("’", "'")))


def _norm_expr(column: str) -> pl.Expr:
    """:func:`_norm` in polars."""
    return (pl.col(column).str.to_lowercase().str.replace_all("’", "'")
            .str.replace_all(r"[^\p{L}\p{N}]+", " ").str.strip_chars().alias(column))


def _fuzzy(scored: pl.DataFrame, units: pl.DataFrame, heads: list[str]) -> pl.DataFrame:
    """Best partial match of the unit's words inside the window's words (0..1), and for near-verbatim
    matches where in the window's first sentence the match begins (``lead``).

    ``heads`` are the sentences in talk order; a window (``size``, ``fpos``) is the sentences
    fpos..fpos+size-1 joined by spaces, so its normalised text is theirs joined (normalising each
    sentence once rather than every window of every unit: same text, a fraction of the work).
    """
    texts = dict(zip(units["key"].to_list(), (_norm(t) for t in units["text"].to_list())))
    normed = pl.DataFrame({"text": heads}, schema={"text": pl.String}).select(_norm_expr("text"))["text"].to_list()
    queries = [texts[k] for k in scored["key"].to_list()]
    firsts, sizes = scored["fpos"].to_list(), scored["size"].to_list()
    windows_ = [" ".join(h for h in normed[f : f + k] if h) for f, k in zip(firsts, sizes)]
    head_lens = [len(normed[f]) for f in firsts]
    # Element-wise in C; partial_ratio slides the shorter string along the longer one.
    # Below VERBATIM_FROM a match is no evidence (see _features), so the scorer may stop early there.
    raw = process.cpdist(queries, windows_, scorer=fuzz.partial_ratio, score_cutoff=VERBATIM_FROM * 100, workers=1) / 100
    values, leads = [], []
    for u, w, head_len, r in zip(queries, windows_, head_lens, raw.tolist()):
        if not u or not w:
            values.append(0.0)
            leads.append(0.0)
            continue
        value = r if len(u) <= len(w) else r * len(w) / len(u)  # a window shorter than the unit covers part of it
        values.append(value)
        lead = 0.0
        if value >= LEAD_FROM and len(u) <= len(w):
            al = fuzz.partial_ratio_alignment(u, w)
            lead = min(al.dest_start / max(head_len, 1), 1.0)  # where the quoted words begin
        leads.append(lead)
    return scored.with_columns(pl.Series("fuzzy", values, dtype=pl.Float64), pl.Series("lead", leads, dtype=pl.Float64))


LEAD_FROM = 0.85  # below this the string match is too loose to say where in the sentence a quote starts


# Calibration on the development gold (scripts/evaluate_alignment.py --calibrate): a logistic
# model of "this window holds the gold start (within 15 s)" over the evidence of every candidate.
FEATURES = ("coverage", "margin", "verbatim", "size")
# Partial string matching scores paraphrases around 0.45-0.6 by chance; only well above that is
# it evidence of the same words (a quotation, even with misheard words).
VERBATIM_FROM, VERBATIM_TO = 0.6, 0.95


def _features() -> dict[str, pl.Expr]:
    verbatim = ((pl.col("fuzzy") - VERBATIM_FROM) / (VERBATIM_TO - VERBATIM_FROM)).clip(0.0, 1.0)
    return {"coverage": pl.col("coverage"), "margin": pl.col("margin"), "verbatim": verbatim,
            "size": pl.col("size").cast(pl.Float64)}

CALIBRATION = {"intercept": -1.78, "coverage": 1.61, "margin": 3.77, "verbatim": 0.55, "size": -0.16}


def calibrate(weights: dict | None = None) -> pl.Expr:
    """Evidence columns (:data:`FEATURES`) -> probability in [0, 1] (see :data:`CALIBRATION`)."""
    c = weights or CALIBRATION
    z = pl.lit(c["intercept"])
    for name, expr in _features().items():
        z = z + c[name] * expr.fill_null(0.0)
    return 1.0 / (1.0 + (-z).exp())


# Second pass (align.search.fill_in_order): a weak candidate between found neighbours. Fitted on
# seed 000's gloss bullets with the quotes taken out (scripts/evaluate_alignment.py --calibrate).
IN_ORDER_CALIBRATION = {"intercept": 0.43, "logit": 0.28}


def calibrate_in_order(weights: dict | None = None) -> pl.Expr:
    """``score`` of a candidate placed in order -> probability that it is right."""
    c = weights or IN_ORDER_CALIBRATION
    p = pl.col("score").clip(1e-4, 1 - 1e-4)
    z = c["intercept"] + c["logit"] * (p / (1 - p)).log()
    return 1.0 / (1.0 + (-z).exp())


def anchor_scorer(units: pl.DataFrame, wins: pl.DataFrame) -> pl.DataFrame:
    """For languages with no scorer: numbers and Latin-script names only."""
    return lexical_scorer(units, wins, anchors_only=True)


Scorer = Callable[[pl.DataFrame, pl.DataFrame], pl.DataFrame]
SCORERS: dict[str, Scorer] = {"en": lexical_scorer}


def score(units: pl.DataFrame, wins: pl.DataFrame) -> pl.DataFrame:
    """Candidates for every unit (``key``, ``lang``, ``text`` columns), each language by its scorer."""
    _load_plugins()
    frames = []
    for (lang,), group in units.group_by("lang", maintain_order=True):
        scorer = SCORERS.get(lang, anchor_scorer)
        cands = scorer(group, wins)
        frames.append(check_candidates(cands))
    if not frames:
        return pl.DataFrame(schema=CANDIDATE_SCHEMA)
    return pl.concat(frames)


def check_candidates(cands: pl.DataFrame) -> pl.DataFrame:
    """A scorer's output, checked and completed to :data:`CANDIDATE_SCHEMA` (evidence may be absent)."""
    for name in ("key", "first", "last", "score"):
        if name not in cands.columns:
            raise ValueError(f"scorer output lacks column {name!r}")
    defaults = {"coverage": None, "anchors": None, "fuzzy": None, "matched": None, "lead": 0.0, "margin": None}
    cands = cands.with_columns([pl.lit(v).alias(k) for k, v in defaults.items() if k not in cands.columns])
    return cands.select([pl.col(c).cast(t) for c, t in CANDIDATE_SCHEMA.items()]).with_columns(
        pl.col("score").clip(0.0, 1.0)
    )


def _load_plugins() -> None:
    """Scorers that live in other modules register themselves when imported (if present).

    ``align.crosslingual.candidates(units[unit, text], sentences) -> unit, first, last, score, ...``
    (the Chinese scorer written beside this module) is adapted to the contract above when it has
    not registered itself.
    """
    import importlib
    import sys

    for module in ("align.zh", "align.crosslingual"):
        try:
            importlib.import_module(module)
        except ImportError:
            pass
    crosslingual = sys.modules.get("align.crosslingual")
    if "zh" not in SCORERS and crosslingual is not None and callable(getattr(crosslingual, "candidates", None)):
        SCORERS["zh"] = _sentence_scorer(crosslingual.candidates)


def _sentence_scorer(fn: Callable) -> Scorer:
    """Adapt ``fn(units[unit, text], sentences[id, start, end, text]) -> unit, first, last, score, ...``."""

    def scorer(units: pl.DataFrame, wins: pl.DataFrame) -> pl.DataFrame:
        sentences = wins.filter(pl.col("size") == 1).select(pl.col("first").alias("id"), "start", "end", "text")
        out = fn(units.select(pl.col("key").cast(pl.String).alias("unit"), "text"), sentences)
        if out.height == 0:
            return pl.DataFrame(schema=CANDIDATE_SCHEMA)
        if "anchors" in out.columns and out.schema["anchors"] == pl.List(pl.String):
            out = out.with_columns(pl.col("anchors").list.len().alias("anchors"),
                                   pl.col("anchors").list.join(" ").alias("matched"))
        return out.with_columns(pl.col("unit").cast(pl.UInt32).alias("key")).drop("unit")

    return scorer
