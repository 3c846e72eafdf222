"""Trace Chinese text onto the bundled episode, Chinese alone (no English goes in).

Reads ../shared/eval/dev_gold/zh_pairs_dev.tsv (never copied into the repository): only the
Chinese text of each paragraph goes in, no English. The transcript is the cleaned bundled episode
(cleaners.clean_file on fixtures/episode/002_...txt). Prints the share of paragraphs whose best
candidate starts within 30 s of gold_start, and the same for the monotone pick.

With --sections it also traces the paragraphs of ../shared/eval/zh_summary_sections.md (a
Chinese summary of the whole episode in 6 sections; measured, never tuned on) and reports the
share whose best candidate lies inside its own section. A section's time span comes from its
"Original English Source" block: the transcript sentences that best match the block's first and
last sentences (content-word overlap), used only to score, never as input. A source check flags
a section whose Chinese text glosses English terms (制衡机制（Balance of Power）) found in another
section's English block rather than its own, and reports the share inside that block's span too.

With --fit it fits the direction of the crosslingual scorer's calibration
(align.crosslingual.CALIBRATION) on the development paragraphs p001-p025 only: a logistic model
of "this window starts within 30 s of the paragraph's gold start" over every window's evidence,
and reports the share of paragraphs whose best candidate is right, current against fitted
(in-sample and leaving each paragraph out of the fit in turn). See fit() for the scale.

    python scripts/evaluate_zh_alignment.py [--no-encoder] [--show] [--sections] [--fit]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOLD = ROOT.parent / "shared" / "eval" / "dev_gold" / "zh_pairs_dev.tsv"
if not GOLD.exists():
    GOLD = Path("/work/shared/eval/dev_gold/zh_pairs_dev.tsv")
SECTIONS = GOLD.parent.parent / "zh_summary_sections.md"
TOLERANCE = 30.0


def summary_sections(path: Path) -> list[dict]:
    """Sections of the Chinese summary: heading, Chinese paragraphs, English source text."""
    import regex as re

    text = path.read_text(encoding="utf-8")
    out = []
    for block in re.split(r"(?m)^### ", text)[1:]:
        heading, _, body = block.partition("\n")
        zh, _, rest = body.partition("<details>")
        english = re.sub(r"<summary>.*?</summary>", "", rest.partition("</details>")[0], flags=re.S)
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", zh) if len(p.strip()) > 20]
        out.append({"heading": heading.strip(), "paragraphs": paragraphs, "english": english.strip()})
    return out


def locate(english: str, sentences) -> tuple[float, float]:
    """Start and end time of an English stretch in the transcript: the best content-word matches
    of its first and last few sentences."""
    from align.lexicon import english_stems
    from align.zh import split_english

    stems = [set(english_stems(t)) for t in sentences["text"].to_list()]
    starts, ends = sentences["start"].to_list(), sentences["end"].to_list()
    said = [s for s in split_english(english) if len(english_stems(s)) >= 5]

    def best(sentence):
        words = set(english_stems(sentence))
        scores = [len(words & s) / (len(words | s) or 1) for s in stems]
        return max(range(len(scores)), key=scores.__getitem__)

    first = min(best(s) for s in said[:3])
    last = max(best(s) for s in said[-3:])
    return starts[first], ends[last]


def seconds(clock: str) -> float:
    h, m, s = (int(x) for x in clock.split(":"))
    return float(h * 3600 + m * 60 + s)


def main(argv=None) -> int:
    import polars as pl

    from align import crosslingual, example
    from cleaners import clean_file

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-encoder", action="store_true")
    ap.add_argument("--show", action="store_true", help="print each paragraph's result")
    ap.add_argument("--sections", action="store_true", help="also trace the Chinese summary sections")
    ap.add_argument("--fit", action="store_true", help="fit the calibration on p001-p025 and report it")
    args = ap.parse_args(argv)

    gold = pl.read_csv(GOLD, separator="\t", quote_char=None)
    gold = gold.with_columns(pl.col("gold_start").map_elements(seconds, return_dtype=pl.Float64))
    t0 = time.perf_counter()
    sentences = clean_file(example.captions()).sentences
    t1 = time.perf_counter()
    units = gold.select(pl.col("id").alias("unit"), pl.col("zh").alias("text"))
    cands = crosslingual.candidates(units, sentences, use_encoder=False if args.no_encoder else None,
                                    warn=lambda m: print("note:", m, file=sys.stderr))
    picked = crosslingual.monotone(cands, units["unit"].to_list())
    t2 = time.perf_counter()

    best = cands.filter(pl.col("rank") == 1).join(gold.select(pl.col("id").alias("unit"), "gold_start"), on="unit")
    best = best.with_columns((pl.col("start") - pl.col("gold_start")).abs().alias("off"))
    mono = gold.select(pl.col("id").alias("unit"), "gold_start").join(picked, on="unit", how="left")
    mono = mono.with_columns((pl.col("start") - pl.col("gold_start")).abs().alias("off"))
    n = gold.height
    hit_best = best.filter(pl.col("off") <= TOLERANCE).height
    hit_mono = mono.filter(pl.col("off") <= TOLERANCE).height
    if args.show:
        for r in mono.join(best.select("unit", pl.col("start").alias("best_start")), on="unit").iter_rows(named=True):
            print(f"{r['unit']} gold {r['gold_start']:7.1f}  best {r['best_start']:7.1f}  monotone "
                  f"{(r['start'] if r['start'] is not None else float('nan')):7.1f}  score {r['score']}")
    mode = "CEDICT only" if args.no_encoder else "encoder + CEDICT"
    print(f"zh paragraphs p001-p025 ({mode}), start within {TOLERANCE:.0f} s of gold:")
    print(f"  best candidate: {hit_best}/{n} = {hit_best / n:.0%}")
    print(f"  monotone pick:  {hit_mono}/{n} = {hit_mono / n:.0%}")
    print(f"  cleaning {t1 - t0:.1f} s, scoring {t2 - t1:.1f} s")
    if args.sections:
        report_sections(sentences, args)
    if args.fit:
        fit(units, gold, sentences, args)
    return 0


def _window_table(units, gold, sentences, use):
    """Per paragraph: the features of every window and whether it starts within TOLERANCE."""
    import numpy as np

    from align import crosslingual

    gold_start = dict(zip(gold["id"].to_list(), gold["gold_start"].to_list()))
    out = []
    for unit, starts, per_k in crosslingual.evidence(units, sentences, use_encoder=use):
        xs, ys = [], []
        for k, f in per_k.items():
            feats = crosslingual.features(f, k)
            xs.append(np.column_stack([feats[name] for name in crosslingual.FEATURES]))
            ys.append(np.abs(starts[: len(f["lexical"])] - gold_start[unit]) <= TOLERANCE)
        out.append((unit, np.vstack(xs), np.concatenate(ys).astype(float)))
    return out


def _logistic(x, y, ridge: float = 1e-2, steps: int = 60):
    """Logistic regression by Newton's method (numpy only), a little ridge for stability."""
    import numpy as np

    a = np.column_stack([np.ones(len(x)), x])
    w = np.zeros(a.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-a @ w))
        grad = a.T @ (p - y) + ridge * np.r_[0, w[1:]]
        hess = (a * (p * (1 - p))[:, None]).T @ a + ridge * np.diag(np.r_[0, np.ones(len(w) - 1)])
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return w


