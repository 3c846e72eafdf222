"""The command line: outputs, and one-line errors instead of tracebacks."""

from __future__ import annotations

import json

from click.testing import CliRunner

from align.cli import main


def test_clean_writes_jsonl_sentences(episode_captions, tmp_path):
    out = tmp_path / "t.jsonl"
    result = CliRunner().invoke(main, ["clean", str(episode_captions), "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert {"id", "start", "end", "speaker", "text"} <= set(rows[0])
    assert rows[0]["text"].startswith("We talked three years ago")  # standard drops the opening "So"


def test_missing_input_is_a_one_line_error(tmp_path):
    result = CliRunner().invoke(main, ["clean", str(tmp_path / "nope.srt")])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "nope.srt: no such file" in result.output


def test_output_may_not_overwrite_the_input(episode_captions, tmp_path):
    copy = tmp_path / "in.txt"
    copy.write_bytes(episode_captions.read_bytes())
    result = CliRunner().invoke(main, ["clean", str(copy), "-o", str(copy)])
    assert result.exit_code == 2 and "refusing to overwrite" in result.output
    assert copy.read_bytes() == episode_captions.read_bytes()
