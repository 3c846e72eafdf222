"""Parse and format the time notations captions and documents use."""

from __future__ import annotations

import numpy as np
import polars as pl
import regex

# H:MM:SS, HH:MM:SS, MM:SS, MMM:SS (minutes past 60), hours >= 100 in long caption files, with an
# optional fraction after , or . (caption formats write 0 to 9 digits: "00:00:01,", ",5", ",500").
_CLOCK = regex.compile(r"^\s*(?:(\d{1,5}):)?(\d{1,3}):(\d{1,2})(?:[.,](\d{0,9}))?\s*$")


def parse_clock(text: str) -> float | None:
    """Seconds for ``"1:02:03"``, ``"62:03"``, ``"114:27"``, ``"00:00:01,500"``; ``None`` if malformed.

    Seconds must be below 60, and so must minutes when hours are given.
    """
    m = _CLOCK.match(text)
    if not m:
        return None
    hours, minutes, seconds, frac = m.groups()
    h = int(hours) if hours else 0
    mi, s = int(minutes), int(seconds)
    if s >= 60 or (hours and mi >= 60):
        return None
    value = h * 3600 + mi * 60 + s
    if frac:
        value += int(frac) / (10 ** len(frac))
    return float(value)


def parse_clocks(texts: list[str]) -> list[float | None]:
    """:func:`parse_clock` for many clocks at once (a caption page has thousands), the same values.

    polars matches the same pattern; numpy does the arithmetic in parse_clock's order, so every
    value is the same float. Text with non-ASCII characters (digits of other scripts) goes
    through parse_clock itself.
    """
    if not texts:
        return []
    joined = "".join(texts)
    if not joined.isascii():
        return [parse_clock(t) for t in texts]
    if (same_shape := _parse_same_shape(texts, joined)) is not None:
        return same_shape
    parts = pl.Series(texts, dtype=pl.String).str.extract_groups(_CLOCK.pattern).struct.unnest()
    hours, minutes, seconds, frac = (parts[c] for c in parts.columns)
    matched = minutes.is_not_null().to_numpy()
    h = hours.cast(pl.Int64).fill_null(0).to_numpy()
    mi = minutes.cast(pl.Int64).fill_null(0).to_numpy()
    s = seconds.cast(pl.Int64).fill_null(0).to_numpy()
    ok = matched & (s < 60) & ~(hours.is_not_null().to_numpy() & (mi >= 60))
    digits = frac.fill_null("").str.len_chars().to_numpy()
    fraction = frac.str.to_integer(strict=False).fill_null(0).to_numpy().astype(np.float64) / 10.0 ** digits
    value = (h * 3600 + mi * 60 + s).astype(np.float64)
    value = np.where(digits > 0, value + fraction, value)
    return [float(v) if good else None for v, good in zip(value.tolist(), ok.tolist())]


def _parse_same_shape(texts: list[str], joined: str) -> list[float | None] | None:
    """Clocks that all have one shape with no fraction (a caption page's "00:12:34" markers), in numpy.

    ``None`` when they do not (then the general path decides): same length, the colons in the
    same columns, digits everywhere else, and digit groups as long as :data:`_CLOCK` allows.
    """
    count, width = len(texts), len(texts[0])
    if not 4 <= width <= 12 or any(len(t) != width for t in texts):
        return None
    table = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(count, width)
    colon = (table == ord(":")).all(axis=0)
    cuts = np.flatnonzero(colon).tolist()
    digits = table[:, ~colon] - ord("0")
    if not 1 <= len(cuts) <= 2 or (digits > 9).any():
        return None
    groups = np.split(np.arange(width), cuts)
    groups = [g[1:] if k else g for k, g in enumerate(groups)]  # drop each group's colon
    sizes = [len(g) for g in groups]
    limits = [5, 3, 2][-len(groups):]
    if any(not 1 <= n <= most for n, most in zip(sizes, limits)):
        return None
    numbers = []
    for g in groups:
        cols = table[:, g].astype(np.int64) - ord("0")
        numbers.append(cols @ (10 ** np.arange(len(g) - 1, -1, -1, dtype=np.int64)))
    hours = numbers[0] if len(numbers) == 3 else np.zeros(count, dtype=np.int64)
    minutes, seconds = numbers[-2], numbers[-1]
    ok = (seconds < 60) & ((minutes < 60) | (len(numbers) < 3))
    value = (hours * 3600 + minutes * 60 + seconds).astype(np.float64)
    return [v if good else None for v, good in zip(value.tolist(), ok.tolist())]


def format_clock(seconds: float, *, hours: bool = True, millis: str | None = None) -> str:
    """``3725.5`` -> ``"01:02:05"`` (or ``"01:02:05,500"`` with ``millis=","``)."""
    if seconds < 0:
        seconds = 0.0
    total_ms = int(round(seconds * 1000))
    h, rest = divmod(total_ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    text = f"{h:02d}:{m:02d}:{s:02d}" if hours or h else f"{m:02d}:{s:02d}"
    if millis:
        text += f"{millis}{ms:03d}"
    return text


def format_hms(seconds: float) -> str:
    """``[H:MM:SS]``-style clock without zero-padded hours, as documents write it."""
    s = int(seconds + 0.5)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"
