"""Tune the bead aligner's settings on the MAC-Test development files 001-008 (never the test files).

    python scripts/tune_mac.py skip=-0.1,-0.05 size_power=0.1,0.2,0.3
    python scripts/tune_mac.py --lexical length_weight=0.1,0.15

Each argument is a Settings field with comma-separated values; every combination is run on the
dev files and printed with strict and lax F1, best last. The encoder and CEDICT are loaded once
and the encoder's cache is kept across runs, so a combination costs well under a second a file.
"""

from __future__ import annotations

import argparse
import ast
import itertools
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench_mac  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("grid", nargs="*", help="field=v1,v2,...")
    ap.add_argument("--lexical", action="store_true", help="tune the no-encoder settings")
    args = ap.parse_args(argv)

    from align import encoder
    from align.parallel import DEFAULT, LEXICAL, align_sentences

    base = LEXICAL if args.lexical else DEFAULT
    enc = None if args.lexical else encoder.Encoder()
    grid = {}
    for item in args.grid:
        field, values = item.split("=", 1)
        grid[field] = [ast.literal_eval(v) for v in values.split(",")] if not values.startswith("[") else [ast.literal_eval(values)]
    files = [(bench_mac.lines(bench_mac.BENCH / "split" / f"{n}.zh"), bench_mac.lines(bench_mac.BENCH / "split" / f"{n}.en"))
             for n in bench_mac.DEV]
    gold = bench_mac.gold(bench_mac.DEV)
    results = []
    for combo in itertools.product(*grid.values()):
        settings = replace(base, **dict(zip(grid, combo)))
        preds = []
        for zh, en in files:
            beads = align_sentences(zh, en, "zh", "en", use_encoder=enc is not None, encoder=enc, settings=settings)
            preds.append([(b.src, b.tgt) for b in beads])
        s = bench_mac.score(list(zip(preds, gold)))
        label = " ".join(f"{k}={v}" for k, v in zip(grid, combo)) or "(defaults)"
        print(f"{s['strict_f1']:.4f}  {s['lax_f1']:.4f}  {label}", flush=True)
        results.append((s["strict_f1"], s["lax_f1"], label))
    print("best:", max(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
