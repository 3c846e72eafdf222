"""The live speech tokens of a word table as numpy arrays, for rules that run round after round.

The disfluency passes look at each token's neighbours, drop some tokens, and look again until
nothing changes: about twenty rounds an episode. Over the polars table each round would cost a
filter, joins and a dozen shifts of the whole table; here the live tokens (``kind == "word"``,
``out != ""``, see :func:`cleaners.pipeline.live`) are loaded once, a rule is a few numpy
operations over integer codes, a drop compresses the arrays, and :meth:`LiveTokens.write` puts
the changes back into the table in one go.

- A token's text (``out``) is a *spelling* code. Whatever a rule asks of the text ("ends a
  sentence", "has a question mark") is computed once per distinct spelling, with polars, so the
  answers are exactly those of a polars expression over the table.
- A token's key (:func:`cleaners.pipeline.token_key`) is a *key* code, so a word list becomes a
  lookup table and comparing words is comparing integers (:class:`Keys`).
- ``NONE`` (-1) stands for "no token there": past the turn or past the table.
"""

from __future__ import annotations

from itertools import repeat

import numpy as np
import polars as pl

from cleaners.pipeline import GIVES_WAY, HANDED_ON, SENTENCE_END, token_key
from cleaners.words import WORD

NONE = -1  # key code of a missing neighbour
_UNKNOWN = -2  # key code of a word no token has: equal to nothing

# what LiveTokens.drop asks of every dropped word and its host
_DROP_QUESTIONS = {
    "mark": pl.col("out").str.extract(HANDED_ON, 1),
    SENTENCE_END: pl.col("out").str.contains(SENTENCE_END),  # the name out_contains gives it
}


class Vocabulary:
    """The distinct spellings and keys of one cleaning, with what the rules ask of them.

    What a rule asks of a spelling (:meth:`of_spelling`) is computed with polars for all known
    spellings when first asked, and for spellings added later (a word that took over
    punctuation) when they are added, all questions in one query.
    """

    def __init__(self):
        self.spellings: list[str] = []
        self._spelling: dict[str, int] = {}
        self.keys: list[str] = []
        self._key: dict[str, int] = {}
        self.key_of = np.zeros(0, dtype=np.int64)  # spelling code -> key code
        self._asked: dict[str, tuple[pl.Expr, np.ndarray]] = {}  # name -> (question, answers by spelling)
        for name, question in _DROP_QUESTIONS.items():  # asked at every drop: answer them with the keys
            self._asked[name] = (question, None)
        self._has: dict[str, np.ndarray] = {}
        self._of_key: dict[str, np.ndarray] = {}
        self._lists: dict[tuple[str, ...], np.ndarray] = {}

    def encode(self, texts: pl.Series) -> np.ndarray:
        """Spelling codes of a column of texts, adding the new spellings."""
        return _codes(texts, self._spelling, self.spellings, self._answer)

    def codes(self, texts: list[str]) -> list[int]:
        """Spelling codes of a few ``texts``, adding the new spellings."""
        new = list(dict.fromkeys(s for s in texts if s not in self._spelling))
        if new:
            self._spelling.update(zip(new, range(len(self.spellings), len(self.spellings) + len(new))))
            self.spellings.extend(new)
            self._answer(new)
        return [self._spelling[s] for s in texts]

    def _answer(self, spellings: list[str]) -> None:
        """Find the keys of new spellings, and what has been asked of the other spellings."""
        questions = [expr.alias(f"_{n}") for n, (expr, _) in enumerate(self._asked.values())]
        frame = pl.DataFrame({"out": spellings}, schema={"out": pl.String})
        answers = frame.select(token_key(pl.col("out")).alias("k"), *questions)
        self.key_of = np.concatenate((self.key_of, _list_codes(answers["k"].to_list(), self._key, self.keys)))
        for n, (name, (expr, known)) in enumerate(self._asked.items()):
            more = _to_numpy(answers[f"_{n}"])
            self._asked[name] = (expr, more if known is None else np.concatenate((known, more)))

    def code(self, word: str) -> int:
        """The key code of ``word`` (a code no token has if no token has that key)."""
        return self._key.get(word, _UNKNOWN)

    def of_spelling(self, name: str, expr: pl.Expr) -> np.ndarray:
        """``expr`` (over ``pl.col("out")``) for every spelling, by spelling code; ``name`` caches it."""
        asked = self._asked.get(name)
        if asked is None or asked[1] is None:
            frame = pl.DataFrame({"out": self.spellings}, schema={"out": pl.String})
            asked = self._asked[name] = (expr, _to_numpy(frame.select(expr).to_series()))
        return asked[1]

    def has(self, name: str, expr: pl.Expr) -> np.ndarray:
        """Whether ``expr`` (an extraction) finds something, for every spelling."""
        values = self.of_spelling(name, expr)
        found = self._has.get(name)
        if found is None or len(found) < len(values):
            found = self._has[name] = np.not_equal(values, None)
        return found

    def key_table(self, name: str, expr: pl.Expr) -> np.ndarray:
        """``expr`` (over ``pl.col("k")``, boolean) for every key, by key code, false for ``NONE``."""
        done = self._of_key.get(name)
        if done is None or len(done) < len(self.keys) + 1:
            frame = pl.DataFrame({"k": self.keys}, schema={"k": pl.String})
            done = np.append(frame.select(expr.fill_null(False)).to_series().to_numpy(), False)
            self._of_key[name] = done
        return done

    def member_table(self, entries: tuple[str, ...]) -> np.ndarray:
        """By key code: whether the key is one of ``entries``; false for ``NONE`` (the last slot)."""
        table = self._lists.get(entries)
        if table is None or len(table) < len(self.keys) + 1:
            table = np.zeros(len(self.keys) + 1, dtype=bool)
            table[[self._key[w] for w in entries if w in self._key]] = True
            self._lists[entries] = table
        return table


