"""WebVTT captions, including YouTube's rolling auto-captions.

    WEBVTT
    Kind: captions
    Language: en

    00:00:01.500 --> 00:00:03.000 align:start position:0%
    <v Roger>Hello<00:00:02.000><c> there</c>

The header, ``NOTE``, ``STYLE`` and ``REGION`` blocks, cue identifiers, timing
lines with their settings and all tags are META; ``<v Name>`` names the
speaker; inline ``<00:00:02.000>`` stamps time the words after them. YouTube
auto-captions repeat each line in the next cue and add 10 ms cues that show
the same text again: those repeats are META (see
:func:`cleaners.readers.cues.drop_rolling_repeats`), so every word appears
once, at the time it first appeared. Comma milliseconds are accepted.
"""

from __future__ import annotations

import regex

from cleaners.errors import InputError
from cleaners.readers import partition, register
from cleaners.readers.cues import Cue, cue_pieces
from cleaners.readers.srt import add_block, blocks, timing

_SIGNATURE = regex.compile(r"^\ufeff?[ \t]*WEBVTT(?:[ \t][^\r\n]*)?$")
_META_BLOCK = regex.compile(r"^(?:NOTE|STYLE|REGION)(?:[ \t]|$)")


def sniff(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n")[:6].upper() == "WEBVTT"


@register("vtt", "WebVTT (also YouTube's rolling auto-captions): 00:00:01.500 --> 00:00:03.000 cues")
def read(text: str, source: str):
    found = list(blocks(text))
    if not found or not _SIGNATURE.match(text[found[0][0][0] : found[0][0][1]].upper()):
        raise InputError(source, "line 1: a WebVTT file must start with WEBVTT")
    header = found[0]
    # The header runs to the first blank line, or to a timing line when a file leaves that line out.
    for k, (b, s, n) in enumerate(header):
        if k and timing(text, b, s, n, source):
            found[0] = header[k:]
            break
    else:
        found = found[1:]
    cues: list[Cue] = []
    chrome: list = []  # never filled: before the first cue only the header (META) can stand
    for block in found:
        if _META_BLOCK.match(text[block[0][0] : block[0][1]]) and not any(
            timing(text, b, s, n, source) for b, s, n in block[:2]
        ):
            continue
        add_block(text, block, source, cues, chrome, any_id=True)
    return partition(text, cue_pieces(text, cues, source))
