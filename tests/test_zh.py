"""Chinese text: sentence segmentation, the matching form, and the CEDICT lexicon."""

from __future__ import annotations

import pytest

from align import lexicon
from align.zh import for_matching, is_chinese, split_english, split_sentences, to_simplified

SEGMENTATION = {
    "full-stop-and-question": ("我们三年前谈过。最大的变化是什么？", ["我们三年前谈过。", "最大的变化是什么？"]),
    "latin-names-and-numbers": ("Anthropic的Claude 3.5在2024年发布，价格是3.5美元。GPT-4也一样！",
                                ["Anthropic的Claude 3.5在2024年发布，价格是3.5美元。", "GPT-4也一样！"]),
    "closing-curly-quote-stays": ("他说：“走吧！”然后走了。", ["他说：“走吧！”", "然后走了。"]),
    "corner-quotes": ("「你好。」她说。『真的吗？』他问。", ["「你好。」", "她说。", "『真的吗？』", "他问。"]),
    "six-dot-ellipsis": ("他想了想……又说：算了。", ["他想了想……", "又说：算了。"]),
    "semicolon": ("模型越来越大；成本越来越高。", ["模型越来越大；", "成本越来越高。"]),
    "half-width-punctuation": ("这是真的吗?是的!", ["这是真的吗?", "是的!"]),
    "line-break-ends-sentence": ("第一段没有句号\n第二段。", ["第一段没有句号", "第二段。"]),
    "no-final-punctuation": ("最后一句没有标点", ["最后一句没有标点"]),
    "ellipsis-then-closing-quote": ("“我不知道……”他说。", ["“我不知道……”", "他说。"]),
}


@pytest.mark.parametrize("text,expected", list(SEGMENTATION.values()), ids=list(SEGMENTATION))
def test_chinese_segmentation(text, expected):
    assert split_sentences(text) == expected


@pytest.mark.parametrize("text", [t for t, _ in SEGMENTATION.values()], ids=list(SEGMENTATION))
def test_segmentation_keeps_every_character(text):
    def no_space(s):
        return "".join(s.split())

    assert no_space("".join(split_sentences(text))) == no_space(text)


ENGLISH = {
    "abbreviation": ("Mr. Smith went to Washington. He stayed.", ["Mr. Smith went to Washington.", "He stayed."]),
    "decimal": ("It costs 3.5 dollars. That is cheap.", ["It costs 3.5 dollars.", "That is cheap."]),
    "quote-after-stop": ('He said "Go!" Then he left.', ['He said "Go!"', "Then he left."]),
    "initial": ("J. R. R. Tolkien wrote it. Read it.", ["J. R. R. Tolkien wrote it.", "Read it."]),
}


@pytest.mark.parametrize("text,expected", list(ENGLISH.values()), ids=list(ENGLISH))
def test_english_segmentation(text, expected):
    assert split_english(text) == expected


def test_matching_form_folds_width_script_and_case():
    assert for_matching("ＧＰＴ－４，開會時間") == "gpt-4,开会时间"


def test_output_keeps_the_authors_punctuation():
    # Segmentation never normalises: full-width commas and Traditional characters survive.
    assert split_sentences("開會時間，ＧＰＴ－４。") == ["開會時間，ＧＰＴ－４。"]


def test_traditional_tokenizes_like_simplified():
    lex = lexicon.load()
    traditional = "醫生說這個模型每年都在進步。"
    assert to_simplified(traditional) == "医生说这个模型每年都在进步。"
    assert lex.tokenize(traditional) == lex.tokenize("医生说这个模型每年都在进步。")


def test_cedict_glosses_reach_english_stems():
    lex = lexicon.load()
    assert lex.tokenize("医生吃饺子") == ["医生", "吃", "饺子"]
    assert "doctor" in lex.gloss("医生")
    assert lexicon.stem("doctors") in lex.gloss("医生")
    assert lexicon.stem("dumplings") in lex.gloss("饺子")
    assert lex.gloss("的") & {"of", "the"} == set()  # function-word glosses are not evidence


def test_pinyin_for_romanised_names():
    assert "".join(lexicon.load().syllables("李明")) == "liming"


@pytest.mark.parametrize("text,chinese", [("我们三年前谈过。", True), ("We talked three years ago.", False),
                                          ("Anthropic的CEO说了什么", True)], ids=["zh", "en", "mixed"])
def test_is_chinese(text, chinese):
    assert is_chinese(text) is chinese


NUMERALS = {"twenty-one": ("他二十一岁", ["21"]), "thousands": ("三千五百人", ["3500"]),
            "ten-times": ("增长十倍", ["10"]), "year-digit-by-digit": ("二〇二六年", ["2026"]),
            "ten-thousands": ("一万二千", ["12000"]), "percent": ("百分之五十的人", ["50%"])}


@pytest.mark.parametrize("text,expected", list(NUMERALS.values()), ids=list(NUMERALS))
def test_chinese_numerals_become_digit_anchors(text, expected):
    from align.zh import numbers

    assert numbers(text) == expected