def _as_weights(w) -> dict:
    from align.crosslingual import FEATURES

    return {"intercept": float(w[0])} | {f: float(v) for f, v in zip(FEATURES, w[1:])}


def _best_hits(table, weights) -> int:
    """Paragraphs whose highest-scoring window is right."""
    import numpy as np

    from align.crosslingual import FEATURES

    direction = np.array([weights[f] for f in FEATURES])
    return int(sum(y[np.argmax(x @ direction)] for _u, x, y in table))


def fit(units, gold, sentences, args) -> None:
    """Fit the direction of the calibration on p001-p025, and report it beside the current one.

    The direction (how cosine, CEDICT overlap, anchors and window size trade off) is a logistic
    model over every window of every paragraph, judged by best-candidate hits with each paragraph
    left out of its own fit; once with every feature, once without the window size (translation
    paragraphs favour short windows, summaries need long ones). The scale to compare at is the
    current one (the fitted weights rescaled to the current weight of ``lexical``):
    a scale fitted on the paragraphs' candidate pools (the chance that any of a paragraph's top 5
    is right) made the aligner drop right answers (Chinese alone on p001-p025: 128 of 164
    sentences right before, 82 after), because the candidate the ordered search picks is right far
    more often than an average candidate of the same score.
    """
    import numpy as np

    from align import crosslingual

    use = False if args.no_encoder else None
    which = "lexical" if args.no_encoder else "encoder"
    current = crosslingual.CALIBRATION[which]
    table = _window_table(units, gold, sentences, use)
    if args.no_encoder:  # no cosine without the encoder
        table = [(u, np.column_stack([np.zeros(len(x)), x[:, 1:]]), y) for u, x, y in table]
    now = _best_hits(table, current)
    print(f"fit ({which}) on p001-p025 ({sum(len(y) for _u, _x, y in table)} windows), best candidate within "
          f"{TOLERANCE:.0f} s of gold: current curve {now}/{len(table)}")
    for label, drop in (("all features", None), ("without window size", "size")):
        cols = [i for i, f in enumerate(crosslingual.FEATURES) if f != drop]

        def fit_on(rows):
            w = _logistic(np.vstack([x[:, cols] for _u, x, _y in rows]), np.concatenate([y for _u, _x, y in rows]))
            full = np.zeros(len(crosslingual.FEATURES) + 1)
            full[[0] + [c + 1 for c in cols]] = w
            return _as_weights(full)

        fitted = fit_on(table)
        loo = sum(_best_hits([table[n]], fit_on(table[:n] + table[n + 1:])) for n in range(len(table)))
        scale = current["lexical"] / fitted["lexical"]
        print(f"  fitted, {label}: {_best_hits(table, fitted)}/{len(table)} in-sample, {loo}/{len(table)} leaving "
              f"each paragraph out of its own fit; at the current scale "
              f"{ {name: round(v * scale, 2) for name, v in fitted.items()} }")
    print(f"  current: {current}")


