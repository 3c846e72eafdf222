"""Plain timestamped lines: ``[HH:MM:SS] text`` or ``(HH:MM:SS) text`` (also ``MM:SS``).

Lines without a leading timestamp continue the previous cue; blank lines and
Markdown headings/comments are treated as meta.
"""

from __future__ import annotations

import regex

from cleaners.readers import META, SPEECH, cue_times, partition, register
from cleaners.timecodes import parse_clock

LINE_STAMP = regex.compile(r"^[ \t]*[\[(](\d{1,3}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)[\])][ \t]*")
_META_LINE = regex.compile(r"^\s*(#|<!--|-->|$)")


def sniff(text: str) -> bool:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        return False
    stamped = sum(1 for ln in lines[:400] if LINE_STAMP.match(ln))
    return stamped >= max(1, len(lines[:400]) // 3)


@register("plain", "[HH:MM:SS] text or (HH:MM:SS) text, one cue a line")
def read(text: str, source: str):
    cues = []  # (begin, stop, start) of speech per line
    pos = 0
    in_comment = False
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        begin = pos
        pos += len(line)
        if in_comment or body.lstrip().startswith("<!--"):
            in_comment = "-->" not in body
            continue
        if _META_LINE.match(body):
            continue
        m = LINE_STAMP.match(body)
        if m:
            t = parse_clock(m.group(1))
            content_begin = begin + m.end()
        elif cues:
            t = None  # continuation of the previous cue
            content_begin = begin + (len(body) - len(body.lstrip()))
        else:
            continue
        content_stop = begin + len(body.rstrip())
        if content_stop > content_begin:
            cues.append((content_begin, content_stop, t))
    # A line without a stamp continues the previous cue's time span.
    times = cue_times([t for _b, _s, t in cues], [s - b for b, s, _t in cues])
    pieces = [(b, s, SPEECH, {"start": st, "end": en, "cue": n}) for n, ((b, s, _t), (st, en)) in enumerate(zip(cues, times))]
    return partition(text, pieces)
