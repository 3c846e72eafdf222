"""Names and terms spelled right, from three sources, and the matcher that finds them in captions.

Sources, most trusted first:

* ``user``: glossary files given with ``--glossary``: one right spelling a line, or
  ``wrong<TAB>right`` for a known mishearing; ``#`` starts a comment.
* ``context``: the names companion documents spell (summaries and articles get them
  right): capitalised words that are not common English, acronyms (LLM, RL), CamelCase
  (DeepMind) and multi-word names with at least one such word ("Claude Code").
* ``shipped``: ``cleaners/data/glossary.tsv``, a general AI and technology vocabulary.

:class:`Matcher` answers two questions for the names pass: which known name does one
token stand for ("Enthropic" -> "Anthropic", "LOM" -> "LLM"), and which name does a
run of tokens stand for ("cloud code" -> "Claude Code", "Alph Go" -> "AlphaGo"). It
uses spelling distance (rapidfuzz), sound (a metaphone key) and the neighbouring words,
and never turns a lone common English word into a name.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jellyfish
import regex
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import cdist

from cleaners.errors import InputError

USER, CONTEXT, SHIPPED = "user", "context", "shipped"
TRUST = {USER: 0, CONTEXT: 1, SHIPPED: 2}  # lower is more trusted

# Single-token fuzzy matching: a misspelling must sound like the name (same metaphone
# key) and be this close in spelling, or be very close in a long word.
SOUNDS_ALIKE_SIMILARITY = 0.6
LOOKS_ALIKE_SIMILARITY = 0.85
LOOKS_ALIKE_MIN_LENGTH = 7
MIN_FUZZY_LENGTH = 3
LONGEST_NAME_WORDS = 4

_NOT_ALNUM = regex.compile(r"[^\p{L}\p{N}]+")
_CAMEL_PART = regex.compile(r"\p{Lu}+(?=\p{Lu}\p{Ll})|\p{Lu}?\p{Ll}+|\p{Lu}+|\p{N}+")
_ACRONYM_PLURAL = regex.compile(r"^(\p{Lu}{2,})s$")
_WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}'’.\-]*[\p{L}\p{N}]|[\p{L}\p{N}]")
# A word with the text before it (never a letter or digit: those would start the word).
_GAP_AND_WORD = regex.compile(r"([^\p{L}\p{N}]*)([\p{L}\p{N}][\p{L}\p{N}'’.\-]*[\p{L}\p{N}]|[\p{L}\p{N}])")
# The same with the standard re module, twice as fast. Its \w is [\p{L}\p{N}] and "_" for every
# character Python's Unicode tables assign (checked over all code points; the regex module's
# tables are newer), so it serves a text with no "_" and no character unassigned there.
_GAP_AND_WORD_RE = re.compile(r"(\W*)(\w[\w'’.\-]*\w|\w)")
_SENTENCE_GAP = regex.compile(r"[.?!:;•·|\[\](){}\"“”]")  # punctuation between words that ends a sentence


@lru_cache(maxsize=65536)  # documents and captions repeat their words: fold each spelling once
def fold(text: str) -> str:
    """The comparison key of a spelling: lowercase letters and digits only ("Deep Mind" -> "deepmind")."""
    return _NOT_ALNUM.sub("", text.lower())


@lru_cache(maxsize=4096)
def sound(key: str) -> str:
    """A metaphone key that ignores which vowel a word starts with ("Enthropic" ~ "Anthropic")."""
    code = jellyfish.metaphone(key) if key.isalpha() else key
    return "A" + code[1:] if code[:1] in "AEIOU" and code else code


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Lowercase common English words (SCOWL size 50): never turned into a name on their own."""
    text = resources.files("cleaners.data").joinpath("common_words.txt").read_text(encoding="utf-8")
    return frozenset(ln for ln in text.splitlines() if ln and not ln.startswith("#"))


