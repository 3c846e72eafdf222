"""SubRip (``.srt``) captions.

    1
    00:00:01,500 --> 00:00:03,000
    Hello <i>there</i>.

Lenient where files in the wild differ and harmless: ``,50`` / ``.5`` / no
milliseconds, hours of 100 and more, a missing cue number, blank lines inside
a cue's text, CR or CRLF line ends. Strict where guessing would put words at
the wrong time: a malformed timing line, negative times, a cue that ends before
it starts or starts before the previous one are refused with the line number.
"""

from __future__ import annotations

import regex

from cleaners.errors import InputError
from cleaners.readers import CHROME, partition, register
from cleaners.readers.cues import LOOKS_LIKE_TIMING, TIMING, Cue, cue_pieces, parse_time

_INDEX = regex.compile(r"^[ \t]*\d+[ \t]*$")


def sniff(text: str) -> bool:
    head = text.lstrip("\ufeff \t\r\n")
    if head[:6].upper() == "WEBVTT":
        return False
    for n, line in enumerate(head.splitlines()):
        if TIMING.match(line) or LOOKS_LIKE_TIMING.search(line):
            return True  # a broken timing line too, so the reader can say which line is wrong
        if n > 50:
            break
    return False


def lines(text: str):
    """(begin, stop-of-content, line number) for every line; stop excludes the line end."""
    pos = 0
    for n, line in enumerate(text.splitlines(keepends=True), 1):
        yield pos, pos + len(line.rstrip("\r\n")), n
        pos += len(line)


def blocks(text: str):
    """Runs of non-blank lines: lists of (begin, stop, line number)."""
    block = []
    for b, s, n in lines(text):
        if text[b:s].strip():
            block.append((b, s, n))
        elif block:
            yield block
            block = []
    if block:
        yield block


def timing(text: str, b: int, s: int, n: int, source: str):
    """(start, end, settings) of a timing line, or ``None`` if the line is not one; refuses broken ones."""
    line = text[b:s]
    m = TIMING.match(line)
    if not m:
        if LOOKS_LIKE_TIMING.search(line):
            raise InputError(source, f"line {n}: malformed timing line {line.strip()[:60]!r}")
        return None
    start, end = parse_time(m.group(1)), parse_time(m.group(2))
    if start is None or end is None:
        raise InputError(source, f"line {n}: impossible time in {line.strip()[:60]!r} (minutes and seconds run 00-59)")
    return start, end, m.group(3) or ""


def add_block(text: str, block: list, source: str, cues: list[Cue], chrome: list, any_id: bool = False) -> None:
    """Turn one block of lines into cues (appended to ``cues``); text before any cue goes to ``chrome``.

    Several cues may share a block when a file lacks the blank lines between
    them: a cue's text runs to the next timing line or the cue number just
    before it. ``any_id``: a block's first line is an identifier whatever it
    says (WebVTT), not only when it is a number (SRT).
    """
    times = [timing(text, b, s, n, source) for b, s, n in block]
    starts = [k for k, t in enumerate(times) if t]
    if not starts:
        if all(_INDEX.match(text[b:s]) for b, s, _n in block):
            return  # a stray cue number
        if cues:
            cues[-1].stop = block[-1][1]  # a blank line inside a cue's text: the text continues
        else:
            chrome.append((block[0][0], block[-1][1]))  # a title or note before the first cue
        return

    def is_id(k: int) -> bool:
        return k > 0 and (_INDEX.match(text[block[k - 1][0] : block[k - 1][1]]) or (any_id and k == 1))

    ends = [k - 1 if is_id(k) else k for k in starts]
    lead = ends[0]
    if lead > 0:
        if cues:
            cues[-1].stop = block[lead - 1][1]
        else:
            chrome.append((block[0][0], block[lead - 1][1]))
    for j, k in enumerate(starts):
        start, end, _settings = times[k]
        last = (ends[j + 1] if j + 1 < len(starts) else len(block)) - 1
        b, s, n = block[k]
        if last > k:
            cues.append(Cue(block[k + 1][0], block[last][1], start, end, n))
        else:
            cues.append(Cue(s, s, start, end, n))


@register("srt", "SubRip: numbered cues with 00:00:01,500 --> 00:00:03,000 timing lines")
def read(text: str, source: str):
    cues: list[Cue] = []
    chrome: list = []
    for block in blocks(text):
        add_block(text, block, source, cues, chrome)
    pieces = cue_pieces(text, cues, source)
    pieces += [(b, s, CHROME, {}) for b, s in chrome]
    pieces.sort(key=lambda p: p[0])
    return partition(text, pieces)
