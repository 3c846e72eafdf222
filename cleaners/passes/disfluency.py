"""Disfluencies: fillers, stutters, repeats, discourse fillers, sentence-initial connectives, false starts.

Each sub-pass is listed in :data:`PASSES` with the lowest level it runs at:

- ``light``: ``fillers`` (um, uh, er, hmm), ``stutters`` ("th- the") and ``repeats``
  ("the the", "I I I", "it is it is", "what I would say is what I would say is");
- ``standard`` adds ``discourse`` ("you know", "I mean", "kind of", "sort of", filler
  "like", tag "right?") only where they are fillers, and ``connectives`` (a sentence
  that opens with "And", "So" or "Yeah" loses that word, as a human editor does);
- ``clean`` adds ``false-starts`` (a clause begun, abandoned and begun again).

Every rule looks only at a token's neighbours in the same speaker turn, as numpy operations
over the live tokens (:class:`cleaners.live_tokens.LiveTokens`; no Python loop over words):
``k`` is a token's key, ``p1``/``p2`` the keys of the words before it, ``n1``.. those after it.
Word lists live in ``cleaners/data/`` so the next episode gets the same rules. A dropped token
never takes its sentence punctuation with it (see :meth:`cleaners.live_tokens.LiveTokens.drop`).
Each pass runs to its own fixpoint, and the last entry, ``settle``, re-runs the group
until nothing changes, because one removal can expose another ("the, you know, the"
becomes a repeat): that is what makes cleaning idempotent.

The live tokens are loaded from the table once, by the first of these passes, and carried from
pass to pass in ``ctx.cache``; each pass writes its drops back to the table before it returns.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Callable

import numpy as np
import polars as pl

from cleaners.live_tokens import Keys, LiveTokens, spread
from cleaners.pipeline import SENTENCE_END, Context

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


def _in(keys: Keys, name: str, section: str | None = None) -> np.ndarray:
    """Whether each key is in the word list ``name`` (its ``section``); false where there is no word."""
    return keys.one_of(wordsets(name)[section] if section else wordlist(name))


# --- rules as passes -------------------------------------------------------------------------

# A rule finds the tokens to drop: a boolean mask over the live tokens, or (mask, full_stop)
# where full_stop says which dropped tokens leave a "." instead of their own punctuation.
Find = Callable[[LiveTokens], "np.ndarray | tuple[np.ndarray, np.ndarray]"]

_TOKENS = "disfluency: live tokens"  # ctx.cache entry: (the table last returned, its tokens, settled rules)


class Rule:
    """A rule made a pass ``(words, ctx) -> words``, named ``name`` in the ``rule`` column."""

    def __init__(self, find: Find, name: str, repeat: bool):
        self.find, self.name, self.repeat = find, name, repeat
        self.__doc__, self.__name__ = find.__doc__, find.__name__

    def __call__(self, words: pl.DataFrame, ctx: Context) -> pl.DataFrame:
        tokens, settled = _tokens(words, ctx)
        self.apply(tokens, settled)
        return _written(words, ctx, tokens, settled)

    def apply(self, tokens: LiveTokens, settled: dict[str, int]) -> None:
        """Drop what the rule finds; if it repeats, until it finds nothing (at most SETTLE_ROUNDS
        times), and remember in ``settled`` the tokens it left settled, so that ``settle`` skips
        it while nothing else has changed."""
        if not self.repeat:
            self._drop(tokens)
            return
        if settled.get(self.name) == tokens.version:
            return
        for _ in range(SETTLE_ROUNDS):
            if not self._drop(tokens):
                break
        settled[self.name] = tokens.version

    def _drop(self, tokens: LiveTokens) -> bool:
        found = self.find(tokens)
        mask, full_stop = found if isinstance(found, tuple) else (found, None)
        return tokens.drop(mask, self.name, full_stop)


def once(find: Find) -> Rule:
    """A rule applied once: its drops cannot expose more of its own kind."""
    return Rule(find, find.__name__.replace("_", "-"), repeat=False)


def to_fixpoint(find: Find) -> Rule:
    """A rule applied until it drops nothing ("of what of of of what" only shows
    "of what of what" after the first drop)."""
    return Rule(find, find.__name__.replace("_", "-"), repeat=True)


def _state(words: pl.DataFrame) -> pl.DataFrame:
    return words.select("raw", "out", "turn")


def _tokens(words: pl.DataFrame, ctx: Context) -> tuple[LiveTokens, dict[str, int]]:
    """The live tokens of ``words``: those the previous pass of the group left, if ``words`` is the
    table it returned (or one equal to it), else loaded afresh with nothing known settled."""
    held = ctx.cache.get(_TOKENS)
    if held is not None:
        last, tokens, settled = held
        if last is words or (last.height == words.height and _state(last).equals(_state(words))):
            return tokens, settled
    return LiveTokens(words), {}


def _written(words: pl.DataFrame, ctx: Context, tokens: LiveTokens, settled: dict[str, int]) -> pl.DataFrame:
    words = tokens.write(words)
    ctx.cache[_TOKENS] = (words, tokens, settled)
    return words


# --- light ---------------------------------------------------------------------------------


@once
def fillers(t: LiveTokens) -> np.ndarray:
    """Drop hesitation sounds: um, uh, er, hmm (``fillers.txt``)."""
    return _in(t.key(), "fillers.txt")


@to_fixpoint
def stutters(t: LiveTokens) -> np.ndarray:
    """Drop a cut-off word the speaker then says in full: "th- the", "I- I", "ex- example"."""
    cut_off = pl.col("out").str.to_lowercase().str.extract(r"^(\w{1,8})[-‐–—]$", 1)  # its stem
    stem, n1 = t.of_out("stem", cut_off), t.next(1)
    cut = np.zeros(len(t), dtype=bool)
    for j in np.flatnonzero(t.out_has("stem", cut_off) & n1.present()).tolist():  # the few cut-off words
        cut[j] = n1.text(j).startswith(stem[j])
    return cut


@to_fixpoint
def repeats(t: LiveTokens, longest: int = 6) -> np.ndarray:
    """Drop the first copy of a word or phrase said twice in a row ("the the", "I I I", "it is it is")."""
    k = t.key().codes
    said = ~t.blank()  # a word with an empty key (all punctuation) repeats nothing
    ends = t.out_contains(SENTENCE_END)
    drop = np.zeros(len(t), dtype=bool)
    for n in range(longest, 0, -1):
        # the phrases of n words said twice start where a word comes again n words later
        at = np.flatnonzero((k[:-n] == k[n:]) & said[:-n]) if n < len(t) else np.zeros(0, dtype=np.int64)
        # turns only grow, so one check on the window's last word keeps it inside the turn
        at = t.in_turn(at, 2 * n)
        for j in range(1, n):
            at = at[(k[at + j] == k[at + j + n]) & said[at + j]]
        # "what the best thing is. The best thing is" restates across a full stop: not a stumble
        if n > 1:
            for j in range(n):
                at = at[~ends[at + j]]
        drop |= spread(t.mask(at), n)
    return drop


# --- standard ------------------------------------------------------------------------------

LISTS = "discourse.txt"


@to_fixpoint
def discourse(t: LiveTokens) -> tuple[np.ndarray, np.ndarray]:
    """Drop "you know", "I mean", "kind of"/"sort of", filler "like" and tag "right?" where they are fillers.

    Kept: "do you know", "I know you know it", "you know what I mean?", "what I mean",
    "I mean it", "what kind of model", "the sort of thing", "looks like", "something
    like 200", "I like it", "I was like, oh", "things like that", "that's right",
    "right now". A dropped tag question leaves a full stop, not a question mark.
    """
    # every rule below starts at one of these words: ask only there (c.full() spreads the answer back)
    c = t.at(t.key().one_of(["you", "i", "kind", "sort", "like", "right"]))
    k, p1, p2 = c.key(), c.prev(1), c.prev(2)
    n1, n2, n3, n4 = c.next(1), c.next(2), c.next(3), c.next(4)
    asks = c.out_contains(r"\?")
    next_asks = c.near(t.out_contains(r"\?"), -1, False)

    you_know = (
        k.is_("you")
        & n1.is_("know")
        & ~_in(p1, LISTS, "you know: kept after")
        & ~(p1.is_("know") & _in(p2, LISTS, "subjects") & ~p2.is_("you"))  # "I know you know it"
        & ~(n2.is_("what") & n3.is_("i") & n4.is_("mean"))  # the real question
    )
    you_know_tag = you_know & next_asks

    i_mean = (
        k.is_("i")
        & n1.is_("mean")
        & ~_in(p1, LISTS, "i mean: kept after")
        & ~_in(n2, LISTS, "i mean: kept before")
        & ~next_asks
    )

    kind_of = k.one_of(["kind", "sort"]) & n1.is_("of") & ~_in(p1, LISTS, "determiners")

    quoting = _in(p1, LISTS, "like: quoting after") & _in(n1, LISTS, "like: quote starts")  # "I was like, oh"
    like = (
        k.is_("like")
        & (~_in(p1, LISTS, "like: kept after") | _in(n1, LISTS, "like: filler before"))  # not "something like we're"
        & ~(_in(p1, LISTS, "subjects") & _in(n1, LISTS, "like: object starts"))  # "I like it"
        & ~quoting
        & ~(n1.one_of(["this", "that"]) & ~c.start() & ~c.raw_contains(r"\W$"))
        & ~(_plural_noun(p1) & ~_in(n1, LISTS, "clause starts"))  # "tasks like training": "such as"
    )

    right_tag = (
        k.is_("right")
        & p1.present()  # a tag follows something; "Right." alone is an answer
        & ~_in(p1, LISTS, "right: kept after")
        & (asks | _in(n1, LISTS, "clause starts") | ~n1.present())
    )

    you_know, i_mean, kind_of, like, right_tag = (c.full(m) for m in (you_know, i_mean, kind_of, like, right_tag))
    drop = spread(you_know, 2) | spread(i_mean, 2) | spread(kind_of, 2) | like | right_tag
    tag = right_tag | t.near(c.full(you_know_tag), 1, False)
    return drop, tag & t.out_contains(r"\?")


def _plural_noun(keys: Keys) -> np.ndarray:
    """A rough guess that a word is a plural noun ("tasks", "rewards"): ends in -s, not a verb or function word."""
    return keys.matches(r"^[a-z]{3,}[^s']s$") & ~_in(keys, LISTS, "not plural nouns")


@to_fixpoint
def connectives(t: LiveTokens) -> np.ndarray:
    """Drop the "And", "So" or "Yeah" that opens a sentence ("And so we're seeing" -> "We're seeing").

    Kept: "so that", "so far", "so much" (the word carries meaning there), and a "Yeah"
    or "So" that is all the speaker says in the turn.
    """
    # one drop can make the next word the opener ("Yeah, and so we"): to_fixpoint repeats it
    k, n1, n2 = t.key(), t.next(1), t.next(2)
    is_opener = _in(k, LISTS, "sentence openers")
    # A whole leading run of openers goes in one round ("so so so so we"), not one a round:
    # a run longer than the fixpoint's bound would otherwise survive and break idempotence.
    leading = _leading(is_opener, t.start())
    opener = (
        leading
        & is_opener
        & n1.present()
        & ~(k.is_("so") & _in(n1, LISTS, "so: kept before") & ~t.out_contains(r"\W$"))
    )
    # "and so" anywhere opens a new thought ("... the model and so we ..."), but "and so on" stays.
    and_so = k.is_("and") & n1.is_("so") & ~_in(n2, LISTS, "so: kept before") & n2.present()
    return opener | spread(and_so, 2)


def _leading(mask: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Whether ``mask`` holds for the token and every token before it in its sentence."""
    misses = np.cumsum(~mask)
    sentence = np.cumsum(start)
    # misses before each sentence's first token, looked up by sentence number (0: before any start)
    before = np.zeros(len(mask) + 1, dtype=misses.dtype)
    first = np.flatnonzero(start)
    before[sentence[first]] = misses[first] - ~mask[first]
    return misses - before[sentence] == 0


