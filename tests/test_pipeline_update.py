"""pipeline.update writes a pass's changes: by row position on a table cleaners.words built, by
matching ``i`` on any other table; both must leave the same table."""

from __future__ import annotations

import polars as pl
import pytest

from cleaners import read_words
from cleaners.pipeline import update

LINE = "[00:00:01] so um we we trained the model, right? and it it worked\n"


def _words() -> pl.DataFrame:
    _fmt, words = read_words(LINE, "plain")
    return words


def _token(words: pl.DataFrame, raw: str) -> int:
    return words.filter(pl.col("raw") == raw)["i"][0]


def _changes(words: pl.DataFrame) -> pl.DataFrame:
    um, model, it = _token(words, "um"), _token(words, "model,"), _token(words, "it")
    return pl.DataFrame(
        # "um" dropped; "model," first changed, then changed again (the last counts);
        # "it" given its own text again (no change, no rule)
        {"i": [um, model, model, it], "out": ["", "Model,", "model.", "it"]},
        schema={"i": pl.UInt32, "out": pl.String},
    )


def test_update_sets_out_and_names_the_rule_only_where_out_changed():
    words = _words()
    got = update(words, _changes(words), "test")
    changed = got.filter(pl.col("rule") == "test").select("raw", "out").rows()
    assert changed == [("um", ""), ("model,", "model.")]
    assert got.filter(pl.col("raw") == "it")["rule"].to_list() == [None, None]


@pytest.mark.parametrize("order", ["shuffled", "reversed"], ids=str)
def test_a_table_not_numbered_by_row_is_updated_the_same(order):
    words = _words()
    expected = update(words, _changes(words), "test")
    other = words.sample(fraction=1.0, shuffle=True, seed=3) if order == "shuffled" else words.reverse()
    got = update(other, _changes(words), "test").sort("i")
    assert got.equals(expected)


def test_a_change_to_a_token_the_table_lacks_is_ignored():
    words = _words()
    changes = pl.concat([_changes(words), pl.DataFrame({"i": [10_000], "out": ["x"]}, schema={"i": pl.UInt32, "out": pl.String})])
    assert update(words, changes, "test").equals(update(words, _changes(words), "test"))
