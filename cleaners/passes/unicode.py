"""Unicode repair: mojibake, HTML entities and inline caption tags.

ftfy runs with settings that leave CJK punctuation, full-width forms and curly
quotes alone: those are the author's choices, not damage.
"""

from __future__ import annotations

import html
import json

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
_SUSPECT = regex.compile(r"[&<Ãâ\u0080-\u009f\ufffd\\]")
# \n, \t, \r are not decoded: the JSON readers already turn them into word breaks, and a
# word must not come to hold whitespace or control characters.
_JSON_ESCAPE = regex.compile(r'\\(?:u[0-9a-fA-F]{4}|["\\/])')
_NOT_IN_A_WORD = regex.compile(r"[\s\p{Cc}\p{Cf}\p{Cs}]")


def json_unescape(token: str) -> str:
    """``caf\\u00e9`` -> ``café``: JSON readers leave escapes in the raw word (see readers.json_formats).

    Only when the result holds no backslash, so a doubly escaped word is left
    as it is and cleaning the clean text again changes nothing.
    """
    if not _JSON_ESCAPE.search(token):
        return token
    decoded = _JSON_ESCAPE.sub(lambda m: json.loads(f'"{m.group()}"'), token)
    try:
        decoded = decoded.encode("utf-16", "surrogatepass").decode("utf-16")  # join \\ud83d\\ude00 pairs
    except UnicodeError:
        return token
    return token if "\\" in decoded or _NOT_IN_A_WORD.search(decoded) else decoded


def fix_token(token: str) -> str:
    token = json_unescape(token)
    fixed = ftfy.fix_text(token, _CONFIG)
    fixed = _TAG.sub("", fixed)
    if "&" in fixed:
        fixed = html.unescape(fixed)
    return fixed


def run(words: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    # Only the two columns the fix needs are gathered, not a filtered copy of the whole table.
    suspect = words.select((pl.col("kind") == "word") & pl.col("out").str.contains(_SUSPECT.pattern)).to_series()
    at = suspect.arg_true()
    if not len(at):
        return words
    fixed = words["out"].gather(at).map_elements(fix_token, return_dtype=pl.String)
    return update(words, pl.DataFrame({"i": words["i"].gather(at), "out": fixed}), "unicode")
