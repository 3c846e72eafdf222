"""Sentence alignment of a text with its translation: beads of 1-1, 1-2, 2-1, 2-2, 1-0, 0-1 ...

The method follows Vecalign and Bertalign:

1. every window of 1..k consecutive sentences on each side gets features: a sentence embedding
   of the concatenated window (the multilingual encoder, when installed; pooled from the
   encodings of the sentences and of the adjacent pairs, see ``Encoder.window_embeddings``) and
   a bag of CC-CEDICT glosses, words, numbers and romanised names;
2. a bead (a source window against a target window) scores by the margin-normalised cosine of
   the two embeddings, the share of words on each side that the other side translates, and how
   far the length ratio is from the text's own ratio;
3. a first dynamic programme over 1-1 beads and skips finds the rough path (the confident 1-1
   anchors); a second one, inside a band around that path, picks the best sequence of beads of
   every allowed shape.

Everything is vectorised with numpy: one chapter of a novel (300 sentences a side) aligns in
half a second without the encoder, and in about three CPU seconds with it (encoding dominates).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import numpy as np
import regex as re

from align import encoder as encoders
from align import lexicon
from align.zh import for_matching, is_chinese, to_simplified

BEAD_LINE = re.compile(r"^\s*\[([\d,\s]*)\]\s*:\s*\[([\d,\s]*)\]\s*$")


@dataclass(frozen=True)
class Bead:
    """Source and target sentence indices (0-based, consecutive) and the bead's score in [0, 1]."""

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float = 0.0


@dataclass(frozen=True)
class Settings:
    """The aligner's knobs (tuned on MAC-Test dev files 001-008)."""

    # Every shape with at most 5 sentences that occurs in the dev gold more than once.
    shapes: tuple[tuple[int, int], ...] = ((1, 1), (1, 2), (2, 1), (2, 2), (1, 3), (3, 1),
                                           (1, 4), (2, 3), (3, 2), (1, 5), (4, 1))
    skip: float = -0.1             # score of a 1-0 or 0-1 bead
    band: int = 8                  # half-width of the second pass around the first path
    encoder_weight: float = 0.7    # share of the similarity from the encoder (rest: lexicon)
    length_weight: float = 0.1     # penalty per unit of |log length ratio|
    margin_k: int = 4              # neighbours for the margin normalisation of cosines
    margin: float = 0.0            # share of the neighbourhood mean to subtract (no gain on dev)
    # Share of each window's mean cosine with every window of the other side to subtract, as
    # Vecalign normalises by similarity to random others: some sentences (long ones, windows of
    # several) are close to everything, and that closeness is no evidence (dev strict +0.005).
    baseline: float = 1.0
    score_centre: float = 0.24     # raw bead score read as confidence 0.5 (5th percentile of right dev beads)
    size_power: float = 0.2        # bead score x (sentences in bead / 2) ** size_power
    windows: str = "pooled"        # window embeddings: "pooled" (from sentences and pairs) or "exact"
    exact_window: int = 5          # "exact": windows longer than this: sum of shorter windows' embeddings
    idf: bool = False              # weight tokens by rarity in their own text


DEFAULT = Settings()
# Without the encoder the similarities are dictionary overlaps on another scale: merging
# sentences must pay more, the length ratio counts for more, and rare words weigh more
# (tuned on dev 001-008; rarity weighting helped the dictionary alone, not the encoder).
LEXICAL = Settings(size_power=-0.2, length_weight=0.15, idf=True, baseline=0.0, score_centre=0.3)


# ---------------------------------------------------------------------------------------- beads

def parse_beads(text: str) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Read ``[i,j]:[k]`` lines (the MAC-Test / Vecalign format) into index tuples."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        m = BEAD_LINE.match(line)
        if not m:
            raise ValueError(f"line {n}: not a bead like [1,2]:[3]: {line!r}")
        out.append(tuple(tuple(int(x) for x in g.split(",") if x.strip()) for g in m.groups()))
    return out


def format_beads(beads) -> str:
    """``[i,j]:[k]`` lines, one bead a line."""
    return "".join(f"[{','.join(map(str, b.src))}]:[{','.join(map(str, b.tgt))}]\n" for b in beads)


# ------------------------------------------------------------------------------------- features

_CAPITALISED = re.compile(r"\b\p{Lu}[\p{Ll}]+(?:[-'’]\p{Lu}?[\p{Ll}]+)*\b")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _windows(sentences: list[str], size: int, joiner: str) -> list[str]:
    return [joiner.join(sentences[i:i + size]) for i in range(len(sentences) - size + 1)]


