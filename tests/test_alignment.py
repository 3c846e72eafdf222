"""The aligner on the bundled episode, end to end: what a user of `align` sees."""

from __future__ import annotations

import json
import sys

import polars as pl
import pytest
from click.testing import CliRunner

from align import example, report
from align.cli import main
from align.trace import align_documents, load_transcript
from cleaners.timecodes import parse_clock
from tests.conftest import EPISODE, FIXTURES, ROOT, shared_file

DOCS = [EPISODE / name for name in example.DOCUMENTS]
REQUIRED = {"doc", "unit", "lang", "kind", "text", "start", "end", "score", "status", "claimed", "claim"}


@pytest.fixture(scope="module")
def trace(cleaned_episode):
    return align_documents(cleaned_episode.sentences, DOCS)


def test_golden_trace(trace):
    """Regenerate with `python scripts/update_alignment_golden.py` and review the diff."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from update_alignment_golden import GOLDEN, render

    assert render(trace) == GOLDEN.read_text(encoding="utf-8")


def test_every_unit_ends_supported_or_unsupported(trace):
    assert set(trace["status"].to_list()) == {"supported", "unsupported"}
    supported = trace.filter(pl.col("status") == "supported")
    assert supported["start"].null_count() == 0
    assert ((supported["score"] >= 0) & (supported["score"] <= 1)).all()
    assert trace.filter(pl.col("status") == "unsupported")["start"].null_count() == trace.height - supported.height


def test_quotes_land_where_they_are_said(trace):
    quotes = trace.filter((pl.col("doc") == "000_c18b72b857432089") & (pl.col("kind") == "quote"))
    first = quotes.row(0, named=True)  # "The exponential of the underlying technology ..." is said at 0:00:11
    assert first["status"] == "supported" and abs(first["start"] - 11) <= 15


def test_quotes_against_the_development_gold(trace):
    gold = pl.read_csv(shared_file("eval", "dev_gold", "quotes_000.tsv"), separator="\t", quote_char=None)
    quotes = trace.filter((pl.col("doc") == "000_c18b72b857432089") & (pl.col("kind") == "quote"))
    found = quotes["start"].to_list()
    hits = sum(1 for g, s in zip(gold["gold_start"].to_list(), found) if s is not None and abs(s - parse_clock(g)) <= 15)
    assert hits >= 44


def test_wrong_claimed_times_are_found(trace):
    page = trace.filter(pl.col("doc") == "001_0db1f2cac21dbbd5")
    claims = page.filter(pl.col("claim").is_not_null())["claim"].to_list()
    assert claims.count("wrong") >= 5 and claims.count("exact") >= 10
    # "Within 10 years we'll get to... a country of geniuses" — the page says 13:55, the talk ~13:50.
    quote = page.filter(pl.col("unit") == "quote-002").row(0, named=True)
    assert quote["claim"] in ("exact", "near")


def test_markdown_trace_shows_times_transcript_and_flags(trace):
    md = report.to_markdown(trace.filter(pl.col("doc") == "001_0db1f2cac21dbbd5"))
    assert md.startswith("# 001\\_0db1f2cac21dbbd5")
    assert "**wrong** by" in md and "> " in md and "[0:" in md


def test_transcript_loader_reads_clean_jsonl(tmp_path, cleaned_episode):
    path = tmp_path / "t.jsonl"
    path.write_text(report.to_jsonl(cleaned_episode.sentences.select("id", "start", "end", "speaker", "text")))
    sents = load_transcript(path)
    assert sents.height == cleaned_episode.sentences.height
    assert sents["text"][0] == cleaned_episode.sentences["text"][0]


def test_align_command_writes_jsonl(tmp_path, cleaned_episode):
    transcript = tmp_path / "t.jsonl"
    transcript.write_text(report.to_jsonl(cleaned_episode.sentences.select("id", "start", "end", "speaker", "text")))
    out = tmp_path / "trace.jsonl"
    doc = FIXTURES / "documents" / "episode_page.txt"
    result = CliRunner().invoke(main, ["align", str(transcript), str(doc), "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert REQUIRED <= set(rows[0])
    by_unit = {r["unit"]: r for r in rows}
    assert by_unit["segment-003"]["problem"] == "malformed timestamp '61:99'"
    assert "episode_page: 10 units" in result.output


@pytest.mark.parametrize("fmt", ["md", "csv", "parquet"])
def test_align_command_formats(tmp_path, cleaned_episode, fmt):
    transcript = tmp_path / "t.jsonl"
    transcript.write_text(report.to_jsonl(cleaned_episode.sentences.select("id", "start", "end", "speaker", "text")))
    out = tmp_path / f"trace.{fmt}"
    result = CliRunner().invoke(main, ["align", str(transcript), str(FIXTURES / "documents" / "summary.txt"),
                                       "--to", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    if fmt == "parquet":
        assert pl.read_parquet(out).height == 11
    elif fmt == "csv":
        assert pl.read_csv(out).height == 11
    else:
        assert "[0:00:" in out.read_text()


def test_align_command_errors_are_one_line(tmp_path, episode_captions):
    result = CliRunner().invoke(main, ["align", str(episode_captions), str(tmp_path / "missing.txt")])
    assert result.exit_code == 2 and "missing.txt: no such file" in result.output
    doc = tmp_path / "doc.txt"
    doc.write_text("- a bullet\n")
    result = CliRunner().invoke(main, ["align", str(episode_captions), str(doc), "-o", str(doc)])
    assert result.exit_code == 2 and "refusing to overwrite" in result.output
    assert doc.read_text() == "- a bullet\n"


def test_condensed_transcript_claims_are_checked(cleaned_episode):
    trace = align_documents(cleaned_episode.sentences, [shared_file("eval", "condensed_transcript.md")])
    claims = trace.filter(pl.col("claim").is_not_null())["claim"].to_list()
    assert claims.count("exact") >= 30


def test_demo_prints_alignment_counts(tmp_path):
    result = CliRunner().invoke(main, ["demo", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    line = next(ln for ln in result.output.splitlines() if ln.startswith("aligned 4 documents"))
    assert "422 units" in line and "wrong" in line
    assert (tmp_path / "trace.md").read_text().startswith("# 000")
