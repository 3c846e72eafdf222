"""Caption readers: turn any caption dump into a partition of its text into spans.

A reader never edits the text. It cuts the decoded input into consecutive
:class:`Span` objects that together cover every character, and says for each
what it is: spoken words with their cue times, timing/markup that the reader
turned into data, or page chrome around the captions. The word table
(:mod:`cleaners.words`) is built from these spans, which is what makes cleaning
lossless: the raw input is the concatenation of the spans.

Each format lives in its own module and registers a ``sniff`` and a ``read``
function in :data:`READERS`; :func:`read_spans` picks one by sniffing unless a
format is named.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np

from cleaners.errors import InputError

SPEECH = "speech"  # words someone said
META = "meta"  # timing markers, cue numbers, headers, tags: turned into data by the reader
CHROME = "chrome"  # page boilerplate around the captions


class Span(NamedTuple):
    """A piece of the input text (a named tuple: a long caption file has tens of thousands).

    ``begin``/``stop`` are character offsets into the decoded input.
    ``start``/``end`` are the cue's times in seconds (speech spans only; ``end``
    may be ``None`` when the format does not say and the next cue's start is used).
    ``speaker`` is a speaker name the format itself carries (``<v Name>``, Whisper
    diarisation), if any.
    """

    begin: int
    stop: int
    kind: str
    start: float | None = None
    end: float | None = None
    speaker: str | None = None
    cue: int | None = None


class SpanColumns(Sequence):
    """Spans kept as seven columns (lists, one per :class:`Span` field) instead of one tuple each.

    A reader of a long file (a caption page has 8,000 spans) returns this so nothing makes
    a tuple per span that :func:`cleaners.words.build` would only take apart again; build
    reads the columns as they are. To everything else it is a sequence of :class:`Span`,
    each made when asked for, equal to the list of the same spans.
    """

    __slots__ = ("columns",)

    def __init__(self, begin: list, stop: list, kind: list, start: list, end: list, speaker: list, cue: list):
        if not len(begin) == len(stop) == len(kind) == len(start) == len(end) == len(speaker) == len(cue):
            raise ValueError("span columns differ in length")
        self.columns = (begin, stop, kind, start, end, speaker, cue)

    def __len__(self) -> int:
        return len(self.columns[0])

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self[j] for j in range(*k.indices(len(self)))]
        return Span._make(column[k] for column in self.columns)

    def __iter__(self):
        return map(Span._make, zip(*self.columns))

    def __eq__(self, other) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    def __repr__(self) -> str:
        return f"SpanColumns({len(self)} spans)"


@dataclass
class Reader:
    name: str
    sniff: Callable[[str], bool]
    read: Callable[[str, str], "list[Span] | SpanColumns"]
    description: str


READERS: dict[str, Reader] = {}


def register(name: str, description: str, sniff: Callable[[str], bool] | None = None):
    """Decorator for a module's ``read`` function; its ``sniff`` is looked up beside it unless given."""

    def wrap(read):
        import sys

        module = sys.modules[read.__module__]
        READERS[name] = Reader(name, sniff or module.sniff, read, description)
        return read

    return wrap


def _load_all() -> None:
    # Order matters for sniffing: the most specific formats first.
    from cleaners.readers import caption_page, json_formats, srt, vtt, plain  # noqa: F401


def formats() -> list[str]:
    _load_all()
    return list(READERS)


def sniff_format(text: str, source: str | None = None) -> str:
    """Name of the first reader whose ``sniff`` accepts ``text``."""
    _load_all()
    for reader in READERS.values():
        if reader.sniff(text):
            return reader.name
    if text.lstrip("\ufeff \t\r\n")[:1] in ("[", "{"):
        raise InputError(
            source,
            "is JSON but not captions this tool knows (a youtube-transcript-api list of "
            "{text, start, duration} objects, or Whisper output with 'segments'); name one with --format",
        )
    raise InputError(
        source,
        "no caption format recognised (expected SRT, WebVTT, YouTube or Whisper JSON, "
        "a caption page with (HH:MM:SS) markers, or [HH:MM:SS] text lines); "
        "name one with --format",
    )


