"""What the cue-based readers (SRT, WebVTT, JSON) share.

A *cue* is a stretch of caption text with a start and an end time. This module
checks cue times (and refuses the ones that make no sense, naming the line),
settles overlaps, cuts a cue's text into speech and markup pieces with a time
for every piece, and removes YouTube's rolling repeats so no word is said twice.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import regex

from cleaners.errors import InputError
from cleaners.readers import META, SPEECH
from cleaners.timecodes import parse_clock

# 01:02:03,500 / 1:02:03.5 / 100:00:00 / 02:03.500 (hours optional, fraction 0-9 digits).
TIME = r"-?\d{1,5}(?::\d{1,2}){1,2}(?:[.,]\d{0,9})?"
TIMING = regex.compile(rf"^[ \t]*({TIME})[ \t]*-->[ \t]*({TIME})(?:[ \t]+([^\r\n]*))?[ \t]*$")
# An attempt at a timing line (a number, then "-->"): refused if TIMING does not match it.
# A caption line such as "input --> output" is text.
LOOKS_LIKE_TIMING = regex.compile(r"^[ \t]*-?\d[\d:.,]*[ \t]*-->|-->[ \t]*-?\d[\d:.,]*[ \t]*$")

# Markup inside cue text: HTML-ish tags (<i>, <c.color>, <v Name>, </c>),
# inline word timestamps (<00:00:01.500>) and ASS override blocks ({\an8}).
_MARKUP = regex.compile(
    r"<(/?)((?i:c|v|i|b|u|s|font|ruby|rt|lang|span|br)(?:[.\s/][^<>\r\n]{0,200})?|\d[\d:.,]{3,20})>"
    r"|\{\\[^{}\r\n]{0,100}\}"
)
_INLINE_STAMP = regex.compile(rf"^({TIME})$")
_VOICE = regex.compile(r"^v(?:\.[^\s>]*)?(?:\s+([^>]*))?$")
_WORD = regex.compile(r"\S+")
_KEY_JUNK = regex.compile(r"[^\w]+")


@dataclass
class Cue:
    """One caption cue: its text's offsets in the input, its times and its line number."""

    begin: int
    stop: int
    start: float | None
    end: float | None
    line: int
    speaker: str | None = None
    pieces: list = field(default_factory=list)  # (begin, stop, kind, fields), filled by pieces_for


def parse_time(text: str) -> float | None:
    """Seconds for a cue time (``01:02:03,5`` = 3723.5); ``None`` if malformed. May be negative,
    so the reader can refuse negative times by name."""
    text = text.strip()
    value = parse_clock(text.removeprefix("-"))
    return -value if value is not None and text.startswith("-") else value


def line_of(text: str, offset: int) -> int:
    """1-based line number of ``offset``."""
    return text.count("\n", 0, offset) + 1


class LineIndex:
    """1-based line number of an offset, fast for many look-ups in a long text."""

    def __init__(self, text: str):
        self.breaks = [m.start() for m in regex.finditer("\n", text)]

    def __call__(self, offset: int) -> int:
        return bisect.bisect_left(self.breaks, offset) + 1


def check_times(cues: list[Cue], source: str, clue: str = "line") -> None:
    """Refuse times that cannot be trusted: negative, end before start, cues going back in time.

    Cues with no time at all are allowed (they take their neighbours' times).
    Overlapping cues are fine; :func:`settle` handles them.
    """
    last = None
    for c in cues:
        where = f"{clue} {c.line}"
        for t in (c.start, c.end):
            if t is not None and t < 0:
                raise InputError(source, f"{where}: negative time {t:g} s")
        if c.start is not None and c.end is not None and c.end < c.start:
            raise InputError(source, f"{where}: cue ends ({c.end:g} s) before it starts ({c.start:g} s)")
        if c.start is not None:
            if last is not None and c.start < last:
                raise InputError(
                    source, f"{where}: cue starts at {c.start:g} s, before the previous cue ({last:g} s): times out of order"
                )
            last = c.start


def settle(cues: list[Cue]) -> None:
    """Overlapping cues: the earlier one ends where the next begins, so word times never go back."""
    nxt = None
    for c in reversed(cues):
        if c.start is None:
            continue
        if c.end is None:
            c.end = nxt
        elif nxt is not None and c.end > nxt:
            c.end = nxt
        nxt = c.start


def pieces_for(text: str, cue: Cue) -> list:
    """Cut a cue's text into META markup and SPEECH pieces (untimed: see :func:`time_pieces`).

    ``<v Name>`` sets the speaker of the speech after it; an inline
    ``<00:00:01.500>`` stamp becomes a META piece that carries its time.
    """
    out = []
    speaker = cue.speaker
    pos = cue.begin
    body = text[cue.begin : cue.stop]

    def speech(b: int, s: int):
        # Speech pieces hold words only; the whitespace around them stays META.
        piece = text[b:s]
        lead = len(piece) - len(piece.lstrip())
        words = piece.strip()
        if words:
            out.append((b + lead, b + lead + len(words), SPEECH, {"speaker": speaker}))

    for m in _markup_between_words(body):
        b, s = cue.begin + m.start(), cue.begin + m.end()
        speech(pos, b)
        inner = m.group(2) or ""
        fields = {}
        if m.group(2) is not None and not m.group(1):
            if _INLINE_STAMP.match(inner):
                if (t := parse_time(inner)) is not None:
                    fields = {"stamp": t}
            elif v := _VOICE.match(inner):
                speaker = (v.group(1) or "").strip() or speaker
        elif m.group(1) and inner.startswith("v"):
            speaker = cue.speaker
        out.append((b, s, META, fields))
        pos = s
    speech(pos, cue.stop)
    return out


