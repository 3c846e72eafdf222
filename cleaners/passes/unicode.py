"""Unicode repair: mojibake, HTML entities and inline caption tags.

ftfy runs with settings that leave CJK punctuation, full-width forms and curly
quotes alone: those are the author's choices, not damage.
"""

from __future__ import annotations

import html

import ftfy
import polars as pl
import regex

from cleaners.pipeline import Context, update

_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,  # done below, token by token, so "&gt;&gt;" can become ">>"
    uncurl_quotes=False,
    fix_character_width=False,
    fix_latin_ligatures=True,
    normalization="NFC",
    explain=False,
)
_TAG = regex.compile(r"</?(?:c|v|i|b|u|font|ruby|rt|lang)(?:[ .][^<>]*)?>|<\d{1,2}:\d{2}(?::\d{2})?[.,]\d{1,3}>")
_SUSPECT = regex.compile(r"[&<Ãâ\u0080-\u009f\ufffd]")


def fix_token(token: str) -> str:
    fixed = ftfy.fix_text(token, _CONFIG)
    fixed = _TAG.sub("", fixed)
    if "&" in fixed:
        fixed = html.unescape(fixed)
    return fixed


def run(words: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    suspects = words.filter((pl.col("kind") == "word") & pl.col("out").str.contains(_SUSPECT.pattern))
    if suspects.height == 0:
        return words
    changes = suspects.select("i", pl.col("out").map_elements(fix_token, return_dtype=pl.String))
    return update(words, changes, "unicode")
