"""Three-way alignment: a Chinese document, its English translation, and the transcript.

>>> from align.threeway import align_translation
>>> table = align_translation(sentences, "article.zh.md", "article.en.md")
>>> table.filter(pl.col("time_from") == "zh")   # pairs timed by the Chinese side alone

The two documents are first aligned sentence by sentence into beads (:mod:`align.parallel`:
1-1, 1-2, 2-1, ... with the multilingual encoder when installed, CC-CEDICT otherwise). Each
bead's English side is then traced onto the transcript with the English aligner, which is far
stronger than matching Chinese against English; a bead whose English side finds no support (or
that has no English side) falls back to its Chinese side's own cross-language candidates.

One row per bead (:data:`THREEWAY_SCHEMA`): ``pair`` (bead number), ``zh`` and ``en`` (the
sentences of each side, joined), their sentence numbers ``zh_ids``/``en_ids`` and paragraph
numbers ``zh_para``/``en_para`` (from 1), ``speaker`` (a ``**Name**:`` tag), ``bead_score``,
then the trace: ``status``, ``start``, ``end``, ``sentences``, ``score``, ``time_from`` (``en``
or ``zh``: which side gave the time), ``transcript``.

Documents may be plain text or Markdown with headings, ``**Name**:`` speaker tags and
``<details>`` blocks; :func:`read_bilingual` splits a file that interleaves the two sides (each
Chinese paragraph followed by a ``<details>`` block holding the English original).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import regex

from align import encoder as encoders, parallel, search
from align.documents import units_from_frame
from align.zh import split as split_sentences
from cleaners.decode import decode, read_bytes
from cleaners.errors import InputError

THREEWAY_SCHEMA: dict[str, pl.DataType] = {
    "pair": pl.Int32,
    "zh": pl.String,
    "en": pl.String,
    "zh_ids": pl.List(pl.Int32),
    "en_ids": pl.List(pl.Int32),
    "zh_para": pl.Int32,
    "en_para": pl.Int32,
    "speaker": pl.String,
    "bead_score": pl.Float64,
    "status": pl.String,
    "start": pl.Float64,
    "end": pl.Float64,
    "sentences": pl.List(pl.Int32),
    "score": pl.Float64,
    "time_from": pl.String,
    "transcript": pl.String,
}

_SPEAKER = regex.compile(r"^\s*\*\*([^*\n]{1,60})\*\*\s*[:：]\s*")
_TAG = regex.compile(r"<summary\b[^>]*>.*?</summary>|</?(?:details|summary)\b[^>]*>", regex.I | regex.S)
_FRONT_MATTER = regex.compile(r"\A\s*---\n.*?\n---\s*\n", regex.S)


@dataclass(frozen=True)
class Sentence:
    text: str
    paragraph: int  # from 1, counting the document's text paragraphs (headings left out)
    speaker: str | None


def _strip_front(text: str) -> str:
    """Drop YAML front matter, and any comment lines (``#`` headings) before it."""
    lines = text.splitlines(keepends=True)
    k = 0
    while k < len(lines) and (lines[k].startswith("#") or not lines[k].strip()):
        k += 1
    rest = "".join(lines[k:])
    return _FRONT_MATTER.sub("", rest, count=1) if rest.startswith("---") else text


def paragraphs(text: str) -> list[tuple[str | None, str]]:
    """``(speaker, text)`` for each blank-line separated text paragraph of a (Markdown) document;
    headings, ``<details>``/``<summary>`` tags and front matter are left out, a leading
    ``**Name**:`` tag becomes the speaker."""
    out = []
    for block in regex.split(r"\n\s*\n", _strip_front(text.replace("\r\n", "\n"))):
        lines = [ln for ln in block.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
        body = _TAG.sub("", " ".join(ln.strip() for ln in lines)).strip()
        if not body:
            continue
        m = _SPEAKER.match(body)
        speaker = m.group(1).strip() if m else None
        body = body[m.end():].strip() if m else body
        if body:
            out.append((speaker, body))
    return out


def document_sentences(text: str, lang: str) -> list[Sentence]:
    """The document's sentences in order, each with its paragraph number and speaker."""
    return [Sentence(s, n, speaker) for n, (speaker, para) in enumerate(paragraphs(text), 1)
            for s in split_sentences(para, lang)]


def read_bilingual(text: str) -> tuple[str, str]:
    """Split a file that interleaves the two sides into ``(chinese, english)`` texts.

    The layout: each Chinese paragraph followed by a ``<details>`` block (with an optional
    ``<summary>``) holding the English original; headings outside the blocks go with the Chinese
    side. Speaker tags stay on their paragraphs."""
    zh, en, inside = [], [], False
    for line in _strip_front(text.replace("\r\n", "\n")).splitlines():
        low = line.strip().lower()
        if low.startswith("<details"):
            inside = True
            en.append("")
            continue
        if low.startswith("</details"):
            inside = False
            en.append("")
            continue
        if inside and low.startswith("<summary"):
            continue
        (en if inside else zh).append(line)
    return "\n".join(zh).strip() + "\n", "\n".join(en).strip() + "\n"


def _read(path: str | Path) -> str:
    return decode(read_bytes(path), str(path))[0]


def load_pair(zh_doc: str | Path, en_doc: str | Path | None = None) -> tuple[str, str]:
    """The texts of the two sides: two files, or one interleaved file when ``en_doc`` is None."""
    if en_doc is None:
        zh_text, en_text = read_bilingual(_read(zh_doc))
        if not paragraphs(en_text):
            raise InputError(str(zh_doc), "no <details> blocks with the English side found; give the translation as its own file")
        return zh_text, en_text
    return _read(zh_doc), _read(en_doc)


def align_translation(sentences: pl.DataFrame, zh_doc: str | Path, en_doc: str | Path | None = None, *,
                      use_encoder: bool | None = None, warn=None, min_score: float = search.MIN_SCORE) -> pl.DataFrame:
    """The three-way table for a Chinese document and its English translation (files; one
    interleaved file when ``en_doc`` is None), traced onto transcript ``sentences``."""
    zh_text, en_text = load_pair(zh_doc, en_doc)
    return align_translation_text(sentences, zh_text, en_text, use_encoder=use_encoder, warn=warn, min_score=min_score)


def align_translation_text(sentences: pl.DataFrame, zh_text: str, en_text: str, *, use_encoder: bool | None = None,
                           warn=None, min_score: float = search.MIN_SCORE) -> pl.DataFrame:
    """:func:`align_translation` for the two sides given as texts."""
    from align.trace import align_units

    zh = document_sentences(zh_text, "zh")
    en = document_sentences(en_text, "en")
    enc = encoders.get(use_encoder, warn=warn)
    # Windows of several sentences embedded as sums of their sentences' embeddings: 3x faster on
    # a 800-sentence document, and the same paragraph-level pairing on the dev document.
    settings = dataclasses.replace(parallel.DEFAULT, exact_window=1) if enc is not None else parallel.LEXICAL
    beads = parallel.align_sentences([s.text for s in zh], [s.text for s in en], "zh", "en",
                                     use_encoder=enc is not None, encoder=enc, settings=settings)
    rows = []
    for n, b in enumerate(beads):
        first = zh[b.src[0]] if b.src else None
        other = en[b.tgt[0]] if b.tgt else None
        rows.append({
            "pair": n, "zh": "".join(zh[i].text for i in b.src), "en": " ".join(en[j].text for j in b.tgt),
            "zh_ids": list(b.src), "en_ids": list(b.tgt),
            "zh_para": first.paragraph if first else None, "en_para": other.paragraph if other else None,
            "speaker": (other or first).speaker, "bead_score": b.score,
        })
    table = pl.DataFrame(rows, schema={k: THREEWAY_SCHEMA[k] for k in list(THREEWAY_SCHEMA)[:9]})

    # The English side first: the transcript is English, so this is the strong trace.
    times = _trace(align_units, sentences, table.filter(pl.col("en") != ""), "en", min_score)
    # Then the Chinese side of the beads the English could not place.
    missing = table.filter((pl.col("zh") != "") & ~pl.col("pair").is_in(list(times)))
    times.update(_trace(align_units, sentences, missing, "zh", min_score))

    unsupported = {"status": "unsupported", "start": None, "end": None, "sentences": None, "score": None,
                   "time_from": None, "transcript": None}
    out = [{**r, **times.get(r["pair"], unsupported)} for r in table.iter_rows(named=True)]
    return pl.DataFrame(out, schema=THREEWAY_SCHEMA)


def _trace(align_units, sentences: pl.DataFrame, beads: pl.DataFrame, side: str, min_score: float) -> dict[int, dict]:
    """Supported traces of one side of ``beads``, by pair number."""
    if beads.height == 0:
        return {}
    units = units_from_frame(pl.DataFrame({
        "unit": beads["pair"].cast(pl.String), "text": beads[side], "lang": [side] * beads.height,
        "order": beads["pair"],
    }), doc=side)
    trace = align_units(sentences, units, min_score=min_score)
    out = {}
    for r in trace.filter(pl.col("status") == "supported").iter_rows(named=True):
        out[int(r["unit"])] = {"status": "supported", "start": r["start"], "end": r["end"], "sentences": r["sentences"],
                               "score": r["score"], "time_from": side, "transcript": r["transcript"]}
    return out
