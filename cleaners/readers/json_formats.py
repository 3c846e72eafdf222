"""Reader for json_formats captions (being written)."""

from __future__ import annotations

from cleaners.errors import InputError
from cleaners.readers import register


def sniff(text: str) -> bool:
    return False


@register("youtube-json", "youtube-transcript-api JSON")
def read(text: str, source: str):
    raise InputError(source, "the json_formats reader is not written yet")
