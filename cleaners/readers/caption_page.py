"""Caption pages scraped from transcript websites.

The captions sit on one (or a few) very long lines with an inline ``(HH:MM:SS)``
marker every few words; everything else on the page is chrome (navigation,
titles, comment forms). ``>>`` inside the text marks some speaker changes and is
left for the turns pass.
"""

from __future__ import annotations

import bisect

import regex

from cleaners.readers import CHROME, META, SPEECH, cue_times, partition, register
from cleaners.timecodes import parse_clock, parse_clocks

MARKER = regex.compile(r"\((\d{1,3}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)\)[ \t]*")
_DURATION = regex.compile(r"(?im)^\s*duration:\s*(\d{1,3}:\d{2}(?::\d{2})?)\s*$")
# Placeholder text that transcript sites print inside the caption box itself.
_PLACEHOLDERS = regex.compile(r"(?i)^\s*(your youtube transcript will appear here|loading transcript\W*)\s*$")
_MIN_MARKERS = 3


# The same marker as a capture, to cut a line with one split: [before, marker, clock, text, marker, clock, text, ...].
_CUT = regex.compile(f"({MARKER.pattern})")
# The words of a placeholder: only a line holding them needs the per-cue check.
_PLACEHOLDER_WORDS = regex.compile(r"(?i)your youtube transcript will appear here|loading transcript")


def sniff(text: str) -> bool:
    for line in text.splitlines():
        if line.lstrip().startswith("["):
            continue
        for n, _m in enumerate(MARKER.finditer(line), 1):
            if n >= _MIN_MARKERS:
                return True
    return False


def _caption_lines(text: str):
    """(begin, stop, parts) of every line that carries inline markers; ``parts`` is the line cut by :data:`_CUT`."""
    pos = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        parts = _CUT.split(body)
        if (len(parts) - 1) // 3 >= _MIN_MARKERS or (MARKER.match(body.lstrip()) and body.count("(") >= 1):
            yield pos, pos + len(body), parts
        pos += len(line)


def _holds_hit(hits: list[int], begin: int, stop: int) -> bool:
    k = bisect.bisect_left(hits, begin)
    return k < len(hits) and hits[k] < stop


@register("caption-page", "web page with inline (HH:MM:SS) markers in the caption text")
def read(text: str, source: str):
    duration = None
    if m := _DURATION.search(text):
        duration = parse_clock(m.group(1))
    pieces = []
    pos = 0
    cues: list[tuple] = []  # (slot in pieces, begin, stop, kind) per cue; the slot is filled once every cue's end is known
    clocks: list[str] = []  # each cue's marker
    for begin, stop, parts in _caption_lines(text):
        if begin > pos:
            pieces.append((pos, begin, CHROME, {}))
        before = parts[0]
        if before.strip():
            pieces.append((begin, begin + len(before), CHROME, {}))
        # A cue can be a placeholder only if its text holds one of these hits (they hold no
        # marker characters, so a hit never straddles into a cue from before it).
        hits = [m.start() for m in _PLACEHOLDER_WORDS.finditer(text, begin, stop)]
        at = begin + len(before)
        for marker, clock, words in zip(parts[1::3], parts[2::3], parts[3::3]):
            end = at + len(marker)
            pieces.append((at, end, META, {}))
            at = end + len(words)
            if words:
                kind = SPEECH
                if hits and _holds_hit(hits, end, at) and _PLACEHOLDERS.match(words):
                    kind = CHROME
                cues.append((len(pieces), end, at, kind))
                clocks.append(clock)
                pieces.append(None)
        pos = stop
    if pos < len(text):
        pieces.append((pos, len(text), CHROME, {}))
    # Chrome cues get no share of the time line.
    lengths = [s - b if k == SPEECH else 0 for _slot, b, s, k in cues]
    times = cue_times(parse_clocks(clocks), lengths, duration)
    for n, ((slot, b, s, kind), (start, end)) in enumerate(zip(cues, times)):
        pieces[slot] = (b, s, kind, {"start": start, "end": end, "cue": n} if kind == SPEECH else {})
    return partition(text, pieces)
