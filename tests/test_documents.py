"""Documents become units: every layout the loaders know, on excerpts of the seeds and written text."""

from __future__ import annotations

import polars as pl
import pytest

from align.documents import UNIT_SCHEMA, detect_lang, load_document, load_text, parse_stamp, sniff_kind, split_english
from cleaners.errors import InputError
from tests.conftest import EPISODE, FIXTURES, shared_file

DOCS = FIXTURES / "documents"


def units(name: str, **kw) -> pl.DataFrame:
    return load_document(DOCS / name, **kw)


def row(frame: pl.DataFrame, unit: str) -> dict:
    rows = frame.filter(pl.col("unit") == unit).to_dicts()
    assert rows, f"no unit {unit}; have {frame['unit'].to_list()}"
    return rows[0]


@pytest.mark.parametrize(
    "name, layout",
    [
        ("prose_article.txt", "prose"),
        ("prose_essay.txt", "prose"),
        ("summary.txt", "summary"),
        ("episode_page.txt", "episode"),
        ("condensed.md", "markdown"),
        ("units.jsonl", "units"),
        ("units.csv", "units"),
        ("chinese_article.txt", "prose"),
    ],
    ids=lambda v: str(v).split(".")[0],
)
def test_layout_is_sniffed_and_units_follow_the_schema(name, layout):
    assert sniff_kind((DOCS / name).read_text(encoding="utf-8"), name) == layout
    frame = units(name)
    assert frame.schema == pl.Schema(UNIT_SCHEMA)
    assert frame["order"].to_list() == list(range(frame.height))
    assert frame["unit"].n_unique() == frame.height  # ids are unique within a document


# (file, unit, expected fields)
CASES = [
    ("prose_article.txt", "sentence-002", {"kind": "sentence", "text": '"It is hard to exceed 90% because the world is too '
                                           'unpredictable," he added, with the remaining 10% risk coming from "irreducible uncertainties."'}),
    ("prose_article.txt", "quote-001", {"kind": "quote", "text": "The goal is not to use RL to teach the model every possible skill. "
                                        "The model is trained on a multitude of things and then achieves generalization."}),
    ("prose_article.txt", "heading-002", {"text": "Economic Diffusion: Fast, but Not Infinitely Fast"}),
    ("prose_article.txt", "sentence-005", {"text": "Dr. Smith was not interviewed."}),
    ("prose_essay.txt", "quote-001", {"text": "My worry is just that this is happening all so fast. "
                                      "And so I think maybe we need to do our thinking faster."}),
    ("prose_essay.txt", "bullet-002", {"text": "Anticipate Economic Diffusion: Plan for the complexities of enterprise adoption."}),
    ("summary.txt", "heading-002", {"kind": "heading", "text": "The Big Blob of Compute Hypothesis"}),
    ("summary.txt", "quote-001", {"text": "The exponential of the underlying technology has gone about as I expected it to go.",
                                  "section": "Technological Progress and Scaling in AI"}),
    ("summary.txt", "bullet-005", {"section": "The Big Blob of Compute Hypothesis"}),
    ("episode_page.txt", "segment-002", {"claimed": 3739.0, "text": "Diminishing Returns and Industry Equilibrium. "
                                         "Dario explains how log-linear scaling laws create diminishing returns."}),
    ("episode_page.txt", "segment-003", {"claimed": None, "problem": "malformed timestamp '61:99'"}),
    ("episode_page.txt", "price-001", {"claimed": 863.0, "detail": "value: $50 trillion"}),
    ("episode_page.txt", "price-002", {"claimed": None, "problem": "malformed timestamp '1:2:3:4'"}),
    ("episode_page.txt", "fact-001", {"claimed": 2401.0, "section": "Memory Facts"}),
    ("episode_page.txt", "prediction-001", {"claimed": 835.0, "detail": "horizon: 10 years"}),
    ("episode_page.txt", "quote-002", {"claimed": 6867.0, "detail": "Dwarkesh Patel",  # 114:27 = 1:54:27
                                       "text": "Autocracy is simply not a form of government that people can accept in the post-powerful AI age."}),
    ("episode_page.txt", "bullet-001", {"section": "Takeaways", "claimed": None}),
    ("condensed.md", "quote-001", {"claimed": 831.0, "detail": "Dario Amodei"}),
    ("condensed.md", "bullet-002", {"claimed": 7570.0, "text": 'Technology may dissolve authoritarianism. Dictatorships may become "morally obsolete"'}),
    ("condensed.md", "sentence-001", {"claimed": 0.0, "text": "We talked three years ago."}),
    ("condensed.md", "sentence-002", {"claimed": None}),  # the paragraph's time belongs to its first sentence
    ("condensed.md", "sentence-003", {"claimed": 55.0}),
    ("units.jsonl", "sentence-001", {"claimed": 863.0, "kind": "sentence"}),
    ("units.jsonl", "quote-002", {"claimed": 8295.0, "kind": "quote"}),
    ("units.csv", "w2", {"kind": "quote", "lang": "en"}),
    ("chinese_article.txt", "heading-001", {"lang": "zh", "text": "Anthropic首席执行官达里奥·阿莫代：指数增长的终点"}),
    ("chinese_article.txt", "sentence-002", {"lang": "zh", "text": "他认为，在未来十年内实现“数据中心里的天才国度”的概率高达90%！"}),
]