def _codes(texts: pl.Series, table: dict[str, int], order: list[str], on_new=None) -> np.ndarray:
    """The codes of a column of texts in ``table`` (text -> its index in ``order``), adding the texts
    it lacks to both, and passing them to ``on_new``."""
    if len(texts) == 0:
        return np.zeros(0, dtype=np.int64)
    distinct = texts.unique(maintain_order=True)
    listed = distinct.to_list()
    if not table:  # the first texts: all new, coded in order
        table.update(zip(listed, range(len(listed))))
        order.extend(listed)
        if on_new is not None:
            on_new(listed)
        return texts.cast(pl.Enum(distinct)).to_physical().to_numpy().astype(np.int64)
    new = [s for s in listed if s not in table]
    if new:
        table.update(zip(new, range(len(order), len(order) + len(new))))
        order.extend(new)
        if on_new is not None:
            on_new(new)
    code_of = np.array([table[s] for s in listed], dtype=np.int64)
    return code_of[texts.cast(pl.Enum(distinct)).to_physical().to_numpy()]


def _list_codes(texts: list[str], table: dict[str, int], order: list[str]) -> np.ndarray:
    """As :func:`_codes` for a list of texts: in a plain loop, which beats polars' set-up for the
    few thousand distinct spellings of an episode (their keys) and the few a drop adds."""
    codes = []
    for s in texts:
        code = table.get(s)
        if code is None:
            code = table[s] = len(order)
            order.append(s)
        codes.append(code)
    return np.array(codes, dtype=np.int64)


def _to_numpy(series: pl.Series) -> np.ndarray:
    if series.dtype == pl.Boolean and series.null_count() == 0:
        return series.to_numpy()
    return np.array(series.to_list(), dtype=object)  # text, with None for null


class Keys:
    """The key codes of one neighbour of every token (the token itself, the word before, ...)."""

    def __init__(self, codes: np.ndarray, vocab: Vocabulary):
        self.codes = codes
        self.vocab = vocab

    def is_(self, word: str) -> np.ndarray:
        return self.codes == self.vocab.code(word)

    def one_of(self, entries) -> np.ndarray:
        return self.vocab.member_table(tuple(entries))[self.codes]

    def present(self) -> np.ndarray:
        """Whether there is a token there (in the same turn)."""
        return self.codes != NONE

    def matches(self, pattern: str) -> np.ndarray:
        """Whether the key matches the regex ``pattern`` (polars' regex syntax); false where no token."""
        return self.vocab.key_table(pattern, pl.col("k").str.contains(pattern))[self.codes]

    def text(self, j: int) -> str:
        return self.vocab.keys[self.codes[j]]