def read_spans(text: str, fmt: str | None = None, source: str | None = None) -> "tuple[str, list[Span] | SpanColumns]":
    """Cut ``text`` into spans with the named reader, or the sniffed one. Returns (format, spans):
    a list of :class:`Span`, or :class:`SpanColumns` from a reader that builds columns."""
    _load_all()
    if not text.strip():
        raise InputError(source, "is empty" if not text else "holds only whitespace, no captions")
    if fmt is None:
        fmt = sniff_format(text, source)
    if fmt not in READERS:
        raise InputError(source, f"unknown format {fmt!r}; known: {', '.join(READERS)}")
    spans = READERS[fmt].read(text, source or "<input>")
    check_partition(text, spans, source)
    if not any(s.kind == SPEECH and text[s.begin : s.stop].strip() for s in spans):
        raise InputError(source, f"no caption text found (read as {fmt})")
    return fmt, spans


def check_partition(text: str, spans: "list[Span] | SpanColumns", source: str | None = None) -> None:
    """Spans must cover the text exactly, in order: the losslessness contract of every reader."""
    if isinstance(spans, SpanColumns):  # the same check on the columns, without a loop
        begin, stop = spans.columns[0], spans.columns[1]
        if not len(begin):
            pos = 0
        else:
            starts = np.array(begin, dtype=np.int64)
            stops = np.array(stop, dtype=np.int64)
            expected = np.concatenate(([0], stops[:-1]))
            bad = np.flatnonzero((starts != expected) | (stops < starts))
            if len(bad):
                k = int(bad[0])
                raise AssertionError(
                    f"{source}: reader spans do not partition the input at offset {int(expected[k])}: {spans[k]}"
                )
            pos = int(stops[-1])
        if pos != len(text):
            raise AssertionError(f"{source}: reader spans end at {pos}, input has {len(text)} characters")
        return
    pos = 0
    for s in spans:
        if s.begin != pos or s.stop < s.begin:
            raise AssertionError(f"{source}: reader spans do not partition the input at offset {pos}: {s}")
        pos = s.stop
    if pos != len(text):
        raise AssertionError(f"{source}: reader spans end at {pos}, input has {len(text)} characters")


def partition(text: str, pieces: list[tuple[int, int, str, dict]]) -> list[Span]:
    """Build a full partition from the pieces a reader recognised.

    ``pieces`` are (begin, stop, kind, fields) in order and non-overlapping; the
    gaps between them become META spans (whitespace, separators). Readers use
    this so they only describe what they understood.
    """
    spans: list[Span] = []
    add = spans.append
    pos = 0
    for begin, stop, kind, fields in pieces:
        if begin > pos:
            add(Span(pos, begin, META))
        if stop > begin:
            add(Span(begin, stop, kind, **fields) if fields else Span(begin, stop, kind))
        if stop > pos:
            pos = stop
    if pos < len(text):
        spans.append(Span(pos, len(text), META))
    return spans


def cue_times(starts: list[float | None], lengths: list[int], last_end: float | None = None) -> list[tuple]:
    """(start, end) per cue for formats that only stamp cue starts.

    A cue ends where the next later-stamped cue starts. Consecutive cues that
    carry the same stamp (captions stamp to the whole second) share that
    interval in proportion to their text length, so word times never go back.
    """
    n = len(starts)
    out: list[tuple] = [(None, None)] * n
    k = 0
    while k < n:
        t = starts[k]
        j = k + 1
        while j < n and (starts[j] is None or starts[j] == t):
            j += 1
        if t is None:
            k = j
            continue
        nxt = starts[j] if j < n else last_end
        size = lengths[k] if j == k + 1 else sum(lengths[k:j])
        if nxt is None or nxt <= t:
            nxt = t + 0.065 * size  # words.SECONDS_PER_CHAR: no later stamp to go by
        total = max(size, 1)
        if j == k + 1:  # most cues have a stamp of their own
            out[k] = (t, t + (nxt - t) * size / total)
            k = j
            continue
        pos = t
        for m in range(k, j):
            share = (nxt - t) * lengths[m] / total
            out[m] = (pos, pos + share)
            pos += share
        k = j
    return out
