"""The bundled episode end to end: what a user of `clean` sees."""

from __future__ import annotations

import polars as pl


def test_raw_input_is_rebuilt_exactly(cleaned_episode, episode_captions):
    assert cleaned_episode.raw_text() == episode_captions.read_text(encoding="utf-8")


def test_no_timestamps_or_turn_marks_left_in_text(cleaned_episode):
    text = " ".join(cleaned_episode.sentences["text"].to_list())
    assert "(00:" not in text and ">>" not in text


def test_sentence_times_never_decrease(cleaned_episode):
    starts = cleaned_episode.sentences["start"]
    assert (starts.diff().drop_nulls() >= 0).all()


def test_speakers_named_in_order_of_first_appearance(cleaned_episode):
    first = cleaned_episode.sentences.group_by("speaker").agg(pl.col("start").min()).sort("start")
    assert first["speaker"].to_list()[:2] == ["Dwarkesh Patel", "Dario Amodei"]
