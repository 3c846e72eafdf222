"""Caption pages scraped from transcript websites.

The captions sit on one (or a few) very long lines with an inline ``(HH:MM:SS)``
marker every few words; everything else on the page is chrome (navigation,
titles, comment forms). ``>>`` inside the text marks some speaker changes and is
left for the turns pass.
"""

from __future__ import annotations

import regex

from cleaners.readers import CHROME, META, SPEECH, cue_times, partition, register
from cleaners.timecodes import parse_clock

MARKER = regex.compile(r"\((\d{1,3}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)\)[ \t]*")
_DURATION = regex.compile(r"(?im)^\s*duration:\s*(\d{1,3}:\d{2}(?::\d{2})?)\s*$")
# Placeholder text that transcript sites print inside the caption box itself.
_PLACEHOLDERS = regex.compile(r"(?i)^\s*(your youtube transcript will appear here|loading transcript\W*)\s*$")
_MIN_MARKERS = 3


def sniff(text: str) -> bool:
    for line in text.splitlines():
        if len(MARKER.findall(line)) >= _MIN_MARKERS and not line.lstrip().startswith("["):
            return True
    return False


def _caption_lines(text: str):
    """(begin, stop) of every line that carries inline markers."""
    pos = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if len(MARKER.findall(body)) >= _MIN_MARKERS or (MARKER.match(body.lstrip()) and body.count("(") >= 1):
            yield pos, pos + len(body)
        pos += len(line)


@register("caption-page", "web page with inline (HH:MM:SS) markers in the caption text")
def read(text: str, source: str):
    duration = None
    if m := _DURATION.search(text):
        duration = parse_clock(m.group(1))
    lines = list(_caption_lines(text))
    pieces = []
    pos = 0
    cues: list[list] = []  # [begin, stop, start] per cue, end filled below
    for begin, stop in lines:
        if begin > pos:
            pieces.append((pos, begin, CHROME, {}))
        line = text[begin:stop]
        markers = list(MARKER.finditer(line))
        if markers and markers[0].start() > 0 and line[: markers[0].start()].strip():
            pieces.append((begin, begin + markers[0].start(), CHROME, {}))
        for k, m in enumerate(markers):
            t = parse_clock(m.group(1))
            pieces.append((begin + m.start(), begin + m.end(), META, {}))
            text_stop = markers[k + 1].start() if k + 1 < len(markers) else len(line)
            if text_stop > m.end():
                cues.append([len(pieces), begin + m.end(), begin + text_stop, t])
                pieces.append(None)  # filled once every cue's end is known
        pos = stop
    if pos < len(text):
        pieces.append((pos, len(text), CHROME, {}))
    kinds = [CHROME if _PLACEHOLDERS.match(text[b:s]) else SPEECH for _slot, b, s, _t in cues]
    # Chrome cues get no share of the time line.
    lengths = [s - b if k == SPEECH else 0 for (_slot, b, s, _t), k in zip(cues, kinds)]
    times = cue_times([c[3] for c in cues], lengths, duration)
    for n, ((slot, b, s, _t), (start, end), kind) in enumerate(zip(cues, times, kinds)):
        pieces[slot] = (b, s, kind, {"start": start, "end": end, "cue": n} if kind == SPEECH else {})
    return partition(text, pieces)
