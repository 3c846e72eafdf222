"""Speaker turns.

A ``>>`` token (auto-captions' speaker-change mark) or a change of the speaker name a
format carries (``<v Name>``, diarised Whisper) starts a new stretch. Naming is the
sentences view's job (:func:`cleaners.views.speaker_names` alternates the names over the
turn numbers), so this pass only decides where one speaker's turn ends.

Auto-captions mark *some* speaker changes, not all, and mark short interjections
("Yes.") too. Plain alternation at every ``>>`` goes wrong for good after one missed
mark. Without names from the format, each ``>>`` stretch is therefore labelled with a
role, interviewer or interviewee, by a small Viterbi search that weighs

- the mark itself: a ``>>`` usually means the other person speaks now;
- a stretch that ends in a question is likely the interviewer's;
- a very long stretch is likely the interviewee's answer;

and consecutive stretches with the same role form one turn; a stretch never splits, so a
change with no mark inside a stretch stays unseen. The numbers are general interview
habits, not this episode's (the figure is stable for marks meaning a change 70-90% of
the time and answers "long" from 150 to 250 words).
"""

from __future__ import annotations

import math

import polars as pl

from cleaners.pipeline import Context, update

TURN_MARK = ">>"
MARK_MEANS_CHANGE = 0.8  # probability that a >> really hands over to the other speaker
QUESTION_WEIGHT = 1.5  # log-odds for the interviewer when a stretch ends in a question
LONG_ANSWER = 250  # words: beyond this a stretch is more and more likely an answer
LONG_ANSWER_SCALE = 100.0


# ">>" as the captions may write it, escaped or not: every way "&gt;" -> ">" can give ">>".
_MARK_SPELLINGS = (">>", ">&gt;", "&gt;>", "&gt;&gt;")


def _marked() -> pl.Expr:
    """The raw token starts with ``>>``, also when the captions escaped it as ``&gt;&gt;``.

    Read from ``raw``, not ``out``: this pass blanks the marks in ``out``, and re-running the
    pipeline on its own table must find the same turns. (Four prefix tests rather than
    unescaping every token first.)
    """
    return pl.any_horizontal(pl.col("raw").str.starts_with(m) for m in _MARK_SPELLINGS)


def run(words: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    is_word = pl.col("kind") == "word"
    mark = is_word & _marked()
    # A speaker tag after untagged text is a change too ("" stands for "no tag yet").
    hint = pl.col("hint").forward_fill().fill_null("")
    hint_change = is_word & pl.col("hint").is_not_null() & (hint != hint.shift(1)).fill_null(False)
    words = words.with_columns(mark.alias("_mark")).with_columns((pl.col("_mark") | hint_change).cum_sum().cast(pl.Int32).alias("turn"))
    marks = words.filter("_mark").select("i", pl.col("out").str.strip_chars_start(">").alias("out"))
    words = words.drop("_mark")
    if words["hint"].is_null().all():
        words = attribute(words)
    # ">>" alone is dropped; ">>Yeah" keeps its word.
    return update(words, marks, "turns")


def _stretches(words: pl.DataFrame) -> pl.DataFrame:
    """Per ``>>`` stretch: its first token id, word count, and whether its last words ask a question."""
    first = words.group_by("turn").agg(pl.col("i").min().alias("first"))
    speech = words.filter((pl.col("kind") == "word") & ~pl.col("raw").is_in(list(_MARK_SPELLINGS)))
    return (
        speech.group_by("turn", maintain_order=True)
        .agg(
            pl.len().alias("n"),
            pl.col("raw").str.contains(r"\?").tail(3).any().alias("ends_q"),
        )
        .join(first, on="turn")
        .sort("turn")
    )


def _viterbi(host: list[float]) -> list[int]:
    """Roles (0 interviewer, 1 interviewee) per stretch from per-stretch log-odds for the interviewer."""
    flip, stay = math.log(MARK_MEANS_CHANGE), math.log(1 - MARK_MEANS_CHANGE)
    score = [host[0] / 2, -host[0] / 2]
    back = []
    for e in host[1:]:
        emit = (e / 2, -e / 2)
        new, ptr = [], []
        for r in (0, 1):
            cands = (score[r] + stay, score[1 - r] + flip)
            best = 0 if cands[0] >= cands[1] else 1
            new.append(cands[best] + emit[r])
            ptr.append(r if best == 0 else 1 - r)
        score = new
        back.append(ptr)
    role = [0 if score[0] >= score[1] else 1]
    for ptr in reversed(back):
        role.append(ptr[role[-1]])
    return role[::-1]


def attribute(words: pl.DataFrame) -> pl.DataFrame:
    """Renumber turns so that a turn is one speaker's stretch (see the module text)."""
    st = _stretches(words)
    if st.height < 2:
        return words
    n = st["n"].to_list()
    ends_q = st["ends_q"].to_list()
    host = [(QUESTION_WEIGHT if q else 0.0) - max(0.0, (k - LONG_ANSWER) / LONG_ANSWER_SCALE) for k, q in zip(n, ends_q)]
    role = _viterbi(host)
    # a turn is a run of stretches with the same role, starting at its first stretch's first token
    numbered, turn, prev = [], 0, None
    for first, r in zip(st["first"].to_list(), role):
        if prev is not None and r != prev:
            turn += 1
        numbered.append((first, turn))
        prev = r
    table = pl.DataFrame(numbered, schema={"i": pl.UInt32, "_new": pl.Int32}, orient="row")
    return (
        words.drop("turn")
        .join_asof(table, on="i")
        .with_columns(pl.col("_new").fill_null(0).alias("turn"))
        .drop("_new")
        .select(words.columns)
    )
