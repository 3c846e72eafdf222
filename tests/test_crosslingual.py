"""Chinese units traced onto the English transcript of the bundled episode (align.crosslingual).

The Chinese paragraph below is written for this test: a summary, in our own words, of a stretch of
the bundled episode (about 10:43-11:50: why RL-environment companies teach models Slack and
APIs, and the answer that training aims at generalisation, not at every skill). A summary says
in two sentences what the talk says in eight, so no single transcript sentence carries it.
"""

import polars as pl
import pytest

from align import crosslingual, encoder, example
from cleaners import clean_file

SUMMARY = ("主持人追问：既然模型能在上下文里即时学习，为什么还有那么多公司专门搭建强化学习环境，"
           "教模型使用各种软件接口和聊天工具？对方回答说，目标并不是把每一种技能都教给模型，"
           "就像预训练也不会让模型见过所有的词语组合一样；训练覆盖足够多的任务之后，模型自然会泛化。")
STRETCH = (643.0, 720.0)  # seconds of the bundled episode the summary condenses (read off the transcript)
ANSWER = 677.0  # where the answer begins, inside the stretch

needs_encoder = pytest.mark.skipif(not encoder.available(), reason="the embed extra is not installed")


@pytest.fixture(scope="module")
def transcript() -> pl.DataFrame:
    return clean_file(example.captions()).sentences.filter(pl.col("start") < 900)


def _best(transcript, use_encoder, **settings):
    units = pl.DataFrame({"unit": ["summary"], "text": [SUMMARY]})
    cands = crosslingual.candidates(units, transcript, use_encoder=use_encoder, **settings)
    return cands.filter(pl.col("rank") == 1).row(0, named=True)


@pytest.mark.parametrize("use_encoder", [pytest.param(True, marks=needs_encoder), False],
                         ids=["encoder", "cedict-only"])
def test_a_summary_paragraph_lands_on_the_stretch_it_condenses(transcript, use_encoder):
    best = _best(transcript, use_encoder)
    lo = STRETCH[0]
    assert lo - 15 <= best["start"] <= lo + 20
    assert best["end"] > ANSWER  # the span holds question and answer, not one sentence of them
    assert best["last"] - best["first"] >= 4


@pytest.mark.parametrize("use_encoder", [pytest.param(True, marks=needs_encoder), False],
                         ids=["encoder", "cedict-only"])
def test_single_sentences_alone_miss_the_summary(transcript, use_encoder):
    """Why the scorer looks at spans: matched only against single sentences, the same summary
    lands somewhere else, with less support than the span gets."""
    single = _best(transcript, use_encoder, max_window=1)
    span = _best(transcript, use_encoder)
    assert not STRETCH[0] - 15 <= single["start"] <= STRETCH[1]
    assert single["score"] < span["score"]