@dataclass
class _Side:
    """Per-sentence lexical features of one side."""

    sentences: list[str]
    chinese: bool
    tokens: list[list[frozenset[str]]] = field(default_factory=list)  # match set per content token
    bags: list[set[str]] = field(default_factory=list)                # everything a token can match
    lengths: np.ndarray = None

    @classmethod
    def build(cls, sentences: list[str], chinese: bool, lex: lexicon.Lexicon | None) -> "_Side":
        side = cls(sentences, chinese)
        for s in sentences:
            if chinese:
                toks = []
                for t in lex.tokenize(s):
                    g = lex.gloss(t) if not t[0].isascii() else frozenset({lexicon.stem(t)})
                    if g:
                        toks.append(g)
                bag = set().union(*toks) if toks else set()
                # Romanised names: pinyin of 1..3 consecutive characters, e.g. 清扬 -> "#qingyang".
                syl = lex.syllables(s)
                for k in (1, 2, 3):
                    bag.update("#" + "".join(syl[i:i + k]) for i in range(len(syl) - k + 1))
            else:
                toks = [frozenset({w}) for w in lexicon.english_stems(s)]
                # Capitalised words may be romanised names: "Qingyang" -> "#qingyang".
                toks += [frozenset({"#" + n.lower().replace("-", "").replace("'", "")})
                         for n in _CAPITALISED.findall(s)]
                bag = set().union(*toks) if toks else set()
            nums = _NUMBER.findall(unicodedata.normalize("NFKC", s))
            toks += [frozenset({n}) for n in nums]
            bag.update(nums)
            side.tokens.append(toks)
            side.bags.append(bag)
        side.lengths = np.array([len(for_matching(s).replace(" ", "")) for s in sentences], dtype=np.float64)
        return side


def _shift_or(m: np.ndarray, size: int, axis: int) -> np.ndarray:
    """Windows of ``size`` consecutive rows (axis 0) or columns (axis 1), combined with max."""
    n = m.shape[axis] - size + 1
    take = (lambda k: m[k:k + n]) if axis == 0 else (lambda k: m[:, k:k + n])
    out = take(0).copy()
    for k in range(1, size):
        np.maximum(out, take(k), out=out)
    return out


def _shift_sum(m: np.ndarray, size: int, axis: int) -> np.ndarray:
    n = m.shape[axis] - size + 1
    take = (lambda k: m[k:k + n]) if axis == 0 else (lambda k: m[:, k:k + n])
    out = take(0).astype(np.float64)
    for k in range(1, size):
        out = out + take(k)
    return out


def _coverage(x: _Side, y: _Side, sizes: set[int], idf: bool = False) -> tuple[dict, dict]:
    """How many content tokens of each x sentence the y windows translate.

    Returns ``covered[b]`` with shape (len(x), len(y) - b + 1) and ``tokens`` per x sentence."""
    vocab = {}
    for bag in y.bags:
        for w in bag:
            vocab.setdefault(w, len(vocab))
    types = {}
    for toks in x.tokens:
        for t in toks:
            types.setdefault(t, len(types))
    covered_type = np.zeros((len(types), max(len(y.bags), 1)), dtype=bool)
    if types and vocab:
        a = np.zeros((len(types), len(vocab)), dtype=np.float32)
        for t, k in types.items():
            ids = [vocab[w] for w in t if w in vocab]
            a[k, ids] = 1.0
        b = np.zeros((len(vocab), len(y.bags)), dtype=np.float32)
        for j, bag in enumerate(y.bags):
            b[[vocab[w] for w in bag], j] = 1.0
        covered_type = (a @ b) > 0
    weight = np.ones(len(types), dtype=np.float32)
    if idf:
        df = np.zeros(len(types))
        for toks in x.tokens:
            for t in set(toks):
                df[types[t]] += 1
        weight = np.log(1 + len(x.tokens) / np.maximum(df, 1)).astype(np.float32)
    counts = np.zeros((len(x.tokens), len(types)), dtype=np.float32)
    for i, toks in enumerate(x.tokens):
        for t in toks:
            counts[i, types[t]] += weight[types[t]]
    out = {}
    for size in sizes:
        if len(y.bags) - size + 1 <= 0:
            continue
        cov = _shift_or(covered_type, size, axis=1).astype(np.float32)
        out[size] = counts @ cov
    return out, counts.sum(axis=1)


