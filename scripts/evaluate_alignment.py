"""Measure the aligner on the bundled episode (development data only).

    python scripts/evaluate_alignment.py            # all figures
    python scripts/evaluate_alignment.py --calibrate  # also refit the score calibration (prints constants)

Prints: seed 000's quotes against ../shared/eval/dev_gold/quotes_000.tsv (start within 15 s);
seed 001's claim checks (exact/near/wrong/unsupported) with a sample to check by hand; the share
of supported units and the score distribution for 003, 004 and 000's bullets; the condensed
transcript's claimed times; and the time to align the episode (median of several runs) with the
top cProfile entries.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# ../shared beside the checkout (or beside the folder of worktrees)
SHARED = next((p / "shared" / "eval" for p in (ROOT.parent, ROOT.parent.parent) if (p / "shared" / "eval").exists()),
              ROOT.parent / "shared" / "eval")

from align import example, score as scoring  # noqa: E402
from align.documents import load_document  # noqa: E402
from align.trace import align_documents, align_units  # noqa: E402
from cleaners import clean_file  # noqa: E402
from cleaners.timecodes import format_hms, parse_clock  # noqa: E402

TOLERANCE = 15.0


def gold_quotes() -> pl.DataFrame:
    gold = pl.read_csv(SHARED / "dev_gold" / "quotes_000.tsv", separator="\t", quote_char=None)
    return gold.with_columns(pl.col("gold_start").map_elements(parse_clock, return_dtype=pl.Float64).alias("gold"))


def quotes_000(trace: pl.DataFrame) -> tuple[int, int, pl.DataFrame]:
    quotes = trace.filter((pl.col("doc") == example.DOCUMENTS[0].removesuffix(".txt")) & (pl.col("kind") == "quote"))
    gold = gold_quotes()
    if quotes.height != gold.height:
        print(f"warning: {quotes.height} quote units, {gold.height} gold quotes")
    both = quotes.with_columns(gold["gold"].head(quotes.height).alias("gold"))
    both = both.with_columns((pl.col("start") - pl.col("gold")).alias("off"))
    ok = both.filter(pl.col("off").abs() <= TOLERANCE)
    return ok.height, gold.height, both


def distribution(frame: pl.DataFrame) -> str:
    s = frame.filter(pl.col("status") == "supported")["score"]
    if s.len() == 0:
        return "no supported units"
    q = [round(float(s.quantile(x)), 2) for x in (0.1, 0.25, 0.5, 0.75, 0.9)]
    return f"score p10/p25/p50/p75/p90 = {q}"


def shares(trace: pl.DataFrame, doc: str, kinds: tuple[str, ...] | None = None) -> None:
    part = trace.filter(pl.col("doc") == doc)
    if kinds:
        part = part.filter(pl.col("kind").is_in(kinds))
    sup = part.filter(pl.col("status") == "supported").height
    print(f"  {doc} {'/'.join(kinds) if kinds else 'all units'}: {sup}/{part.height} supported "
          f"({sup / max(part.height, 1):.0%}), {part.height - sup} unsupported; {distribution(part)}")


def claims(trace: pl.DataFrame, doc: str) -> None:
    part = trace.filter((pl.col("doc") == doc) & pl.col("claim").is_not_null())
    counts = dict(part.group_by("claim").len().iter_rows())
    print(f"  {doc}: {part.height} claimed times: " + ", ".join(f"{k} {counts.get(k, 0)}" for k in ("exact", "near", "wrong", "unsupported")))


def _distinct_places(data: pl.DataFrame, apart: float = 30.0) -> pl.DataFrame:
    """Per unit, the strongest candidate at each place of the talk (overlapping windows are one place)."""
    keep = []
    seen: dict[int, list[float]] = {}
    for n, (key, start) in enumerate(data.select("key", "start").iter_rows()):
        places = seen.setdefault(key, [])
        if all(abs(start - p) > apart for p in places):
            places.append(start)
            keep.append(n)
    return data[keep]


def calibrate(sentences: pl.DataFrame) -> None:
    """Refit :data:`align.score.CALIBRATION` on the gold quotes, every candidate an example.

    Quotes are verbatim, summaries are not: so the bullet that glosses each quote in seed 000
    enters too, with the quote's gold time (a real paraphrase of the same moment; labelled right
    within 30 s, since a gloss may point at the whole remark). This teaches the model what partial
    coverage without a string match is worth.
    """
    import numpy as np

    gold = gold_quotes()["gold"].to_list()
    units = load_document(example.documents()[0])
    texts, golds = [], []
    rows = units.select("kind", "text").rows()
    quotes = [n for n, (kind, _t) in enumerate(rows) if kind == "quote"]
    for g, n in zip(gold, quotes):
        texts.append(rows[n][1])
        golds.append(g)
        # The bullet right under a quote glosses it: a real paraphrase of the same moment.
        if n + 1 < len(rows) and rows[n + 1][0] == "bullet":
            texts.append(rows[n + 1][1])
            golds.append(g)
    units = pl.DataFrame({"key": range(len(texts)), "text": texts, "gold": golds},
                         schema={"key": pl.UInt32, "text": pl.String, "gold": pl.Float64})
    wins = scoring.windows(sentences)
    cands = scoring.lexical_scorer(units.select("key", "text"), wins, top=12)
    data = cands.join(wins.select("first", "last", "size", "start"), on=["first", "last"]).join(
        units.select("key", "gold"), on="key")
    # The strongest window per place, by evidence alone (not by the calibration being refitted).
    f = scoring._features()
    data = data.with_columns((f["coverage"] - scoring.SIZE_PENALTY * (f["size"] - 1) + f["verbatim"]).alias("raw"))
    data = _distinct_places(data.sort(["key", "raw"], descending=[False, True]))
    y = ((data["start"] - data["gold"]).abs() <= 30).to_numpy().astype(float)
    x = np.column_stack([np.ones(data.height)] + [data.select(f[n].fill_null(0.0)).to_series().to_numpy() for n in scoring.FEATURES])
    w = np.zeros(x.shape[1])
    for _ in range(20000):  # gradient descent on the log-loss, with a little L2
        p = 1 / (1 + np.exp(-x @ w))
        w -= 1.0 * (x.T @ (p - y) / len(y) + 0.001 * np.r_[0, w[1:]])
    p = 1 / (1 + np.exp(-x @ w))
    print(f"calibration fitted on {len(y)} candidates of {units.height} units, {int(y.sum())} positive; "
          f"log-loss {-np.mean(y * np.log(p + 1e-9) + (1 - y) * np.log(1 - p + 1e-9)):.3f}")
    for lo, hi in ((0, .2), (.2, .5), (.5, .8), (.8, .95), (.95, 1.01)):
        sel = (p >= lo) & (p < hi)
        if sel.any():
            print(f"  predicted {lo:.2f}-{hi:.2f}: {sel.sum():5d} candidates, {y[sel].mean():.2f} correct")
    names = ("intercept", *scoring.FEATURES)
    print("  CALIBRATION = {" + ", ".join(f'"{k}": {v:.2f}' for k, v in zip(names, w)) + "}")


def calibrate_in_order(sentences: pl.DataFrame) -> None:
    """Refit :data:`align.score.IN_ORDER_CALIBRATION` on seed 000's gloss bullets: for each, the
    quote it glosses is taken out (so the bullet must be placed by its own words between the other
    units found), and the placement is right when within 30 s of that quote's gold time."""
    import numpy as np

    from align import search

    units = load_document(example.documents()[0]).with_row_index("key")
    kinds = units["kind"].to_list()
    targets = units.filter(pl.col("kind") != "heading")
    wins = scoring.windows(sentences)
    cands = scoring.score(targets.select("key", "lang", "text", "kind"), wins)
    starts = dict(zip(sentences["id"].to_list(), sentences["start"].to_list()))
    feats, labels, by_search = [], [], 0
    quotes = [n for n, k in enumerate(kinds) if k == "quote"]
    for g, q in zip(gold_quotes()["gold"].to_list(), quotes):
        b = q + 1
        if b >= len(kinds) or kinds[b] != "bullet":
            continue
        rest = targets.filter(pl.col("key") != q)
        strong = search.ordered_choice(rest, cands, sentences)
        if b in strong["key"].to_list():
            by_search += 1
            continue
        weak = search.fill_in_order(rest, cands, strong, sentences).filter(pl.col("key") == b)
        if weak.height:
            r = weak.row(0, named=True)
            feats.append((r["score"], r["bracket"]))
            labels.append(abs(starts[r["first"]] - g) <= 30)
    y = np.array(labels, dtype=float)
    p = np.clip([f[0] for f in feats], 1e-4, 1 - 1e-4)
    # Two parameters only: a dozen examples cannot carry more (the stretch's length stays in the evidence).
    x = np.column_stack([np.ones(len(p)), np.log(p / (1 - p))])
    w = np.zeros(2)
    for _ in range(20000):
        z = 1 / (1 + np.exp(-x @ w))
        w -= 0.5 * (x.T @ (z - y) / len(y) + 0.01 * np.r_[0, w[1:]])
    print(f"in-order calibration: {len(quotes)} gloss bullets without their quote: {by_search} found by the search, "
          f"{len(y)} placed in order of which {int(y.sum())} right")
    print("  IN_ORDER_CALIBRATION = {" + ", ".join(f'"{k}": {v:.2f}' for k, v in zip(("intercept", "logit"), w)) + "}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--calibrate", action="store_true")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    if not SHARED.exists():
        sys.exit(f"{SHARED} not present")

    result = clean_file(example.captions(), speakers=list(example.SPEAKERS), context=example.documents())
    sentences = result.sentences
    docs = example.documents()
    names = [d.stem for d in docs]
    if args.calibrate:
        calibrate(sentences)
        calibrate_in_order(sentences)

    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        trace = align_documents(sentences, docs)
        times.append(time.perf_counter() - t0)
    print(f"episode: {sentences.height} transcript sentences, {trace.height} units in 4 documents")
    print(f"align time (4 documents, cleaning excluded): median {statistics.median(times):.2f} s of {args.runs} runs")

    ok, total, both = quotes_000(trace)
    print(f"\nseed 000 quotes: {ok}/{total} within {TOLERANCE:.0f} s of the gold start")
    bad = both.filter(~(pl.col("off").abs() <= TOLERANCE))
    for r in bad.iter_rows(named=True):
        print(f"  miss {r['unit']}: gold {format_hms(r['gold'])} found {format_hms(r['start']) if r['start'] is not None else '-'} {r['text'][:70]}")
    print(f"  median |offset| {both['off'].abs().median():.1f} s")

    # Paraphrase accuracy on the dev gold: the bullet under each quote glosses the same moment.
    doc0 = trace.filter(pl.col("doc") == names[0])
    kinds = doc0["kind"].to_list()
    golds = dict(zip([n for n, k in enumerate(kinds) if k == "quote"], gold_quotes()["gold"].to_list()))
    gloss = [(n + 1, g) for n, g in golds.items() if n + 1 < len(kinds) and kinds[n + 1] == "bullet"]
    found = [(doc0["start"][n], g) for n, g in gloss if doc0["status"][n] == "supported"]
    right = sum(1 for s, g in found if abs(s - g) <= 30)
    print(f"gloss bullets (the bullet under each quote, same moment): {len(found)}/{len(gloss)} supported, "
          f"{right} of them within 30 s of the quote's gold start")

    print("\nclaimed times:")
    claims(trace, names[1])
    sample = trace.filter((pl.col("doc") == names[1]) & (pl.col("claim") == "wrong")).head(6)
    for r in sample.iter_rows(named=True):
        print(f"  {r['unit']} claims {format_hms(r['claimed'])}, found {format_hms(r['start'])}: "
              f"{r['text'][:60]!r} <- {r['transcript'][:90]!r}")

    print("\nsupport:")
    shares(trace, names[2])
    shares(trace, names[3])
    shares(trace, names[0], ("bullet",))
    shares(trace, names[0], ("quote",))
    shares(trace, names[1])

    condensed = SHARED / "condensed_transcript.md"
    t0 = time.perf_counter()
    ctrace = align_documents(sentences, [condensed])
    took = time.perf_counter() - t0
    print(f"\ncondensed transcript ({ctrace.height} units, aligned in {took:.2f} s):")
    claims(ctrace, condensed.stem)
    shares(ctrace, condensed.stem)

    prof = cProfile.Profile()
    prof.enable()
    align_units(sentences, pl.concat([load_document(d) for d in docs]))
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(12)
    print("\nprofile (cumulative, top entries):")
    print("\n".join(ln for ln in out.getvalue().splitlines() if ln.strip())[-1800:])


if __name__ == "__main__":
    main()
