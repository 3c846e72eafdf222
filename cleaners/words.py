"""The word table: one row per raw token, the single source of truth of cleaning.

Every character of the decoded input belongs to exactly one token: ``raw`` is
the token and ``ws`` the whitespace that follows it, so ``"".join(raw + ws)``
rebuilds the input exactly (see :func:`rebuild_raw`). Cleaning passes never
delete rows; they set ``out`` (what the clean text shows, ``""`` when dropped)
and ``rule`` (the pass that last changed the token). Clean text, the edit log,
``--explain`` and sentences are all views of this table.
"""

from __future__ import annotations

import polars as pl
import regex

from cleaners.readers import CHROME, META, SPEECH, Span

WORD = "word"

# Column schema, checked at the package boundary (see check_words).
SCHEMA: dict[str, pl.DataType] = {
    "i": pl.UInt32,  # token index in the raw input
    "raw": pl.String,  # the token as the input has it
    "ws": pl.String,  # whitespace after it in the input
    "kind": pl.String,  # word | meta | chrome
    "start": pl.Float64,  # seconds
    "end": pl.Float64,
    "cue": pl.Int32,  # cue number from the reader (null for meta/chrome)
    "hint": pl.String,  # speaker name the caption format itself carried, if any
    "turn": pl.Int32,  # speaker-turn number (set by the turns pass)
    "out": pl.String,  # what the clean text shows ("" when dropped)
    "rule": pl.String,  # the pass that last changed it (null when untouched)
    "sent": pl.Int32,  # sentence number (set by the sentences pass; null for dropped tokens)
}

_TOKEN = regex.compile(r"(\S+)(\s*)")
# Spoken-word duration used only when a format gives a cue no end at all.
SECONDS_PER_CHAR = 0.065


def build(text: str, spans: list[Span]) -> pl.DataFrame:
    """Tokenise ``text`` along the reader's spans into a word table.

    The loop runs once per span (tokens come from one ``findall`` each); word
    times are interpolated in polars, by each word's character offset within its
    cue, rather than token by token in Python.
    """
    raw: list[str] = []
    ws: list[str] = []
    kind: list[str] = []
    owner: list[int | None] = []  # per token: the index of its speech span in the lists below
    t0s: list[float | None] = []
    t1s: list[float | None] = []
    sizes: list[int] = []
    cues: list[int | None] = []
    hints: list[str | None] = []

    for span in spans:
        piece = text[span.begin : span.stop]
        if span.kind != SPEECH:
            raw.append(piece)
            ws.append("")
            kind.append(META if span.kind == META else CHROME)
            owner.append(None)
            continue
        body = piece.lstrip()
        lead = len(piece) - len(body)
        if lead:
            if raw:
                ws[-1] += piece[:lead]
            else:
                raw.append("")
                ws.append(piece[:lead])
                kind.append(META)
                owner.append(None)
        pairs = _TOKEN.findall(body)
        if not pairs:
            continue
        t0 = span.start
        t1 = span.end
        if t0 is not None and (t1 is None or t1 < t0):
            t1 = t0 + SECONDS_PER_CHAR * max(len(body), 1)
        k = len(t0s)
        t0s.append(t0)
        t1s.append(t1)
        sizes.append(max(len(body), 1))
        cues.append(span.cue)
        hints.append(span.speaker)
        tokens, spaces = zip(*pairs)
        raw.extend(tokens)
        ws.extend(spaces)
        kind.extend([WORD] * len(pairs))
        owner.extend([k] * len(pairs))

    timing = pl.DataFrame(
        {
            "_span": pl.Series(range(len(t0s)), dtype=pl.Int64),
            "_t0": pl.Series(t0s, dtype=pl.Float64),
            "_t1": pl.Series(t1s, dtype=pl.Float64),
            "_n": pl.Series(sizes, dtype=pl.Int64),
            "cue": pl.Series(cues, dtype=pl.Int32),
            "hint": pl.Series(hints, dtype=pl.String),
        }
    )
    frame = pl.DataFrame(
        {
            "i": pl.Series(range(len(raw)), dtype=pl.UInt32),
            "raw": pl.Series(raw, dtype=pl.String),
            "ws": pl.Series(ws, dtype=pl.String),
            "kind": pl.Series(kind, dtype=pl.String),
            "_span": pl.Series(owner, dtype=pl.Int64),
        }
    ).join(timing, on="_span", how="left", maintain_order="left")
    # A word's offset in its cue is the length of the words (and spaces) before it in the same cue.
    # Only a cue's last word can have had the next cue's leading whitespace added, and no offset counts it.
    length = pl.col("raw").str.len_chars().cast(pl.Int64)
    width = length + pl.col("ws").str.len_chars().cast(pl.Int64)
    offset = width.cum_sum().over("_span") - width
    at = frame.select(offset.alias("begin"), pl.min_horizontal(offset + length, pl.col("_n")).alias("stop"))
    # numpy, not a polars expression, for the arithmetic: polars may divide by multiplying with 1/n,
    # which differs from t0 + (t1 - t0) * offset / n in the last bit, and times must not depend on that.
    t0 = frame["_t0"].to_numpy()
    span_time = frame["_t1"].to_numpy() - t0
    n = frame["_n"].to_numpy()
    untimed = frame["_t0"].is_null()
    frame = frame.with_columns(
        pl.Series("start", t0 + span_time * at["begin"].to_numpy() / n).scatter(untimed.arg_true(), None),
        pl.Series("end", t0 + span_time * at["stop"].to_numpy() / n).scatter(untimed.arg_true(), None),
    )
    # Untimed words (a format without times on some cues) take their neighbours' times.
    frame = frame.with_columns(
        pl.col("start").forward_fill().backward_fill(),
        pl.col("end").forward_fill().backward_fill(),
    ).with_columns(
        pl.lit(0, dtype=pl.Int32).alias("turn"),
        pl.when(pl.col("kind") == WORD).then(pl.col("raw")).otherwise(pl.lit("")).alias("out"),
        pl.when(pl.col("kind") == META).then(pl.lit("reader")).otherwise(pl.lit(None, dtype=pl.String)).alias("rule"),
        pl.lit(None, dtype=pl.Int32).alias("sent"),
    )
    return frame.select(list(SCHEMA))


def rebuild_raw(words: pl.DataFrame) -> str:
    """The decoded input, exactly: every token followed by its whitespace."""
    return "".join(words.select(pl.col("raw") + pl.col("ws")).to_series().to_list())


def check_words(words: pl.DataFrame) -> None:
    """Raise if a frame is not a word table (wrong or missing columns)."""
    for name, dtype in SCHEMA.items():
        if name not in words.columns:
            raise ValueError(f"word table lacks column {name!r}")
        if words.schema[name] != dtype:
            raise ValueError(f"word table column {name!r} is {words.schema[name]}, expected {dtype}")


def clean_text(words: pl.DataFrame) -> str:
    """The clean words joined by single spaces (no sentence structure)."""
    kept = words.filter((pl.col("kind") == WORD) & (pl.col("out") != ""))
    return " ".join(kept["out"].to_list())


def edits(words: pl.DataFrame) -> pl.DataFrame:
    """The edit log: every speech token some pass changed, with the pass's name."""
    return words.filter(
        (pl.col("kind") != META) & pl.col("rule").is_not_null() & (pl.col("out") != pl.col("raw"))
    ).select("i", "start", "raw", "out", "rule")
