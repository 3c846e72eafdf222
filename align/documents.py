"""Documents become units: the sentences, bullets, quotes and timed items a reader would point at.

A loader turns one document into a table with :data:`UNIT_SCHEMA`. The layout is
sniffed (see :data:`KINDS`) unless the caller names it:

- ``prose``: articles and essays: paragraphs cut into sentences, quoted passages kept whole,
  bullets kept whole, page chrome (bylines, share links, a trailing block in another script,
  a footer under a final ``---``) dropped;
- ``summary``: structured summaries: short title lines become headings, ``- `` lines bullets,
  lines wrapped in quotes quotes, longer lines sentences;
- ``episode``: episode pages that claim times: ``MM:SS · Title`` segments, table rows that start
  with a time (prices), ``[MM:SS] fact`` and ``[MM:SS, horizon] prediction`` bullets, and
  quotes ``… — Speaker @ MM:SS``;
- ``markdown``: Markdown transcripts and summaries whose times are links ``[MM:SS](…&t=…)``;
- ``units``: JSONL or CSV rows that already are units (``text`` required).

Chinese text (detected by script) becomes units with ``lang`` ``"zh"``; its sentences are cut by
:data:`SEGMENTERS` ``["zh"]``, which :mod:`align.zh` may replace with a better segmenter.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Callable

import polars as pl
import regex

from cleaners.decode import decode, read_bytes
from cleaners.errors import InputError
from cleaners.timecodes import parse_clock

UNIT_SCHEMA: dict[str, pl.DataType] = {
    "doc": pl.String,  # document name (file stem unless given)
    "unit": pl.String,  # stable id within the document: kind and number, e.g. "quote-007"
    "order": pl.Int32,  # position in the document, from 0
    "lang": pl.String,  # "en", "zh", ... (detected by script)
    "kind": pl.String,  # heading, sentence, bullet, quote, segment, price, fact, prediction, ...
    "text": pl.String,
    "claimed": pl.Float64,  # seconds, when the document states a time for the unit
    "section": pl.String,  # the heading the unit sits under, if any
    "detail": pl.String,  # what else the document says about it: speaker, horizon, value
    "problem": pl.String,  # what was wrong with it, e.g. a malformed timestamp (never fatal)
}

KINDS = ("prose", "summary", "episode", "markdown", "units")

# ---------------------------------------------------------------------------------------------
# Scripts and sentences

_HAN = regex.compile(r"\p{Han}")
_LETTER = regex.compile(r"[\p{L}\p{N}]")


def detect_lang(text: str) -> str:
    """``"zh"`` when Han characters make up a fair share of the letters, else ``"en"``."""
    if not _HAN.search(text):  # most units of an English document: no need to count letters
        return "en"
    letters = len(_LETTER.findall(text))
    if letters and len(_HAN.findall(text)) / letters > 0.3:
        return "zh"
    return "en"


_OPEN_QUOTES = "\"“‘«「『"
_CLOSE_QUOTES = "\"”’»」』"
# A sentence ends at . ! ? … (and closing quotes/brackets after it) followed by space and a capital,
# a digit or an opening quote. Abbreviations that usually precede a capital are not ends.
_EN_END = regex.compile(r"(?<=[.!?…][\"”’)\]]*)\s+(?=[\"“‘(\[]?[\p{Lu}\d])")
_ABBREV = regex.compile(r"(?i)(?:\b(?:mr|mrs|ms|dr|prof|st|vs|etc|e\.g|i\.e|inc|jr|sr|no|fig|approx|u\.s)\.|\b\p{Lu}\.)$")


def split_english(text: str) -> list[str]:
    """Sentences of an English paragraph; a quotation that spans sentences stays whole."""
    pieces: list[str] = []
    pos = 0
    for m in _EN_END.finditer(text):
        head = text[pos : m.start()]
        if _ABBREV.search(head) or _inside_quote(text[: m.start()]):
            continue
        pieces.append(head.strip())
        pos = m.end()
    pieces.append(text[pos:].strip())
    return [p for p in pieces if p]


def _inside_quote(prefix: str) -> bool:
    """True when ``prefix`` leaves a double quotation open (straight quotes counted by parity)."""
    curly = prefix.count("“") - prefix.count("”")
    return curly > 0 or prefix.count('"') % 2 == 1


_ZH_END = regex.compile(r"(?<=[。！？；…!?][”’」』）)]*)(?=[^”’」』）)…])")


def split_chinese(text: str) -> list[str]:
    """Minimal Chinese sentence cutter on 。！？；… and closing quotes (align.zh may replace it)."""
    return [p.strip() for p in _ZH_END.split(text) if p.strip()]


# Sentence splitters per language; another module may register a better one (e.g. align.zh).
SEGMENTERS: dict[str, Callable[[str], list[str]]] = {"en": split_english, "zh": split_chinese}


_PLUGINS_LOADED = False


def split_sentences(text: str, lang: str) -> list[str]:
    global _PLUGINS_LOADED
    if not _PLUGINS_LOADED:  # a language module may register a better segmenter when imported
        _PLUGINS_LOADED = True
        try:
            import align.zh as zh
        except ImportError:
            zh = None
        if zh is not None and SEGMENTERS["zh"] is split_chinese and callable(getattr(zh, "split_sentences", None)):
            SEGMENTERS["zh"] = zh.split_sentences  # the fuller Chinese segmenter, when present
    return SEGMENTERS.get(lang, split_english)(text)


# ---------------------------------------------------------------------------------------------
# Timestamps as documents write them

_STAMP = r"\d{1,3}(?::\d{1,2}){1,3}"


def parse_stamp(text: str) -> tuple[float | None, str | None]:
    """(seconds, problem): ``"14:23"``, ``"1:02:19"``, ``"114:27"`` (minutes past 60) are fine;
    ``"61:99"`` or ``"1:2:3:4"`` give ``(None, "malformed timestamp ...")``."""
    seconds = parse_clock(text)
    if seconds is None:
        return None, f"malformed timestamp {text.strip()!r}"
    return seconds, None


# ---------------------------------------------------------------------------------------------
# The unit table being built


class _Units:
    """Collects units in document order and numbers them per kind."""

    def __init__(self, doc: str):
        self.doc = doc
        self.rows: list[dict] = []
        self.counts: dict[str, int] = {}
        self.section: str | None = None

    def add(self, kind: str, text: str, claimed: float | None = None, detail: str | None = None,
            problem: str | None = None, lang: str | None = None) -> None:
        text = " ".join(text.split())
        if not text:
            return
        n = self.counts[kind] = self.counts.get(kind, 0) + 1
        self.rows.append({
            "doc": self.doc, "unit": f"{kind}-{n:03d}", "order": len(self.rows), "lang": lang or detect_lang(text),
            "kind": kind, "text": text, "claimed": claimed, "section": self.section, "detail": detail,
            "problem": problem,
        })

    def add_prose(self, text: str) -> None:
        """A paragraph: a wholly quoted paragraph is one quote; otherwise its sentences."""
        text = " ".join(text.split())
        if _is_whole_quote(text):
            self.add("quote", text[1:-1])
            return
        lang = detect_lang(text)
        for sentence in split_sentences(text, lang):
            self.add("sentence", sentence, lang=lang)

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame(self.rows, schema=UNIT_SCHEMA)


def _is_whole_quote(text: str) -> bool:
    return len(text) > 2 and text[0] in _OPEN_QUOTES and text[-1] in _CLOSE_QUOTES and not _inside_quote(text[1:-1])


# ---------------------------------------------------------------------------------------------
# Page chrome (generic: no site is named)

_BULLET = regex.compile(r"^\s*(?:[-*+•◦▪‣]|\d{1,2}[.)])\s+")
_BYLINE = regex.compile(r"(?i)^(?:written by|by|author|authors|source|posted by|photo|image|credit)s?\s*:")
_ATTRIBUTION = regex.compile(r"^\s*(?:--|—|–|―)\s*[\p{Lu}][\p{L}.' -]{1,60}$")
_RULE = regex.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
_END_PUNCT = regex.compile(r"[.!?…:;。！？；\"”’)]$")


def _is_chrome_line(line: str) -> bool:
    """Navigation words, share buttons, bylines, "1 hour ago": short lines that say nothing."""
    s = line.strip()
    if _BYLINE.match(s) or _ATTRIBUTION.match(s):
        return True
    words = len(s.split()) + len(_HAN.findall(s)) // 2  # Chinese: about two characters a word
    return words <= 3 and not _END_PUNCT.search(s) and not _BULLET.match(s)


def _main_script(paragraphs: list[str]) -> str:
    return detect_lang(" ".join(paragraphs))


def _trim_trailing_chrome(paragraphs: list[str]) -> list[str]:
    """Drop the block at the end that is page furniture: share links, a disclaimer in another
    script than the document's, a short footer under a final horizontal rule."""
    if not paragraphs:
        return paragraphs
    main = _main_script(paragraphs)
    end = len(paragraphs)
    while end > 0:
        p = paragraphs[end - 1]
        if all(_is_chrome_line(ln) for ln in p.splitlines() if ln.strip()) or detect_lang(p) != main:
            end -= 1
            continue
        break
    paras = paragraphs[:end]
    # A horizontal rule near the end introduces a footer ("curated by ...").
    for k in range(len(paras) - 1, max(len(paras) - 4, -1), -1):
        if _RULE.match(paras[k].splitlines()[0]):
            tail = "\n".join(paras[k:]).splitlines()[1:]
            if len([t for t in tail if t.strip()]) <= 3:
                return paras[:k]
    return paras


