"""Trace documents to the transcript: the public API of the aligner.

>>> from align.trace import align_documents, load_transcript
>>> sentences = load_transcript("captions.txt", documents=["summary.md"])
>>> trace = align_documents(sentences, ["summary.md"])
>>> trace.filter(pl.col("claim") == "wrong")   # claimed times the talk contradicts

One row per unit (:data:`TRACE_SCHEMA`): the unit's columns, then ``status`` (``supported`` or
``unsupported``), ``start``/``end`` (seconds), ``sentences`` (transcript sentence ids), ``score``
(calibrated, in [0, 1]), the claim check ``claim`` (``exact`` within 15 s of the found start,
``near`` within 60 s, ``wrong``, ``unsupported`` when the unit has no support; null when the
document claims no time) with ``claim_off`` (found start minus claimed, seconds), the supporting
``transcript`` text and the ``evidence`` behind the score.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from align import score as scoring, search
from align.documents import UNIT_SCHEMA, load_document, units_from_frame
from cleaners.decode import decode, read_bytes
from cleaners.errors import InputError
from cleaners.views import SENTENCE_SCHEMA

EXACT = 15.0  # seconds: a claimed time this close to the found start is exact
NEAR = 60.0
FINE_START = 0.88  # fuzzy match above which the quoted words' place in the sentence refines the start

TRACE_SCHEMA: dict[str, pl.DataType] = {
    **UNIT_SCHEMA,
    "status": pl.String,
    "start": pl.Float64,
    "end": pl.Float64,
    "sentences": pl.List(pl.Int32),
    "score": pl.Float64,
    "claim": pl.String,
    "claim_off": pl.Float64,
    "transcript": pl.String,
    "evidence": pl.String,
}


def load_transcript(path: str | Path, *, documents: list | None = None, speakers: list[str] | None = None,
                    fmt: str | None = None) -> pl.DataFrame:
    """Transcript sentences from the JSONL that ``transcript-align clean`` writes, or from raw captions
    (cleaned on the fly, with the documents' texts as context for names)."""
    text, _ = decode(read_bytes(path), str(path))
    if _is_sentence_jsonl(text):
        return _sentences_from_jsonl(text, str(path))
    from cleaners import clean_file

    context = [d for d in documents or [] if isinstance(d, (str, Path))]
    return clean_file(path, fmt=fmt, speakers=speakers, context=context).sentences


def _is_sentence_jsonl(text: str) -> bool:
    first = text.lstrip().split("\n", 1)[0]
    if not first.startswith("{"):
        return False
    try:
        row = json.loads(first)
    except json.JSONDecodeError:
        return False
    return {"start", "text"} <= set(row)


def _sentences_from_jsonl(text: str, source: str) -> pl.DataFrame:
    try:
        rows = [json.loads(ln) for ln in text.splitlines() if ln.strip()]
    except json.JSONDecodeError as e:
        raise InputError(source, f"line {e.lineno}: not JSON ({e.msg})") from None
    frame = pl.DataFrame(rows, infer_schema_length=None)
    n = frame.height
    fill = {
        "id": pl.int_range(0, n, dtype=pl.Int32),
        "end": pl.col("start"),
        "turn": pl.lit(0),
        "speaker": pl.lit(None, dtype=pl.String),
        "first": pl.lit(0),
        "last": pl.lit(0),
    }
    frame = frame.with_columns([e.alias(c) for c, e in fill.items() if c not in frame.columns])
    return frame.select([pl.col(c).cast(t) for c, t in SENTENCE_SCHEMA.items()])


def load_units(documents: list, kind: str | None = None) -> pl.DataFrame:
    """All documents' units in one table (paths are loaded, DataFrames completed)."""
    frames = []
    for n, d in enumerate(documents):
        if isinstance(d, pl.DataFrame):
            frames.append(units_from_frame(d, doc=f"doc{n}"))
        else:
            frames.append(load_document(d, kind=kind))
    if not frames:
        return pl.DataFrame(schema=UNIT_SCHEMA)
    return pl.concat(frames)


def align_documents(transcript_sentences: pl.DataFrame, documents: list, *, kind: str | None = None,
                    min_score: float = search.MIN_SCORE, jump_penalty: float = search.JUMP_PENALTY) -> pl.DataFrame:
    """Trace every unit of every document (paths or unit tables) to the transcript's sentences."""
    units = load_units(documents, kind)
    return align_units(transcript_sentences, units, min_score=min_score, jump_penalty=jump_penalty)


def align_units(sentences: pl.DataFrame, units: pl.DataFrame, *, min_score: float = search.MIN_SCORE,
                jump_penalty: float = search.JUMP_PENALTY) -> pl.DataFrame:
    """:func:`align_documents` for a ready table of units."""
    sentences = sentences.filter(pl.col("text").str.strip_chars() != "")
    units = units.with_row_index("key")
    wins = scoring.windows(sentences)
    targets = units.filter(pl.col("kind") != "heading")
    candidates = scoring.score(targets.select("key", "lang", "text", "kind"), wins)
    picked = trace_candidates(targets, candidates, sentences, min_score=min_score, jump_penalty=jump_penalty)
    return _assemble(units, picked, sentences)


def trace_candidates(units: pl.DataFrame, candidates: pl.DataFrame, sentences: pl.DataFrame, *,
                     min_score: float = search.MIN_SCORE, jump_penalty: float = search.JUMP_PENALTY) -> pl.DataFrame:
    """The chosen candidate per unit (``key``): the ordered search, then weak evidence in order."""
    chosen = []
    for (_doc,), group in units.group_by("doc", maintain_order=True):
        cands = candidates.filter(pl.col("key").is_in(group["key"].implode()))
        strong = search.ordered_choice(group, cands, sentences, min_score=min_score, jump_penalty=jump_penalty)
        weak = search.fill_in_order(group, cands, strong, sentences)
        weak = weak.with_columns(scoring.calibrate_in_order().alias("score"), pl.lit(True).alias("in_order"))
        chosen.append(strong.with_columns(pl.lit(None, dtype=pl.Float64).alias("bracket"), pl.lit(False).alias("in_order")))
        chosen.append(weak.filter(pl.col("score") >= min_score).select(chosen[-1].columns))
    return pl.concat(chosen) if chosen else candidates.clear()


def _assemble(units: pl.DataFrame, picked: pl.DataFrame, sentences: pl.DataFrame) -> pl.DataFrame:
    sents = sentences.select("id", "start", "end", "text").sort("start", "id", maintain_order=True)
    ids = sents["id"].to_list()
    where = {sid: n for n, sid in enumerate(ids)}
    first_times = dict(zip(ids, zip(sents["start"].to_list(), sents["end"].to_list())))
    texts = sents["text"].to_list()
    rows = {}
    for r in picked.iter_rows(named=True):
        a, b = where[r["first"]], where[r["last"]]
        s0, e0 = first_times[r["first"]]
        start = s0 + (r["lead"] or 0.0) * (e0 - s0) if (r["fuzzy"] or 0) >= FINE_START else s0
        evidence = [f"coverage {r['coverage']:.2f}" if r["coverage"] is not None else None,
                    f"fuzzy {r['fuzzy']:.2f}" if r["fuzzy"] is not None else None,
                    f"terms: {r['matched']}" if r["matched"] else None,
                    f"in order within {r['bracket'] / 60:.0f} min" if r.get("in_order") else None]
        rows[r["key"]] = {
            "status": "supported", "start": round(start, 2), "end": round(first_times[r["last"]][1], 2),
            "sentences": ids[a : b + 1], "score": round(r["score"], 3),
            "transcript": " ".join(texts[a : b + 1]), "evidence": "; ".join(e for e in evidence if e),
        }
    out = []
    unsupported = {"status": "unsupported", "start": None, "end": None, "sentences": None, "score": None,
                   "transcript": None, "evidence": None}
    for u in units.iter_rows(named=True):
        row = {**u, **rows.get(u["key"], unsupported)}
        out.append(row)
    _headings_from_sections(out)
    for row in out:
        row["claim"], row["claim_off"] = check_claim(row["claimed"], row["start"] if row["status"] == "supported" else None)
    frame = pl.DataFrame(out, schema={"key": pl.UInt32, **TRACE_SCHEMA})
    return frame.drop("key").sort("doc", "order", maintain_order=True)


def _headings_from_sections(rows: list[dict]) -> None:
    """A heading points where its section's first supported unit is."""
    for n, row in enumerate(rows):
        if row["kind"] != "heading":
            continue
        for nxt in rows[n + 1 :]:
            if nxt["doc"] != row["doc"] or nxt["kind"] == "heading":
                break
            if nxt["status"] == "supported":
                row.update(status="supported", start=nxt["start"], end=nxt["end"], sentences=nxt["sentences"],
                           score=nxt["score"], transcript=nxt["transcript"], evidence=f"section starts at {nxt['unit']}")
                break


def check_claim(claimed: float | None, found: float | None) -> tuple[str | None, float | None]:
    """(``exact``/``near``/``wrong``/``unsupported``, found - claimed) for a claimed time; (None, None) without one."""
    if claimed is None:
        return None, None
    if found is None:
        return "unsupported", None
    off = round(found - claimed, 1)
    if abs(off) <= EXACT:
        return "exact", off
    if abs(off) <= NEAR:
        return "near", off
    return "wrong", off
