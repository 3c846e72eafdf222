"""Disfluencies: fillers, stutters, repeats, discourse fillers, sentence-initial connectives, false starts.

Each sub-pass is listed in :data:`PASSES` with the lowest level it runs at:

- ``light``: ``fillers`` (um, uh, er, hmm), ``stutters`` ("th- the") and ``repeats``
  ("the the", "I I I", "it is it is", "what I would say is what I would say is");
- ``standard`` adds ``discourse`` ("you know", "I mean", "kind of", "sort of", filler
  "like", tag "right?") only where they are fillers, and ``connectives`` (a sentence
  that opens with "And", "So" or "Yeah" loses that word, as a human editor does);
- ``clean`` adds ``false-starts`` (a clause begun, abandoned and begun again).

Every rule looks only at a token's neighbours in the same speaker turn, as polars
expressions over the live tokens (no Python loop over words). Word lists live in
``cleaners/data/`` so the next episode gets the same rules. A dropped token never
takes its sentence punctuation with it (see :func:`cleaners.pipeline.drop_tokens`).
Each pass runs to its own fixpoint, and the last entry, ``settle``, re-runs the group
until nothing changes, because one removal can expose another ("the, you know, the"
becomes a repeat): that is what makes cleaning idempotent.
"""

from __future__ import annotations

from functools import cache, wraps
from importlib import resources

import polars as pl

from cleaners.pipeline import SENTENCE_END, Context, drop_tokens, token_key

SETTLE_ROUNDS = 6


