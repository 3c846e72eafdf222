"""Speaker turns: >> marks, interjections, and marks that do not hand over."""

from __future__ import annotations

import polars as pl

from cleaners import clean_text

ANSWER = " ".join(["we train the model on more data and it gets better at the task."] * 25)  # 350 words


def speakers_in_order(lines: list[str]) -> list[tuple[str, str]]:
    text = "".join(f"[00:{k // 60:02d}:{k % 60:02d}] {line}\n" for k, line in enumerate(lines))
    s = clean_text(text, fmt="plain", speakers=["Host", "Guest"]).sentences
    runs = s.group_by("turn", maintain_order=True).agg(pl.col("speaker").first(), pl.col("text").first())
    return [(r["speaker"], r["text"][:20]) for r in runs.iter_rows(named=True)]


def test_marks_alternate_speakers_named_in_order_of_appearance():
    got = speakers_in_order(["what changed in three years?", f">> {ANSWER}", ">> and why is that?", f">> {ANSWER}"])
    assert [s for s, _ in got] == ["Host", "Guest", "Host", "Guest"]


def test_interjection_inside_a_question_goes_to_the_other_speaker():
    got = speakers_in_order(["I want to ask about scaling laws", ">> yes.", ">> why do they hold?", f">> {ANSWER}"])
    assert got == [("Host", "I want to ask about "), ("Guest", "Yes."), ("Host", "Why do they hold?"),
                   ("Guest", ANSWER[0].upper() + ANSWER[1:20])]


def test_a_mark_inside_a_long_answer_does_not_flip_everyone_after_it():
    # plain alternation would call the second half of the answer the host's, and every turn after it wrong
    got = speakers_in_order(["what changed?", f">> {ANSWER}", f">> {ANSWER}", ">> so what comes next?", f">> {ANSWER}"])
    assert [s for s, _ in got] == ["Host", "Guest", "Host", "Guest"]


def test_turn_marks_never_reach_the_text():
    got = speakers_in_order(["what changed?", ">>yeah it scaled.", ">> >> okay."])
    assert all(">" not in text for _, text in got)


def test_a_speaker_tag_after_untagged_text_starts_a_turn():
    from cleaners import clean_text

    vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nso what happened then\n\n00:00:03.000 --> 00:00:05.000\n<v Bob>we shipped it\n"
    rows = clean_text(vtt, level="light").sentences.select("speaker", "text").rows()
    assert rows == [("S1", "So what happened then."), ("Bob", "We shipped it.")]
