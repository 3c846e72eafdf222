"""Fuzz the readers and the cleaner, and time the adversarial inputs of issue 6.

    python scripts/fuzz.py                  # 100,000 generated inputs, then the timings
    python scripts/fuzz.py --count 200      # what the test suite runs
    python scripts/fuzz.py --count 0        # timings only

Every generated input goes through every reader (``--format`` forced) and,
when a reader accepts it, through the full cleaner. A refusal (an
``InputError`` or another ``TranscriptAlignError``) is a fine outcome; anything
else is a traceback and counted as a failure, as is a result whose word table
does not rebuild the input exactly. The inputs are mutations of valid captions
in every format (structural characters inserted, lines cut, bytes flipped)
and raw byte soup, decoded the way files are.

Then the timings (median wall-clock and CPU seconds of ``--repeat`` runs): 1 MB adversarial lines (no
spaces, deeply nested brackets, many ``(00:00:0`` fragments, ``<<<<``,
``&&&&``) in each format, and a 100,000-cue SRT file. Exit status 1 if any
traceback was seen.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cleaners import TranscriptAlignError, clean_text  # noqa: E402
from cleaners.decode import decode  # noqa: E402
from cleaners.readers import formats, read_spans  # noqa: E402
from cleaners.timecodes import format_clock  # noqa: E402

WORDS = (
    "so we the model is it I think yes, no, no. really? um uh like you know Claude Anthropic AI 2026 "
    "Q&amp;A it&#39;s &gt;&gt; >> [Music] [ __ ] café naïve 模型 能力。 — Thanks for watching! "
    "cafÃ© <i>word</i> <c>x</c> \\u00e9 \\n"
).split()
JUNK = [
    "\n", "\n\n", "\r", "\r\n", " ", "\t", "-->", " --> ", ":", ",", ".", "0", "9", "99", "-", "<", ">", "</", "<v ",
    "<00:00:01.000>", "{", "}", "[", "]", "(", ")", '"', "\\", "\\u", "&", ";", "&#", "#", "NOTE", "WEBVTT", "00:00:0",
    "(00:00:01)", "[00:00:01]", "1\n", "\ufeff", "\x00", "\x0b", "\u2028", "\ud7ff", "é", "模", "\U0001f600",
]


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _cues(rng: random.Random):
    t = 0.0
    for _ in range(rng.randint(1, 8)):
        t += rng.choice([0, 0, 0.01, 0.5, 2, 3600])
        d = rng.choice([0.01, 0.5, 2.0, 5.0])
        yield t, t + d, [_words(rng, rng.randint(1, 8)) for _ in range(rng.randint(1, 2))]
        t += d


def srt(rng):
    return "\n".join(f"{n}\n{format_clock(s, millis=',')} --> {format_clock(e, millis=',')}\n" + "\n".join(ls) + "\n"
                     for n, (s, e, ls) in enumerate(_cues(rng), 1))


def vtt(rng):
    return "WEBVTT\nKind: captions\n\nNOTE hi\n\n" + "\n".join(
        f"{format_clock(s, millis='.')} --> {format_clock(e, millis='.')} align:start\n" + "\n".join(ls) + "\n"
        for s, e, ls in _cues(rng))


def rolling(rng):
    out, prev = ["WEBVTT\n"], " "
    for s, e, ls in _cues(rng):
        for k, line in enumerate(ls):
            a, b = s + (e - s) * k / len(ls), s + (e - s) * (k + 1) / len(ls) - 0.01
            out.append(f"{format_clock(a, millis='.')} --> {format_clock(b, millis='.')}\n{prev}\n{line}\n")
            out.append(f"{format_clock(b, millis='.')} --> {format_clock(b + 0.01, millis='.')}\n{line}\n \n")
            prev = line
    return "\n".join(out)


def youtube(rng):
    return json.dumps([{"text": "\n".join(ls), "start": s, "duration": e - s} for s, e, ls in _cues(rng)],
                      ensure_ascii=rng.random() < 0.5)


def whisper(rng):
    segs = []
    for s, e, ls in _cues(rng):
        seg = {"start": s, "end": e, "text": " " + " ".join(ls)}
        if rng.random() < 0.5:
            ws = " ".join(ls).split()
            seg["words"] = [{"word": " " + w, "start": s + k * 0.1, "end": s + k * 0.1 + 0.1} for k, w in enumerate(ws)]
        if rng.random() < 0.3:
            seg["speaker"] = rng.choice(["SPEAKER_00", "SPEAKER_01"])
        segs.append(seg)
    return json.dumps({"text": "x", "segments": segs}, ensure_ascii=rng.random() < 0.5)


def plain(rng):
    return "".join(f"[{format_clock(s)}] {' '.join(ls)}\n" for s, _e, ls in _cues(rng))


def page(rng):
    body = " ".join(f"({format_clock(s)}) {' '.join(ls)}" for s, _e, ls in _cues(rng))
    return f"Home\nTitle: x\nDuration: 01:00:00\n{body} (00:00:01) a (00:00:02) b\nFooter\n"


GENERATORS = [srt, vtt, rolling, youtube, whisper, plain, page]


def mutate(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.choice([0, 1, 2, 4, 8, 16])):
        if not chars:
            break
        k = rng.randrange(len(chars))
        op = rng.random()
        if op < 0.5:
            chars.insert(k, rng.choice(JUNK))
        elif op < 0.8:
            del chars[k : k + rng.randint(1, 12)]
        else:
            chars[k] = rng.choice(JUNK)
    return "".join(chars)


def generate(rng: random.Random) -> tuple[str, str]:
    """(kind, text) of one fuzz input."""
    r = rng.random()
    if r < 0.05:  # byte soup, decoded as a file would be
        data = bytes(rng.randrange(256) for _ in range(rng.randint(0, 200)))
        try:
            return "bytes", decode(data, "fuzz")[0]
        except TranscriptAlignError:
            return "bytes", ""
    if r < 0.1:  # a valid file re-encoded, then decoded
        gen = rng.choice(GENERATORS)
        enc = rng.choice(["utf-16", "utf-16-le", "cp1252", "gb18030", "utf-8-sig"])
        data = gen(rng).encode(enc, errors="replace")
        try:
            return f"{gen.__name__}/{enc}", decode(data, "fuzz")[0]
        except TranscriptAlignError:
            return f"{gen.__name__}/{enc}", ""
    gen = rng.choice(GENERATORS)
    return gen.__name__, mutate(rng, gen(rng))


def check(text: str) -> tuple[list[tuple[str, str]], str]:
    """Failures (where, traceback) for one input through every reader and the full cleaner, and the
    cleaner's outcome (cleaned / refused / traceback)."""
    failures = []
    outcome = "traceback"
    for fmt in formats():
        try:
            read_spans(text, fmt, "fuzz")
        except TranscriptAlignError:
            pass
        except Exception:  # noqa: BLE001 - counting them is the point
            failures.append((f"read --format {fmt}", traceback.format_exc()))
    try:
        result = clean_text(text, source="fuzz")
        if result.raw_text() != text:
            failures.append(("clean", "word table does not rebuild the input"))
        result.sentences  # the views must build too
        outcome = "cleaned"
    except TranscriptAlignError:
        outcome = "refused"
    except Exception:  # noqa: BLE001
        failures.append(("clean", traceback.format_exc()))
    return failures, outcome


