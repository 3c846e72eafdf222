"""Misheard names and terms: "Enthropic" -> "Anthropic", "cloud code" -> "Claude Code".

The names come from the user's glossaries, the companion documents and the shipped
glossary (:mod:`cleaners.glossary`). Runs of tokens are matched first (explicit
``wrong<TAB>right`` fixes, multi-word names, names written apart such as "Deep Mind"),
then single tokens (exact up to case, plural or possessive, then by spelling and
sound). A run that becomes a one-word name keeps it on its first token and empties
the rest ("Alph Go" -> "AlphaGo", ""). The raw token's surrounding punctuation and
possessive stay ("Enthropic's" -> "Anthropic's", "code." -> "Code.").

Only distinct spellings are compared against the names (one rapidfuzz ``cdist``
call), so the pass costs a few milliseconds per thousand tokens.
"""

from __future__ import annotations

from functools import lru_cache

import polars as pl
import regex

from cleaners import glossary
from cleaners.glossary import LONGEST_NAME_WORDS, Matcher, Target, fold, is_acronym, is_common
from cleaners.pipeline import Context, live, update

RULE = "names"
# DOTALL: a token never holds a line break today, but the split must not depend on that.
_SPLIT = regex.compile(r"^([^\p{L}\p{N}]*)(.*?)((?:['’][sS])?[^\p{L}\p{N}]*)$", regex.DOTALL)
_POSSESSIVE_END = r"['’][sS][^\p{L}\p{N}]*$"


def matcher_for(ctx: Context) -> Matcher:
    """The matcher for this context's glossaries and documents, built once and cached on ``ctx``."""
    key = ("names.matcher", tuple(ctx.glossary_files), tuple(hash(t) for t in ctx.context_texts))
    if key not in ctx.cache:
        ctx.cache[key] = glossary.build(ctx.glossary_files, ctx.context_texts)
    return ctx.cache[key]


