"""Disfluency passes: each fixture case says what a reader of the clean text sees."""

from __future__ import annotations

import csv

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners import read_words
from cleaners.pipeline import Context, passes
from tests.conftest import FIXTURES


def _cases(name: str):
    with open(FIXTURES / "passes" / name, encoding="utf-8") as f:
        rows = csv.DictReader((ln for ln in f if not ln.startswith("#")), delimiter="\t")
        return [pytest.param(r["input"], r["expected"], r["level"], id=r["id"]) for r in rows]


def before_names(text: str, level: str) -> pl.DataFrame:
    """The word table of ``text`` (one timed line) after every pass up to the names pass."""
    _fmt, words = read_words(f"[00:00:01] {text}\n", "plain")
    ctx = Context(level=level)
    for p in passes():
        if p.name == "names":
            break
        if ctx.at_least(p.level):
            words = p.run(words, ctx)
    return words


def kept(words: pl.DataFrame) -> str:
    return " ".join(words.filter((pl.col("kind") == "word") & (pl.col("out") != ""))["out"].to_list())


@pytest.mark.parametrize("text, expected, level", _cases("disfluency.tsv"))
def test_disfluency_case(text, expected, level):
    assert kept(before_names(text, level)) == expected


@pytest.mark.parametrize("text, expected, level", _cases("disfluency.tsv"))
def test_cleaning_the_clean_text_again_changes_nothing(text, expected, level):
    assert kept(before_names(expected, level)) == expected


def test_every_drop_names_its_pass():
    words = before_names("So um the the model is, you know, like really good, right?", "standard")
    rules = dict(zip(words["raw"].to_list(), words["rule"].to_list()))
    assert rules["um"] == "fillers" and rules["you"] == "discourse" and rules["like"] == "discourse"
    assert words.filter(pl.col("raw") == "the")["rule"].to_list()[0] == "repeats"


_VOCAB = ["the", "I", "you", "know", "like", "kind", "of", "mean", "so", "and", "right?", "um", "uh", "model",
          "it", "is", "was", "that", "200", "something", "yeah.", "th-", "a", "we're", "what"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_VOCAB), min_size=1, max_size=30), st.sampled_from(["light", "standard", "clean"]))
def test_passes_never_invent_words_and_settle(tokens, level):
    text = " ".join(tokens)
    words = before_names(text, level)
    out = [w for w in kept(words).split()]
    # every kept word is an input token, in order (punctuation may move onto it)
    raw = iter(t.rstrip(".?!,") for t in tokens)
    assert all(any(w.rstrip(".?!,") == r for r in raw) for w in out)
    # running the passes again over the cleaned table changes nothing
    ctx = Context(level=level)
    again = words
    for p in passes():
        if p.name == "names":
            break
        if ctx.at_least(p.level):
            again = p.run(again, ctx)
    assert again["out"].to_list() == words["out"].to_list()


@pytest.mark.parametrize("level", ["light", "standard", "clean"])
def test_cleaning_the_cleaned_episode_again_changes_nothing(episode_captions, level):
    from cleaners import clean_file, pipeline

    once = clean_file(episode_captions, level=level, speakers=["Host", "Guest"]).words
    again = pipeline.run(once, Context(level=level, speakers=["Host", "Guest"]))
    assert again["out"].to_list() == once["out"].to_list()
    assert again["sent"].to_list() == once["sent"].to_list()


def test_standard_level_meets_the_wer_acceptance_on_the_dev_split(cleaned_episode):
    """Issue #2: at most 22% WER against the human-edited captions on the first 28:07."""
    from tests.conftest import shared_file
    from scripts.evaluate_cleaning import hypothesis_words, read_reference, reference_words, score

    cues, gaps = read_reference(shared_file("eval", "edited_captions.md"))
    s = score(hypothesis_words(cleaned_episode.words, "dev", gaps), reference_words(cues, "dev", gaps))
    assert s.wer <= 0.22
    assert s.ins > s.dels  # what is left is mostly words the editor also cut, not lost content


@pytest.mark.parametrize("text", ["um uh hmm", ">> um >> uh", "you know, like, you know"], ids=["fillers", "marks-and-fillers", "discourse"])
def test_a_line_of_nothing_but_fillers_gives_no_sentences(text):
    from cleaners import clean_text

    result = clean_text(f"[00:00:01] {text}\n", fmt="plain", level="standard")
    assert result.sentences.height == 0
    assert result.raw_text() == f"[00:00:01] {text}\n"  # still lossless
