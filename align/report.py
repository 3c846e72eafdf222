"""Human-readable views of a trace: counts, and a Markdown trace to read beside the talk."""

from __future__ import annotations

import io
import json

import polars as pl

from cleaners.timecodes import format_hms

FORMATS = ("jsonl", "csv", "parquet", "md")
# The columns every machine-readable output carries, in this order.
PUBLIC = ("doc", "unit", "order", "lang", "kind", "text", "start", "end", "sentences", "score", "status",
          "claimed", "claim", "claim_off", "section", "detail", "problem", "transcript", "evidence")


def counts(trace: pl.DataFrame) -> dict[str, int]:
    """Units traced, unsupported, and claimed times checked as exact / near / wrong / unsupported."""
    claims = dict(trace.filter(pl.col("claim").is_not_null()).group_by("claim").len().iter_rows())
    return {
        "units": trace.height,
        "supported": trace.filter(pl.col("status") == "supported").height,
        "unsupported": trace.filter(pl.col("status") == "unsupported").height,
        "claimed": sum(claims.values()),
        **{f"claim_{k}": claims.get(k, 0) for k in ("exact", "near", "wrong", "unsupported")},
    }


def summary_lines(trace: pl.DataFrame) -> list[str]:
    """One line per document: units, supported, unsupported, claimed times wrong."""
    lines = []
    for (doc,), part in trace.group_by("doc", maintain_order=True):
        c = counts(part)
        line = f"{doc}: {c['units']} units, {c['supported']} traced, {c['unsupported']} unsupported"
        if c["claimed"]:
            line += (f"; {c['claimed']} claimed times: {c['claim_exact']} exact, {c['claim_near']} near, "
                     f"{c['claim_wrong']} wrong, {c['claim_unsupported']} unsupported")
        lines.append(line)
    return lines


def _public(trace: pl.DataFrame) -> pl.DataFrame:
    return trace.select([c for c in PUBLIC if c in trace.columns])


def to_jsonl(trace: pl.DataFrame) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _public(trace).iter_rows(named=True))


def to_csv(trace: pl.DataFrame) -> str:
    frame = _public(trace).with_columns(
        pl.col("sentences").cast(pl.List(pl.String)).list.join(" ").alias("sentences"))
    return frame.write_csv()


def to_parquet(trace: pl.DataFrame) -> bytes:
    buf = io.BytesIO()
    _public(trace).write_parquet(buf)
    return buf.getvalue()


def _md(text: str | None) -> str:
    out = (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "\\`*_[]#|":
        out = out.replace(ch, "\\" + ch)
    return out


def _flags(row: dict) -> list[str]:
    flags = []
    if row["status"] == "unsupported":
        flags.append("**unsupported**")
    if row["claim"] == "wrong":
        flags.append(f"claimed {format_hms(row['claimed'])}: **wrong** by {_minutes(row['claim_off'])}")
    elif row["claim"] == "near":
        flags.append(f"claimed {format_hms(row['claimed'])}: near ({row['claim_off']:+.0f} s)")
    elif row["claim"] == "exact":
        flags.append(f"claimed {format_hms(row['claimed'])}: exact")
    elif row["claim"] == "unsupported":
        flags.append(f"claimed {format_hms(row['claimed'])}: not found in the talk")
    if row["problem"]:
        flags.append(_md(row["problem"]))
    return flags


def _minutes(off: float) -> str:
    sign = "+" if off >= 0 else "-"
    return f"{sign}{format_hms(abs(off))}"


def to_markdown(trace: pl.DataFrame) -> str:
    """Each unit with its time ``[H:MM:SS]``, the supporting transcript text, and flags."""
    out = []
    for (doc,), part in trace.group_by("doc", maintain_order=True):
        out.append(f"# {_md(doc)}\n")
        c = counts(part)
        out.append(f"{c['supported']} of {c['units']} units traced, {c['unsupported']} unsupported"
                   + (f"; claimed times: {c['claim_exact']} exact, {c['claim_near']} near, {c['claim_wrong']} wrong, "
                      f"{c['claim_unsupported']} not found" if c["claimed"] else "") + ".\n")
        for row in part.iter_rows(named=True):
            when = f"[{format_hms(row['start'])}]" if row["start"] is not None else "[-:--:--]"
            if row["kind"] == "heading":
                out.append(f"## {when} {_md(row['text'])}\n")
                continue
            score = f" ({row['score']:.2f})" if row["score"] is not None else ""
            flags = _flags(row)
            out.append(f"- {when} *{row['kind']}*{score} {_md(row['text'])}"
                       + (f"  \n  {' · '.join(flags)}" if flags else ""))
            if row["transcript"]:
                out.append(f"  > {_md(_clip(row['transcript']))}")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def _clip(text: str, most: int = 400) -> str:
    return text if len(text) <= most else text[: most - 1].rsplit(" ", 1)[0] + " …"


def render(fmt: str, trace: pl.DataFrame) -> str | bytes:
    if fmt == "jsonl":
        return to_jsonl(trace)
    if fmt == "csv":
        return to_csv(trace)
    if fmt == "parquet":
        return to_parquet(trace)
    if fmt == "md":
        return to_markdown(trace)
    raise ValueError(f"unknown output format {fmt!r}; choose one of {', '.join(FORMATS)}")