def _paragraphs(text: str) -> list[str]:
    return [p for p in regex.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]


# ---------------------------------------------------------------------------------------------
# Loaders, one per layout


def load_prose(text: str, doc: str) -> pl.DataFrame:
    units = _Units(doc)
    for para in _trim_trailing_chrome(_paragraphs(text)):
        lines = [ln for ln in para.splitlines() if ln.strip()]
        if len(lines) == 1 and _is_chrome_line(lines[0]):
            continue
        if all(_BULLET.match(ln) for ln in lines):
            for ln in lines:
                units.add("bullet", _BULLET.sub("", ln))
            continue
        if len(lines) == 1 and _is_title(lines[0]):
            units.section = lines[0].strip()
            units.add("heading", lines[0])
            continue
        for ln in lines:
            if _is_chrome_line(ln) or _RULE.match(ln):
                continue
            if _BULLET.match(ln):
                units.add("bullet", _BULLET.sub("", ln))
            else:
                units.add_prose(ln)
    return units.frame()


def _is_title(line: str) -> bool:
    """A short line without end punctuation: a heading."""
    s = line.strip()
    return len(s.split()) <= 20 and not regex.search(r"[.!?。！？]$", s)


def load_summary(text: str, doc: str) -> pl.DataFrame:
    units = _Units(doc)
    for para in _trim_trailing_chrome(_paragraphs(text)):
        for line in para.splitlines():
            s = line.strip()
            if not s or _RULE.match(s):
                continue
            if _BULLET.match(s):
                units.add("bullet", _BULLET.sub("", s))
            elif _is_whole_quote(s):
                units.add("quote", s[1:-1])
            elif _is_title(s):
                if _is_chrome_line(s) and len(s.split()) <= 1:
                    continue
                units.section = s
                units.add("heading", s)
            else:
                units.add_prose(s)
    return units.frame()


