"""Read an input file (or stdin) into text, whatever its encoding.

Order of trust: a byte-order mark; strict UTF-8; UTF-16 without a BOM (many NULs
in alternating positions); then GB18030 and cp1252, keeping the decoding that
leaves the fewest unlikely characters. Binary data is refused.
"""

from __future__ import annotations

import codecs
import sys
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
                return data.decode(enc), enc
            except UnicodeDecodeError:
                raise InputError(source, f"starts with a {enc} byte-order mark but is not valid {enc}") from None
    if len(data) >= 4 and data.count(0) > len(data) // 4:
        even, odd = data[0::2].count(0), data[1::2].count(0)
        enc = "utf-16-le" if odd > even else "utf-16-be"
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise InputError(source, "looks like binary data, not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates = []
    for enc in ("gb18030", "cp1252"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        candidates.append((_oddness(text), enc, text))
    if not candidates:
        raise InputError(source, "is not text in any encoding tried (UTF-8, UTF-16, GB18030, cp1252)")
    _, enc, text = min(candidates)
    return text, enc


def _oddness(text: str) -> float:
    """Share of characters that are unlikely in real text (control chars, rare symbols, private use)."""
    if not text:
        return 0.0
    odd = 0
    for ch in text:
        o = ord(ch)
        if (o < 32 and ch not in "\t\n\r") or 0x80 <= o < 0xA0 or 0xE000 <= o < 0xF900:
            odd += 1
        elif 0x2E80 <= o < 0xA000 or 0xAC00 <= o < 0xD7A4:
            odd += 0  # CJK is expected
        elif o > 0x24F and not (0x2000 <= o < 0x2070):
            odd += 0.5
    return odd / len(text)


def read_text(path: str | Path) -> str:
    text, _ = decode(read_bytes(path), str(path))
    return text
