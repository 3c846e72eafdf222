"""The ordered list of cleaning passes and the machinery they share.

A pass is a pure function ``(words, ctx) -> words`` over the word table
(:mod:`cleaners.words`). It changes only ``out``/``rule`` (and ``turn`` for the
turns pass), never removes a row, and names itself in ``rule`` on every token
it changes. :data:`PASSES` is the one place that says which passes run and in
what order, the way ftfy lists its fixes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import polars as pl

from cleaners.errors import TranscriptAlignError

LEVELS = ("light", "standard", "clean")


@dataclass
class Context:
    """Everything a pass may consult besides the table itself."""

    level: str = "standard"
    speakers: list[str] = field(default_factory=list)
    glossary_files: list[str] = field(default_factory=list)
    context_texts: list[str] = field(default_factory=list)
    censor_marker: str = "[censored]"
    max_sentence_words: int = 60
    # Filled lazily by passes that need a built resource (e.g. the name matcher).
    cache: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.level not in LEVELS:
            raise TranscriptAlignError(f"unknown level {self.level!r}; choose one of {', '.join(LEVELS)}")

    def at_least(self, level: str) -> bool:
        return LEVELS.index(self.level) >= LEVELS.index(level)


@dataclass(frozen=True)
class Pass:
    name: str
    run: Callable[[pl.DataFrame, Context], pl.DataFrame]
    level: str  # the lowest level at which the pass runs
    about: str


def update(words: pl.DataFrame, changes: pl.DataFrame, rule: str) -> pl.DataFrame:
    """Apply ``changes`` (columns ``i``, ``out``) to the table, naming ``rule`` where ``out`` really changed.

    Of several changes to one token, the last counts; a change to a token the table lacks is ignored.
    """
    if changes.height == 0:
        return words
    rows = row_positions(words, changes["i"])
    if rows is None:  # not a table built by cleaners.words: match on ``i``
        return _update_by_join(words, changes, rule)
    new = changes["out"].cast(pl.String)
    if len(rows) > 1 and not (rows[1:] > rows[:-1]).all() and len(np.unique(rows)) < len(rows):  # the last change to each token
        last = np.sort(len(rows) - 1 - np.unique(rows[::-1], return_index=True)[1])
        rows, new = rows[last], new.gather(last)
    changed = (new != words["out"].gather(rows)).fill_null(False).to_numpy()  # a null on either side: no change
    if not changed.any():
        return words
    rows, new = rows[changed], new.filter(pl.Series(changed))
    return words.with_columns(words["out"].scatter(rows, new), words["rule"].scatter(rows, rule))


def row_positions(words: pl.DataFrame, i: pl.Series) -> np.ndarray | None:
    """The row positions of the tokens ``i``, or None when the table's ``i`` is not its row number
    (a table that :func:`cleaners.words.build` made numbers its rows 0..n-1 and passes never drop one)
    or some ``i`` is not in the table."""
    ids = words["i"].to_numpy()
    if i.null_count() or not np.array_equal(ids, np.arange(len(ids))):
        return None
    rows = i.to_numpy().astype(np.int64, copy=False)
    if len(rows) and (rows.min() < 0 or rows.max() >= len(ids)):
        return None
    return rows


def _update_by_join(words: pl.DataFrame, changes: pl.DataFrame, rule: str) -> pl.DataFrame:
    changes = changes.select(pl.col("i"), pl.col("out").alias("_new")).unique("i", keep="last")
    merged = words.join(changes, on="i", how="left", maintain_order="left")
    changed = pl.col("_new").is_not_null() & (pl.col("_new") != pl.col("out"))
    return merged.with_columns(
        pl.when(changed).then(pl.col("_new")).otherwise(pl.col("out")).alias("out"),
        pl.when(changed).then(pl.lit(rule)).otherwise(pl.col("rule")).alias("rule"),
    ).drop("_new")


def token_key(text: pl.Expr) -> pl.Expr:
    """The comparison form of a token, shared by the passes: lowercase, straight apostrophes,
    no punctuation but inner ' and - ("Watching!" -> "watching", "don’t" -> "don't")."""
    return (
        text.str.to_lowercase()
        .str.replace_all("[’‘]", "'")
        .str.replace_all(r"[^\w'\-]", "")
        .str.strip_chars("'-")
    )


