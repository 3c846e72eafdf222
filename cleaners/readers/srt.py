"""Reader for srt captions (being written)."""

from __future__ import annotations

from cleaners.errors import InputError
from cleaners.readers import register


def sniff(text: str) -> bool:
    return False


@register("srt", "srt captions")
def read(text: str, source: str):
    raise InputError(source, "the srt reader is not written yet")
