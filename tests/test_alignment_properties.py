"""Invariants of tracing (hypothesis): whatever the document says, a traced span lies inside the
transcript, starts before it ends, and every unit gets exactly one verdict."""

from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings, strategies as st

from align.documents import units_from_frame
from align.trace import align_units

# A small transcript of real sentences from the bundled episode, with their (rounded) times.
TRANSCRIPT = pl.DataFrame(
    {
        "id": list(range(8)),
        "start": [0.0, 5.0, 10.0, 53.0, 62.0, 79.0, 120.0, 175.0],
        "end": [4.9, 9.9, 49.0, 61.0, 78.0, 119.0, 174.0, 200.0],
        "speaker": ["Dwarkesh Patel"] * 2 + ["Dario Amodei"] * 3 + ["Dwarkesh Patel"] + ["Dario Amodei"] * 2,
        "text": [
            "We talked three years ago.",
            "What has been the biggest difference between what it felt like last three years versus now?",
            "Broadly speaking, the exponential of the underlying technology has gone about as I expected it to go.",
            "The most surprising thing has been the lack of public recognition of how close we are to the end of the exponential.",
            "People are talking about the same tired old hot button political issues.",
            "Three years ago there were well-known public trends across many orders of magnitude of compute.",
            "I wrote a doc called the big blob of compute hypothesis in 2017.",
            "All the cleverness, all the techniques, that doesn't matter very much.",
        ],
    }
).with_columns(pl.col("id").cast(pl.Int32))

words = st.sampled_from(
    " ".join(TRANSCRIPT["text"].to_list()).replace(",", "").replace(".", "").replace("?", "").split()
    + ["banana", "Paris", "1999", "$50", "trillion", "quantum", "的", "指数"]
)
unit_texts = st.lists(st.lists(words, min_size=1, max_size=14).map(" ".join), min_size=1, max_size=6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=unit_texts, claimed=st.lists(st.one_of(st.none(), st.floats(0, 400)), min_size=6, max_size=6))
def test_traced_spans_lie_inside_the_transcript(texts, claimed):
    units = units_from_frame(
        pl.DataFrame({"text": texts, "claimed": claimed[: len(texts)]}, schema={"text": pl.String, "claimed": pl.Float64}),
        doc="generated",
    )
    trace = align_units(TRANSCRIPT, units)
    assert trace.height == len(texts)
    assert set(trace["status"].unique().to_list()) <= {"supported", "unsupported"}
    found = trace.filter(pl.col("status") == "supported")
    assert (found["start"] >= TRANSCRIPT["start"].min()).all()
    assert (found["end"] <= TRANSCRIPT["end"].max()).all()
    assert (found["start"] <= found["end"]).all()
    assert ((found["score"] >= 0) & (found["score"] <= 1)).all()
    lost = trace.filter(pl.col("status") == "unsupported")
    assert lost["start"].is_null().all()


def test_a_verbatim_sentence_is_traced_and_nonsense_is_not():
    # Keeps the property above honest: generated units do reach the 'supported' branch.
    units = units_from_frame(pl.DataFrame({"text": [TRANSCRIPT["text"][6], "Bananas grow in Paris."]}), doc="d")
    trace = align_units(TRANSCRIPT, units)
    assert trace["status"].to_list() == ["supported", "unsupported"]
    assert trace["start"][0] == 120.0
