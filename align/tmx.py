"""TMX 1.4 (Translation Memory eXchange) writer for aligned sentence pairs.

TMX 1.4b requires a ``<header>`` with ``creationtool``, ``creationtoolversion``, ``segtype``,
``o-tmf``, ``adminlang``, ``srclang`` and ``datatype``; each ``<tu>`` holds one ``<tuv
xml:lang=...><seg>`` per language. Text is XML-escaped and characters XML 1.0 forbids (control
characters) are dropped, so translation-memory tools can open the file.
"""

from __future__ import annotations

from datetime import datetime, timezone
from xml.sax.saxutils import escape, quoteattr

import regex as re

# Characters that may not appear in XML 1.0 at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(s: str) -> str:
    return escape(_NOT_XML.sub("", s))


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("transcript-align")
    except Exception:  # running from a source checkout without metadata
        return "0.0.0"


def to_tmx(pairs, src_lang: str, tgt_lang: str, scores=None, created: datetime | None = None) -> str:
    """A TMX 1.4 document with one translation unit per ``(source, target)`` text pair.

    ``scores``, when given, go into each unit as ``<prop type="x-score">``. Pairs with an empty
    side are left out: a translation memory holds translations, not unmatched sentences."""
    stamp = (created or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
    header = {
        "creationtool": "transcript-align",
        "creationtoolversion": _version(),
        "datatype": "plaintext",
        "segtype": "sentence",
        "adminlang": "en",
        "srclang": src_lang,
        "o-tmf": "transcript-align",
        "creationdate": stamp,
    }
    attrs = " ".join(f"{k}={quoteattr(v)}" for k, v in header.items())
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<tmx version="1.4">', f"  <header {attrs}/>", "  <body>"]
    scores = list(scores) if scores is not None else None
    for n, (src, tgt) in enumerate(pairs):
        if not src or not tgt:
            continue
        out.append("    <tu>")
        if scores is not None:
            out.append(f'      <prop type="x-score">{scores[n]:.4f}</prop>')
        out.append(f"      <tuv xml:lang={quoteattr(src_lang)}><seg>{_text(src)}</seg></tuv>")
        out.append(f"      <tuv xml:lang={quoteattr(tgt_lang)}><seg>{_text(tgt)}</seg></tuv>")
        out.append("    </tu>")
    out += ["  </body>", "</tmx>", ""]
    return "\n".join(out)