def live(words: pl.DataFrame) -> pl.DataFrame:
    """Speech tokens still shown in the clean text, in order."""
    return words.filter((pl.col("kind") == "word") & (pl.col("out") != ""))


SENTENCE_END = r"[.?!…。？！]+[\"'”’)\]」』）]*$"
# What a dropped word hands to the kept word before it: its closing stop ("right?" -> "?"),
# which takes the place of a trailing comma, colon or dash there.
HANDED_ON = r"([.?!…]+)[\"'”’)\]]*$"
GIVES_WAY = ",;:—–"


def drop_tokens(words: pl.DataFrame, drops: pl.DataFrame, rule: str) -> pl.DataFrame:
    """Drop the tokens ``drops["i"]``, moving their sentence punctuation to the previous kept word.

    "a year or two, right? It needs" dropping "right?" gives "a year or two? It needs"
    unless ``drops`` has a string column ``end`` that says what to move instead
    (``"."`` for a dropped tag question: the statement before it is no question).
    The previous kept word takes the mark only within the same turn and only if it
    does not already end a sentence; a trailing comma or colon gives way to it.
    The disfluency passes drop the same way on arrays (:meth:`cleaners.live_tokens.LiveTokens.drop`).
    """
    if drops.height == 0:
        return words
    if "end" not in drops.columns:
        drops = drops.with_columns(pl.lit(None, dtype=pl.String).alias("end"))
    drops = drops.select(pl.col("i").cast(pl.UInt32), pl.col("end").cast(pl.String), pl.lit(True).alias("_gone"))
    drops = drops.unique("i", keep="last")
    toks = live(words).select("i", "out", "turn").join(drops, on="i", how="left", maintain_order="left")
    toks = toks.with_columns(pl.col("_gone").fill_null(False))
    toks = toks.with_columns(
        pl.when(~pl.col("_gone")).then(pl.col("i")).forward_fill().shift(1).alias("_host"),
        pl.when(~pl.col("_gone")).then(pl.col("turn")).forward_fill().shift(1).alias("_host_turn"),
    )
    # the punctuation is looked for only on the dropped tokens (a regex over every live token costs)
    mark = pl.col("out").str.extract(HANDED_ON, 1)
    gone = toks.filter(pl.col("_gone")).with_columns(pl.when(mark.is_not_null()).then(pl.coalesce("end", mark)).alias("_mark"))
    moved = (
        gone.filter(pl.col("_mark").is_not_null() & pl.col("_host").is_not_null() & (pl.col("_host_turn") == pl.col("turn")))
        .group_by("_host")
        .agg(pl.col("_mark").last())
        .rename({"_host": "i"})
        .join(toks.select("i", "out"), on="i", how="inner")
        .filter(~pl.col("out").str.contains(SENTENCE_END))
        .select("i", (pl.col("out").str.strip_chars_end(GIVES_WAY) + pl.col("_mark")).alias("out"))
    )
    # one update for both: the hosts are kept tokens, so the two sets of changes never meet
    return update(words, pl.concat([drops.select("i", pl.lit("").alias("out")), moved.cast({"i": pl.UInt32})]), rule)


def _passes() -> list[Pass]:
    from cleaners.passes import disfluency, hallucination, names, nonspeech, sentences, turns, unicode

    return [
        Pass("unicode", unicode.run, "light", "repair mojibake, HTML entities and caption tags"),
        Pass("non-speech", nonspeech.run, "light", "drop page chrome and [Music]-style cues; mark censoring"),
        Pass("turns", turns.run, "light", "number speaker turns at >> and speaker tags"),
        *[Pass(n, f, lvl, about) for n, f, lvl, about in disfluency.PASSES],
        Pass("hallucination", hallucination.run, "light", "drop recogniser loops such as a repeated 'Thanks for watching!'"),
        Pass("names", names.run, "light", "fix misheard names and terms from glossaries and companion documents"),
        Pass("sentences", sentences.run, "light", "split into timed sentences, capitalise, punctuate"),
    ]


PASSES: list[Pass] = []


def passes() -> list[Pass]:
    if not PASSES:
        PASSES.extend(_passes())
    return PASSES


def run(words: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    for p in passes():
        if ctx.at_least(p.level):
            words = p.run(words, ctx)
    return words