def _window_embeddings(enc, sentences, sizes, joiner, exact) -> dict[int, np.ndarray]:
    """Embeddings of windows of each size: encoded whole up to ``exact`` sentences (encoding
    cost grows with the window), beyond that the normalised sum of encoded pieces."""
    out = {k: enc.embed(_windows(sentences, k, joiner)) for k in sorted(sizes) if k <= exact}
    for k in sorted(sizes):
        if k in out:
            continue
        pieces, total, start = [], 0, 0
        while total < k:
            step = min(exact, k - total)
            if step not in out:
                out[step] = enc.embed(_windows(sentences, step, joiner))
            pieces.append((start, step))
            total += step
            start += step
        n = len(sentences) - k + 1
        v = sum(out[step][off:off + n] for off, step in pieces)
        out[k] = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)
    return out


def _margin(sim: np.ndarray, k: int, amount: float) -> np.ndarray:
    """Subtract part of each row's and column's mean top-k similarity (hubness correction)."""
    if amount == 0 or sim.size == 0:
        return sim
    kr = min(k, sim.shape[1])
    kc = min(k, sim.shape[0])
    row = -np.partition(-sim, kr - 1, axis=1)[:, :kr].mean(axis=1)
    col = -np.partition(-sim, kc - 1, axis=0)[:kc].mean(axis=0)
    return sim - amount * (row[:, None] + col[None, :]) / 2


class _Scorer:
    """Score matrices for every bead shape: ``score[(a, b)][i, j]`` is the bead of source
    sentences i..i+a-1 against target sentences j..j+b-1."""

    def __init__(self, src, tgt, src_zh, tgt_zh, enc, settings: Settings):
        self.settings = settings
        shapes = [s for s in settings.shapes if s[0] <= len(src) and s[1] <= len(tgt)]
        src_sizes = {a for a, _ in shapes}
        tgt_sizes = {b for _, b in shapes}
        lex = lexicon.load() if (src_zh or tgt_zh) else None
        s_side = _Side.build(src, src_zh, lex)
        t_side = _Side.build(tgt, tgt_zh, lex)
        cov_st, tok_s = _coverage(s_side, t_side, tgt_sizes, settings.idf)
        cov_ts, tok_t = _coverage(t_side, s_side, src_sizes, settings.idf)
        ratio = t_side.lengths.sum() / max(s_side.lengths.sum(), 1.0)
        emb_s = emb_t = None
        if enc is not None:
            # The encoder sees Simplified characters whatever the input script.
            src_enc = [to_simplified(s) for s in src] if src_zh else src
            tgt_enc = [to_simplified(s) for s in tgt] if tgt_zh else tgt
            if settings.windows == "pooled":
                emb_s = enc.window_embeddings(src_enc, src_sizes, "" if src_zh else " ")
                emb_t = enc.window_embeddings(tgt_enc, tgt_sizes, "" if tgt_zh else " ")
            else:
                emb_s = _window_embeddings(enc, src_enc, src_sizes, "" if src_zh else " ", settings.exact_window)
                emb_t = _window_embeddings(enc, tgt_enc, tgt_sizes, "" if tgt_zh else " ", settings.exact_window)
        self.scores = {}
        for a, b in shapes:
            # Lexical: tokens of both windows that the other window translates, over all tokens.
            num = _shift_sum(cov_st[b], a, axis=0) + _shift_sum(cov_ts[a], b, axis=0).T
            den = _shift_sum(tok_s, a, axis=0)[:, None] + _shift_sum(tok_t, b, axis=0)[None, :]
            lexical = num / np.maximum(den, 1.0)
            if enc is not None:
                cos = emb_s[a] @ emb_t[b].T
                if settings.baseline:
                    cos = cos - settings.baseline * (cos.mean(axis=1, keepdims=True) + cos.mean(axis=0, keepdims=True)) / 2
                sim = settings.encoder_weight * _margin(cos, settings.margin_k, settings.margin) \
                    + (1 - settings.encoder_weight) * lexical
            else:
                sim = lexical
            ls = _shift_sum(s_side.lengths, a, axis=0)[:, None] * ratio
            lt = _shift_sum(t_side.lengths, b, axis=0)[None, :]
            penalty = np.abs(np.log((lt + 1.0) / (ls + 1.0)))
            self.scores[(a, b)] = sim - settings.length_weight * penalty
        self.shapes = shapes


# ------------------------------------------------------------------------------------ searching

