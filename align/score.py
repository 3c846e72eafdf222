"""Candidate scoring: which spans of the transcript could a unit come from?

Set-at-a-time in polars. Transcript sentences are grouped into *windows* of 1..k consecutive
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


def terms(text: str) -> list[tuple[str, bool]]:
    """(term, is_anchor) in order: numbers and mid-sentence capitalised names are anchors.

    A number with its magnitude ("$50 trillion", "90%", "90 percent") is also one term: a much
    rarer anchor than "50" or "trillion" alone.
    """
    out = []
    start_of_sentence = True
    last_number = None
    for m in _WORD.finditer(text.replace("’", "'")):
        tok = m.group(0)
        at_start = start_of_sentence
        start_of_sentence = text[m.end() : m.end() + 1] in (".", "?", "!")
        if tok[0].isdigit() or tok[0] in "$€£":
            num = tok.lstrip("$€£").replace(",", "").rstrip("%").rstrip(".")
            out.append((num, True))
            if tok.endswith("%"):
                out.append((num + "%", True))
            last_number = num
            continue
        number, last_number = last_number, None
        if number is not None and tok.lower() in _MAGNITUDES:
            low_tok = tok.lower()
            out.append((number + ("%" if low_tok == "percent" else " " + low_tok), True))
        for term, number_word, capitalised in _word_terms(tok):
            out.append((term, number_word or (capitalised and not at_start)))
    return out


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


def _term_table(keys: list, texts: list[str], key_name: str) -> pl.DataFrame:
    rows_k, rows_t, rows_a = [], [], []
    for k, text in zip(keys, texts):
        for t, anchor in terms(text or ""):
            rows_k.append(k)
            rows_t.append(t)
            rows_a.append(anchor)
    return pl.DataFrame({key_name: rows_k, "term": rows_t, "anchor": rows_a},
                        schema={key_name: pl.UInt32 if key_name == "key" else pl.Int32, "term": pl.String, "anchor": pl.Boolean})


# ---------------------------------------------------------------------------------------------
# Scorers


def lexical_scorer(units: pl.DataFrame, wins: pl.DataFrame, *, anchors_only: bool = False,
                   top: int = TOP_PER_UNIT) -> pl.DataFrame:
    """Shared rare terms (IDF-weighted), numbers and names, then fuzzy rescoring of the best windows.

    ``units`` needs ``key`` and ``text``; ``wins`` is :func:`windows`. With ``anchors_only`` only
    numbers and Latin-script names count (for languages without a scorer of their own).
    """
    if units.height == 0 or wins.height == 0:
        return pl.DataFrame(schema=CANDIDATE_SCHEMA)
    single = wins.filter(pl.col("size") == 1)
    sent_terms = _term_table(single["first"].to_list(), single["text"].to_list(), "sid").unique(["sid", "term"])
    n = max(single.height, 1)
    df = sent_terms.group_by("term").agg(pl.len().alias("df"))
    # BM25's IDF; terms the talk never says still weigh (as if said once) so paraphrase costs.
    idf = df.with_columns(
        (1 + (n - pl.col("df") + 0.5) / (pl.col("df") + 0.5)).log().alias("idf"),
        (pl.col("df") > max(2, COMMON_SHARE * n)).alias("common"),
    )
    unseen_idf = math.log(1 + (n - 0.5) / 1.5)
    unit_terms = (
        _term_table(units["key"].to_list(), units["text"].to_list(), "key")
        .group_by("key", "term").agg(pl.col("anchor").any())
        .join(idf, on="term", how="left")
        .with_columns(pl.col("idf").fill_null(unseen_idf), pl.col("common").fill_null(False))
        .filter(~pl.col("common"))
    )
    if anchors_only:
        unit_terms = unit_terms.filter(pl.col("anchor"))
    unit_terms = unit_terms.with_columns(
        (pl.col("idf") * pl.when(pl.col("anchor")).then(2.0).otherwise(1.0)).alias("w")
    )
    totals = unit_terms.group_by("key").agg(pl.col("w").sum().alias("total"))

    # Each shared (unit, sentence, term) counts for every window of size k that holds the sentence.
    pos = single.select(pl.col("first").alias("sid"), pl.int_range(0, pl.len(), dtype=pl.Int32).alias("pos"))
    hits = unit_terms.join(sent_terms.drop("anchor"), on="term").join(pos, on="sid")
    if hits.height == 0:
        return pl.DataFrame(schema=CANDIDATE_SCHEMA)
    sizes = pl.DataFrame({"size": [k for k in range(1, MAX_WINDOW + 1) for _ in range(k)],
                          "offset": [o for k in range(1, MAX_WINDOW + 1) for o in range(k)]},
                         schema={"size": pl.Int32, "offset": pl.Int32})
    win_pos = wins.with_columns(pl.int_range(0, pl.len(), dtype=pl.Int32).over("size").alias("fpos"))
    # A term said in several sentences of a window counts once, at its first sentence there: the
    # hit at ``pos`` is that first one when the unit's term was last heard before the window
    # (``prev`` < fpos). Cheaper than a unique() over every (unit, window, term).
    hits = hits.sort("key", "term", "pos").with_columns(
        pl.when((pl.col("key") == pl.col("key").shift(1)) & (pl.col("term") == pl.col("term").shift(1)))
        .then(pl.col("pos").shift(1)).alias("prev")
    )
    spread = (
        hits.join(sizes, how="cross")
        .with_columns((pl.col("pos") - pl.col("offset")).alias("fpos"))
        .filter((pl.col("fpos") >= 0) & (pl.col("prev").is_null() | (pl.col("prev") < pl.col("fpos"))))
    )
    every = (
        spread.group_by("key", "size", "fpos")
        .agg(pl.col("w").sum().alias("got"), pl.col("anchor").sum().cast(pl.Int32).alias("anchors"))
        .join(totals, on="key")
        .with_columns((pl.col("got") / pl.col("total")).round(9).alias("coverage"))
        .with_columns((pl.col("coverage") - SIZE_PENALTY * (pl.col("size") - 1)).alias("raw"))
        .join(win_pos.select("size", "fpos", "first", "last", "start"), on=["size", "fpos"])
    )
    # Only a unit's best windows can be among its first top + 4: keep those (ties included) before the sort.
    best_raw = pl.col("raw").rank("min", descending=True).over("key") <= top + 4
    scored = (
        _with_margin(every)
        .filter(best_raw)
        .sort(["raw", "size", "fpos"], descending=[True, False, False])  # ties broken by place: deterministic
        .group_by("key", maintain_order=True).head(top + 4)
        .join(win_pos.select("size", "fpos", "text"), on=["size", "fpos"])
        .join(single.select(pl.col("first"), pl.col("text").alias("head")), on="first")
    )
    # The shared terms, strongest first, only for the windows kept (for the trace's evidence).
    matched = (
        spread.join(scored.select("key", "size", "fpos"), on=["key", "size", "fpos"])
        .sort(["w", "term"], descending=[True, False])
        .group_by("key", "size", "fpos").agg(pl.col("term").head(6).str.join(" ").alias("matched"))
    )
    scored = scored.join(matched, on=["key", "size", "fpos"], how="left")
    scored = _fuzzy(scored, units)
    best = (
        scored.with_columns(calibrate().alias("score"))
        .sort(["score", "size", "first"], descending=[True, False, False])
        .group_by("key", maintain_order=True).head(top)
    )
    return best.select(list(CANDIDATE_SCHEMA)).cast(CANDIDATE_SCHEMA)


ELSEWHERE = 90.0  # seconds: a window this far from the best one is a different place in the talk


def _with_margin(every: pl.DataFrame) -> pl.DataFrame:
    """``margin``: a window's coverage minus the best coverage found elsewhere in the talk.

    A unit that is really said somewhere has one place that stands out; a unit the talk never
    says matches common words everywhere about equally.
    """
    # the best window per unit: among its rows of highest coverage (a small set), the first by place
    best = every.filter(pl.col("coverage") == pl.col("coverage").max().over("key"))
    top = best.sort(["coverage", "size", "fpos"], descending=[True, False, False]).group_by(
        "key", maintain_order=True).first().select(
        "key", pl.col("coverage").alias("c1"), pl.col("start").alias("s1"))
    second = (
        every.join(top, on="key").filter((pl.col("start") - pl.col("s1")).abs() > ELSEWHERE)
        .group_by("key").agg(pl.col("coverage").max().alias("c2"))
    )
    return (
        every.join(top, on="key").join(second, on="key", how="left")
        .with_columns(pl.col("c2").fill_null(0.0))
        .with_columns(
            (pl.col("coverage") - pl.when((pl.col("start") - pl.col("s1")).abs() > ELSEWHERE)
             .then(pl.col("c1")).otherwise(pl.col("c2"))).alias("margin"))
        .drop("c1", "c2", "s1")
    )


def _norm(text: str) -> str:
    return " ".join(regex.findall(r"[\p{L}\p{N}]+", text.lower().replace("’", "'")))


def _norm_expr(column: str) -> pl.Expr:
    """:func:`_norm` in polars."""
    return (pl.col(column).str.to_lowercase().str.replace_all("’", "'")
            .str.replace_all(r"[^\p{L}\p{N}]+", " ").str.strip_chars().alias(column))


def _fuzzy(scored: pl.DataFrame, units: pl.DataFrame) -> pl.DataFrame:
    """Best partial match of the unit's words inside the window's words (0..1), and for near-verbatim
    matches where in the window's first sentence the match begins (``lead``)."""
    texts = dict(zip(units["key"].to_list(), (_norm(t) for t in units["text"].to_list())))
    scored = scored.with_columns(_norm_expr("text"), _norm_expr("head").str.len_chars().alias("head_len"))
    queries = [texts[k] for k in scored["key"].to_list()]
    windows_ = scored["text"].to_list()
    # Element-wise in C; partial_ratio slides the shorter string along the longer one.
    # Below VERBATIM_FROM a match is no evidence (see _features), so the scorer may stop early there.
    raw = process.cpdist(queries, windows_, scorer=fuzz.partial_ratio, score_cutoff=VERBATIM_FROM * 100, workers=1) / 100
    values, leads = [], []
    for u, w, head_len, r in zip(queries, windows_, scored["head_len"].to_list(), raw.tolist()):
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