def report_sections(sentences, args) -> None:
    """Per section: how many of its paragraphs land inside the section's span, three ways: the
    best candidate alone, the monotone pick over the whole summary, and the aligner itself
    (``align.trace.align_units``: ordered search, threshold, in-order second pass)."""
    import polars as pl

    from align import crosslingual
    from align.documents import units_from_frame
    from align.trace import align_units

    sections = summary_sections(SECTIONS)
    rows, spans = [], []
    for k, sec in enumerate(sections):
        spans.append(locate(sec["english"], sentences))
        rows += [{"unit": f"s{k + 1}p{n + 1}", "text": p, "section": k} for n, p in enumerate(sec["paragraphs"])]
    units = pl.DataFrame(rows)
    use = False if args.no_encoder else None
    cands = crosslingual.candidates(units.select("unit", "text"), sentences, use_encoder=use)
    best = dict(cands.filter(pl.col("rank") == 1).select("unit", "start").iter_rows())
    mono = dict(crosslingual.monotone(cands, units["unit"].to_list()).select("unit", "start").iter_rows())
    frame = units.select("unit", "text").with_columns(pl.lit("paragraph").alias("kind"), pl.lit("zh").alias("lang"))
    trace = align_units(sentences, units_from_frame(frame, doc="summary"))
    traced = {u: (st if status == "supported" else None) for u, st, status in
              zip(trace["unit"].to_list(), trace["start"].to_list(), trace["status"].to_list())}

    def inside(t, k):
        return t is not None and spans[k][0] <= t <= spans[k][1]

    ways = {"best": best, "monotone": mono, "aligner": traced}
    print(f"zh summary sections ({SECTIONS.name}), paragraphs starting inside their section's span "
          f"(best candidate / monotone pick / aligner):")
    totals = dict.fromkeys(ways, 0)
    for k, sec in enumerate(sections):
        mine = [r["unit"] for r in rows if r["section"] == k]
        hits = {w: sum(inside(found.get(u), k) for u in mine) for w, found in ways.items()}
        for w in ways:
            totals[w] += hits[w]
        lo, hi = spans[k]
        print(f"  {k + 1}. {sec['heading'][:30]:<30} [{lo:5.0f} s - {hi:5.0f} s]  "
              + " / ".join(f"{hits[w]}/{len(mine)}" for w in ways))
        if args.show:
            for u in mine:
                print(f"       {u:<6} " + "  ".join(f"{w} {_clock(found.get(u))}" + ("*" if inside(found.get(u), k) else " ")
                                                   for w, found in ways.items()))
    print("  all: " + " / ".join(f"{totals[w]}/{len(rows)}" for w in ways))
    for k, sec in enumerate(sections):
        found = [sum(t in other["english"].lower() for t in glossed_terms(sec)) for other in sections]
        home = max(range(len(sections)), key=found.__getitem__)
        if found[home] > found[k]:
            mine = [r["unit"] for r in rows if r["section"] == k]
            lo, hi = spans[home]
            hits = " / ".join(f"{sum(t is not None and lo <= t <= hi for t in (found_.get(u) for u in mine))}/{len(mine)}"
                              for found_ in ways.values())
            print(f"  source check: the English terms section {k + 1}'s Chinese text glosses are found {found[k]} times "
                  f"in its own English block and {found[home]} in section {home + 1}'s, so its span is suspect; "
                  f"inside section {home + 1}'s span instead: {hits}")
    _sentence_units(sections, spans, sentences)


