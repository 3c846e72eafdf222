"""JSON captions: youtube-transcript-api and Whisper.

    [{"text": "Hello there", "start": 1.5, "duration": 1.5}, ...]          youtube-json
    {"text": "...", "segments": [{"start": 1.5, "end": 3.0, "text": " Hello there",
      "words": [{"word": " Hello", "start": 1.5, "end": 2.0}, ...]}]}     whisper-json

Span offsets point into the raw JSON text: a speech span is the content of a
JSON string, between its quotes. JSON escapes are handled so that no word is
lost or invented and the raw text stays byte-for-byte rebuildable:
``\\n``, ``\\r`` and ``\\t`` separate words, so they become META spans; the
other escapes (``\\"``, ``\\u00e9``, ...) stay inside the word's raw text and the
unicode pass decodes them (``caf\\u00e9`` -> ``café``). Everything else
(keys, numbers, brackets, Whisper's whole-text ``"text"``, a segment's
``"text"`` when its ``"words"`` are given) is META.
"""

from __future__ import annotations

import json

import regex

from cleaners.errors import InputError
from cleaners.readers import SPEECH, partition, register
from cleaners.readers.cues import Cue, LineIndex, check_times, line_of, settle, time_pieces

_STRING = regex.compile(r'"((?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*)"')
_NUMBER = regex.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_SPACE = regex.compile(r"[ \t\r\n]*")
_ESCAPE = regex.compile(r"\\(?:u[0-9a-fA-F]{4}|.)")
_MAX_DEPTH = 64


class Str(str):
    """A decoded JSON string that remembers where its content lies in the raw text."""

    begin: int
    stop: int


class _Parser:
    """A small JSON parser that keeps the offsets of every string (the json module does not)."""

    def __init__(self, text: str, source: str):
        self.text = text
        self.source = source

    def fail(self, pos: int, what: str):
        raise InputError(self.source, f"line {line_of(self.text, pos)}: not valid JSON ({what})")

    def skip(self, pos: int) -> int:
        return _SPACE.match(self.text, pos).end()

    def value(self, pos: int, depth: int = 0):
        if depth > _MAX_DEPTH:
            self.fail(pos, f"nested more than {_MAX_DEPTH} deep")
        pos = self.skip(pos)
        ch = self.text[pos : pos + 1]
        if ch == "{":
            out = {}
            pos = self.skip(pos + 1)
            if self.text.startswith("}", pos):
                return out, pos + 1
            while True:
                key, pos = self.value(pos, depth + 1)
                if not isinstance(key, str):
                    self.fail(pos, "object key is not a string")
                pos = self.skip(pos)
                if not self.text.startswith(":", pos):
                    self.fail(pos, "expected ':'")
                out[str(key)], pos = self.value(pos + 1, depth + 1)
                pos = self.skip(pos)
                if self.text.startswith(",", pos):
                    pos += 1
                elif self.text.startswith("}", pos):
                    return out, pos + 1
                else:
                    self.fail(pos, "expected ',' or '}'")
        if ch == "[":
            items = []
            pos = self.skip(pos + 1)
            if self.text.startswith("]", pos):
                return items, pos + 1
            while True:
                item, pos = self.value(pos, depth + 1)
                items.append(item)
                pos = self.skip(pos)
                if self.text.startswith(",", pos):
                    pos += 1
                elif self.text.startswith("]", pos):
                    return items, pos + 1
                else:
                    self.fail(pos, "expected ',' or ']'")
        if ch == '"':
            m = _STRING.match(self.text, pos)
            if not m:
                self.fail(pos, "unterminated string or bad escape")
            s = Str(json.loads(m.group()))
            s.begin, s.stop = m.start(1), m.end(1)
            return s, m.end()
        for word, val in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, pos):
                return val, pos + len(word)
        m = _NUMBER.match(self.text, pos)
        if m and m.end() > pos:
            num = float(m.group())
            return num, m.end()
        self.fail(pos, f"unexpected {ch!r}" if ch else "unexpected end")

    def document(self):
        val, pos = self.value(0)
        if self.skip(pos) != len(self.text):
            self.fail(pos, "text after the JSON value")
        return val


def parse(text: str, source: str):
    """The JSON value of ``text``, with :class:`Str` strings; refuses invalid JSON with the line."""
    return _Parser(text, source).document()


def _speech_pieces(text: str, s: Str, fields: dict) -> list:
    """The words of a JSON string as speech pieces; ``\\n``/``\\r``/``\\t`` escapes and spaces between them stay META."""
    out = []
    pos = s.begin
    for m in _ESCAPE.finditer(text, s.begin, s.stop):
        if m.group() in ("\\n", "\\r", "\\t"):
            out += _trimmed(text, pos, m.start(), fields)
            pos = m.end()
    out += _trimmed(text, pos, s.stop, fields)
    return out