def _first_path(sim: np.ndarray, skip: float) -> list[tuple[int, int]]:
    """Best monotone path of 1-1 beads and skips over the whole 1-1 matrix (vectorised by row).

    Returns the 1-1 cells on the path: the confident anchors."""
    n, m = sim.shape
    d = np.empty((n + 1, m + 1))
    d[0] = skip * np.arange(m + 1)
    back = np.zeros((n + 1, m + 1), dtype=np.int8)  # 0 diag, 1 up (skip src), 2 left (skip tgt)
    cols = np.arange(m + 1)
    for i in range(1, n + 1):
        diag = np.full(m + 1, -np.inf)
        diag[1:] = d[i - 1, :-1] + sim[i - 1]
        up = d[i - 1] + skip
        best = np.maximum(diag, up)
        choice = np.where(diag >= up, 0, 1).astype(np.int8)
        # left moves: d[i, j] = max_k<=j (best[k] + skip * (j - k))
        shifted = best - skip * cols
        run = np.maximum.accumulate(shifted)
        left = run + skip * cols
        from_left = left > best + 1e-12
        d[i] = np.where(from_left, left, best)
        back[i] = np.where(from_left, 2, choice)
    path = []
    i, j = n, m
    while i > 0 or j > 0:
        move = back[i, j] if i > 0 else 2
        if move == 0 and j > 0:
            path.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif move == 1 or j == 0:
            i -= 1
        else:
            j -= 1
    return path[::-1]


