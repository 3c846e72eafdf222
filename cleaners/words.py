"""The word table: one row per raw token, the single source of truth of cleaning.

Every character of the decoded input belongs to exactly one token: ``raw`` is
the token and ``ws`` the whitespace that follows it, so ``"".join(raw + ws)``
rebuilds the input exactly (see :func:`rebuild_raw`). Cleaning passes never
delete rows; they set ``out`` (what the clean text shows, ``""`` when dropped)
and ``rule`` (the pass that last changed the token). Clean text, the edit log,
``--explain`` and sentences are all views of this table.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import regex

from cleaners.readers import CHROME, META, SPEECH, Span, SpanColumns

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

# Spoken-word duration used only when a format gives a cue no end at all.
SECONDS_PER_CHAR = 0.065


# Whitespace, as a lookup table by code point (every whitespace character is below U+3001).
# ``_ISSPACE`` is what str.strip removes; ``_WHITE`` is regex ``\s`` (Unicode White_Space), which
# separates tokens. They differ on \x1c-\x1f: stripped from a cue's start, yet part of a token.
_LOW = "".join(map(chr, range(0x3001)))
_ISSPACE = np.zeros(len(_LOW), dtype=bool)
_ISSPACE[[ord(ch) for ch in _LOW if ch.isspace()]] = True
_WHITE = np.zeros(len(_LOW), dtype=bool)
_WHITE[[ord(ch) for ch in regex.findall(r"\s", _LOW)]] = True


# Both as one table of bits (1: isspace, 2: white), with a last entry for every code point above it,
# so one clip and one take classify the whole text.
_CLASS = np.append(_ISSPACE.astype(np.uint8) | (_WHITE.astype(np.uint8) << 1), np.uint8(0))


def _classify(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(isspace, white) per character."""
    bits = _CLASS[np.minimum(codes, len(_CLASS) - 1)]
    return (bits & 1).view(bool), (bits >> 1).view(bool)


def build(text: str, spans: "list[Span] | SpanColumns") -> pl.DataFrame:
    """Tokenise ``text`` along the reader's spans into a word table.

    The rules, which the code below applies to all characters at once with numpy:
    a span that is not speech is one token; in a speech span, the leading
    whitespace joins the previous token's ``ws`` (or becomes an empty meta token
    at the very start), and the rest splits into runs of non-whitespace (``raw``),
    each followed by its whitespace (``ws``). A word's times are interpolated
    within its cue by its character offset: ``t0 + (t1 - t0) * offset / n``.
    """
    if not spans:  # only an empty text has no spans
        return pl.DataFrame(schema=SCHEMA)
    size = len(text)
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    space, white = _classify(codes)
    # The spans' fields as columns: as the reader made them, or one transpose of the named tuples.
    columns = spans.columns if isinstance(spans, SpanColumns) else zip(*spans)
    begin_of, stop_of, kind_of, start_of, end_of, speaker_of, cue_of = columns
    begins = np.array(begin_of, dtype=np.int64)
    stops = np.array(stop_of, dtype=np.int64)
    span_kind = np.array(kind_of, dtype=object)
    speech = span_kind == SPEECH

    # Where each speech span's body starts: its first character that str.strip would keep
    # (past the run of stripped characters it may begin with).
    run_last = np.flatnonzero(space & ~np.append(space[1:], False))  # the last character of each such run
    skip = begins < size
    skip[skip] = space[begins[skip]]
    first_kept = begins.copy()
    first_kept[skip] = run_last[np.searchsorted(run_last, begins[skip])] + 1
    body = np.where(speech, np.minimum(first_kept, stops), stops)

    # Word starts: a non-whitespace character in a body, at the body's start or after whitespace.
    # (Only the starts of non-whitespace runs and the bodies' starts are looked at, not every character.)
    after_white = np.concatenate(([False], white[:-1])) if size else white
    run_at = np.flatnonzero(~white & after_white)
    run_span = np.searchsorted(begins, run_at, side="right") - 1  # the span holding each position
    body_at = body[speech & (body < stops)]
    starts_word = np.zeros(size, dtype=bool)
    starts_word[run_at[speech[run_span] & (run_at >= body[run_span])]] = True
    starts_word[body_at[~white[body_at]]] = True
    word_at = np.flatnonzero(starts_word)
    word_span = np.searchsorted(begins, word_at, side="right") - 1
    # A word ends at whitespace or at its span's end, whichever comes first.
    cut = white.copy()
    cut[begins[begins < size]] = True  # a span's start ends any word of the span before
    breaks = np.append(np.flatnonzero(cut), size)
    word_end = np.minimum(breaks[np.searchsorted(breaks, word_at, side="right")], stops[word_span])

    # Non-speech spans are one token each; a speech span opening the text with whitespace gives an empty meta token.
    other = np.flatnonzero(~speech)
    lead = speech & (body > begins)
    producing = np.flatnonzero(~speech | lead | (body < stops))
    opener = producing[:1][lead[producing[:1]]]

    tok_start = np.concatenate((begins[opener], begins[other], word_at))
    tok_raw_end = np.concatenate((begins[opener], stops[other], word_end))
    tok_span = np.concatenate((opener, other, word_span))
    tok_kind = np.concatenate((np.zeros(len(opener), np.int8), np.ones(len(other), np.int8), np.full(len(word_at), 2, np.int8)))
    order = np.lexsort((tok_kind, tok_span, tok_start))
    tok_start, tok_raw_end, tok_span, tok_kind = tok_start[order], tok_raw_end[order], tok_span[order], tok_kind[order]
    # Each token's whitespace runs to the next token's start (this is how a cue's leading whitespace joins the token before).
    raw, ws = _raw_and_ws(text, codes, tok_start, tok_raw_end)
    span_kinds = (span_kind != META).astype(np.int8)  # 0 meta, 1 chrome (of non-speech spans)
    kind_code = np.where(tok_kind == 2, 2, np.where(tok_kind == 0, 0, span_kinds[tok_span]))

    is_word = tok_kind == 2
    t0s = np.array(start_of, dtype=np.float64)  # None becomes NaN
    t1s = np.array(end_of, dtype=np.float64)
    n_body = np.maximum(stops - body, 1)
    t1s = np.where(~np.isnan(t0s) & (np.isnan(t1s) | (t1s < t0s)), t0s + SECONDS_PER_CHAR * n_body, t1s)
    t0 = t0s[tok_span]
    span_time = t1s[tok_span] - t0
    n = n_body[tok_span]
    # numpy, not a polars expression, for the arithmetic: polars may divide by multiplying with 1/n,
    # which differs from the formula in the last bit, and times must not depend on that.
    with np.errstate(invalid="ignore"):  # NaN for untimed and non-speech tokens, nulled below
        start = t0 + span_time * (tok_start - body[tok_span]) / n
        end = t0 + span_time * np.minimum(tok_raw_end - body[tok_span], n) / n
    # Untimed words (a format without times on some cues) take their neighbours' times: the
    # times of the timed word before, or (before the first one) after. Non-words have none.
    timed = is_word & ~np.isnan(t0)
    count = len(tok_start)
    if timed.any():
        source = np.where(timed, np.arange(count), -1)
        np.maximum.accumulate(source, out=source)
        source[source < 0] = np.argmax(timed)
        start_col = pl.Series(start[source], dtype=pl.Float64)
        end_col = pl.Series(end[source], dtype=pl.Float64)
    else:
        start_col = end_col = pl.Series([None] * count, dtype=pl.Float64)
    # each token's span, null for non-words: gathering by it gives them a null cue and hint
    at = pl.Series(tok_span, dtype=pl.Int64).scatter(np.flatnonzero(~is_word), None)
    kind = pl.Series([META, CHROME, WORD], dtype=pl.String).gather(kind_code)
    frame = pl.DataFrame(
        {
            "i": pl.Series(range(count), dtype=pl.UInt32),
            "raw": raw,
            "ws": ws,
            "kind": kind,
            "start": start_col,
            "end": end_col,
            "cue": pl.Series(cue_of, dtype=pl.Int32).gather(at),
            "hint": pl.Series(speaker_of, dtype=pl.String).gather(at),
        }
    )
    frame = frame.with_columns(
        pl.lit(0, dtype=pl.Int32).alias("turn"),
        pl.when(pl.col("kind") == WORD).then(pl.col("raw")).otherwise(pl.lit("")).alias("out"),
        pl.when(pl.col("kind") == META).then(pl.lit("reader")).otherwise(pl.lit(None, dtype=pl.String)).alias("rule"),
        pl.lit(None, dtype=pl.Int32).alias("sent"),
    )
    return frame.select(list(SCHEMA))