@pytest.mark.parametrize("name, unit, expected", CASES, ids=[f"{n.split('.')[0]}-{u}" for n, u, _ in CASES])
def test_unit(name, unit, expected):
    got = row(units(name), unit)
    assert {k: got[k] for k in expected} == expected


@pytest.mark.parametrize("name", ["prose_article.txt", "prose_essay.txt"])
def test_page_chrome_is_dropped(name):
    text = " ".join(units(name)["text"].to_list())
    for chrome in ("Share To", "Telegram", "CopyLink", "免责声明", "Written by", "1 hour ago", "Handpicked links", "-- Dario"):
        assert chrome not in text


def test_episode_metadata_lines_are_not_units():
    text = " ".join(units("episode_page.txt")["text"].to_list())
    assert "Category:" not in text and "Switch language" not in text and "AI Scaling Laws ·" not in text


@pytest.mark.parametrize("stamp, seconds", [("14:23", 863.0), ("1:02:19", 3739.0), ("114:27", 6867.0), ("00:00", 0.0)])
def test_document_times(stamp, seconds):
    assert parse_stamp(stamp) == (seconds, None)


@pytest.mark.parametrize("stamp", ["61:99", "1:2:3:4", "1:75:00"])
def test_malformed_times_are_reported_not_raised(stamp):
    seconds, problem = parse_stamp(stamp)
    assert seconds is None and stamp in problem


def test_kind_override_reads_a_summary_as_prose():
    frame = units("summary.txt", kind="prose")
    assert "bullet" in frame["kind"].to_list()  # "- " lines still bullets
    assert row(frame, "sentence-001")["text"].startswith("Over the past three years")


def test_sentences_do_not_split_inside_quotes_or_after_abbreviations():
    text = 'He said "It works. It scales." Then he left. Dr. No agreed, e.g. on cost.'
    assert split_english(text) == ['He said "It works. It scales."', "Then he left.", "Dr. No agreed, e.g. on cost."]


def test_language_is_detected_by_script():
    assert detect_lang("指数增长的终点") == "zh"
    assert detect_lang("Anthropic首席执行官达里奥·阿莫代") == "zh"  # Latin names inside Chinese text
    assert detect_lang("The end of the exponential") == "en"


def test_a_document_without_units_is_an_input_error(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\nShare\n", encoding="utf-8")
    with pytest.raises(InputError, match="empty.txt: no units"):
        load_document(empty)


def test_units_without_text_column_are_refused():
    with pytest.raises(InputError, match="text"):
        load_text("unit,kind\nw1,quote\n", "d", kind="units")


@pytest.mark.parametrize("seed, kinds", [
    ("000_c18b72b857432089.txt", {"quote": 46, "heading": 24}),
    ("001_0db1f2cac21dbbd5.txt", {"segment": 25, "price": 19, "prediction": 12, "quote": 9}),
])
def test_seed_documents(seed, kinds):
    counts = dict(load_document(EPISODE / seed).group_by("kind").len().iter_rows())
    assert {k: counts.get(k) for k in kinds} == kinds


def test_seed_003_loses_its_disclaimer_and_share_links():
    frame = load_document(EPISODE / "003_78f1af295df5c35e.txt")
    assert set(frame["lang"].to_list()) == {"en"}
    assert frame["text"].to_list()[-1].startswith("This disconnection between perception and reality")


def test_condensed_transcript_claims_times():
    frame = load_document(shared_file("eval", "condensed_transcript.md"))
    claimed = frame.filter(pl.col("claimed").is_not_null())
    assert claimed.height > 100
    assert frame.filter(pl.col("kind") == "quote").height >= 10