# Episode pages: "00:00 · Title", "[40:01] fact", "[13:55, 10 years] prediction",
# "14:23 Item $50 trillion Context" (table row), "quote — Speaker @ 51:50".
_SEGMENT = regex.compile(rf"^\s*(?:[•*-]\s*)?({_STAMP})\s*[·|–-]\s+(.+)$")
_BRACKETED = regex.compile(rf"^\s*(?:[•*-]\s*)?\[({_STAMP})(?:\s*,\s*([^\]]+))?\]\s*(.+)$")
_ROW = regex.compile(rf"^\s*({_STAMP})\s+(\S.+)$")
_AT_QUOTE = regex.compile(rf"^\s*(.+?)\s+[—–-]{{1,2}}\s+([\p{{Lu}}][\p{{L}}.' -]{{1,60}}?)\s+@\s+({_STAMP})\s*$")
_SUB_BULLET = regex.compile(r"^\s{2,}[•◦*-]\s+(.+)$")
_SECTION_COUNT = regex.compile(r"^\s*(.+?)\s*\((\d+)\)\s*$")
_MONEY = regex.compile(r"[$€£¥]\s?\d[\d,.]*(?:\s*(?:to|-|–)\s*[$€£¥]?\s?\d[\d,.]*)*(?:\s*(?:or\s+[$€£¥]?\d[\d,.]*\s*)?(?:thousand|million|billion|trillion|[kKmMbB]n?)\b)?")