# Productive English prefixes: "gigawatts", "bioterrorism", "multibillion" are ordinary words.
_PREFIXES = ("giga", "mega", "kilo", "tera", "peta", "nano", "micro", "multi", "non", "co", "re", "un", "over",
             "under", "pre", "post", "anti", "semi", "sub", "super", "hyper", "inter", "cyber", "bio", "eco")
_ENDINGS = (("s", ""), ("es", ""), ("ies", "y"), ("d", ""), ("ed", ""), ("ing", ""), ("ing", "e"), ("ly", ""))


@lru_cache(maxsize=65536)
def is_common(key: str) -> bool:
    """A common English word, or a regular inflection of one ("gigawatts", "annualized")."""
    words = common_words()
    if key in words:
        return True
    return any(key.endswith(end) and len(key) - len(end) >= 3 and key[: -len(end)] + add in words for end, add in _ENDINGS)


def _prefixed_common(key: str) -> bool:
    """A productive prefix on a common word ("gigawatts"): capitalised in a document, still not a name."""
    return any(key.startswith(p) and len(key) - len(p) >= 4 and is_common(key[len(p):]) for p in _PREFIXES)


def is_acronym(name: str) -> bool:
    letters = [c for c in name if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def parts_of(name: str) -> list[str]:
    """The words a name is said as: "Claude Code" -> [Claude, Code], "AlphaGo" -> [Alpha, Go]."""
    words = name.split()
    if len(words) > 1:
        return words
    pieces = [p for p in name.split("-") if p]
    if len(pieces) > 1:
        return pieces
    if is_acronym(name) or not any(c.isupper() for c in name[1:]):
        return [name]
    camel = _CAMEL_PART.findall(name)
    return camel if "".join(camel) == _NOT_ALNUM.sub("", name) and len(camel) > 1 else [name]


@dataclass(frozen=True)
class Name:
    text: str  # the right spelling
    source: str  # user | context | shipped

    @property
    def key(self) -> str:
        return fold(self.text)


@dataclass
class Glossary:
    """Right spellings (most trusted first) and explicit ``wrong -> right`` fixes."""

    names: list[Name] = field(default_factory=list)
    fixes: dict[tuple[str, ...], Name] = field(default_factory=dict)

    def add(self, other: "Glossary") -> "Glossary":
        self.names.extend(other.names)
        for wrong, right in other.fixes.items():
            self.fixes.setdefault(wrong, right)
        return self


# ---------------------------------------------------------------- loading


def normalise_name(text: str) -> str:
    """One canonical form per name: acronym plurals become singular ("LLMs" -> "LLM")."""
    text = " ".join(text.split())
    m = _ACRONYM_PLURAL.match(text)
    return m.group(1) if m else text


def parse_glossary(text: str, source: str, trust: str = USER) -> Glossary:
    """Read glossary text: ``right`` or ``wrong<TAB>right`` lines, ``#`` comments."""
    glossary = Glossary()
    for number, line in enumerate(text.splitlines(), 1):
        body = line.split("#", 1)[0] if line.lstrip().startswith("#") else line
        if not body.strip():
            continue
        fields = [f.strip() for f in body.rstrip("\r\n").split("\t")]
        if len(fields) > 2:
            raise InputError(source, f"line {number}: expected 'right' or 'wrong<TAB>right', found {len(fields)} tab-separated fields")
        if any(not fold(f) for f in fields):
            raise InputError(source, f"line {number}: an empty or letterless spelling in {line.strip()!r}")
        right = Name(normalise_name(fields[-1]), trust)
        if len(fields) == 2:
            wrong = tuple(fold(w) for w in fields[0].split())
            if len(wrong) > LONGEST_NAME_WORDS:
                raise InputError(source, f"line {number}: the wrong form {fields[0]!r} is longer than {LONGEST_NAME_WORDS} words")
            glossary.fixes.setdefault(wrong, right)
        glossary.names.append(right)
    return glossary


def read_glossary_file(path: str | Path) -> Glossary:
    """A user's glossary file; :class:`InputError` names the file (and line) when it is unreadable or malformed."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(str(path), f"cannot read glossary: {err.strerror or err}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(str(path), f"glossary is not UTF-8 text (byte {err.start})") from None
    if "\x00" in text:
        raise InputError(str(path), "glossary is a binary file, not text")
    return parse_glossary(text, str(path), USER)


@lru_cache(maxsize=1)
def shipped_glossary() -> Glossary:
    text = resources.files("cleaners.data").joinpath("glossary.tsv").read_text(encoding="utf-8")
    return parse_glossary(text, "cleaners/data/glossary.tsv", SHIPPED)


# The four word tests below are cached: a document repeats its words, and context_vocabulary
# asks about every occurrence.
@lru_cache(maxsize=65536)
def _distinctive(word: str) -> bool:
    """A word that marks a name: capitalised, CamelCase or an acronym, and not common English."""
    key = fold(word)
    return len(key) >= 2 and not is_common(key) and _looks_like_name(word) and (_marked(word) or not _prefixed_common(key))


@lru_cache(maxsize=65536)
def _looks_like_name(word: str) -> bool:
    return word[:1].isupper() or any(c.isupper() for c in word[1:])


@lru_cache(maxsize=65536)
def _marked(word: str) -> bool:
    """Capitals inside a word (DeepMind, LLM, iPhone) or letters with digits (GPT-4): a name wherever it stands."""
    pieces = word.split("-")
    return any(any(c.isupper() for c in p[1:]) or (any(c.isdigit() for c in p) and any(c.isalpha() for c in word)) for p in pieces)


@lru_cache(maxsize=65536)
def _compound(word: str) -> bool:
    """A hyphenated compound of ordinary pieces ("AI-driven", "On-the-Job"): a phrase, not a name."""
    return "-" in word and not any(c.isdigit() for c in word) and not any(_marked(p) and not is_acronym(p) for p in word.split("-"))


def _heading(tokens: list[tuple[str, str]], line: str) -> bool:
    """A title-case line ("The Big Blob of Compute Hypothesis"): its capitals say nothing about names.
    ``tokens`` are the line's (gap, word) pairs; most lines are long or sentences, answered before any word is read."""
    if len(tokens) > 14 or line.rstrip().endswith((".", "?", "!")):
        return False  # a paragraph, or a sentence however many names it holds
    long = [w for _gap, w in tokens if len(w) > 3]
    return len(long) >= 2 and sum(w[:1].isupper() for w in long) >= 0.6 * len(long)


def context_vocabulary(texts: list[str]) -> list[str]:
    """Names and terms as companion documents spell them, most frequent spelling per key.

    Single words: acronyms and CamelCase ("LLMs" -> "LLM", "DeepMind"), and capitalised
    words that are not common English and are capitalised somewhere mid-sentence
    ("Anthropic"; not "Annualized" that only starts a line). Multi-word names: runs of
    capitalised words inside one sentence with at least one such word that is not an
    acronym, trimmed of leading common words ("While Dario Amodei" -> "Dario Amodei",
    "Claude Code"). Title-case headings give no multi-word names, and words the
    writers also use in lowercase are not names.
    """
    seen: Counter[str] = Counter()
    kinds: dict[str, tuple] = {}  # what each spelling is, worked out once per call: documents repeat their words
    counts_as: dict[str, str] = {}  # what a capitalised word counts as ("" when not a name), judged once per call
    for text in texts:
        sentence_start = True
        tokenise = (_GAP_AND_WORD_RE if _re_tokenises(text) else _GAP_AND_WORD).findall
        for line in text.splitlines():
            tokens = tokenise(line)  # (the text before the word, the word)
            heading = _heading(tokens, line)
            if heading or not tokens:
                sentence_start = True
            run: list[str] = []
            first = True
            for gap, raw in tokens:
                if gap and not gap.isspace():  # punctuation between words ends a run, and maybe a sentence
                    if run:
                        _count_run(run, seen, heading)
                        run = []
                    if first or _SENTENCE_GAP.search(gap):  # a bullet or a full stop
                        sentence_start = True
                first = False
                kind = kinds.get(raw)
                if kind is None:
                    kind = kinds[raw] = _word_kind(raw)
                word, looks, marked, ends = kind
                if looks is None:  # a contraction, a number or a compound: no name, and the sentence goes on
                    if run:
                        _count_run(run, seen, heading)
                        run = []
                    continue
                if looks:
                    if marked or (not sentence_start and not heading):
                        name = counts_as.get(word)
                        if name is None:
                            name = counts_as[word] = normalise_name(word) if _distinctive(word) else ""
                        if name:
                            seen[name] += 1
                    run.append(word)
                elif run:
                    _count_run(run, seen, heading)
                    run = []
                sentence_start = ends
            _count_run(run, seen, heading)
    # the words the writers use uncapitalised (every spelling met is in kinds), folded in one go
    lowercase_keys = _fold_all({kind[0] for kind in kinds.values() if kind[1] is False})
    best: dict[str, tuple[int, str]] = {}
    for spelling, n in seen.items():
        key = fold(spelling)
        if " " not in spelling and key in lowercase_keys and not _marked(spelling):
            continue  # the writers use it as an ordinary word too
        if key not in best or n > best[key][0]:
            best[key] = (n, spelling)
    return [spelling for _, spelling in sorted(best.values(), key=lambda t: (-t[0], t[1]))]


_NOT_ALNUM_NOR_NEWLINE = regex.compile(r"[^\p{L}\p{N}\n]+")


def _fold_all(words: set[str]) -> set[str]:
    """:func:`fold` of every word, in one pass over them joined by line breaks (no word holds one).

    Only for words without capitals: lowercasing them joined is lowercasing each (the one
    context-dependent mapping, a final capital sigma, cannot occur).
    """
    if not words:
        return set()
    return set(_NOT_ALNUM_NOR_NEWLINE.sub("", "\n".join(words).lower()).split("\n"))


def _re_tokenises(text: str) -> bool:
    """Whether :data:`_GAP_AND_WORD_RE` cuts ``text`` exactly as :data:`_GAP_AND_WORD` does."""
    return "_" not in text and not any(unicodedata.category(ch) == "Cn" for ch in set(_ASCII.sub("", text)))


_ASCII = re.compile(r"[\x00-\x7f]+")  # dropped before the characters are looked up: none is unassigned


_POSSESSIVE_ENDS = frozenset(("'s", "'S", "’s", "’S"))  # a possessive ending: a set lookup is cheaper than a regex


def _word_kind(raw: str) -> tuple:
    """How context_vocabulary treats a document's word: (word without possessive, looks like a
    name (None: skipped), marked, ends with a full stop)."""
    word = raw[:-2] if raw[-2:] in _POSSESSIVE_ENDS else raw
    if "'" in word or "’" in word or word[:1].isdigit() or ("-" in word and _compound(word)):
        return word, None, False, False
    # ASCII: a capital anywhere is exactly "lowercasing changes it"; other text asks each character
    if word.lower() != word if word.isascii() else _looks_like_name(word):
        return word, True, _marked(word), word.endswith(".")
    return word, False, False, word.endswith(".")


def _count_run(run: list[str], seen: Counter, heading: bool) -> None:
    if heading or len(run) < 2:
        return
    words = list(run)
    while words and not _distinctive(words[0]):
        words.pop(0)
    if 1 < len(words) <= LONGEST_NAME_WORDS and any(_distinctive(w) and not is_acronym(w) for w in words):
        seen[" ".join(words)] += 1


def load(glossary_files: list[str] | None = None, context_texts: list[str] | None = None, shipped: bool = True) -> Glossary:
    """All three sources in order of trust: user files, then companion documents, then the shipped glossary."""
    glossary = Glossary()
    for path in glossary_files or []:
        glossary.add(read_glossary_file(path))
    if context_texts:
        glossary.add(Glossary([Name(s, CONTEXT) for s in context_vocabulary(context_texts)]))
    if shipped:
        glossary.add(shipped_glossary())
    return glossary


# ---------------------------------------------------------------- matching


@dataclass(frozen=True)
class Target:
    """One name as the matcher sees it."""

    name: Name
    parts: tuple[str, ...]  # right spelling of each spoken word ("AlphaGo" -> Alpha, Go)
    part_keys: tuple[str, ...]
    key: str  # the part keys joined: what the name folds to
    words: tuple[str, ...]  # the name's written words ("Claude Code" -> Claude, Code)

    @classmethod
    def of(cls, name: Name) -> "Target":
        parts = tuple(parts_of(name.text))
        keys = tuple(fold(p) for p in parts)
        return cls(name, parts, keys, "".join(keys), tuple(name.text.split()))


class Matcher:
    """Finds the known name a token or a run of tokens stands for."""

    def __init__(self, glossary: Glossary):
        by_key: dict[str, Target] = {}
        shipped = _shipped_targets()
        for name in glossary.names:  # most trusted first: the first spelling of a key wins
            target = shipped.get(name) or Target.of(name)
            if target.key and target.key not in by_key and len(target.parts) <= LONGEST_NAME_WORDS:
                by_key[target.key] = target
        self.by_key = by_key
        self.fixes = {wrong: by_key.get(fold(n.text)) or Target.of(n) for wrong, n in glossary.fixes.items()}
        self.fix_firsts = {wrong[0] for wrong in self.fixes}
        # Single-token fuzzy targets: one spoken word, not itself a common word.
        self.singles = [t for t in by_key.values() if len(t.parts) == 1 and len(t.key) >= MIN_FUZZY_LENGTH and not is_common(t.key)]
        self.single_keys = [t.key for t in self.singles]
        # Multi-word targets indexed by each of their spoken words, and every prefix of a
        # name's key (to find names written apart: "Deep Mind", "mid journey").
        self.by_part: dict[str, list[tuple[Target, int]]] = {}
        for t in by_key.values():
            if len(t.parts) > 1:
                for pos, pk in enumerate(t.part_keys):
                    self.by_part.setdefault(pk, []).append((t, pos))
        # by_part grouped by shape (see :meth:`shapes`), filled in for a word when a caption first has it.
        self.part_shapes: dict[str, list[tuple[int, int, dict[tuple[str, ...], list[Target]]]]] = {}
        self.prefixes = {key[:cut] for key in by_key for cut in range(1, len(key))}
        # What a run worth a closer look starts with: a word that opens a fix or is part of a
        # multi-word name, or two words that put together start or spell a name's key.
        self.run_words = sorted(self.fix_firsts | set(self.by_part))
        self.joinable = sorted(self.prefixes | set(by_key))

    def shapes(self, part_key: str) -> list[tuple[int, int, dict[tuple[str, ...], list[Target]]]]:
        """The multi-word names with this spoken word, grouped by where it stands, the name's length
        and its words' first letters: a run keeps every first letter (see :meth:`aligned`), so one
        dict lookup per place rules out nearly every name before aligned is asked. Groups keep
        by_part's order. Built on first use: a caption meets a few dozen of the names' words."""
        found = self.part_shapes.get(part_key)
        if found is None:
            shapes: dict[tuple[int, int], dict[tuple[str, ...], list[Target]]] = {}
            for t, pos in self.by_part.get(part_key, ()):
                initials = tuple(k[:1] for k in t.part_keys)
                shapes.setdefault((pos, len(t.parts)), {}).setdefault(initials, []).append(t)
            found = self.part_shapes[part_key] = [(pos, length, by_initials) for (pos, length), by_initials in shapes.items()]
        return found

    # -- one token

    def exact(self, key: str) -> Target | None:
        return self.by_key.get(key)

    def fuzzy_many(self, cores: list[str]) -> dict[str, Target]:
        """Best fuzzy name for each raw spelling in ``cores`` (uncommon words only), in one cdist call."""
        if not cores or not self.singles:
            return {}
        keys = [fold(c) for c in cores]
        scores = cdist(keys, self.single_keys, scorer=Levenshtein.normalized_similarity,
                       score_cutoff=SOUNDS_ALIKE_SIMILARITY, dtype="float32", workers=1)
        found: dict[str, tuple] = {}
        for row, col in zip(*scores.nonzero()):
            core, target, sim = cores[row], self.singles[col], float(scores[row, col])
            if not self._single_fits(core, keys[row], target, sim):
                continue
            rank = (sim, -TRUST[target.name.source])
            prev = found.get(core)
            if prev is None or rank > prev[0]:
                found[core] = (rank, target, False)
            elif rank == prev[0] and prev[1].key != target.key:
                found[core] = (rank, prev[1], True)  # two names fit equally: leave the word alone
        return {c: t for c, (_, t, tied) in found.items() if not tied}

    @staticmethod
    def _single_fits(core: str, key: str, target: Target, sim: float) -> bool:
        if is_acronym(target.name.text):
            # ASR writes an acronym it half-heard in capitals ("LOM" for LLM); a lowercase word is a word.
            return core.isupper() and len(key) == len(target.key) and sound(key) == sound(target.key)
        if key[:1] != target.key[:1] and not (key[:1] in "aeiou" and target.key[:1] in "aeiou"):
            return False
        if sound(key) == sound(target.key):
            return sim >= SOUNDS_ALIKE_SIMILARITY and (len(key) > 4 or sim >= 0.75)
        return sim >= LOOKS_ALIKE_SIMILARITY and min(len(key), len(target.key)) >= LOOKS_ALIKE_MIN_LENGTH

    # -- a run of tokens

    def joined(self, keys: list[str], cores: list[str]) -> Target | None:
        """The name a run of 2+ tokens spells when its words are put together, or None.

        Its words are the name's words up to case ("claude code" -> Claude Code) when one
        of them is not common English ("scale AI" stays); or written together the run is
        the name ("Deep Mind" -> DeepMind, "Alpha Star" -> AlphaStar). A run of common
        words only written apart ("deep mind") is trusted for names from the user or the
        companion documents, or when the captions capitalised it; the shipped glossary
        alone is not enough.
        """
        target = self.by_key.get("".join(keys))
        if target is None:
            return None
        if len(target.words) == len(keys):
            return target if any(not is_common(k) and not is_acronym(w) for k, w in zip(keys, target.words)) else None
        if any(len(k) == 1 and is_common(k) for k in keys):
            return None  # "a I" is an article and a pronoun, not "AI"
        if target.name.source == SHIPPED and all(is_common(k) for k in keys) and not all(c[:1].isupper() for c in cores):
            return None
        return target

    @staticmethod
    def aligned(keys: list[str], t: Target) -> bool:
        """The run is the name's spoken words one for one, at least one right and the others
        sounding like theirs or cut short ("cloud code", "cla code" -> Claude Code; "Alph Go" -> AlphaGo)."""
        exact = 0
        for k, pk in zip(keys, t.part_keys):
            if k[:1] != pk[:1] and k != pk:
                return False  # cheap first test: misheard words here keep their first letter
            if k == pk:
                exact += 1
            elif len(k) >= 3 and not is_common(k) and pk.startswith(k):
                continue  # the captions cut the word short
            elif len(k) < 4 or sound(k) != sound(pk) or Levenshtein.normalized_similarity(k, pk) < SOUNDS_ALIKE_SIMILARITY:
                return False
        return 1 <= exact < len(keys)


@lru_cache(maxsize=1)
def _shipped_targets() -> dict[Name, Target]:
    """The shipped glossary's names as targets: a shipped file, worked out once per process."""
    return {name: Target.of(name) for name in shipped_glossary().names}


def build(glossary_files: list[str] | None = None, context_texts: list[str] | None = None, shipped: bool = True) -> Matcher:
    return Matcher(load(glossary_files, context_texts, shipped))