@cache
def wordlist(name: str) -> tuple[str, ...]:
    """A shipped word list: one entry a line, ``#`` comments, compared lowercase without punctuation."""
    text = resources.files("cleaners.data").joinpath(name).read_text(encoding="utf-8")
    return tuple(ln.strip().lower() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#"))


@cache
def wordsets(name: str) -> dict[str, tuple[str, ...]]:
    """A sectioned word list: ``[section]`` headers, then one entry a line."""
    sections: dict[str, list[str]] = {}
    current = None
    for entry in wordlist(name):
        if entry.startswith("[") and entry.endswith("]"):
            current = sections.setdefault(entry[1:-1], [])
        elif current is not None:
            current.append(entry)
    return {k: tuple(v) for k, v in sections.items()}


def key(column: str = "out") -> pl.Expr:
    """:func:`cleaners.pipeline.token_key` of a column."""
    return token_key(pl.col(column))


def context(words: pl.DataFrame, reach: int = 4) -> pl.DataFrame:
    """Live tokens with their key ``k``, the keys of up to ``reach`` neighbours each side
    within the turn (``p1`` .. / ``n1`` ..), and ``start``: whether the token opens a sentence.

    Sentence openings come from the *raw* punctuation of the word before (or a turn change),
    carried over dropped words, so the cleaned table's own added stops never feed back.
    """
    speech = words.filter(pl.col("kind") == "word").select("i", "raw", "out", "turn")
    alive = pl.col("out") != ""
    stop_before = (
        pl.col("raw").shift(1).str.contains(SENTENCE_END).fill_null(True)
        | (pl.col("turn") != pl.col("turn").shift(1)).fill_null(True)
    )
    # a live token opens a sentence if a stop came since the previous live token
    toks = speech.with_columns(stop_before.cast(pl.Int32).cum_sum().alias("_stops")).filter(alive)
    toks = toks.with_columns((pl.col("_stops") > pl.col("_stops").shift(1).fill_null(0)).alias("start")).drop("_stops")
    # The key is a chain of string operations: run it once per distinct spelling (about one token in seven).
    keys = toks.select(pl.col("out").unique()).with_columns(key().alias("k"))
    toks = toks.join(keys, on="out", how="left", maintain_order="left")
    shifts = []
    for n in range(1, reach + 1):
        shifts.append(_near(pl.col("k"), n).alias(f"p{n}"))
        shifts.append(_near(pl.col("k"), -n).alias(f"n{n}"))
    shifts.append(_near(pl.col("out"), -1).alias("next_out"))
    return toks.with_columns(shifts)


def _near(expr: pl.Expr, n: int) -> pl.Expr:
    """``expr`` of the token ``n`` places back (``n > 0``) or ahead (``n < 0``) in the same turn, else null.

    A plain shift checked against ``turn`` is much cheaper than a window over turns.
    """
    return pl.when(pl.col("turn").shift(n) == pl.col("turn")).then(expr.shift(n))


def _is(col: str, word: str) -> pl.Expr:
    return (pl.col(col) == word).fill_null(False)


def _in(col: str, name: str, section: str | None = None) -> pl.Expr:
    entries = wordsets(name)[section] if section else wordlist(name)
    return pl.col(col).is_in(list(entries)).fill_null(False)


def _spread(mask: pl.Expr, width: int) -> pl.Expr:
    """Mark the ``width`` tokens starting where ``mask`` is true (``mask`` has checked they share a turn).

    ``mask`` appears ``width`` times in the result and polars evaluates each copy: pass a column
    (see :func:`_with_masks`), not a long expression.
    """
    out = mask
    for j in range(1, width):
        out = out | mask.shift(j).fill_null(False)
    return out


def _with_masks(toks: pl.DataFrame, only: pl.Expr | None = None, **masks: pl.Expr) -> pl.DataFrame:
    """``toks`` with each rule's mask as a column (nulls false), computed once for all its uses.

    ``only``: a cheap test that every mask implies (``k`` is one of the rule's words); the masks
    are then computed on those few rows alone and are false elsewhere. None may shift.
    """
    if only is None:
        return toks.with_columns(**{name: mask.fill_null(False) for name, mask in masks.items()})
    few = toks.filter(only.fill_null(False)).select("i", **{name: mask.fill_null(False) for name, mask in masks.items()})
    toks = toks.join(few, on="i", how="left", maintain_order="left")
    return toks.with_columns(pl.col(name).fill_null(False) for name in masks)


def _drops(toks: pl.DataFrame, mask: pl.Expr, end: pl.Expr | None = None) -> pl.DataFrame:
    cols = [pl.col("i")] + ([end.alias("end")] if end is not None else [])
    return toks.filter(mask.fill_null(False)).select(cols)


def _state(words: pl.DataFrame) -> pl.DataFrame:
    return words.select("raw", "out", "turn")


def to_fixpoint(once):
    """Make a one-shot rule a pass: apply it until it drops nothing ("of what of of of what"
    only shows "of what of what" after the first drop), and remember in ``ctx.cache`` the
    table it left settled, so that ``settle`` skips it while nothing else has changed."""
    memo = ("settled", once.__name__)

    @wraps(once)
    def run(words: pl.DataFrame, ctx: Context, **options) -> pl.DataFrame:
        seen = ctx.cache.get(memo)
        if seen is not None and seen.equals(_state(words)):
            return words
        for _ in range(SETTLE_ROUNDS):
            before = words
            words = once(words, ctx, **options)
            if words is before:
                break
        ctx.cache[memo] = _state(words)
        return words

    return run


# --- light ---------------------------------------------------------------------------------


def fillers(words: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """Drop hesitation sounds: um, uh, er, hmm (``fillers.txt``)."""
    toks = context(words, reach=0)
    return drop_tokens(words, _drops(toks, _in("k", "fillers.txt")), "fillers")


@to_fixpoint
def stutters(words: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """Drop a cut-off word the speaker then says in full: "th- the", "I- I", "ex- example"."""
    toks = context(words, reach=1)
    stem = pl.col("out").str.to_lowercase().str.extract(r"^(\w{1,8})[-‐–—]$", 1)
    cut = stem.is_not_null() & pl.col("n1").is_not_null() & pl.col("n1").str.starts_with(stem)
    return drop_tokens(words, _drops(toks, cut), "stutters")


@to_fixpoint
def repeats(words: pl.DataFrame, ctx: Context, longest: int = 6) -> pl.DataFrame:
    """Drop the first copy of a word or phrase said twice in a row ("the the", "I I I", "it is it is")."""
    stop = pl.col("out").str.contains(SENTENCE_END)
    # compare words by hash (null for an empty key): integer columns are cheap to shift and compare
    code = pl.when(pl.col("k") != "").then(pl.col("k").hash()).alias("h")
    toks = context(words, reach=0).with_columns(code, stop.alias("s0"))
    toks = toks.with_columns(
        [pl.col("h").shift(-j).alias(f"f{j}") for j in range(1, 2 * longest)]
        + [pl.col("s0").shift(-j).alias(f"s{j}") for j in range(1, longest)]
    )
    ahead = ["h"] + [f"f{j}" for j in range(1, 2 * longest)]
    ends = [pl.col(f"s{j}") for j in range(longest)]
    sames = {}
    for n in range(longest, 0, -1):
        # turns only grow, so one check on the window's last word keeps it inside the turn
        same = pl.col("turn").shift(-(2 * n - 1)) == pl.col("turn")
        for j in range(n):
            same = same & (pl.col(ahead[j]) == pl.col(ahead[j + n]))
        # "what the best thing is. The best thing is" restates across a full stop: not a stumble
        if n > 1:
            same = same & ~pl.any_horizontal(ends[:n])
        sames[f"_same{n}"] = same
    toks = _with_masks(toks, **sames)
    drop = pl.lit(False)
    for n in range(longest, 0, -1):
        drop = drop | _spread(pl.col(f"_same{n}"), n)
    return drop_tokens(words, _drops(toks, drop), "repeats")


# --- standard ------------------------------------------------------------------------------

LISTS = "discourse.txt"


@to_fixpoint
def discourse(words: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """Drop "you know", "I mean", "kind of"/"sort of", filler "like" and tag "right?" where they are fillers.

    Kept: "do you know", "I know you know it", "you know what I mean?", "what I mean",
    "I mean it", "what kind of model", "the sort of thing", "looks like", "something
    like 200", "I like it", "I was like, oh", "things like that", "that's right",
    "right now". A dropped tag question leaves a full stop, not a question mark.
    """
    toks = context(words)
    asks = pl.col("out").str.contains(r"\?")

    you_know = (
        _is("k", "you")
        & _is("n1", "know")
        & ~_in("p1", LISTS, "you know: kept after")
        & ~(_is("p1", "know") & _in("p2", LISTS, "subjects") & ~_is("p2", "you"))  # "I know you know it"
        & ~(_is("n2", "what") & _is("n3", "i") & _is("n4", "mean"))  # the real question
    ).fill_null(False)
    you_know_tag = you_know & pl.col("next_out").str.contains(r"\?").fill_null(False)

    i_mean = (
        _is("k", "i")
        & _is("n1", "mean")
        & ~_in("p1", LISTS, "i mean: kept after")
        & ~_in("n2", LISTS, "i mean: kept before")
        & ~pl.col("next_out").str.contains(r"\?").fill_null(False)
    ).fill_null(False)

    kind_of = (
        pl.col("k").is_in(["kind", "sort"]).fill_null(False) & _is("n1", "of") & ~_in("p1", LISTS, "determiners")
    ).fill_null(False)

    quoting = _in("p1", LISTS, "like: quoting after") & _in("n1", LISTS, "like: quote starts")  # "I was like, oh"
    like = (
        _is("k", "like")
        & (~_in("p1", LISTS, "like: kept after") | _in("n1", LISTS, "like: filler before"))  # not "something like we're"
        & ~(_in("p1", LISTS, "subjects") & _in("n1", LISTS, "like: object starts"))  # "I like it"
        & ~quoting
        & ~(pl.col("n1").is_in(["this", "that"]).fill_null(False) & ~pl.col("start") & ~pl.col("raw").str.contains(r"\W$"))
        & ~(_plural_noun("p1") & ~_in("n1", LISTS, "clause starts"))  # "tasks like training": "such as"
    ).fill_null(False)

    right_tag = (
        _is("k", "right")
        & pl.col("p1").is_not_null()  # a tag follows something; "Right." alone is an answer
        & ~_in("p1", LISTS, "right: kept after")
        & (asks | _in("n1", LISTS, "clause starts") | pl.col("n1").is_null())
    ).fill_null(False)

    toks = _with_masks(toks, only=pl.col("k").is_in(["you", "i", "kind", "sort", "like", "right"]),
                       _you_know=you_know, _you_know_tag=you_know_tag, _i_mean=i_mean, _kind_of=kind_of,
                       _like=like, _right_tag=right_tag)
    you_know, i_mean, kind_of, right_tag = pl.col("_you_know"), pl.col("_i_mean"), pl.col("_kind_of"), pl.col("_right_tag")
    drop = _spread(you_know, 2) | _spread(i_mean, 2) | _spread(kind_of, 2) | pl.col("_like") | right_tag
    tag = right_tag | _near(pl.col("_you_know_tag"), 1).fill_null(False)
    end = pl.when(tag & asks).then(pl.lit(".")).otherwise(pl.lit(None, dtype=pl.String))
    return drop_tokens(words, _drops(toks, drop, end), "discourse")


def _plural_noun(col: str) -> pl.Expr:
    """A rough guess that a word is a plural noun ("tasks", "rewards"): ends in -s, not a verb or function word."""
    return (
        pl.col(col).str.contains(r"^[a-z]{3,}[^s']s$")
        & ~_in(col, LISTS, "not plural nouns")
    ).fill_null(False)


@to_fixpoint
def connectives(words: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """Drop the "And", "So" or "Yeah" that opens a sentence ("And so we're seeing" -> "We're seeing").

    Kept: "so that", "so far", "so much" (the word carries meaning there), and a "Yeah"
    or "So" that is all the speaker says in the turn.
    """
    # one drop can make the next word the opener ("Yeah, and so we"): to_fixpoint repeats it
    toks = context(words, reach=2)
    # A whole leading run of openers goes in one round ("so so so so we"), not one a round:
    # a run longer than the fixpoint's bound would otherwise survive and break idempotence.
    is_opener = _in("k", LISTS, "sentence openers")
    toks = toks.with_columns(pl.col("start").cast(pl.Int32).cum_sum().alias("_sentence"))
    toks = toks.with_columns(
        ((~is_opener).cast(pl.Int32).cum_sum().over("_sentence") == 0).alias("_leading")
    ).drop("_sentence")
    opener = (
        pl.col("_leading")
        & is_opener
        & pl.col("n1").is_not_null()
        & ~(_is("k", "so") & _in("n1", LISTS, "so: kept before") & ~pl.col("out").str.contains(r"\W$"))
    )
    # "and so" anywhere opens a new thought ("... the model and so we ..."), but "and so on" stays.
    and_so = _is("k", "and") & _is("n1", "so") & ~_in("n2", LISTS, "so: kept before") & pl.col("n2").is_not_null()
    toks = _with_masks(toks, _opener=opener, _and_so=and_so)
    drop = pl.col("_opener") | _spread(pl.col("_and_so"), 2)
    return drop_tokens(words, _drops(toks, drop), "connectives")


# --- clean ---------------------------------------------------------------------------------


@to_fixpoint
def false_starts(words: pl.DataFrame, ctx: Context, longest: int = 4, gap: int = 2) -> pl.DataFrame:
    """Drop a clause the speaker began and began again: "there's plus or minus a couple there's
    plus or minus a year" drops "there's plus or minus a couple". A restart repeats at least
    two words, starting with a clause opener ("I", "we", "there's", "the", ...; not "smart
    high school student to smart college student"), and at most ``gap`` abandoned words
    lie between the two beginnings.
    """
    reach = 2 * longest + gap
    toks = context(words, reach=0).with_columns([pl.col("k").shift(-j).alias(f"f{j}") for j in range(1, reach)])
    ahead = ["k"] + [f"f{j}" for j in range(1, reach)]
    opener = _in("k", LISTS, "clause openers")
    sames = {}
    for n in range(longest, 1, -1):
        for g in range(1, gap + 1):
            same = opener & (pl.col("turn").shift(-(2 * n + g - 1)) == pl.col("turn"))
            for j in range(n):
                same = same & (pl.col(ahead[j]) == pl.col(ahead[j + n + g])) & (pl.col(ahead[j]) != "")
            sames[f"_same{n}_{g}"] = same
    toks = _with_masks(toks, **sames)
    drop = pl.lit(False)
    for n in range(longest, 1, -1):
        for g in range(1, gap + 1):
            drop = drop | _spread(pl.col(f"_same{n}_{g}"), n + g)
    return drop_tokens(words, _drops(toks, drop), "false-starts")


def settle(words: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """Re-run the passes above until a whole round changes nothing (a removal can expose a new
    repeat); each pass skips itself while the table is as it last left it."""
    chain = [fn for _name, fn, level, _about in PASSES[:-1] if ctx.at_least(level) and fn is not fillers]
    for _ in range(SETTLE_ROUNDS):  # fillers are single words: no removal exposes one
        before = words
        for fn in chain:
            words = fn(words, ctx)
        if words is before:
            break
    return words


PASSES = [
    ("fillers", fillers, "light", "drop um, uh, er, hmm"),
    ("stutters", stutters, "light", "drop cut-off words said again in full (th- the)"),
    ("discourse", discourse, "standard", "drop you know / I mean / kind of / filler like / tag right? where fillers"),
    ("connectives", connectives, "standard", "drop And / So / Yeah opening a sentence"),
    # after the discourse fillers, whose removal exposes most repeats ("the, you know, the")
    ("repeats", repeats, "light", "drop immediately repeated words and phrases (the the, I I I)"),
    ("false-starts", false_starts, "clean", "drop a clause begun and begun again"),
    ("settle", settle, "light", "re-run the disfluency passes until nothing changes"),
]


def run(words: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    for _name, fn, level, _about in PASSES:
        if ctx.at_least(level):
            words = fn(words, ctx)
    return words