def time_pieces(cue: Cue) -> list:
    """Give every speech piece of a cue its times.

    Inline stamps split the cue into stretches, each running from its stamp to
    the next (or the cue's end), clamped to the cue; within a stretch time is
    shared in proportion to text length.
    """
    lo, hi = cue.start, cue.end
    stretches: list[list] = [[lo, []]]
    for j, (_b, _s, kind, f) in enumerate(cue.pieces):
        if kind == SPEECH:
            stretches[-1][1].append(j)
        elif "stamp" in f:
            stretches.append([f["stamp"], []])
    out = [(b, s, k, {x: y for x, y in f.items() if x != "stamp"}) for b, s, k, f in cue.pieces]
    for k, (t0, idx) in enumerate(stretches):
        if not idx:
            continue
        if lo is None:
            for j in idx:
                b, s, kind, f = out[j]
                out[j] = (b, s, kind, {**f, "start": None, "end": None})
            continue
        t1 = stretches[k + 1][0] if k + 1 < len(stretches) else hi
        if hi is not None:
            t0 = max(lo, min(t0, hi))
            t1 = t0 if t1 is None else max(t0, min(t1, hi))
        else:
            t0 = max(lo, t0)
            t1 = t0 if t1 is None else max(t0, t1)
        total = sum(out[j][1] - out[j][0] for j in idx) or 1
        at = t0
        for j in idx:
            b, s, kind, f = out[j]
            share = (t1 - t0) * (s - b) / total
            out[j] = (b, s, kind, {**f, "start": at, "end": at + share if hi is not None else None})
            at += share
    return out


def _markup_between_words(body: str):
    """Markup matches, except runs glued inside a word ("there</i>,"): those stay in the
    speech (the unicode pass removes the tags) so the word is not cut in two."""
    run: list = []
    for m in _MARKUP.finditer(body):
        if run and m.start() != run[-1].end():
            yield from _unless_glued(body, run)
            run = []
        run.append(m)
    yield from _unless_glued(body, run)


def _unless_glued(body: str, run: list):
    if not run:
        return
    b, s = run[0].start(), run[-1].end()
    if 0 < b and s < len(body) and not body[b - 1].isspace() and not body[s].isspace():
        return
    yield from run


def _key(word: str) -> str:
    return _KEY_JUNK.sub("", word.casefold()) or word


def _cue_lines(text: str, cue: Cue) -> list[list[tuple[str, int]]]:
    """The lines a cue shows, each as (key, stop offset) of its words, markup excluded; empty lines left out."""
    lines: list[list[tuple[str, int]]] = [[]]
    pos = cue.begin
    for b, s, kind, _f in cue.pieces:
        if kind != SPEECH:
            continue
        for w in _WORD.finditer(text, b, s):
            if text.count("\n", pos, w.start()):
                lines.append([])
            lines[-1].append((_key(w.group()), w.end()))
            pos = w.end()
    return [ln for ln in lines if ln]


def _repeated_lines(prev: list[list], cur: list[list]) -> int:
    """Largest t such that the first t lines of ``cur`` are the last t lines of ``prev``."""
    pk = [[k for k, _e in ln] for ln in prev]
    ck = [[k for k, _e in ln] for ln in cur]
    for t in range(min(len(pk), len(ck)), 0, -1):
        if pk[-t:] == ck[:t]:
            return t
    return 0


def drop_rolling_repeats(text: str, cues: list[Cue], share: float = 0.4) -> bool:
    """YouTube's rolling captions: each cue starts with the line(s) the previous cue showed.

    When at least ``share`` of the cues start by repeating whole lines from the
    end of the cue before them, the file is rolling: the repeated lines become
    META (kept in the word table, shown once in the text, timed at their first
    appearance). Files that are not rolling are left alone, so in ordinary
    captions "no." in one cue and "no." in the next stays, and so does a
    repeat inside one cue. (A file of two cues where the second only repeats
    the first's last line is taken for a display repeat.)
    Returns whether the file was rolling.
    """
    lines = [_cue_lines(text, c) for c in cues]
    repeated = [0] + [_repeated_lines(lines[n - 1], lines[n]) for n in range(1, len(cues))]
    with_text = sum(1 for n in range(1, len(cues)) if lines[n])
    if sum(1 for t in repeated if t) < max(1, share * with_text):
        return False
    for cue, t, ln in zip(cues, repeated, lines):
        if t:
            cue.pieces = _demote(text, cue.pieces, ln[t - 1][-1][1])
    return True


def _demote(text: str, pieces: list, upto: int) -> list:
    """Speech before offset ``upto`` becomes META; a piece straddling it is split."""
    out = []
    for b, s, kind, f in pieces:
        if kind != SPEECH or b >= upto:
            out.append((b, s, kind, f))
        elif s <= upto:
            out.append((b, s, META, {}))
        else:
            rest = text[upto:s]
            cut = upto + len(rest) - len(rest.lstrip())
            out.append((b, cut, META, {}))
            out.append((cut, s, SPEECH, f))
    return out


def cue_pieces(text: str, cues: list[Cue], source: str, clue: str = "line") -> list:
    """All the pieces of all cues, checked, settled, timed and with rolling repeats removed."""
    check_times(cues, source, clue)
    settle(cues)
    for c in cues:
        c.pieces = pieces_for(text, c)
    drop_rolling_repeats(text, cues)
    out = []
    for n, c in enumerate(cues):
        out += [(b, s, k, {**f, "cue": n} if k == SPEECH else {}) for b, s, k, f in time_pieces(c)]
    return out