# Noncharacters (never in real text): one that the text lacks marks the cuts for polars' split.
_CUT_MARKS = range(0xFDD0, 0xFDF0)


def _raw_and_ws(text: str, codes: np.ndarray, tok_start: np.ndarray, tok_raw_end: np.ndarray) -> tuple[pl.Series, pl.Series]:
    """The ``raw`` and ``ws`` columns: the text cut at every token's start and raw end.

    The cuts run through the text in order (raw, ws, raw, ws, ...), so a mark character
    put in at every cut (numpy, on the code points) and one polars split give all the
    pieces at once: no Python slice per token.
    """
    cuts = np.empty(2 * len(tok_start) + 1, dtype=np.int64)
    cuts[0:-1:2] = tok_start
    cuts[1::2] = tok_raw_end
    cuts[-1] = len(text)
    mark = next((m for m in _CUT_MARKS if not (codes == m).any()), None)
    if mark is None or (np.diff(cuts) < 0).any() or not len(tok_start):
        return _raw_and_ws_sliced(text, cuts)
    inner = cuts[1:-1] - cuts[0]
    body = codes[cuts[0]:]
    marked = np.empty(len(body) + len(inner), dtype=np.uint32)
    at = inner + np.arange(len(inner))  # where each mark lands once the ones before it are in
    keep = np.ones(len(marked), dtype=bool)
    keep[at] = False
    marked[keep] = body
    marked[at] = mark
    try:
        joined = marked.tobytes().decode("utf-32-le")
    except UnicodeDecodeError:  # a lone surrogate (only in a caller's own str): polars cannot hold it anyway
        return _raw_and_ws_sliced(text, cuts)
    both = pl.Series([joined], dtype=pl.String).str.split(chr(mark)).explode()
    return both.gather_every(2), both.gather_every(2, offset=1)


def _raw_and_ws_sliced(text: str, cuts: np.ndarray) -> tuple[pl.Series, pl.Series]:
    bounds = cuts.tolist()
    return (pl.Series([text[i:j] for i, j in zip(bounds[0:-1:2], bounds[1::2])], dtype=pl.String),
            pl.Series([text[i:j] for i, j in zip(bounds[1::2], bounds[2::2])], dtype=pl.String))


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
