"""The three-way table: a Chinese document, its English translation and the transcript."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from align.cli import main
from align.report import render_threeway
from align.threeway import THREEWAY_SCHEMA, align_translation, document_sentences, paragraphs, read_bilingual
from align.trace import load_transcript

HERE = Path(__file__).resolve().parent.parent / "fixtures" / "threeway"
TRANSCRIPT = HERE / "transcript.jsonl"


@pytest.fixture(scope="module")
def table() -> pl.DataFrame:
    return align_translation(load_transcript(TRANSCRIPT), HERE / "talk.zh.md", HERE / "talk.en.md")


def test_markdown_layout_is_read_as_speaker_paragraphs():
    paras = paragraphs((HERE / "talk.en.md").read_text(encoding="utf-8"))
    assert paras[0] == ("Host", "Welcome back to the show, today I'm talking with Maria Lopez. "
                                "She runs the seed bank in Svalbard.")
    assert not any(text.startswith("#") for _, text in paras)  # headings are not sentences


def test_interleaved_file_splits_into_the_two_sides():
    zh, en = read_bilingual((HERE / "bilingual.md").read_text(encoding="utf-8"))
    assert [s.text for s in document_sentences(zh, "zh")] == \
        [s.text for s in document_sentences((HERE / "talk.zh.md").read_text(encoding="utf-8"), "zh")]
    assert [s.text for s in document_sentences(en, "en")] == \
        [s.text for s in document_sentences((HERE / "talk.en.md").read_text(encoding="utf-8"), "en")]
    assert "Original English" not in en


def test_table_has_the_promised_columns(table):
    assert table.schema == pl.Schema(THREEWAY_SCHEMA)
    # every sentence of each side sits in exactly one pair, in order
    zh = document_sentences((HERE / "talk.zh.md").read_text(encoding="utf-8"), "zh")
    en = document_sentences((HERE / "talk.en.md").read_text(encoding="utf-8"), "en")
    assert [i for ids in table["zh_ids"] for i in ids] == list(range(len(zh)))
    assert [j for ids in table["en_ids"] for j in ids] == list(range(len(en)))


def test_one_chinese_sentence_pairs_with_two_english_ones_and_takes_their_span(table):
    first = table.row(0, named=True)
    assert first["en_ids"] == [0, 1] and first["zh_ids"] == [0]
    assert (first["start"], first["end"], first["time_from"]) == (0.0, 9.0, "en")
    assert first["sentences"] == [0, 1]


def test_pairs_follow_the_talk(table):
    timed = table.filter(pl.col("status") == "supported")
    assert timed["start"].to_list() == sorted(timed["start"].to_list())
    aleppo = table.filter(pl.col("zh").str.contains("阿勒颇")).row(0, named=True)
    assert aleppo["start"] == 63.0 and "Aleppo" in aleppo["en"]


def test_english_the_talk_never_says_is_not_given_a_time_from_the_english(table):
    tomatoes = table.filter(pl.col("en").str.contains("tomatoes")).row(0, named=True)
    assert tomatoes["time_from"] != "en"
    assert tomatoes["status"] == "unsupported" or tomatoes["time_from"] == "zh"


def test_chinese_with_no_english_side_is_a_pair_of_its_own(table):
    note = table.filter(pl.col("zh").str.contains("译者注")).row(0, named=True)
    assert note["en"] == "" and note["en_ids"] == [] and note["bead_score"] == 0.0
    assert note["status"] == "unsupported"  # the talk never mentions 2008


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "md", "tmx"])
def test_renderers_carry_both_sides(table, fmt):
    out = render_threeway(fmt, table)
    assert "斯瓦尔巴" in out and "Svalbard" in out


def run(*args):
    return CliRunner().invoke(main, ["align", str(TRANSCRIPT), *map(str, args)])


@pytest.mark.parametrize("args", [
    pytest.param([HERE / "talk.zh.md", "--translation", HERE / "talk.en.md"], id="two-files"),
    pytest.param([HERE / "bilingual.md", "--bilingual"], id="interleaved"),
])
def test_cli_writes_the_three_way_table(args):
    result = run(*args)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert {"pair", "zh", "en", "start", "end", "sentences", "score", "status", "time_from", "bead_score"} <= set(rows[0])
    assert rows[0]["start"] == 0.0 and rows[0]["time_from"] == "en"


def test_cli_missing_translation_is_a_one_line_error(tmp_path):
    result = run(HERE / "talk.zh.md", "--translation", tmp_path / "missing.md")
    assert result.exit_code == 2
    assert "missing.md" in result.output and len(result.output.strip().splitlines()) == 1


def test_cli_tmx_needs_a_translation():
    result = run(HERE / "talk.zh.md", "--to", "tmx")
    assert result.exit_code == 2


def test_batch_fills_the_parallel_table_when_an_episode_declares_a_translation(tmp_path):
    from align.batch import process_episode

    rows = [json.loads(line) for line in TRANSCRIPT.read_text(encoding="utf-8").splitlines()]
    lines = "".join(f"[00:{int(r['start']) // 60:02d}:{int(r['start']) % 60:02d}] {r['text']}\n" for r in rows)
    (tmp_path / "captions.txt").write_text(lines, encoding="utf-8")
    for name in ("talk.zh.md", "talk.en.md"):
        (tmp_path / name).write_text((HERE / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "episode.toml").write_text('captions = "captions.txt"\ntranslation = ["talk.zh.md", "talk.en.md"]\n', encoding="utf-8")
    tables = process_episode(tmp_path)
    pairs = tables["parallel"]
    assert "Aleppo" in pairs.filter(pl.col("time_from") == "en")["en"].str.join(" ").item()
    assert "alignments" not in tables  # the two sides are not also traced as plain documents
