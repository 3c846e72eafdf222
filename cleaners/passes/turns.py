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

import numpy as np
import polars as pl

from cleaners.pipeline import Context, update

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
    untagged = words["hint"].null_count() == words.height  # no speaker names from the format
    if untagged:
        marked = words.select(mark).to_series()
        starts = marked.to_numpy()
    else:
        # A speaker tag after untagged text is a change too ("" stands for "no tag yet").
        hint = pl.col("hint").forward_fill().fill_null("")
        hint_change = is_word & pl.col("hint").is_not_null() & (hint != hint.shift(1)).fill_null(False)
        flags = words.select(mark.alias("mark"), hint_change.alias("change"))
        marked = flags["mark"]
        starts = marked.to_numpy() | flags["change"].to_numpy()
    turn = np.cumsum(starts, dtype=np.int64).astype(np.int32)
    words = words.with_columns(pl.Series("turn", turn, dtype=pl.Int32))
    # ">>" alone is dropped; ">>Yeah" keeps its word.
    marks = pl.DataFrame({"i": words["i"].filter(marked), "out": words["out"].filter(marked).str.strip_chars_start(">")})
    words = update(words, marks, "turns")
    if untagged:
        words = attribute(words)
    return words


def _stretches(words: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per ``>>`` stretch that holds words: its first token id, word count, and whether its last words ask a question.

    The turn numbers only grow down the table, so a stretch is a run of rows and numpy
    finds its bounds; polars only reads the columns once.
    """
    cols = words.select(
        pl.col("i").cast(pl.Int64),
        pl.col("turn"),
        ((pl.col("kind") == "word") & ~pl.col("raw").is_in(list(_MARK_SPELLINGS))).alias("speech"),
        pl.col("raw").str.contains("?", literal=True).fill_null(False).alias("q"),
    )
    ids = cols["i"].to_numpy()
    turn = cols["turn"].to_numpy()
    speech = np.flatnonzero(cols["speech"].to_numpy())
    asks = cols["q"].to_numpy()[speech]
    # rows where a stretch starts, and each stretch's first token id
    opens = np.flatnonzero(np.diff(turn, prepend=turn[:1] - 1) != 0)
    first = np.minimum.reduceat(ids, opens) if len(opens) else np.empty(0, np.int64)
    # the stretch of every word; a stretch with no word has no entry
    stretch = np.searchsorted(opens, speech, side="right") - 1
    n = np.bincount(stretch, minlength=len(opens))
    last = np.cumsum(n)  # one past each stretch's last word, counted in words
    from_end = last[stretch] - np.arange(len(speech))  # 1 for a stretch's last word
    ends_q = np.bincount(stretch, weights=asks & (from_end <= 3), minlength=len(opens)) > 0
    held = n > 0
    return first[held], n[held], ends_q[held]


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
    first, n, ends_q = _stretches(words)
    if len(first) < 2:
        return words
    host = [(QUESTION_WEIGHT if q else 0.0) - max(0.0, (k - LONG_ANSWER) / LONG_ANSWER_SCALE) for k, q in zip(n.tolist(), ends_q.tolist())]
    role = np.array(_viterbi(host))
    # a turn is a run of stretches with the same role, starting at its first stretch's first token
    numbered = np.concatenate(([0], np.cumsum(role[1:] != role[:-1]))).astype(np.int32)
    # each token takes the number of the last stretch that starts at or before it (0 before the first)
    at = np.searchsorted(first, words["i"].cast(pl.Int64).to_numpy(), side="right") - 1
    turn = np.where(at >= 0, numbered[np.maximum(at, 0)], 0).astype(np.int32)
    return words.with_columns(pl.Series("turn", turn, dtype=pl.Int32))
