"""Caption pages scraped from transcript websites.

The captions sit on one (or a few) very long lines with an inline ``(HH:MM:SS)``
marker every few words; everything else on the page is chrome (navigation,
titles, comment forms). ``>>`` inside the text marks some speaker changes and is
left for the turns pass.
"""

from __future__ import annotations

import numpy as np
import regex

from cleaners.readers import CHROME, META, SPEECH, SpanColumns, cue_times, register
from cleaners.timecodes import parse_clock, parse_clocks

MARKER = regex.compile(r"\((\d{1,3}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)\)[ \t]*")
_DURATION = regex.compile(r"(?im)^\s*duration:\s*(\d{1,3}:\d{2}(?::\d{2})?)\s*$")
# Placeholder text that transcript sites print inside the caption box itself.
_PLACEHOLDERS = regex.compile(r"(?i)^\s*(your youtube transcript will appear here|loading transcript\W*)\s*$")
_MIN_MARKERS = 3


# The same marker as a capture, to cut a line with one split: [before, marker, clock, text, marker, clock, text, ...].
_CUT = regex.compile(f"({MARKER.pattern})")
# The words of a placeholder: only a line holding them needs the per-cue check. One pattern per
# phrase: a case-insensitive literal is searched for quickly, an alternation of them is tried at
# every character (12 ms on a long page). The phrases cannot overlap, so their hits together are
# what the alternation would find.
_PLACEHOLDER_WORDS = (
    regex.compile(r"(?i)your youtube transcript will appear here"),
    regex.compile(r"(?i)loading transcript"),
)


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


@register("caption-page", "web page with inline (HH:MM:SS) markers in the caption text")
def read(text: str, source: str):
    duration = None
    if m := _DURATION.search(text):
        duration = parse_clock(m.group(1))
    # The spans as columns, in order: chrome around the caption lines, then per line its markers
    # (META) each followed by its cue's text, if any (SPEECH, or CHROME for a placeholder).
    begins: list[int] = []
    stops: list[int] = []
    kinds: list[str] = []
    cue_at: list[int] = []  # where each cue's span is in the columns
    clocks: list[str] = []  # each cue's marker

    def add(begin: int, stop: int, kind: str) -> None:
        begins.append(begin)
        stops.append(stop)
        kinds.append(kind)

    pos = 0
    for begin, stop, parts in _caption_lines(text):
        if begin > pos:
            add(pos, begin, CHROME)
        before = parts[0]
        if before:  # text before the first marker: chrome, or whitespace left as META
            add(begin, begin + len(before), CHROME if before.strip() else META)
        # marker, text, marker, text, ...: an empty text (two markers in a row) is no span
        texts = parts[3::3]
        sizes = np.empty(2 * len(texts), dtype=np.int64)
        sizes[0::2] = np.fromiter(map(len, parts[1::3]), np.int64, len(texts))
        sizes[1::2] = np.fromiter(map(len, texts), np.int64, len(texts))
        bounds = np.concatenate(([0], np.cumsum(sizes))) + begin + len(before)
        kept = sizes > 0
        is_cue = np.zeros(len(sizes), dtype=bool)
        is_cue[1::2] = True
        is_cue = is_cue[kept]
        cue_at.extend((np.flatnonzero(is_cue) + len(begins)).tolist())
        begins.extend(bounds[:-1][kept].tolist())
        stops.extend(bounds[1:][kept].tolist())
        kinds.extend(np.where(is_cue, SPEECH, META).tolist())
        clocks.extend(c for c, t in zip(parts[2::3], texts) if t)
        # A cue can be a placeholder only if its text holds one of these hits (they hold no
        # marker characters, so a hit never straddles into a cue from before it).
        hits = np.sort(np.array([m.start() for p in _PLACEHOLDER_WORDS for m in p.finditer(text, begin, stop)], dtype=np.int64))
        if len(hits):
            line_cues = np.array(cue_at[len(cue_at) - int(is_cue.sum()):], dtype=np.int64)
            cue_begin = bounds[1::2][sizes[1::2] > 0]  # the line's cue texts' bounds
            cue_stop = bounds[2::2][sizes[1::2] > 0]
            first_hit = np.searchsorted(hits, cue_begin)
            holds = first_hit < len(hits)
            holds[holds] = hits[first_hit[holds]] < cue_stop[holds]
            for k in line_cues[holds].tolist():
                if _PLACEHOLDERS.match(text[begins[k] : stops[k]]):
                    kinds[k] = CHROME
        pos = stop
    if pos < len(text):
        add(pos, len(text), CHROME)
    # Chrome cues get no share of the time line; a cue's number counts them all the same.
    at = np.array(cue_at, dtype=np.int64)
    speech = np.array(kinds, dtype=object)[at] == SPEECH
    lengths = np.where(speech, np.array(stops)[at] - np.array(begins)[at], 0).tolist() if len(at) else []
    times = cue_times(parse_clocks(clocks), lengths, duration)
    starts, ends, numbers = [None] * len(begins), [None] * len(begins), [None] * len(begins)
    for n, (k, (start, end)) in enumerate(zip(cue_at, times)):
        if kinds[k] == SPEECH:
            starts[k], ends[k], numbers[k] = start, end, n
    return SpanColumns(begins, stops, kinds, starts, ends, [None] * len(begins), numbers)