def _section_kind(section: str | None) -> str:
    """The kind a bracketed item takes from its section: "Predictions (12)" -> prediction."""
    s = (section or "").lower()
    if "predict" in s:
        return "prediction"
    if "quote" in s:
        return "quote"
    if "price" in s or "cost" in s:
        return "price"
    return "fact"


def load_episode(text: str, doc: str) -> pl.DataFrame:
    units = _Units(doc)
    lines = text.replace("\r\n", "\n").split("\n")
    k = 0
    while k < len(lines):
        line = lines[k]
        k += 1
        s = line.strip()
        if not s:
            continue
        # Sub-bullets (a description, evidence, a keyword) belong to the item above them.
        subs = []
        while k < len(lines) and _SUB_BULLET.match(lines[k]) and _indent(lines[k]) > _indent(line):
            subs.append(_SUB_BULLET.match(lines[k]).group(1).strip())
            k += 1
        if m := _SEGMENT.match(s):
            claimed, problem = parse_stamp(m.group(1))
            units.add("segment", ". ".join([m.group(2).strip().rstrip(".")] + subs), claimed, problem=problem)
        elif m := _BRACKETED.match(s):
            claimed, problem = parse_stamp(m.group(1))
            kind = "prediction" if m.group(2) else _section_kind(units.section)
            detail = f"horizon: {m.group(2).strip()}" if m.group(2) else None
            units.add(kind, " ".join([m.group(3)] + subs), claimed, detail=detail, problem=problem)
        elif m := _AT_QUOTE.match(s):
            claimed, problem = parse_stamp(m.group(3))
            units.add("quote", m.group(1).strip().strip("\"“”"), claimed, detail=m.group(2).strip(), problem=problem)
        elif (m := _ROW.match(s)) and not _BULLET.match(s):
            claimed, problem = parse_stamp(m.group(1))
            money = _MONEY.search(m.group(2))
            units.add(_section_kind(units.section) if units.section else "row", m.group(2), claimed,
                      detail=f"value: {money.group(0).strip()}" if money else None, problem=problem)
        elif _BULLET.match(line):
            units.add("bullet", " ".join([_BULLET.sub("", s)] + subs))
        elif m := _SECTION_COUNT.match(s):
            units.section = m.group(1)
        elif _is_table_header(s) or _is_metadata(s):
            continue
        elif _is_title(s):
            units.section = s  # page titles and section names: where units sit, not claims
        else:
            units.add_prose(s)
    return units.frame()


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _is_table_header(line: str) -> bool:
    return bool(regex.match(r"(?i)^(time|timestamp)\b", line)) and not regex.search(r"\d", line)


