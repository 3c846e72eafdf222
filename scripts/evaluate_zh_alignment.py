"""Trace the Chinese development paragraphs p001-p025 onto the bundled episode, Chinese alone.

Reads ../shared/eval/dev_gold/zh_pairs_dev.tsv (never copied into the repository): only the
Chinese text of each paragraph goes in, no English. The transcript is the cleaned bundled episode
(cleaners.clean_file on fixtures/episode/002_...txt). Prints the share of paragraphs whose best
candidate starts within 30 s of gold_start, and the same for the monotone pick.

    python scripts/evaluate_zh_alignment.py [--no-encoder] [--show]
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
TOLERANCE = 30.0


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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
