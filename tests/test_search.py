"""The ordered search: documents that follow the talk, sections that restart it, claims it never makes."""

from __future__ import annotations

import polars as pl
import pytest

from align import search
from align.documents import units_from_frame
from align.trace import align_units, check_claim
from cleaners.views import SENTENCE_SCHEMA

# A made-up talk: one topic per sentence, 30 s apart.
TALK = [
    "Welcome to the show, today we talk about bridges and rivers.",
    "The first suspension bridge over the Danube opened in 1849 in Budapest.",
    "Engineers measured the cables every spring because the river froze in winter.",
    "My grandmother kept bees on the roof of a bakery in Vienna.",
    "The honey tasted of linden blossoms and chimney smoke.",
    "Later we switched to talking about chess openings.",
    "The Sicilian defence is popular because black fights for the centre from the side.",
    "Magnus played the Berlin wall against everyone for a whole season.",
    "Then the conversation turned to sourdough starters.",
    "A starter needs flour, water and about five days of patience before it bubbles.",
    "Rye flour makes the starter sour faster than wheat flour does.",
    "Finally we discussed lighthouses on the Atlantic coast.",
    "The keeper of the Fastnet lighthouse climbed 170 steps twice a day.",
    "Automatic lamps replaced the last keepers in 1989.",
    "Thanks for listening, and see you next week.",
]


def sentences() -> pl.DataFrame:
    n = len(TALK)
    return pl.DataFrame({
        "id": range(n), "start": [30.0 * k for k in range(n)], "end": [30.0 * k + 28 for k in range(n)],
        "turn": [0] * n, "speaker": ["Host"] * n, "text": TALK, "first": [0] * n, "last": [0] * n,
    }).cast(SENTENCE_SCHEMA)


def doc(*texts: str, kind: str = "bullet") -> pl.DataFrame:
    return units_from_frame(pl.DataFrame({"text": list(texts), "kind": [kind] * len(texts)}), doc="notes")


def said_in(trace: pl.DataFrame) -> list:
    """Per unit: does its span hold the talk sentence it paraphrases? (the sentence ids)"""
    return trace["sentences"].to_list()


def test_a_document_that_follows_the_talk():
    notes = doc(
        "The Danube suspension bridge in Budapest opened in 1849.",
        "A grandmother kept bees on a bakery roof in Vienna.",
        "The Sicilian defence fights for the centre from the side.",
        "A sourdough starter needs flour, water and five days of patience.",
        "The Fastnet lighthouse keeper climbed 170 steps twice a day.",
    )
    trace = align_units(sentences(), notes)
    assert trace["status"].to_list() == ["supported"] * 5
    for span, said in zip(said_in(trace), [1, 3, 6, 9, 12]):
        assert said in span and len(span) <= 3


def test_a_section_that_restarts_the_timeline():
    # A summary that lists food first, then goes back to the start of the talk for the places.
    notes = doc(
        "The honey tasted of linden blossoms and chimney smoke.",
        "Rye flour makes a sourdough starter sour faster than wheat flour.",
        "The first suspension bridge over the Danube opened in 1849 in Budapest.",
        "Automatic lamps replaced the last lighthouse keepers in 1989.",
    )
    trace = align_units(sentences(), notes)
    assert trace["status"].to_list() == ["supported"] * 4
    for span, said in zip(said_in(trace), [4, 10, 1, 13]):
        assert said in span and len(span) <= 3


def test_a_claim_the_talk_never_makes_is_unsupported():
    notes = doc(
        "The Danube suspension bridge in Budapest opened in 1849.",
        "The guests agreed that quantum computers will replace accountants by 2030.",
        "The Fastnet lighthouse keeper climbed 170 steps twice a day.",
    )
    trace = align_units(sentences(), notes)
    assert trace["status"].to_list() == ["supported", "unsupported", "supported"]
    assert trace["start"][1] is None and trace["score"][1] is None


def test_scores_are_probabilities():
    trace = align_units(sentences(), doc("Magnus played the Berlin wall for a whole season."))
    assert 0.5 <= trace["score"][0] <= 1.0


def _candidates(rows):
    return pl.DataFrame(rows, schema=["key", "first", "last", "score"], orient="row").with_columns(
        pl.col("key").cast(pl.UInt32), pl.col("first").cast(pl.Int32), pl.col("last").cast(pl.Int32))


def _units(n):
    return pl.DataFrame({"key": list(range(n)), "order": list(range(n))}).with_columns(pl.col("key").cast(pl.UInt32))


def _chosen(units, cands):
    picked = search.ordered_choice(units, cands, sentences())
    return dict(zip(picked["key"].to_list(), picked["first"].to_list()))


def test_order_decides_between_equally_good_places():
    # Unit 1 is said at sentence 2 or at sentence 12 equally well; its neighbours are at 1 and 4.
    cands = _candidates([(0, 1, 1, 0.9), (1, 2, 2, 0.8), (1, 12, 12, 0.8), (2, 4, 4, 0.9)])
    assert _chosen(_units(3), cands) == {0: 1, 1: 2, 2: 4}


def test_a_weak_candidate_does_not_pull_the_document_back():
    cands = _candidates([(0, 10, 10, 0.9), (1, 2, 2, 0.6), (2, 12, 12, 0.9)])
    assert _chosen(_units(3), cands) == {0: 10, 2: 12}


def test_a_strong_candidate_may_jump_back():
    cands = _candidates([(0, 10, 10, 0.9), (1, 2, 2, 0.97), (2, 12, 12, 0.9)])
    assert _chosen(_units(3), cands) == {0: 10, 1: 2, 2: 12}


@pytest.mark.parametrize("claimed, found, expected", [
    (863.0, 1462.0, ("wrong", 599.0)),  # the page's $50 trillion at 14:23; the talk says it at 24:22
    (100.0, 110.0, ("exact", 10.0)),
    (100.0, 45.0, ("near", -55.0)),
    (100.0, None, ("unsupported", None)),
    (None, 50.0, (None, None)),
])
def test_claimed_times_are_checked(claimed, found, expected):
    assert check_claim(claimed, found) == expected