def _is_metadata(line: str) -> bool:
    """``Key: value · value`` lines and ``·``-separated name lists: page facts, not claims."""
    return line.count("·") >= 2 or bool(regex.match(r"^[\p{Lu}][\p{L} ]{1,20}:\s", line) and "·" in line) \
        or "→" in line


# Markdown with [MM:SS](url&t=...) links.
_LINK_STAMP = regex.compile(rf"\[({_STAMP})\]\((?:[^)\s]*)\)")
_MD_QUOTE_ATTR = regex.compile(rf"^>\s*(?:--|—|–)\s*(.*?)(?:,\s*)?\[({_STAMP})\]\([^)]*\)\s*$")


def load_markdown(text: str, doc: str) -> pl.DataFrame:
    units = _Units(doc)
    lines = _strip_front_matter(text.replace("\r\n", "\n")).split("\n")
    in_code = in_details = False
    quote: list[str] = []

    def flush_quote(claimed=None, speaker=None, problem=None):
        if quote:
            body = " ".join(q.strip() for q in quote).strip().strip("\"“”")
            units.add("quote", body, claimed, detail=speaker or None, problem=problem)
            quote.clear()

    for line in lines:
        s = line.strip()
        if s.startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            continue
        if s.startswith("<details"):
            in_details = True
        if in_details:
            in_details = "</details>" not in s
            continue
        if m := _MD_QUOTE_ATTR.match(s):
            claimed, problem = parse_stamp(m.group(2))
            flush_quote(claimed, m.group(1).strip(" ,"), problem)
            continue
        if s.startswith(">"):
            quote.append(s.lstrip("> "))
            continue
        flush_quote()
        if not s or s.startswith("[![") or s.startswith("<") or _RULE.match(s):
            continue
        if s.startswith("#"):
            units.section = s.lstrip("#").strip()
            units.add("heading", _plain_md(units.section))
            continue
        stamp = _LINK_STAMP.search(s)
        claimed, problem = parse_stamp(stamp.group(1)) if stamp else (None, None)
        if _BULLET.match(s):
            body = _LINK_STAMP.sub("", _BULLET.sub("", s))
            body = _plain_md(regex.sub(r"\(\s*\)", "", body)).strip(" -")
            units.add("bullet", regex.sub(r"\s+-\s+", ". ", body, count=1), claimed, problem=problem)
            continue
        body = _plain_md(_LINK_STAMP.sub("", s))
        lang = detect_lang(body)
        for n, sentence in enumerate(split_sentences(body, lang)):
            # The paragraph's time is claimed for its first sentence, where the paragraph starts.
            units.add("sentence", sentence, claimed if n == 0 else None, problem=problem if n == 0 else None, lang=lang)
    flush_quote()
    return units.frame()


def _strip_front_matter(text: str) -> str:
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end != -1:
            return text[end + 4 :]
    return text


def _plain_md(text: str) -> str:
    """Markdown emphasis and links reduced to their words."""
    text = regex.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = regex.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return regex.sub(r"(\*\*|__|\*|`)", "", text).strip()


def load_units(text: str, doc: str, source: str = "<input>") -> pl.DataFrame:
    """JSONL or CSV rows with at least ``text``; other unit columns are filled in."""
    stripped = text.lstrip()
    try:
        if stripped.startswith("{"):
            rows = [json.loads(ln) for ln in text.splitlines() if ln.strip()]
            for row in rows:  # a claimed time may be seconds or a clock, row by row
                if isinstance(row.get("claimed"), str):
                    row["claimed"] = parse_stamp(row["claimed"])[0]
            frame = pl.DataFrame(rows, infer_schema_length=None)
        else:
            frame = pl.read_csv(io.StringIO(text), infer_schema_length=None)
    except (json.JSONDecodeError, pl.exceptions.PolarsError) as e:
        raise InputError(source, f"cannot be read as JSONL or CSV units ({e})") from None
    return units_from_frame(frame, doc, source)