class LiveTokens:
    """The live speech tokens of a word table, in order, as arrays that shrink as tokens drop.

    ``version`` counts the drops: two moments with the same version see the same tokens.
    """

    def __init__(self, words: pl.DataFrame):
        # A stop before a token: the raw word before it ends a sentence, or a turn begins (the raw
        # punctuation, so the cleaned table's own stops never feed back).
        stop_before = (
            pl.col("raw").shift(1).str.contains(SENTENCE_END).fill_null(True)
            | (pl.col("turn") != pl.col("turn").shift(1)).fill_null(True)
        )
        # eagerly, on the four columns it reads: faster here than the same query made lazy
        loaded = (
            words.select("raw", "out", "turn", "kind")
            .with_row_index("_pos")
            .filter(pl.col("kind") == WORD)
            .select("_pos", "raw", "out", "turn", stop_before.cast(pl.Int64).cum_sum().alias("_stops"))
            .filter(pl.col("out") != "")
        )
        self.vocab = Vocabulary()
        self._loaded = loaded  # the live tokens as first seen: row positions and raw text
        self._raw: dict[str, np.ndarray] = {}
        self.row = np.arange(loaded.height)  # index into _loaded
        self.turn = loaded["turn"].to_numpy()
        self.stops = loaded["_stops"].to_numpy()  # stops seen up to this token
        self.spelling = self.vocab.encode(loaded["out"])
        self._pos = loaded["_pos"].to_numpy()  # by row: the token's row position in the table
        self.version = 0
        self.changes: dict[int, tuple[str, str]] = {}  # row position in the table -> (out, rule)
        self._cached: dict = {}  # arrays derived from the current tokens, until the next drop

    def __len__(self) -> int:
        return len(self.spelling)

    def _derived(self, name, make):
        got = self._cached.get(name)
        if got is None:
            got = self._cached[name] = make()
        return got

    # --- what the rules see ----------------------------------------------------------------

    def key(self) -> Keys:
        """Each token's own key."""
        return Keys(self._derived("key", lambda: self.vocab.key_of[self.spelling]), self.vocab)

    def prev(self, n: int = 1) -> Keys:
        """The key of the token ``n`` places back in the same turn (``NONE`` if there is none)."""
        return Keys(self._derived(("near", n), lambda: self.near(self.key().codes, n, NONE)), self.vocab)

    def next(self, n: int = 1) -> Keys:
        """The key of the token ``n`` places ahead in the same turn (``NONE`` if there is none)."""
        return Keys(self._derived(("near", -n), lambda: self.near(self.key().codes, -n, NONE)), self.vocab)

    def near(self, values: np.ndarray, n: int, fill) -> np.ndarray:
        """``values`` of the token ``n`` places back (``n > 0``) or ahead (``n < 0``) if it is in the
        same turn, else ``fill``. Only the two tokens' turns are compared, as a shift would."""
        out = np.full(len(values), fill, dtype=values.dtype)
        m = abs(n)
        if 0 < m < len(values):
            if n > 0:
                out[m:] = np.where(self.turn[m:] == self.turn[:-m], values[:-m], fill)
            else:
                out[:-m] = np.where(self.turn[:-m] == self.turn[m:], values[m:], fill)
        return out

    def at(self, where: np.ndarray) -> TokensAt:
        """The same questions asked only of the tokens ``where`` holds (for rules that start at a few words)."""
        return TokensAt(self, np.flatnonzero(where))

    def in_turn(self, at: np.ndarray, width: int) -> np.ndarray:
        """The positions ``at`` where ``width`` tokens start and the last is in the first one's turn."""
        at = at[at + width <= len(self)]
        return at[self.turn[at + width - 1] == self.turn[at]]

    def mask(self, at: np.ndarray) -> np.ndarray:
        """True at the positions ``at``."""
        out = np.zeros(len(self), dtype=bool)
        out[at] = True
        return out

    def blank(self) -> np.ndarray:
        """Whether the token's key is empty (all punctuation, such as "--")."""
        return self.key().codes == self.vocab.code("")

    def start(self) -> np.ndarray:
        """Whether the token opens a sentence: a stop came since the previous live token."""
        return self._derived("start", lambda: self.stops > np.concatenate(([0], self.stops[:-1])))

    def of_out(self, name: str, expr: pl.Expr) -> np.ndarray:
        """``expr`` over ``pl.col("out")`` for each token (computed once per spelling; ``name`` caches it)."""
        return self._derived(("out", name), lambda: self.vocab.of_spelling(name, expr)[self.spelling])

    def out_has(self, name: str, expr: pl.Expr) -> np.ndarray:
        """Whether ``expr`` over ``pl.col("out")`` gives a value (is not null) for each token."""
        return self._derived(("has", name), lambda: self.vocab.has(name, expr)[self.spelling])

    def out_contains(self, pattern: str) -> np.ndarray:
        return self.of_out(pattern, pl.col("out").str.contains(pattern))

    def raw_contains(self, pattern: str) -> np.ndarray:
        """Whether each token's raw text matches ``pattern``."""
        done = self._raw.get(pattern)
        if done is None:
            done = self._raw[pattern] = self._loaded.select(pl.col("raw").str.contains(pattern)).to_series().to_numpy()
        return done[self.row]

    # --- dropping ----------------------------------------------------------------------------

    def drop(self, gone: np.ndarray, rule: str, full_stop: np.ndarray | None = None) -> bool:
        """Drop the tokens where ``gone``, naming ``rule``; say whether any went.

        As :func:`cleaners.pipeline.drop_tokens`: a dropped token's sentence punctuation moves to
        the previous kept token if that is in the same turn and does not already end a sentence
        (a trailing comma or colon gives way); where ``full_stop``, a "." moves instead (a dropped
        tag question leaves a statement). Of several dropped after one word, the last one's counts.
        """
        if not gone.any():
            return False
        vocab, pos = self.vocab, self._pos
        marked, ends = (vocab.of_spelling(name, q) for name, q in _DROP_QUESTIONS.items())
        has_mark = vocab.has("mark", _DROP_QUESTIONS["mark"])
        keep = ~gone
        # dropped tokens with punctuation and a host (the last kept token before it) in their turn;
        # of several with one host, the last
        giver = np.flatnonzero(gone)
        giver = giver[has_mark[self.spelling[giver]]]
        kept = np.flatnonzero(keep)
        before = np.searchsorted(kept, giver)  # kept tokens before each
        giver, host = giver[before > 0], kept[before[before > 0] - 1]
        same = self.turn[host] == self.turn[giver]
        giver, host = giver[same], host[same]
        last = np.append(host[1:] != host[:-1], True)[: len(giver)]
        hosts, texts = [], []
        for t, h in zip(giver[last].tolist(), host[last].tolist()):
            if ends[self.spelling[h]]:
                continue
            old = vocab.spellings[self.spelling[h]]
            new = old.rstrip(GIVES_WAY) + ("." if full_stop is not None and full_stop[t] else marked[self.spelling[t]])
            if new != old:
                self.changes[int(pos[self.row[h]])] = (new, rule)
                hosts.append(h)
                texts.append(new)
        if hosts:
            self.spelling[hosts] = vocab.codes(texts)
        self.changes.update(zip(pos[self.row[gone]].tolist(), repeat(("", rule))))
        self.row, self.turn, self.stops, self.spelling = self.row[keep], self.turn[keep], self.stops[keep], self.spelling[keep]
        self.version += 1
        self._cached = {}
        return True

    def write(self, words: pl.DataFrame) -> pl.DataFrame:
        """``words`` with the changes since the last write: each changed token's ``out``, and in
        ``rule`` the last rule that changed it."""
        if not self.changes:
            return words
        at = pl.Series(list(self.changes), dtype=pl.UInt32)
        outs, rules = zip(*self.changes.values())
        self.changes = {}
        return words.with_columns(words["out"].scatter(at, list(outs)), words["rule"].scatter(at, list(rules)))


