"""Writers for cleaned transcripts: one function per output format, text or bytes in memory."""

from __future__ import annotations

import io
import json

import polars as pl

from cleaners.timecodes import format_clock

TEXT_FORMATS = ("jsonl", "csv", "srt", "vtt", "txt", "md", "edits")
BINARY_FORMATS = ("parquet",)
FORMATS = TEXT_FORMATS + BINARY_FORMATS


def to_jsonl(frame: pl.DataFrame) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in frame.iter_rows(named=True))


def to_csv(frame: pl.DataFrame) -> str:
    return frame.write_csv()


def to_parquet(frame: pl.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.write_parquet(buf)
    return buf.getvalue()


def to_srt(sentences: pl.DataFrame) -> str:
    blocks = []
    for n, row in enumerate(sentences.iter_rows(named=True), 1):
        span = f"{format_clock(row['start'], millis=',')} --> {format_clock(max(row['end'], row['start']), millis=',')}"
        blocks.append(f"{n}\n{span}\n{row['text']}\n")
    return "\n".join(blocks)


def to_vtt(sentences: pl.DataFrame) -> str:
    blocks = ["WEBVTT\n"]
    for row in sentences.iter_rows(named=True):
        span = f"{format_clock(row['start'], millis='.')} --> {format_clock(max(row['end'], row['start']), millis='.')}"
        blocks.append(f"{span}\n<v {row['speaker']}>{_vtt_escape(row['text'])}\n")
    return "\n".join(blocks)


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_txt(sentences: pl.DataFrame) -> str:
    """One paragraph per speaker turn, no times."""
    return "\n\n".join(p["text"] for p in _paragraphs(sentences)) + "\n"


def to_markdown(sentences: pl.DataFrame, title: str | None = None) -> str:
    """Speaker headings and an ``[HH:MM:SS]`` stamp at each paragraph."""
    lines = [f"# {md_escape(title)}\n"] if title else []
    speaker = None
    for p in _paragraphs(sentences):
        if p["speaker"] != speaker:
            speaker = p["speaker"]
            lines.append(f"## {md_escape(speaker)}\n")
        lines.append(f"[{format_clock(p['start'])}] {md_escape(p['text'])}\n")
    return "\n".join(lines)


def md_escape(text: str | None) -> str:
    """Transcript or document text as inert Markdown: it must not become Markdown/HTML structure."""
    out = (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "\\`*_[]#|":
        out = out.replace(ch, "\\" + ch)
    return out


def _paragraphs(sentences: pl.DataFrame, most: int = 8):
    para = None
    for row in sentences.iter_rows(named=True):
        if para is None or row["turn"] != para["turn"] or para["n"] >= most:
            if para:
                yield para
            para = {"turn": row["turn"], "speaker": row["speaker"], "start": row["start"], "text": row["text"], "n": 1}
        else:
            para["text"] += " " + row["text"]
            para["n"] += 1
    if para:
        yield para


def render(fmt: str, sentences: pl.DataFrame, edits: pl.DataFrame | None = None) -> str | bytes:
    """The sentences (or the edit log, for ``edits``) in ``fmt``."""
    public = sentences.select("id", "start", "end", "speaker", "text", "turn")
    if fmt == "jsonl":
        return to_jsonl(public)
    if fmt == "csv":
        return to_csv(public)
    if fmt == "parquet":
        return to_parquet(public)
    if fmt == "srt":
        return to_srt(sentences)
    if fmt == "vtt":
        return to_vtt(sentences)
    if fmt == "txt":
        return to_txt(sentences)
    if fmt == "md":
        return to_markdown(sentences)
    if fmt == "edits":
        return to_jsonl(edits if edits is not None else pl.DataFrame())
    raise ValueError(f"unknown output format {fmt!r}")
