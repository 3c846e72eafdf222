"""The word table's tokeniser (cleaners.words.build): lossless, and the same table as the plain per-token loop.

``build`` was rewritten for speed (numpy over all characters at once);
:func:`reference_build` is the straightforward per-token loop it replaced, kept
here as the oracle.
"""

from __future__ import annotations

import polars as pl
import regex
from hypothesis import given, settings, strategies as st

from cleaners.readers import CHROME, META, SPEECH, Span, read_spans
from cleaners.words import SCHEMA, SECONDS_PER_CHAR, WORD, build, rebuild_raw

from conftest import EPISODE, FIXTURES

_TOKEN = regex.compile(r"(\S+)(\s*)")


def reference_build(text: str, spans: list[Span]) -> pl.DataFrame:
    rows = []
    for span in spans:
        piece = text[span.begin : span.stop]
        if span.kind != SPEECH:
            rows.append([piece, "", META if span.kind == META else CHROME, None, None, None, None])
            continue
        lead = len(piece) - len(piece.lstrip())
        if lead:
            if rows:
                rows[-1][1] += piece[:lead]
            else:
                rows.append(["", piece[:lead], META, None, None, None, None])
        body = piece[lead:]
        t0, t1 = span.start, span.end
        if t0 is not None and (t1 is None or t1 < t0):
            t1 = t0 + SECONDS_PER_CHAR * max(len(body), 1)
        n = max(len(body), 1)
        for m in _TOKEN.finditer(body):
            s = e = None
            if t0 is not None:
                s = t0 + (t1 - t0) * m.start() / n
                e = t0 + (t1 - t0) * min(m.end(1), n) / n
            rows.append([m.group(1), m.group(2), WORD, s, e, span.cue, span.speaker])
    frame = pl.DataFrame(rows, schema=["raw", "ws", "kind", "start", "end", "cue", "hint"], orient="row",
                         schema_overrides={"start": pl.Float64, "end": pl.Float64, "cue": pl.Int32, "hint": pl.String})
    frame = frame.with_row_index("i").with_columns(
        pl.col("i").cast(pl.UInt32),
        pl.col("start").forward_fill().backward_fill(),
        pl.col("end").forward_fill().backward_fill(),
        pl.lit(0, dtype=pl.Int32).alias("turn"),
        pl.when(pl.col("kind") == WORD).then(pl.col("raw")).otherwise(pl.lit("")).alias("out"),
        pl.when(pl.col("kind") == META).then(pl.lit("reader")).otherwise(pl.lit(None, dtype=pl.String)).alias("rule"),
        pl.lit(None, dtype=pl.Int32).alias("sent"),
    )
    return frame.select(list(SCHEMA)).cast(SCHEMA)


def test_every_whitespace_character_is_in_the_lookup_tables():
    import sys

    from cleaners import words

    for c in range(sys.maxunicode + 1):
        ch = chr(c)
        if ch.isspace() or regex.match(r"\s", ch):
            assert c < len(words._ISSPACE) and words._ISSPACE[c] == ch.isspace(), hex(c)
            assert words._WHITE[c] == bool(regex.match(r"\s", ch)), hex(c)


def test_bundled_episode_gives_the_same_table_as_the_plain_loop():
    text = (EPISODE / "002_39f15ef3401b1368.txt").read_text(encoding="utf-8")
    _, spans = read_spans(text)
    fast = build(text, spans)
    assert fast.equals(reference_build(text, spans))
    assert rebuild_raw(fast) == text


def test_timed_lines_give_the_same_table_as_the_plain_loop():
    text = (FIXTURES / "batch" / "timed-lines" / "transcript.md").read_text(encoding="utf-8")
    _, spans = read_spans(text)
    assert build(text, spans).equals(reference_build(text, spans))


# Whitespace that str.isspace and the regex \s disagree on (\x1c-\x1f) is included on purpose.
_PIECE = st.text(alphabet=st.sampled_from(list("ab Zé中 \t\n\r\xa0\x1c\u2003>>(]")), max_size=12)
_SEGMENT = st.tuples(
    st.sampled_from([SPEECH, SPEECH, META, CHROME]),
    _PIECE,
    st.one_of(st.none(), st.floats(0, 1e4, allow_nan=False)),
    st.one_of(st.none(), st.floats(0, 1e4, allow_nan=False)),
    st.one_of(st.none(), st.integers(0, 50)),
    st.one_of(st.none(), st.sampled_from(["Host", "Guest"])),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_SEGMENT, max_size=12))
def test_any_partition_gives_the_same_lossless_table(segments):
    text, spans, pos = "", [], 0
    for kind, piece, start, end, cue, speaker in segments:
        timed = {"start": start, "end": end, "cue": cue, "speaker": speaker} if kind == SPEECH else {}
        spans.append(Span(pos, pos + len(piece), kind, **timed))
        text += piece
        pos += len(piece)
    fast = build(text, spans)
    assert rebuild_raw(fast) == text
    assert fast.equals(reference_build(text, spans))
