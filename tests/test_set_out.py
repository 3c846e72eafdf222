"""words.set_out: a pass's changes by row position give the table pipeline.update gives by ``i``."""

from __future__ import annotations

import polars as pl
import pytest

from cleaners import read_words
from cleaners.pipeline import update
from cleaners.words import set_out

SRT = "1\n00:00:01,000 --> 00:00:03,000\n>> so [Music] we shipped it\n\n2\n00:00:03,000 --> 00:00:05,000\n&gt;&gt; yes we did\n"

CHANGES = {
    "one word dropped": ([3], [""]),
    "a change that changes nothing names no rule": ([4, 5], ["", "shipped"]),
    "a row given twice takes its last value": ([9, 9], ["YES", "yes!"]),
    "nothing": ([], []),
}


@pytest.mark.parametrize("rows,outs", CHANGES.values(), ids=list(CHANGES))
def test_set_out_by_row_is_update_by_i(rows, outs):
    _, words = read_words(SRT)
    by_row = set_out(words, pl.Series(rows, dtype=pl.UInt32), pl.Series(outs, dtype=pl.String), "test")
    keyed = pl.DataFrame({"i": words["i"].gather(rows), "out": pl.Series(outs, dtype=pl.String)})
    assert by_row.equals(update(words, keyed, "test"))
    assert by_row["raw"].equals(words["raw"])  # the input is never edited


def test_only_changed_rows_name_the_rule():
    _, words = read_words(SRT)
    row = words["raw"].to_list().index("we")
    done = set_out(words, pl.Series([row, row + 1], dtype=pl.UInt32), pl.Series(["", "shipped"], dtype=pl.String), "test")
    assert done["out"][row] == "" and done["rule"][row] == "test"
    assert done["out"][row + 1] == "shipped" and done["rule"][row + 1] is None
