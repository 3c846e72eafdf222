"""Read an input file (or stdin) into text, whatever its encoding.

Order of trust: a byte-order mark; UTF-16 without a BOM (many NULs in
alternating positions); strict UTF-8; then GB18030 or cp1252, whichever reading
looks like real text (see :func:`_legacy`). Binary data (NUL bytes, or a text
full of control characters) is refused.
"""

from __future__ import annotations

import codecs
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

from cleaners.errors import InputError

_BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


def read_bytes(path: str | Path) -> bytes:
    if str(path) == "-":
        return sys.stdin.buffer.read()
    p = Path(path)
    if p.is_dir():
        raise InputError(str(path), "is a folder, expected a file")
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except OSError as e:
        raise InputError(str(path), f"cannot be read ({e.strerror or e})") from None


def decode(data: bytes, source: str | None = None) -> tuple[str, str]:
    """(text, encoding name) for ``data``."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return _text_or_refuse(data.decode(enc), enc, source)
            except UnicodeDecodeError:
                raise InputError(source, f"starts with a {enc} byte-order mark but is not valid {enc}") from None
    if len(data) >= 4 and data.count(0) > len(data) // 4:
        even, odd = data[0::2].count(0), data[1::2].count(0)
        enc = "utf-16-le" if odd > even else "utf-16-be"
        try:
            return _text_or_refuse(data.decode(enc), enc, source)
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise InputError(source, "looks like binary data, not text")
    try:
        return _text_or_refuse(data.decode("utf-8"), "utf-8", source)
    except UnicodeDecodeError:
        pass
    return _legacy(data, source)


def _legacy(data: bytes, source: str | None) -> tuple[str, str]:
    """Not UTF-8: GB18030 (Chinese) or cp1252 (Western European), whichever reads as real text.

    Both decode most byte strings, so each reading is judged: Chinese read
    right is mostly common characters (GB2312 level 1) standing in runs, while
    cp1252 text misread as GB18030 gives rare characters glued to Latin letters;
    cp1252 read right is letters with the odd accent, while GBK misread as
    cp1252 is a soup of accented capitals and symbols.
    """
    readings = {}
    for enc in ("gb18030", "cp1252"):
        try:
            readings[enc] = data.decode(enc)
        except UnicodeDecodeError:
            pass
    if not readings:
        raise InputError(source, "is not text in any encoding tried (UTF-8, UTF-16, GB18030, cp1252)")
    scored = sorted((_implausibility(enc, text), enc) for enc, text in readings.items())
    enc = scored[0][1]
    return _text_or_refuse(readings[enc], enc, source)


def _implausibility(enc: str, text: str) -> float:
    """Lower is better: the share of characters a real text in ``enc`` would hardly contain."""
    if not text:
        return 0.0
    odd = _control_share(text) * len(text)
    non_ascii = 0
    for k, ch in enumerate(text):
        o = ord(ch)
        if o < 0x80:
            continue
        non_ascii += 1
        if 0xE000 <= o < 0xF900 or o == 0xFFFD:
            odd += 1  # private use, replacement
        elif enc == "gb18030":
            if 0x4E00 <= o < 0xA000 or 0x3400 <= o < 0x4DC0:
                if not _common_hanzi(ch):
                    odd += 1
                # Latin letters glued to a CJK character: cp1252 accents misread as GBK.
                if (k and text[k - 1].isascii() and text[k - 1].isalpha()) or (
                    k + 1 < len(text) and text[k + 1].isascii() and text[k + 1].isalpha()
                ):
                    odd += 0.5
            elif not (0x3000 <= o < 0x3040 or 0xFF00 <= o < 0xFFF0 or 0x2000 <= o < 0x2070):
                odd += 0.5  # not CJK punctuation, full-width forms or general punctuation
        else:
            if ch.isalpha() and ch.islower():
                continue  # é, ü, ñ ...
            if ch in "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u20ac\u00a0\u00b0\u00a9\u00ae\u2122\u00ab\u00bb\u00bf\u00a1\u2022":
                continue  # typographic punctuation a Western text uses
            # Capital accents and symbols: plausible one at a time, not in runs.
            prev = text[k - 1] if k else " "
            odd += 1 if ord(prev) >= 0x80 else 0.3
    return odd / len(text)


def _common_hanzi(ch: str) -> bool:
    """In GB2312 level 1, the 3,755 most common characters."""
    try:
        b = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(b) == 2 and 0xB0 <= b[0] <= 0xD7


# Printable ASCII and the four whitespace controls a text may hold: never counted by _control_share.
# (The standard re module: it removes these runs several times faster than the regex module.)
_PLAIN_ASCII = re.compile(r"[\t\n\r\f\x20-\x7e]+")


def _control_share(text: str) -> float:
    """Share of control, unassigned, private-use and surrogate characters: high for binary data."""
    if not text:
        return 0.0
    # Only the rest needs a category look-up, and each distinct character only once
    # (a Python loop over every character cost 12 ms on a 200 kB caption page).
    rest = Counter(_PLAIN_ASCII.sub("", text))
    n = sum(count for ch, count in rest.items() if unicodedata.category(ch) in ("Cc", "Cn", "Co", "Cs"))
    return n / len(text)


def _text_or_refuse(text: str, enc: str, source: str | None) -> tuple[str, str]:
    if _control_share(text) > 0.05:
        raise InputError(source, "looks like binary data, not text")
    return text, enc


def read_text(path: str | Path) -> str:
    text, _ = decode(read_bytes(path), str(path))
    return text
