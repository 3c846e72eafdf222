"""The disfluency passes drop words on arrays (cleaners.live_tokens); the table must end up exactly
as pipeline.drop_tokens leaves it, punctuation hand-over included."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners import read_words
from cleaners.live_tokens import LiveTokens
from cleaners.pipeline import Context, drop_tokens, live, passes

# words with and without closing punctuation, a closing quote, a dash, and ">>" (a new turn)
_VOCAB = ["the", "model", "is,", "good.", "right?", "you", "know?", "so:", "I", "mean", "“yes.”", "—",
          ">>", "well...", "it!", "done;", "year", "two,", "It"]


def _table(text: str) -> pl.DataFrame:
    """The word table of one timed line, as the disfluency passes receive it."""
    _fmt, words = read_words(f"[00:00:01] {text}\n", "plain")
    ctx = Context()
    for p in passes():
        if p.name == "fillers":
            break
        words = p.run(words, ctx)
    return words


def test_a_dropped_tag_hands_its_question_mark_to_the_word_before():
    words = _table("a year or two, right? It needs")
    tokens = LiveTokens(words)
    tokens.drop(tokens.key().is_("right"), "discourse")
    kept = live(tokens.write(words))
    assert " ".join(kept["out"]) == "a year or two? It needs"
    assert kept.filter(pl.col("out") == "two?")["rule"].to_list() == ["discourse"]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(_VOCAB), min_size=1, max_size=25), st.data())
def test_dropping_on_arrays_leaves_the_table_drop_tokens_leaves(tokens, data):
    words = expected = _table(" ".join(tokens))
    on_arrays = LiveTokens(words)
    for rule in ("first", "second"):  # a second drop sees the first one's punctuation moves
        ids = live(expected)["i"]
        size = len(ids)
        gone = np.array(data.draw(st.lists(st.booleans(), min_size=size, max_size=size)), dtype=bool)
        full_stop = np.array(data.draw(st.lists(st.booleans(), min_size=size, max_size=size)), dtype=bool)
        ends = ["." if stop else None for stop, went in zip(full_stop, gone) if went]
        drops = pl.DataFrame({"i": ids.filter(gone), "end": pl.Series(ends, dtype=pl.String)})
        expected = drop_tokens(expected, drops, rule)
        on_arrays.drop(gone, rule, full_stop)
    assert on_arrays.write(words).equals(expected)
