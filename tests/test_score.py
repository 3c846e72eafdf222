"""The English scorer's building blocks: terms of a sentence, and the shortcuts that keep scoring
fast without changing which windows a unit gets (each checked against the plain way of doing it)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from align import score


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("We're talking about diminishing returns after you're spending 50 billion a year.",
                      {("50", True), ("50 billion", True), ("billion", False), ("diminish", False)},
                      id="number-with-magnitude"),
        pytest.param("About 90 percent of the code is written by Claude, ninety.",
                      {("90", True), ("90%", True), ("claud", True), ("code", False)},
                      id="percent-number-word-and-mid-sentence-name"),
        pytest.param("Anthropic is a company. Dario runs it.",
                      {("anthropic", False), ("dario", False), ("company", False)},
                      id="capitals-opening-sentences-are-not-names"),
    ],
)
def test_terms_of_a_sentence(text, expected):
    found = set(score.terms(text))
    assert expected <= found, sorted(found)


def test_terms_do_not_depend_on_what_was_seen_before():
    text = "Claude Code writes 90% of Anthropic's code."
    first = score.terms(text)
    score.clear_caches()
    assert score.terms(text) == first
    assert score.terms(text) == first  # and again with the caches warm


rows = st.lists(st.tuples(st.integers(0, 5), st.sampled_from([-0.09, -0.03, 0.0, 0.05, 0.1, 0.47, 0.5, 0.97, 1.0])),
                min_size=1, max_size=200)


@settings(max_examples=200, deadline=None)
@given(rows=rows, most=st.integers(1, 14))
def test_best_windows_per_unit_are_those_a_full_sort_keeps(rows, most):
    # rows come sorted by unit (then place), as the scorer's window groups do
    rows = sorted(rows, key=lambda r: r[0])
    key = np.array([k for k, _ in rows], dtype=np.int64)
    raw = np.array([r for _, r in rows]) - np.array([0.03 * (n % 3) for n in range(len(rows))])
    kept = score._best_per_unit(key, raw, most)
    expected = []
    for k in sorted(set(key.tolist())):
        mine = [n for n in range(len(rows)) if key[n] == k]
        expected += sorted(sorted(mine, key=lambda n: -raw[n])[:most])  # stable: ties by place
    assert kept.tolist() == expected


@settings(max_examples=100, deadline=None)
@given(codes=st.lists(st.integers(0, 3000), min_size=1, max_size=300), sparse=st.booleans())
def test_window_groups_are_numpy_unique(codes, sparse):
    code = np.array(codes, dtype=np.int64)
    space = 1 << 40 if sparse else 3001
    groups, group_of = score._groups(code, space)
    want_groups, want_of = np.unique(code, return_inverse=True)
    assert groups.tolist() == want_groups.tolist()
    assert group_of.tolist() == want_of.tolist()