def run(words: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    spoken = live(words)
    if spoken.height == 0:
        return words  # nothing to fix: the glossaries are not read (as before)
    matcher = matcher_for(ctx)
    key = pl.col("key")
    # One query: the tokens folded, and which of them can open a run (a word that opens a fix
    # or is part of a multi-word name, or that with the next word starts or spells a name's key).
    toks = (
        spoken.lazy()
        .select("i", "out", pl.col("out").str.replace(_POSSESSIVE_END, "").str.to_lowercase().str.replace_all(r"[^\p{L}\p{N}]", "").alias("key"))
        .with_columns((key.is_in(matcher.run_words) | (key + key.shift(-1)).is_in(matcher.joinable)).alias("opens"))
        .collect()
    )
    fixed = find_fixes(toks["out"], toks["key"], matcher, toks["opens"].arg_true().to_list())
    if not fixed:
        return words
    idx = toks["i"]
    changes = pl.DataFrame({"i": idx.gather(list(fixed)), "out": list(fixed.values())}, schema={"i": pl.UInt32, "out": pl.String})
    return update(words, changes, RULE)


@lru_cache(maxsize=8192)
def split(token: str) -> tuple[str, str, str]:
    """(leading punctuation, word, possessive and trailing punctuation): "(Enthropic's," -> "(", "Enthropic", "'s,"."""
    return _SPLIT.match(token).groups()


def find_fixes(outs: list[str] | pl.Series, keys: pl.Series, matcher: Matcher, starts: list[int] | None = None) -> dict[int, str]:
    """New text per token position. ``keys`` are the tokens folded (:func:`cleaners.glossary.fold`, possessive off);
    ``starts``, when the caller has them, the positions that can open a run (worked out here otherwise)."""
    out: dict[int, str] = {}
    key_list = keys.to_list()
    claimed = [False] * len(key_list)
    if starts is None:
        # Only tokens that can open a run are visited: the first word of a fix, a word of a
        # multi-word name, or a word that with the next one starts or spells a name's key.
        pairs = keys + keys.shift(-1)
        starts = (keys.is_in(matcher.run_words) | pairs.is_in(matcher.joinable)).arg_true().to_list()
    uncommon = [k for k in keys.unique().to_list() if len(k) >= 2 and not is_common(k)]
    candidates = keys.is_in(uncommon).arg_true().to_list()  # tokens a single name may stand for
    if isinstance(outs, pl.Series):
        outs = _Texts(outs, candidates)
    for start, length, target in _runs(outs, key_list, starts, matcher):
        span = range(start, start + length)
        if any(claimed[k] for k in span) or not _one_clause(outs, start, length):
            continue
        for k, text in zip(span, _spread(target, outs, start, length)):
            out[k] = text
            claimed[k] = True
    spots = [k for k in candidates if not claimed[k]]
    _single_tokens(outs, spots, matcher, out)
    return out


class _Texts:
    """Tokens' texts taken from the column only where the pass reads them: the uncommon words
    (fetched together) and the few runs (one by one). Turning the whole column into Python
    strings costs more than that."""

    def __init__(self, column: pl.Series, positions: list[int]):
        self.column = column
        self.known = dict(zip(positions, column.gather(positions).to_list()))

    def __getitem__(self, k: int) -> str:
        text = self.known.get(k)
        if text is None:
            text = self.known[k] = self.column[k]
        return text


def _runs(outs: list[str] | _Texts, keys: list[str], starts: list[int], matcher: Matcher) -> list[tuple[int, int, Target]]:
    """(start, length, name) of every run of tokens that is a known name, leftmost then longest first.

    Three kinds: an explicit ``wrong<TAB>right`` fix; a run that put together spells a
    name ("Deep Mind"); a run that is a multi-word name's words, one of them right
    ("cloud code"). Only tokens that can start one are visited (``starts``: first
    words of fixes, words of multi-word names, and words that with the next word make a
    prefix of a name's key or a whole key).
    """
    n = len(keys)
    found: dict[tuple[int, int], Target] = {}
    part_shapes, shapes, prefixes, fix_firsts, by_key = matcher.part_shapes, matcher.shapes, matcher.prefixes, matcher.fix_firsts, matcher.by_key
    aligned = matcher.aligned
    for p in starts:
        key = keys[p]
        if key in fix_firsts:
            for length in range(1, min(LONGEST_NAME_WORDS, n - p) + 1):
                target = matcher.fixes.get(tuple(keys[p : p + length]))
                if target is not None:
                    found.setdefault((p, length), target)
        if key in prefixes and p + 1 < n:
            joined = key
            for length in range(2, min(LONGEST_NAME_WORDS, n - p) + 1):
                joined += keys[p + length - 1]
                if joined in by_key and (p, length) not in found:
                    target = matcher.joined(keys[p : p + length], [split(outs[k])[1] for k in range(p, p + length)])
                    if target is not None:
                        found[(p, length)] = target
                if joined not in prefixes:
                    break
        group = part_shapes.get(key)  # filled in on first use
        if group is None:
            group = shapes(key)
        for pos, length, by_initials in group:
            start = p - pos
            if start < 0 or start + length > n:
                continue
            window = keys[start : start + length]
            for target in by_initials.get(tuple([k[:1] for k in window]), ()):
                if (start, length) not in found and aligned(window, target):
                    found[(start, length)] = target
    return [(s, length, t) for (s, length), t in sorted(found.items(), key=lambda r: (r[0][0], -r[0][1]))]


def _one_clause(outs: list[str] | _Texts, start: int, length: int) -> bool:
    """A run never crosses punctuation ("deep. Mind" is two clauses)."""
    return all(not split(outs[k])[2] for k in range(start, start + length - 1)) and all(
        not split(outs[k])[0] for k in range(start + 1, start + length)
    )


def _spread(target: Target, outs: list[str] | _Texts, start: int, length: int) -> list[str]:
    """The name's words over the run's tokens: one each when the counts agree, else all on the first."""
    words = list(target.words)
    texts = words if len(words) == length else [" ".join(words)] + [""] * (length - 1)
    last = length - 1 if len(words) == length else 0
    texts[0] = split(outs[start])[0] + texts[0]
    texts[last] = texts[last] + split(outs[start + length - 1])[2]
    return texts


def _single_tokens(outs: list[str] | _Texts, spots: list[int], matcher: Matcher, out: dict[int, str]) -> None:
    """Uncommon tokens no run claimed: exact up to case, plural or possessive form, then by spelling and sound."""
    cores = {split(outs[k])[1] for k in spots}
    names = {core: _exact_single(core, matcher) for core in cores}
    unknown = [c for c, name in names.items() if name is None]
    fuzzy = matcher.fuzzy_many(sorted(set(unknown) | {c[:-1] for c in unknown if c.lower().endswith("s") and len(c) > 3}))
    for core in unknown:
        if core in fuzzy:
            names[core] = fuzzy[core].name.text
        elif core[:-1] in fuzzy and core.lower().endswith("s") and not is_common(fold(core[:-1])):
            names[core] = _inflect(fuzzy[core[:-1]].name.text)
    for k in spots:
        pre, core, post = split(outs[k])
        name = names.get(core)
        if name is not None:
            out[k] = pre + name + post


def _exact_single(core: str, matcher: Matcher) -> str | None:
    key = fold(core)
    target = matcher.exact(key)
    if target is not None:
        return target.name.text
    if key.endswith("s") and len(key) > 2 and not is_common(key[:-1]):
        stem = matcher.exact(key[:-1])
        if stem is not None:
            return _inflect(stem.name.text)
    return None


def _inflect(name: str) -> str:
    """A name heard with a trailing s: acronyms take a plural ("LLMs"), names a possessive ("Anthropic's")."""
    return name + "s" if is_acronym(name) else name + "'s"
