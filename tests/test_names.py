"""The names pass: misheard names and terms fixed, ordinary words left alone."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from align.cli import main
from cleaners import InputError, clean_text, read_words
from cleaners.glossary import common_words, context_vocabulary, fold, load, read_glossary_file
from cleaners.passes import names
from cleaners.pipeline import Context
from cleaners.words import clean_text as joined_text

NAMES = Path(__file__).resolve().parent.parent / "fixtures" / "names"
USER_FILES = [str(NAMES / "user_pairs.tsv"), str(NAMES / "user_names.txt")]


def _cases():
    for line in (NAMES / "cases.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            case_id, source, raw, expected = line.split("\t")
            yield pytest.param(source, raw, expected, id=case_id)


def _context(source: str) -> Context:
    if source == "context":
        return Context(context_texts=[(NAMES / "context.txt").read_text(encoding="utf-8")])
    if source == "user":
        return Context(glossary_files=USER_FILES)
    return Context()


def _words(phrase: str) -> pl.DataFrame:
    return read_words(f"[00:00:01] {phrase}\n", "plain")[1]


@pytest.mark.parametrize("source, raw, expected", list(_cases()))
def test_names_case(source, raw, expected):
    ctx = _context(source)
    fixed = names.run(_words(raw), ctx)
    assert joined_text(fixed) == expected
    # Idempotent: a second run changes nothing.
    assert names.run(fixed, ctx).equals(fixed)


def test_merged_name_sits_on_the_first_token_and_every_changed_token_is_named():
    fixed = names.run(_words("kind of happened in Alph Go and"), Context())
    rows = fixed.filter(pl.col("kind") == "word").select("raw", "out", "rule").rows()
    assert ("Alph", "AlphaGo", "names") in rows
    assert ("Go", "", "names") in rows
    assert ("happened", "happened", None) in rows


def test_two_word_fix_puts_one_word_on_each_token():
    fixed = names.run(_words("on cloud code."), Context())
    rows = fixed.filter(pl.col("kind") == "word").select("raw", "out", "rule").rows()
    assert rows == [("on", "on", None), ("cloud", "Claude", "names"), ("code.", "Code.", "names")]


def test_plain_list_and_tsv_glossaries_load(tmp_path):
    pairs = read_glossary_file(NAMES / "user_pairs.tsv")
    assert pairs.fixes[("car", "pathy")].text == "Karpathy"
    plain = read_glossary_file(NAMES / "user_names.txt")
    assert [n.text for n in plain.names] == ["Deepmind", "Andrej Karpathy", "Nanochat"]
    assert not plain.fixes


def test_user_spelling_is_trusted_over_the_shipped_one():
    spellings = {fold(n.text): n.text for n in reversed(load(USER_FILES, None).names)}
    assert spellings["deepmind"] == "Deepmind"


@pytest.mark.parametrize(
    "content, problem",
    [
        pytest.param("good\tGood\none\ttwo\tthree\n", "line 2: expected 'right' or 'wrong<TAB>right'", id="three-fields"),
        pytest.param("# fine\nwrong\t\n", "line 2: an empty or letterless spelling", id="empty-right-side"),
        pytest.param("\t...\n", "line 1: an empty or letterless spelling", id="letterless"),
        pytest.param(b"\xff\xfe\x00b\x00", "not UTF-8", id="binary"),
    ],
)
def test_malformed_glossary_names_the_file_and_line(tmp_path, content, problem):
    path = tmp_path / "my-glossary.tsv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(InputError) as err:
        clean_text("[00:00:01] hello there\n", glossary=[str(path)])
    assert str(path) in str(err.value) and problem in str(err.value)


def test_missing_glossary_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="nope.tsv: cannot read glossary"):
        read_glossary_file(tmp_path / "nope.tsv")


def test_cli_reports_a_malformed_glossary_in_one_line(tmp_path):
    captions = tmp_path / "talk.txt"
    captions.write_text("[00:00:01] we have engineers at Enthropic\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["clean", str(captions), "-o", str(out), "--glossary", str(NAMES / "malformed.tsv")])
    assert result.exit_code == 2
    assert "malformed.tsv: line 3" in result.output and len(result.output.strip().splitlines()) == 1
    assert not out.exists()


def test_cli_glossary_fixes_a_name(tmp_path):
    captions = tmp_path / "talk.txt"
    captions.write_text("[00:00:01] as car pathy says the models got better\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["clean", str(captions), "--to", "txt", "--glossary", str(NAMES / "user_pairs.tsv")])
    assert result.exit_code == 0, result.output
    assert "Karpathy" in result.output and "car pathy" not in result.output


def test_context_vocabulary_takes_names_not_headings_or_ordinary_words():
    vocab = set(context_vocabulary([
        (NAMES / "context.txt").read_text(encoding="utf-8"),
        "Economic Diffusion and Impact of AI\nWhile Dario Amodei spoke, Claude Code kept running on GPUs.\n",
    ]))
    assert {"Dario Amodei", "Claude Code", "Labelbox", "Jane Street", "OpenAI", "DeepMind", "GPU"} <= vocab
    assert not vocab & {"Economic Diffusion", "Economic", "While Dario Amodei", "Gigawatts", "Later", "In"}


# ---------------------------------------------------------------- the bundled episode


@pytest.fixture(scope="module")
def episode_changes(cleaned_episode):
    """Every token the names pass changed in the cleaned bundled episode (before later passes touched it)."""
    words = cleaned_episode.words
    return words.filter(pl.col("rule") == "names")


def test_episode_names_are_fixed(cleaned_episode):
    text = cleaned_episode.text()
    for wrong in ("Enthropic", "LOMs", "cloud code", "Deep Mind", "Alph Go"):
        assert wrong not in text
    for right in ("Anthropic", "LLMs", "Claude Code", "DeepMind", "AlphaGo"):
        assert right in text


def test_episode_changes_only_write_names_from_the_glossaries(cleaned_episode, episode_changes):
    from align import example

    docs = [p.read_text(encoding="utf-8") for p in example.documents()]
    known = {w for n in load([], docs).names for w in [fold(n.text), *map(fold, n.text.split())]}
    written = {fold(o) for o in episode_changes["out"].to_list() if o}
    assert written and written <= known | {k + "s" for k in known}


def test_episode_never_turns_a_lone_common_word_into_a_name(cleaned_episode, episode_changes):
    """A common word may change only as part of a longer name ("cloud code" -> "Claude Code")."""
    speech = cleaned_episode.words.filter(pl.col("kind") == "word").select("i", "raw", "out")
    rows = speech.rows()
    changed = set(episode_changes["i"].to_list())
    for pos, (i, raw, _out) in enumerate(rows):
        if i in changed and fold(raw) in common_words():
            beside = [rows[p] for p in (pos - 1, pos + 1) if 0 <= p < len(rows)]
            assert any(j in changed or fold(o) not in common_words() for j, _r, o in beside), (
                f"lone common word {raw!r} (token {i}) became a name")


def test_names_pass_is_idempotent_on_the_episode(cleaned_episode):
    from align import example

    ctx = Context(context_texts=[p.read_text(encoding="utf-8") for p in example.documents()])
    once = names.run(cleaned_episode.words, ctx)
    assert once.equals(cleaned_episode.words)


# ---------------------------------------------------------------- properties

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_VOCAB = sorted({w for p in _cases() for phrase in p.values[1:] for w in phrase.split()} | {"a", "I", "the", "code.", "Go,"})


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_VOCAB), min_size=1, max_size=12), st.sampled_from(["shipped", "context", "user"]))
def test_names_pass_is_idempotent_and_writes_only_known_names(tokens, source):
    ctx = _context(source)
    words = _words(" ".join(tokens))
    once = names.run(words, ctx)
    assert names.run(once, ctx).equals(once)
    assert once["raw"].equals(words["raw"])
    known = {w for n in load(ctx.glossary_files, ctx.context_texts).names for w in [fold(n.text), *map(fold, n.text.split())]}
    for raw, out in once.filter(pl.col("rule") == "names").select("raw", "out").rows():
        assert out == "" or fold(out).removesuffix("s") in known or fold(out) in known, (raw, out)


def test_split_keeps_a_token_whole_even_across_a_line_break():
    from cleaners.passes.names import split

    assert split("(Enth\nropic's,") == ("(", "Enth\nropic", "'s,")
