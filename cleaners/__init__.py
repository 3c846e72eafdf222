"""cleaners: raw captions in any common format -> timed, speaker-tagged clean sentences.

>>> from cleaners import clean_file
>>> result = clean_file("episode.txt", speakers=["Host", "Guest"])
>>> result.sentences       # polars DataFrame: id, start, end, turn, speaker, text
>>> result.edits           # every change, with the pass that made it
>>> result.raw_text()      # the input, rebuilt exactly from the word table
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from cleaners import pipeline, views, words as wordtable
from cleaners.decode import decode, read_bytes
from cleaners.errors import InputError, OutputError, TranscriptAlignError
from cleaners.pipeline import LEVELS, Context
from cleaners.readers import formats, read_spans

__all__ = [
    "Cleaned",
    "Context",
    "InputError",
    "LEVELS",
    "OutputError",
    "TranscriptAlignError",
    "clean_file",
    "clean_text",
    "formats",
    "read_words",
]


@dataclass
class Cleaned:
    """The result of cleaning one caption file: the word table and its views."""

    words: pl.DataFrame
    format: str
    source: str
    speakers: list[str] = field(default_factory=list)
    encoding: str = "utf-8"

    @property
    def sentences(self) -> pl.DataFrame:
        return views.sentences(self.words, self.speakers)

    @property
    def edits(self) -> pl.DataFrame:
        return wordtable.edits(self.words)

    def text(self) -> str:
        return wordtable.clean_text(self.words)

    def raw_text(self) -> str:
        return wordtable.rebuild_raw(self.words)


def read_words(text: str, fmt: str | None = None, source: str | None = None) -> tuple[str, pl.DataFrame]:
    """Sniff (or take) the format and build the untouched word table. Returns (format, words)."""
    fmt, spans = read_spans(text, fmt, source)
    return fmt, wordtable.build(text, spans)


def clean_text(
    text: str,
    *,
    fmt: str | None = None,
    level: str = "standard",
    speakers: list[str] | None = None,
    glossary: list[str] | None = None,
    context: list[str] | None = None,
    source: str | None = None,
    **options,
) -> Cleaned:
    """Clean caption ``text``. ``context`` holds the *texts* of companion documents."""
    ctx = Context(
        level=level,
        speakers=list(speakers or []),
        glossary_files=list(glossary or []),
        context_texts=list(context or []),
        **options,
    )
    fmt, words = read_words(text, fmt, source)
    words = pipeline.run(words, ctx)
    return Cleaned(words, fmt, source or "<input>", ctx.speakers)


def clean_file(
    path: str | Path,
    *,
    fmt: str | None = None,
    level: str = "standard",
    speakers: list[str] | None = None,
    glossary: list[str] | None = None,
    context: list[str | Path] | None = None,
    **options,
) -> Cleaned:
    """Clean the caption file at ``path`` (``"-"`` for stdin); ``context`` lists companion document paths."""
    text, encoding = decode(read_bytes(path), str(path))
    context_texts = [decode(read_bytes(p), str(p))[0] for p in (context or [])]
    result = clean_text(
        text, fmt=fmt, level=level, speakers=speakers, glossary=[str(g) for g in glossary or []],
        context=context_texts, source=str(path), **options,
    )
    result.encoding = encoding
    return result
