"""align: trace the sentences, bullets and quotes of companion documents to the talk's timeline.

Depends on :mod:`cleaners` for the transcript; the click CLI (:mod:`align.cli`)
sits on top of both.
"""

from __future__ import annotations

__version__ = "0.1.0"
