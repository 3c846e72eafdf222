"""One exception family for the whole toolkit.

Library code raises these; the CLI turns them into one-line messages and a
non-zero exit code, never a traceback.
"""

from __future__ import annotations


class TranscriptAlignError(Exception):
    """Base class: anything the user can fix by changing their input or options."""


class InputError(TranscriptAlignError):
    """An input file cannot be read or makes no sense.

    The message names the file and says what is wrong with it, e.g.
    ``episode.srt: line 14: end time 00:00:03,000 is before start time 00:00:05,000``.
    """

    def __init__(self, source: str | None, problem: str):
        self.source = source or "<input>"
        self.problem = problem
        super().__init__(f"{self.source}: {problem}")


class OutputError(TranscriptAlignError):
    """An output cannot be written where asked (would overwrite an input, escapes a folder, ...)."""