def fuzz(count: int, seed: int, show: int) -> int:
    rng = random.Random(seed)
    tracebacks = refused = cleaned = 0
    shown = 0
    t0 = time.perf_counter()
    for n in range(count):
        kind, text = generate(rng)
        failures, outcome = check(text)
        cleaned += outcome == "cleaned"
        refused += outcome == "refused"
        if failures:
            tracebacks += 1
            if shown < show:
                shown += 1
                where, tb = failures[0]
                print(f"--- failure {shown}: input #{n} ({kind}), {where}\n{text[:300]!r}\n{tb.strip().splitlines()[-1]}")
                print("\n".join(tb.strip().splitlines()[-6:-1]))
        if count >= 1000 and (n + 1) % (count // 20) == 0:
            print(f"  {n + 1:>7} inputs, {tracebacks} with tracebacks, {time.perf_counter() - t0:.0f} s", flush=True)
    print(f"fuzz: {count} inputs (seed {seed}) x {len(formats())} readers + the full cleaner: "
          f"{cleaned} cleaned, {refused} refused with a one-line error, {tracebacks} with tracebacks "
          f"({time.perf_counter() - t0:.1f} s)")
    return tracebacks


# ---- timings ----------------------------------------------------------------------------

MB = 1_000_000
ADVERSARIAL = {
    "no spaces": "abcdefghij" * (MB // 10),
    "nested brackets": "(" * (MB // 4) + ")" * (MB // 4) + "[{" * (MB // 8) + "}]" * (MB // 8),
    "(00:00:0 fragments": "(00:00:0" * (MB // 8),
    "<<<<": "<" * MB,
    "&&&&": "&" * MB,
    "tag soup": "<c.x<v.a<00:00:0<i&#" * (MB // 20),
    "mixed": ("((([[[{{{<<<&&&(00:00:0\\u00" + "x" * 10 + "}}}]]])))>>>") * (MB // 50),
}


def wrap(fmt: str, line: str) -> str:
    if fmt == "caption-page":
        return f"(00:00:01) a (00:00:02) {line} (00:00:03) b\n"
    if fmt == "plain":
        return f"[00:00:01] {line}\n"
    if fmt == "srt":
        return f"1\n00:00:01,000 --> 00:00:02,000\n{line}\n"
    if fmt == "vtt":
        return f"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n{line}\n"
    if fmt == "youtube-json":
        return json.dumps([{"text": line, "start": 1.0, "duration": 1.0}])
    return json.dumps({"segments": [{"start": 1.0, "end": 2.0, "text": line}]})


def _median_time(fn, repeat: int) -> tuple[float, float, str]:
    """Median wall-clock and CPU seconds (CPU time shows the work when the machine is shared)."""
    walls, cpus, outcome = [], [], ""
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            fn()
            outcome = "cleaned"
        except TranscriptAlignError as e:
            outcome = f"refused: {e}"[:80]
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus), outcome


def timings(repeat: int, cues: int) -> None:
    clean_text("[00:00:01] warm up the imports\n")
    print(f"1 MB adversarial lines, full clean, median of {repeat} runs:")
    for name, line in ADVERSARIAL.items():
        for fmt in ("caption-page", "plain", "srt", "vtt", "youtube-json", "whisper-json"):
            text = wrap(fmt, line[:MB])
            wall, cpu, outcome = _median_time(lambda: clean_text(text, source=name), repeat)
            print(f"  {name:<20} as {fmt:<13} {wall:6.2f} s wall {cpu:6.2f} s CPU  {outcome}")
    text = "\n".join(f"{k + 1}\n{format_clock(k * 2.0, millis=',')} --> {format_clock(k * 2.0 + 1.5, millis=',')}\n"
                     f"Cue number {k} says something new.\n" for k in range(cues))
    wall, cpu, outcome = _median_time(lambda: clean_text(text, source="many cues"), max(1, repeat // 3))
    print(f"{cues:,}-cue SRT ({len(text) / MB:.1f} MB): {wall:.1f} s wall, {cpu:.1f} s CPU to clean ({outcome}), "
          f"median of {max(1, repeat // 3)}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="generated inputs (default 100,000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show", type=int, default=5, help="failures to print")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (the median is printed)")
    parser.add_argument("--cues", type=int, default=100_000, help="cues in the large SRT timing")
    parser.add_argument("--no-timings", action="store_true")
    args = parser.parse_args(argv)
    bad = fuzz(args.count, args.seed, args.show) if args.count else 0
    if not args.no_timings:
        timings(args.repeat, args.cues)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