def _band(path, n: int, m: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """For each source position 0..n, the range of target positions the second pass may visit."""
    if not path:
        centre = np.linspace(0, m, n + 1)
    else:
        xs = np.array([0] + [i + 0.5 for i, _ in path] + [n], dtype=float)
        ys = np.array([0] + [j + 0.5 for _, j in path] + [m], dtype=float)
        centre = np.interp(np.arange(n + 1), xs, ys)
    lo = np.clip(np.floor(centre - width), 0, m).astype(int)
    hi = np.clip(np.ceil(centre + width), 0, m).astype(int)
    return lo, hi


def _second_pass(scorer: _Scorer, n: int, m: int, lo, hi, settings: Settings) -> list[Bead]:
    skip = settings.skip
    shapes = scorer.shapes
    weight = {s: ((s[0] + s[1]) / 2) ** settings.size_power for s in shapes}
    d = np.full((n + 1, m + 1), -np.inf)
    back = np.zeros((n + 1, m + 1, 2), dtype=np.int16)
    d[0, 0] = 0.0
    moves = [(0, 1), (1, 0)] + list(shapes)
    for i in range(n + 1):
        for j in range(lo[i], hi[i] + 1):
            if i == 0 and j == 0:
                continue
            best, arg = -np.inf, (0, 0)
            for a, b in moves:
                pi, pj = i - a, j - b
                if pi < 0 or pj < 0:
                    continue
                prev = d[pi, pj]
                if prev == -np.inf:
                    continue
                if a == 0 or b == 0:
                    val = prev + skip
                else:
                    val = prev + weight[(a, b)] * scorer.scores[(a, b)][pi, pj]
                if val > best:
                    best, arg = val, (a, b)
            d[i, j] = best
            back[i, j] = arg
    if d[n, m] == -np.inf:  # the band missed the corner: should not happen, widen and retry
        return []
    beads = []
    i, j = n, m
    while i > 0 or j > 0:
        a, b = back[i, j]
        src = tuple(range(i - a, i))
        tgt = tuple(range(j - b, j))
        score = 0.0 if a == 0 or b == 0 else float(scorer.scores[(a, b)][i - a, j - b])
        beads.append(Bead(src, tgt, score))
        i, j = i - a, j - b
    return beads[::-1]


def _calibrate(beads: list[Bead], centre: float) -> list[Bead]:
    """Squash raw bead scores into [0, 1] (0 for skips) so that they read as confidence."""
    out = []
    for b in beads:
        s = 0.0 if not b.src or not b.tgt else float(1 / (1 + np.exp(-10 * (b.score - centre))))
        out.append(Bead(b.src, b.tgt, round(s, 4)))
    return out


def align_sentences(src: list[str], tgt: list[str], src_lang: str | None = None, tgt_lang: str | None = None,
                    use_encoder: bool | None = None, settings: Settings | None = None, encoder=None,
                    warn=None) -> list[Bead]:
    """Align two lists of sentences (a text and its translation) into beads.

    ``src_lang``/``tgt_lang``: ``zh`` for Chinese (sniffed when ``None``), anything else is
    treated as a space-separated language. ``use_encoder``: ``None`` uses the multilingual
    encoder when installed (else ``warn(message)`` and the CEDICT fallback), ``True`` insists,
    ``False`` uses the dictionary alone. Every source and target index appears in exactly one
    bead, in order."""
    n, m = len(src), len(tgt)
    if n == 0 or m == 0:
        return [Bead((i,), ()) for i in range(n)] + [Bead((), (j,)) for j in range(m)]
    src_zh = is_chinese("".join(src[:50])) if src_lang is None else src_lang.lower().startswith("zh")
    tgt_zh = is_chinese("".join(tgt[:50])) if tgt_lang is None else tgt_lang.lower().startswith("zh")
    enc = encoder if encoder is not None else encoders.get(use_encoder, warn=warn)
    if settings is None:
        settings = DEFAULT if enc is not None else LEXICAL
    scorer = _Scorer(src, tgt, src_zh, tgt_zh, enc, settings)
    path = _first_path(scorer.scores[(1, 1)], settings.skip)
    width = settings.band
    while True:
        lo, hi = _band(path, n, m, width)
        beads = _second_pass(scorer, n, m, lo, hi, settings)
        if beads:
            return _calibrate(beads, settings.score_centre)
        width *= 2


# ------------------------------------------------------------------------- texts and the table

FORMATS = ("beads", "tsv", "jsonl", "parquet", "tmx")


def sentences_of(text: str, lang: str, presplit: bool) -> list[str]:
    """One sentence a non-empty line with ``presplit``; otherwise segmented for ``lang``."""
    from align.zh import split

    if presplit:
        return [line.strip() for line in text.splitlines() if line.strip()]
    return split(text, lang)


def align_texts(src_text: str, tgt_text: str, src_lang: str = "zh", tgt_lang: str = "en",
                presplit: bool = False, use_encoder: bool | None = None, warn=None):
    """Align a text with its translation; a polars DataFrame with one row per bead:
    ``bead, src_ids, tgt_ids, src_text, tgt_text, score`` (texts of a side joined, ``""`` when
    the side is empty; ``score`` in [0, 1], 0 for unmatched sentences)."""
    import polars as pl

    src = sentences_of(src_text, src_lang, presplit)
    tgt = sentences_of(tgt_text, tgt_lang, presplit)
    beads = align_sentences(src, tgt, src_lang, tgt_lang, use_encoder=use_encoder, warn=warn)
    joiner = {True: "", False: " "}
    src_join = joiner[src_lang.lower().startswith("zh")]
    tgt_join = joiner[tgt_lang.lower().startswith("zh")]
    return pl.DataFrame({
        "bead": list(range(len(beads))),
        "src_ids": [list(b.src) for b in beads],
        "tgt_ids": [list(b.tgt) for b in beads],
        "src_text": [src_join.join(src[i] for i in b.src) for b in beads],
        "tgt_text": [tgt_join.join(tgt[j] for j in b.tgt) for b in beads],
        "score": [b.score for b in beads],
    }, schema={"bead": pl.Int64, "src_ids": pl.List(pl.Int64), "tgt_ids": pl.List(pl.Int64),
               "src_text": pl.String, "tgt_text": pl.String, "score": pl.Float64})


def render(fmt: str, table, src_lang: str = "zh", tgt_lang: str = "en") -> str | bytes:
    """The bead table in ``fmt``: beads (``[i,j]:[k]`` lines), tsv, jsonl, parquet or tmx."""
    from cleaners import export
    from align.tmx import to_tmx

    if fmt == "beads":
        return format_beads(Bead(tuple(r["src_ids"]), tuple(r["tgt_ids"])) for r in table.iter_rows(named=True))
    if fmt == "tsv":
        rows = ["src_ids\ttgt_ids\tscore\tsrc_text\ttgt_text"]
        for r in table.iter_rows(named=True):
            clean = [t.replace("\t", " ").replace("\n", " ") for t in (r["src_text"], r["tgt_text"])]
            rows.append(f"{','.join(map(str, r['src_ids']))}\t{','.join(map(str, r['tgt_ids']))}\t{r['score']:.4f}\t{clean[0]}\t{clean[1]}")
        return "\n".join(rows) + "\n"
    if fmt == "jsonl":
        return export.to_jsonl(table)
    if fmt == "parquet":
        return export.to_parquet(table)
    if fmt == "tmx":
        return to_tmx(zip(table["src_text"], table["tgt_text"]), src_lang, tgt_lang, scores=table["score"])
    raise ValueError(f"unknown output format {fmt!r}")