class TokensAt:
    """Some of the live tokens (positions ``at``): each answer is an array over those alone."""

    def __init__(self, tokens: LiveTokens, at: np.ndarray):
        self.tokens, self.index = tokens, at

    def key(self) -> Keys:
        return Keys(self.tokens.key().codes[self.index], self.tokens.vocab)

    def prev(self, n: int = 1) -> Keys:
        return Keys(self.near(self.tokens.key().codes, n, NONE), self.tokens.vocab)

    def next(self, n: int = 1) -> Keys:
        return Keys(self.near(self.tokens.key().codes, -n, NONE), self.tokens.vocab)

    def near(self, values: np.ndarray, n: int, fill) -> np.ndarray:
        """As :meth:`LiveTokens.near`: ``values`` of the token ``n`` back (ahead if negative) in the same turn."""
        there = self.index - n
        inside = (there >= 0) & (there < len(values))
        there = np.where(inside, there, self.index)
        same = inside & (self.tokens.turn[there] == self.tokens.turn[self.index])
        return np.where(same, values[there], fill)

    def start(self) -> np.ndarray:
        return self.tokens.start()[self.index]

    def out_contains(self, pattern: str) -> np.ndarray:
        return self.tokens.out_contains(pattern)[self.index]

    def raw_contains(self, pattern: str) -> np.ndarray:
        return self.tokens.raw_contains(pattern)[self.index]

    def full(self, mask: np.ndarray) -> np.ndarray:
        """``mask`` over all the live tokens (false where not asked)."""
        out = np.zeros(len(self.tokens), dtype=bool)
        out[self.index] = mask
        return out


def spread(mask: np.ndarray, width: int) -> np.ndarray:
    """Mark the ``width`` tokens starting where ``mask`` is true (``mask`` has checked they share a turn)."""
    out = mask.copy()
    for j in range(1, min(width, len(mask))):
        out[j:] |= mask[:-j]
    return out