def glossed_terms(section: dict) -> set[str]:
    """English terms of two or more words written inside the Chinese text (a summary glosses its
    key terms so: 制衡机制（Balance of Power）), lower case: evidence of which English it summarises."""
    import regex as re

    return {m.lower() for p in section["paragraphs"]
            for m in re.findall(r"[A-Za-z][A-Za-z-]+(?:\s+[A-Za-z][A-Za-z-]+)+", p)}


def _sentence_units(sections, spans, sentences) -> None:
    """The summary as `align` reads a Chinese document: one unit per sentence (headings kept out
    of the measure), traced by the aligner; a sentence counts when it starts inside its section."""
    import polars as pl

    from align.documents import split_sentences, units_from_frame
    from align.trace import align_units

    rows = [{"text": s, "section": k} for k, sec in enumerate(sections) for p in sec["paragraphs"]
            for s in split_sentences(p, "zh")]
    units = pl.DataFrame(rows)
    trace = align_units(sentences, units_from_frame(units.select("text").with_columns(pl.lit("zh").alias("lang")),
                                                     doc="summary"))
    trace = trace.with_columns(units["section"])
    print("  the same summary one sentence a unit, as `align` reads it (supported / inside its section / sentences):")
    for k, sec in enumerate(sections):
        mine = trace.filter(pl.col("section") == k)
        sup = mine.filter(pl.col("status") == "supported")
        inside = sup.filter(pl.col("start").is_between(*spans[k])).height
        print(f"  {k + 1}. {sec['heading'][:30]:<30} {sup.height}/{inside}/{mine.height}")
    sup = trace.filter(pl.col("status") == "supported")
    inside = sum(spans[k][0] <= t <= spans[k][1] for k, t in zip(sup["section"].to_list(), sup["start"].to_list()))
    print(f"  all: {sup.height}/{inside}/{trace.height}")


def _clock(t) -> str:
    if t is None:
        return "   --   "
    t = int(t)
    return f"{t // 3600}:{t % 3600 // 60:02d}:{t % 60:02d}"


if __name__ == "__main__":
    raise SystemExit(main())
