"""Readers: every format sniffed, cut losslessly into spans, with times as data on every word.

The fixtures under ``fixtures/readers/`` are the opening of the bundled episode
written out in each format a user may have.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from cleaners import InputError, clean_text, read_words
from cleaners.readers import SPEECH, check_partition, formats, read_spans

READERS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "readers"
EPISODE = Path(__file__).resolve().parent.parent / "fixtures" / "episode" / "002_39f15ef3401b1368.txt"


def _read(name: str):
    text = (READERS_DIR / name).read_text(encoding="utf-8")
    fmt, words = read_words(text, source=name)
    return text, fmt, words.filter(pl.col("kind") == "word")


SNIFFED = {
    "episode_start.srt": "srt",
    "episode_start.vtt": "vtt",
    "episode_rolling.vtt": "vtt",
    "episode_start.youtube.json": "youtube-json",
    "episode_start.whisper.json": "whisper-json",
    "segments_only.whisper.json": "whisper-json",
    "episode_start.txt": "plain",
}


def test_the_registered_formats():
    assert set(formats()) == {"caption-page", "srt", "vtt", "youtube-json", "whisper-json", "plain"}


@pytest.mark.parametrize("name", SNIFFED, ids=list(SNIFFED))
def test_format_is_sniffed_and_the_input_rebuilt_exactly(name):
    text, fmt, _ = _read(name)
    assert fmt == SNIFFED[name]
    _, spans = read_spans(text)
    check_partition(text, spans)  # raises if the spans do not cover the input exactly
    assert clean_text(text).raw_text() == text


def test_caption_page_is_sniffed():
    assert read_words(EPISODE.read_text(encoding="utf-8"))[0] == "caption-page"


@pytest.mark.parametrize("name", SNIFFED, ids=list(SNIFFED))
def test_no_timing_or_markup_is_left_in_the_words(name):
    _, _, words = _read(name)
    raw = " ".join(words["raw"].to_list())
    for leftover in ("-->", "00:00", "<c>", "<v", "WEBVTT", "Kind:", "NOTE", '"start"', '"text"', "{\\an8}"):
        assert leftover not in raw
    assert words["start"].is_not_null().all() and (words["end"] >= words["start"]).all()


@pytest.mark.parametrize("name", SNIFFED, ids=list(SNIFFED))
def test_word_times_never_go_back(name):
    _, _, words = _read(name)
    assert (words["start"].diff().drop_nulls() >= 0).all()


# (file, word, start, end): a word's own time, from the cue, an inline stamp or Whisper's word times.
WORD_TIMES = [
    ("episode_start.srt", "So", 0.0, 0.12),  # interpolated within its cue by length
    ("episode_start.srt", "biggest", 4.0, 4.27),
    ("episode_start.vtt", "would", 8.9, 9.3),  # between the inline stamps <00:00:08.900> and <00:00:09.300>
    ("episode_rolling.vtt", "curious", 2.4, 2.8),
    ("episode_start.whisper.json", "I", 8.6, 8.7),  # Whisper's own word time
    ("episode_start.youtube.json", "[Music]", 5.7, 7.7),  # start + duration
]


@pytest.mark.parametrize("name,word,start,end", WORD_TIMES, ids=[f"{n}:{w}" for n, w, _s, _e in WORD_TIMES])
def test_word_times(name, word, start, end):
    _, _, words = _read(name)
    row = words.filter(pl.col("raw") == word).row(0, named=True)
    assert (round(row["start"], 2), round(row["end"], 2)) == (start, end)


def test_rolling_youtube_captions_say_every_word_once_at_its_first_time():
    text, _, words = _read("episode_rolling.vtt")
    assert words["raw"].to_list() == "so we talked three years ago I'm curious in your view what has been the the biggest".split()
    # The repeats are still in the table (lossless), as META.
    fmt, table = read_words(text)
    assert table.filter(pl.col("kind") == "meta")["raw"].str.contains("so we talked three years ago").sum() == 2
    # "I'm" is timed where it first appears (cue 3), not where it is repeated (cue 4, 5).
    assert words.filter(pl.col("raw") == "I'm")["start"].item() == 2.08


def test_rolling_keeps_a_genuine_stutter():
    # "the the" is said twice within one cue: rolling removal touches only repeats of the previous cue.
    _, _, words = _read("episode_rolling.vtt")
    assert words["raw"].to_list().count("the") == 2


def test_vtt_voice_tags_name_the_speakers():
    result = clean_text((READERS_DIR / "episode_start.vtt").read_text(encoding="utf-8"), level="light")
    assert result.sentences.select("speaker", "text").rows() == [
        ("Dwarkesh Patel", "So we talked three years ago."),
        ("Dario Amodei", "Yeah, I would say actually."),
    ]


def test_whisper_words_are_one_span_each_and_segment_text_is_not_read_twice():
    text, _, words = _read("episode_start.whisper.json")
    assert words["raw"].to_list() == ["So", "we", "talked", "three", "years", "ago.", "Yeah,", "I", "would", "say."]
    assert words["hint"].to_list() == ["SPEAKER_00"] * 6 + ["SPEAKER_01"] * 4


def test_whisper_segments_without_words_split_at_json_newlines_and_decode_escapes():
    text, _, words = _read("segments_only.whisper.json")
    # Offsets point into the raw JSON: the escaped source text is the raw token...
    assert words["raw"].to_list() == ["Caf\\u00e9", "talk.", "Second", "line"]
    # ...and the unicode pass decodes it.
    assert clean_text(text).sentences["text"].to_list() == ["Café talk.", "Second line."]


def test_json_speech_spans_lie_inside_the_json_strings():
    text = (READERS_DIR / "episode_start.youtube.json").read_text(encoding="utf-8")
    _, spans = read_spans(text)
    for s in spans:
        if s.kind == SPEECH:
            assert text[s.begin - 1] in '" n' and text[s.stop] in '"\\ '


def test_youtube_json_entities_and_turn_marks_are_cleaned():
    text = (READERS_DIR / "episode_start.youtube.json").read_text(encoding="utf-8")
    sentences = clean_text(text, level="light").sentences
    assert sentences["text"].to_list() == [
        "So we talked three years ago.",
        "I'm curious in your view, what has been the biggest update of the last three years?",
        "Yeah, I would say actually the.",
    ]
    assert sentences["turn"].to_list() == [0, 0, 1]


def test_srt_markup_is_not_text():
    result = clean_text((READERS_DIR / "episode_start.srt").read_text(encoding="utf-8"))
    text = " ".join(result.sentences["text"])
    assert "<i>" not in text and "what has been" in text and "{" not in text


def test_format_can_be_named():
    text = (READERS_DIR / "episode_start.txt").read_text(encoding="utf-8")
    assert read_words(text, fmt="plain")[0] == "plain"
    with pytest.raises(InputError, match="unknown format 'docx'"):
        read_words(text, fmt="docx")


def test_a_named_format_that_does_not_fit_is_a_clear_error():
    text = (READERS_DIR / "episode_start.srt").read_text(encoding="utf-8")
    with pytest.raises(InputError, match="line 1: a WebVTT file must start with WEBVTT"):
        read_words(text, fmt="vtt", source="x.srt")
    with pytest.raises(InputError, match="x.srt: line 1: not valid JSON"):
        read_words(text, fmt="whisper-json", source="x.srt")


def test_an_arrow_in_caption_text_is_not_a_timing_line():
    text = "1\n00:00:01,000 --> 00:00:03,000\nthe input --> the output\n"
    assert clean_text(text).sentences["text"].to_list() == ["The input --> the output."]
    with pytest.raises(InputError, match="x.srt: line 2: malformed timing line"):
        read_words(text.replace("03,000", "03:99,000"), source="x.srt")


def test_caption_page_spans_are_columns_that_act_as_a_list_of_spans():
    from cleaners.readers import Span, SpanColumns

    text = EPISODE.read_text(encoding="utf-8")
    _, spans = read_spans(text)
    assert isinstance(spans, SpanColumns)  # build reads the columns without a tuple per span
    as_list = list(spans)
    assert spans == as_list and len(spans) == len(as_list)
    assert spans[5] == as_list[5] and spans[-1] == as_list[-1] and spans[2:4] == as_list[2:4]
    first_cue = next(s for s in spans if s.kind == SPEECH)
    # cue 0 is the page's "Your YouTube transcript will appear here" box: chrome, numbered all the same
    assert isinstance(first_cue, Span) and (first_cue.start, first_cue.end, first_cue.cue) == (0.0, 2.0, 1)


def test_a_gap_in_column_spans_is_caught_as_in_a_list():
    from cleaners.readers import SpanColumns

    text = EPISODE.read_text(encoding="utf-8")
    _, spans = read_spans(text)
    begin, stop, *rest = spans.columns
    broken = SpanColumns(begin[:3] + [begin[3] + 1] + begin[4:], stop, *rest)
    with pytest.raises(AssertionError) as columns:
        check_partition(text, broken, "page")
    with pytest.raises(AssertionError) as listed:
        check_partition(text, list(broken), "page")
    assert str(columns.value) == str(listed.value)
    with pytest.raises(AssertionError, match="end at"):
        check_partition(text + "x", spans, "page")