def _trimmed(text: str, b: int, s: int, fields: dict) -> list:
    piece = text[b:s]
    words = piece.strip()
    if not words:
        return []
    lead = len(piece) - len(piece.lstrip())
    return [(b + lead, b + lead + len(words), SPEECH, dict(fields))]


def _number(item: dict, key: str, text: str, where: int, source: str, clue: str) -> float | None:
    value = item.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, float):
        raise InputError(source, f"line {line_of(text, where)}: {clue} {key!r} is not a number")
    if value != value or value in (float("inf"), float("-inf")):
        raise InputError(source, f"line {line_of(text, where)}: {clue} {key!r} is not a finite number")
    return value


def _finish(text: str, cues: list[Cue], source: str) -> list:
    check_times(cues, source)
    settle(cues)
    pieces = []
    for n, c in enumerate(cues):
        pieces += [(b, s, k, {**f, "cue": n} if k == SPEECH else {}) for b, s, k, f in time_pieces(c)]
    return partition(text, pieces)


# ---- youtube-transcript-api ------------------------------------------------------------

_YT_HEAD = regex.compile(r'^\ufeff?\s*(?:\[\s*\{|\{\s*"snippets"\s*:\s*\[)')


def sniff(text: str) -> bool:
    head = text[:2000]
    return bool(_YT_HEAD.match(head)) and '"text"' in head and '"segments"' not in head


def _snippets(data, source: str) -> list:
    if isinstance(data, dict) and isinstance(data.get("snippets"), list):
        data = data["snippets"]
    if not isinstance(data, list) or not all(isinstance(x, dict) for x in data):
        raise InputError(source, "expected a JSON list of {text, start, duration} objects (youtube-transcript-api)")
    return data


@register("youtube-json", 'youtube-transcript-api JSON: [{"text": ..., "start": s, "duration": s}, ...]')
def read(text: str, source: str):
    items = _snippets(parse(text, source), source)
    lines = LineIndex(text)
    cues: list[Cue] = []
    for item in items:
        s = item.get("text")
        if s is None:
            continue
        if not isinstance(s, Str):
            raise InputError(source, f"item {len(cues) + 1}: 'text' is not a string")
        where = s.begin
        start = _number(item, "start", text, where, source, "item")
        duration = _number(item, "duration", text, where, source, "item")
        if start is None:
            raise InputError(source, f"line {line_of(text, where)}: item has no 'start' time")
        if duration is not None and duration < 0:
            raise InputError(source, f"line {line_of(text, where)}: negative duration {duration:g} s")
        cue = Cue(s.begin, s.stop, start, None if duration is None else start + duration, lines(where))
        cue.pieces = _speech_pieces(text, s, {})
        cues.append(cue)
    return _finish(text, cues, source)


# ---- Whisper ----------------------------------------------------------------------------


def sniff_whisper(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n").startswith("{") and '"segments"' in text


def _speaker(item: dict) -> str | None:
    sp = item.get("speaker")
    return str(sp).strip() or None if isinstance(sp, str) else None


@register("whisper-json", 'Whisper JSON: {"segments": [{"start", "end", "text", "words": [...]}]}', sniff=sniff_whisper)
def read_whisper(text: str, source: str):
    data = parse(text, source)
    lines = LineIndex(text)
    if not isinstance(data, dict) or not isinstance(data.get("segments"), list):
        raise InputError(source, "expected a JSON object with a 'segments' list (Whisper)")
    cues: list[Cue] = []
    for seg in data["segments"]:
        if not isinstance(seg, dict):
            raise InputError(source, f"segment {len(cues) + 1} is not an object")
        s = seg.get("text")
        words = seg.get("words")
        if isinstance(words, list) and words:
            seg_start = None
            for w in words:
                ws = w.get("word", w.get("text")) if isinstance(w, dict) else None
                if not isinstance(ws, Str):
                    continue
                start = _number(w, "start", text, ws.begin, source, "word")
                end = _number(w, "end", text, ws.begin, source, "word")
                # Whisper's word times sometimes step back a little: keep them in order.
                if start is not None and seg_start is not None and start < seg_start:
                    start = seg_start
                if end is not None and start is not None and end < start:
                    end = start
                seg_start = start if start is not None else seg_start
                cue = Cue(ws.begin, ws.stop, start, end, lines(ws.begin), _speaker(w) or _speaker(seg))
                cue.pieces = _speech_pieces(text, ws, {"speaker": cue.speaker})
                cues.append(cue)
            continue
        if not isinstance(s, Str):
            continue
        start = _number(seg, "start", text, s.begin, source, "segment")
        end = _number(seg, "end", text, s.begin, source, "segment")
        cue = Cue(s.begin, s.stop, start, end, lines(s.begin), _speaker(seg))
        cue.pieces = _speech_pieces(text, s, {"speaker": cue.speaker})
        cues.append(cue)
    return _finish(text, cues, source)
