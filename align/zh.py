"""Chinese text: sentence segmentation and a normalised form for matching.

The output always keeps the author's characters and punctuation; :func:`for_matching` is only
used to compare text (full-width to half-width, Traditional to Simplified, lower case).
Traditional -> Simplified uses OpenCC (``opencc`` on PyPI, which ships its conversion tables in
the wheel and works offline).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import regex as re

# Where a Chinese sentence ends: 。！？； (full or half width), an ellipsis …… / … / ...,
# then any closing quotes or brackets that belong to the sentence just ended.
_END = r"(?:[。！？；!?;]+|…+|\.{3,}|⋯+)"
_CLOSERS = r"[”’」』）》〉】〕\)\]\"']*"
_SENTENCE = re.compile(rf"(.+?(?:{_END}{_CLOSERS}|$))", re.S)

_HAN = re.compile(r"\p{Han}")


def is_chinese(text: str, share: float = 0.2) -> bool:
    """True when at least ``share`` of the letters in ``text`` are Han characters."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    return sum(1 for c in letters if _HAN.match(c)) / len(letters) >= share


def split_sentences(text: str) -> list[str]:
    """Split Chinese text into sentences, keeping every character of each sentence.

    A line break always ends a sentence. Inside a line, a sentence ends after 。！？； or an
    ellipsis, together with the closing quotes and brackets that follow it, so
    ``他说：“走吧！”然后走了。`` gives ``他说：“走吧！”`` and ``然后走了。``. A half-width full stop
    inside Latin text or a number (``3.5``, ``Mr.``) does not end a sentence.
    """
    out: list[str] = []
    for line in text.splitlines():
        for m in _SENTENCE.finditer(line):
            s = m.group(1).strip()
            if s:
                out.append(s)
    return _merge_stray_closers(out)


def _merge_stray_closers(sentences: list[str]) -> list[str]:
    """A 'sentence' made only of punctuation (a lone closing quote) joins the one before it."""
    merged: list[str] = []
    for s in sentences:
        if merged and not any(c.isalnum() for c in s):
            merged[-1] += s
        else:
            merged.append(s)
    return merged


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional -> Simplified characters (Simplified text comes back unchanged)."""
    return _t2s().convert(text)


def for_matching(text: str) -> str:
    """The form used to compare text: NFKC (full-width letters, digits and punctuation become
    half-width), Simplified characters, lower case. Never shown to the user."""
    return to_simplified(unicodedata.normalize("NFKC", text)).lower()


# English: split after . ! ? (and closing quotes) before a capital, a digit or an opening quote,
# unless the word before the stop is a common abbreviation or a single initial.
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "vs", "etc", "e.g", "i.e", "u.s", "no", "mt", "inc", "ltd", "co"}
_EN_BREAK = re.compile(r"(?<=[.!?][\"'”’)\]]*)\s+(?=[\"'“‘(\[]?[\p{Lu}\d])")


def split_english(text: str) -> list[str]:
    """A simple English sentence splitter (line breaks always end a sentence)."""
    out: list[str] = []
    for line in text.splitlines():
        start = 0
        for m in _EN_BREAK.finditer(line):
            before = line[start:m.start()].rstrip("\"'”’)]")
            last = before.rsplit(None, 1)[-1].rstrip(".!?").lower() if before.strip() else ""
            if before.endswith(".") and (last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())):
                continue
            out.append(line[start:m.start()].strip())
            start = m.end()
        if line[start:].strip():
            out.append(line[start:].strip())
    return [s for s in out if s]


def split(text: str, lang: str) -> list[str]:
    """Sentences of ``text`` in language ``lang`` (``zh`` or anything else, treated as English-like)."""
    return split_sentences(text) if lang.lower().startswith("zh") else split_english(text)


_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000, "萬": 10000, "亿": 10**8, "億": 10**8}
_NUMERAL = re.compile(r"[零〇一二两兩三四五六七八九十百千万萬亿億]+")


def numeral_value(numeral: str) -> int | None:
    """The value of a Chinese numeral (``二十一`` = 21, ``三千五百`` = 3500, ``十`` = 10), or None."""
    total, section, digit = 0, 0, None
    for ch in numeral:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            unit = _UNITS[ch]
            if unit >= 10000:
                total = (total + section + (digit or 0)) * unit
                section = 0
            else:
                section += (1 if digit is None else digit) * unit
            digit = None
        else:
            return None
    if all(c in _DIGITS for c in numeral) and len(numeral) > 1:
        return int("".join(str(_DIGITS[c]) for c in numeral))  # 二〇二六 = 2026
    return total + section + (digit or 0)


_PERCENT = re.compile(r"百分之([零〇一二两兩三四五六七八九十百千]+)")


def numbers(text: str) -> list[str]:
    """Numbers written in Chinese numerals, as digit strings (``十倍`` -> ``10``, ``百分之五十``
    -> ``50%``)."""
    out = []
    for m in _PERCENT.finditer(text):
        value = numeral_value(m.group(1))
        if value is not None:
            out.append(f"{value}%")
    for m in _NUMERAL.finditer(_PERCENT.sub(" ", text)):
        value = numeral_value(m.group())
        if value is not None:
            out.append(str(value))
    return out
