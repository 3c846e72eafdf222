"""Sentences: boundaries from turns, caption punctuation and a length bound; capitals; times."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners import clean_text
from cleaners.passes.sentences import MIN_PIECE, split_points
from tests.test_disfluency import _cases


@pytest.mark.parametrize("text, expected, level", _cases("sentences.tsv"))
def test_sentence_case(text, expected, level):
    result = clean_text(f"[00:00:01] {text}\n", fmt="plain", level=level)
    assert " | ".join(result.sentences["text"].to_list()) == expected


def test_long_run_on_is_split_before_a_new_clause():
    words = ("we trained the model on a great deal of text from many sources over many months "
             "and then we looked at the results very carefully with the whole team").split()
    cuts = split_points(words, most=20)
    assert [words[c] for c in cuts] == ["and"]


def test_long_sentence_without_clause_marks_still_respects_the_bound():
    words = [f"w{k}" for k in range(130)]
    cuts = split_points(words, most=40)
    pieces = [b - a for a, b in zip([0, *cuts], [*cuts, len(words)])]
    assert max(pieces) <= 40 and min(pieces) >= MIN_PIECE


def test_episode_sentences_are_bounded_and_start_with_a_capital(cleaned_episode):
    sents = cleaned_episode.sentences
    lengths = sents["text"].str.split(" ").list.len()
    assert lengths.max() <= 60
    assert sents.filter(~pl.col("text").str.contains(r"^[^a-z]"))["text"].to_list() == []


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.sampled_from(["so", "the model", "is good.", ">> yes?", "and i",
                                                              "um", "you know", "right?", "it it"])),
                min_size=1, max_size=25))
def test_sentence_times_never_decrease(cues):
    t, lines = 0, []
    for gap, text in cues:
        t += gap
        lines.append(f"[00:{t // 60:02d}:{t % 60:02d}] {text}")
    sents = clean_text("\n".join(lines) + "\n", fmt="plain").sentences
    assert (sents["start"].diff().drop_nulls() >= 0).all()
    assert (sents["end"] >= sents["start"]).all()


def test_chinese_end_punctuation_ends_a_sentence_without_an_added_stop():
    from cleaners import clean_text

    text = clean_text("[00:00:01] 我们三年前谈过。\n[00:00:03] 过去三年最大的变化是什么？\n").sentences["text"].to_list()
    assert text == ["我们三年前谈过。", "过去三年最大的变化是什么？"]