def units_from_frame(frame: pl.DataFrame, doc: str = "units", source: str = "<units>") -> pl.DataFrame:
    """Complete a caller's table of units (``text`` required) to :data:`UNIT_SCHEMA`."""
    if "text" not in frame.columns:
        raise InputError(source, "units need a 'text' column")
    n = frame.height
    defaults = {
        "doc": pl.lit(doc),
        "order": pl.int_range(0, n, dtype=pl.Int32),
        "kind": pl.lit("sentence"),
        "claimed": pl.lit(None, dtype=pl.Float64),
        "section": pl.lit(None, dtype=pl.String),
        "detail": pl.lit(None, dtype=pl.String),
        "problem": pl.lit(None, dtype=pl.String),
        "lang": pl.lit(None, dtype=pl.String),
        "unit": pl.lit(None, dtype=pl.String),
    }
    frame = frame.with_columns([expr.alias(name) for name, expr in defaults.items() if name not in frame.columns])
    if frame.schema["claimed"] == pl.String:  # times written as clocks
        frame = frame.with_columns(pl.col("claimed").map_elements(lambda t: parse_stamp(t)[0], return_dtype=pl.Float64))
    # Rows may leave any column but text empty: fill each from the row's own text and position.
    frame = frame.with_columns(
        pl.col("doc").cast(pl.String).fill_null(doc),
        pl.col("kind").cast(pl.String).fill_null("sentence"),
        pl.col("lang").cast(pl.String).fill_null(pl.col("text").map_elements(detect_lang, return_dtype=pl.String)),
        pl.col("order").cast(pl.Int32).fill_null(pl.int_range(0, n, dtype=pl.Int32)),
    )
    frame = frame.with_columns(pl.col("unit").cast(pl.String).fill_null(
        pl.col("kind") + "-" + (pl.col("order") + 1).cast(pl.String).str.zfill(3)))
    return frame.select([pl.col(c).cast(t) for c, t in UNIT_SCHEMA.items()])


LOADERS: dict[str, Callable[[str, str], pl.DataFrame]] = {
    "prose": load_prose,
    "summary": load_summary,
    "episode": load_episode,
    "markdown": load_markdown,
    "units": load_units,
}


def sniff_kind(text: str, name: str = "") -> str:
    """Which layout a document has (see the module docstring)."""
    if name.endswith((".jsonl", ".csv")) or text.lstrip().startswith('{"'):
        return "units"
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(_LINK_STAMP.findall(text)) >= 3:
        return "markdown"
    timed = sum(1 for ln in lines if _SEGMENT.match(ln) or _BRACKETED.match(ln) or _AT_QUOTE.match(ln.strip()))
    if timed >= 3:
        return "episode"
    dashes = sum(1 for ln in lines if ln.startswith("- "))
    quoted = sum(1 for ln in lines if _is_whole_quote(ln.strip()))
    if dashes >= 3 and dashes + quoted >= len(lines) // 3:
        return "summary"
    return "prose"


def load_text(text: str, doc: str, kind: str | None = None, source: str | None = None) -> pl.DataFrame:
    """Units of a document given as text; ``kind`` overrides the sniffed layout."""
    kind = kind or sniff_kind(text, source or doc)
    if kind not in LOADERS:
        raise InputError(source or doc, f"unknown document kind {kind!r}; choose one of {', '.join(KINDS)}")
    if kind == "units":
        return load_units(text, doc, source or doc)
    return LOADERS[kind](text, doc)


def load_document(path: str | Path, kind: str | None = None, doc: str | None = None) -> pl.DataFrame:
    """Units of the document at ``path`` (name: the file's stem unless ``doc`` is given)."""
    text, _ = decode(read_bytes(path), str(path))
    units = load_text(text, doc or Path(str(path)).stem, kind, str(path))
    if units.height == 0:
        raise InputError(str(path), "no units found in the document (try --kind)")
    return units