# --- clean ---------------------------------------------------------------------------------


@to_fixpoint
def false_starts(t: LiveTokens, longest: int = 4, gap: int = 2) -> np.ndarray:
    """Drop a clause the speaker began and began again: "there's plus or minus a couple there's
    plus or minus a year" drops "there's plus or minus a couple". A restart repeats at least
    two words, starting with a clause opener ("I", "we", "there's", "the", ...; not "smart
    high school student to smart college student"), and at most ``gap`` abandoned words
    lie between the two beginnings.
    """
    k = t.key().codes
    said = ~t.blank()
    opener = np.flatnonzero(_in(t.key(), LISTS, "clause openers"))
    drop = np.zeros(len(t), dtype=bool)
    for n in range(longest, 1, -1):
        for g in range(1, gap + 1):
            at = t.in_turn(opener, 2 * n + g)
            for j in range(n):
                at = at[(k[at + j] == k[at + j + n + g]) & said[at + j]]
            drop |= spread(t.mask(at), n + g)
    return drop


def settle(words: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """Re-run the passes above until a whole round changes nothing (a removal can expose a new
    repeat); each pass skips itself while the tokens are as it last left them."""
    chain = [rule for _name, rule, level, _about in PASSES[:-1] if ctx.at_least(level) and rule is not fillers]
    tokens, settled = _tokens(words, ctx)
    for _ in range(SETTLE_ROUNDS):  # fillers are single words: no removal exposes one
        before = tokens.version
        for rule in chain:
            rule.apply(tokens, settled)
        if tokens.version == before:
            break
    return _written(words, ctx, tokens, settled)


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
