"""MAC-Test benchmark: score our bead aligner beside the earlier aligners' published outputs.

Reads ../shared/bench/mac (never copied into the repository). Dev files 001-008 are for
tuning; test files 009-024 are reported, never tuned on.

    python scripts/bench_mac.py                 # earlier aligners + ours (encoder and lexical)
    python scripts/bench_mac.py --only-baselines
    python scripts/bench_mac.py --no-encoder    # ours, lexical fallback only
    python scripts/bench_mac.py --encoder-only --files 4,12 --windows exact   # the old, slow window path

Times are per file with CEDICT and the encoder's weights loaded beforehand (loading is printed
apart); on a shared machine quote the CPU time, which the other users disturb less than the wall.
Tune with scripts/tune_mac.py (dev files only).

Scoring follows Vecalign's score.py (also used by Bertalign): beads with an empty side are
left out; a predicted bead is a strict hit when the gold has exactly that bead, a lax hit when
it shares at least one source and one target sentence with a gold bead. Precision counts
predicted beads, recall gold beads, and the counts are summed over files (micro-average).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH = ROOT.parent / "shared" / "bench" / "mac"
if not BENCH.exists():
    BENCH = Path("/work/shared/bench/mac")
DEV = [f"{i:03d}" for i in range(1, 9)]
TEST = [f"{i:03d}" for i in range(9, 25)]
EARLIER = [("galechurch", "Gale-Church"), ("hunalign", "Hunalign"), ("bleualign", "Bleualign"),
           ("vecalign", "Vecalign"), ("mbert", "Bertalign")]

Bead = tuple[tuple[int, ...], tuple[int, ...]]


def read_beads(path: Path) -> list[Bead]:
    from align.parallel import parse_beads

    return parse_beads(path.read_text(encoding="utf-8"))


def _hits(pred: list[Bead], gold: list[Bead]) -> tuple[int, int, int]:
    """(strict hits, lax hits, beads counted) for the non-empty beads of ``pred`` against ``gold``."""
    gold_set = set(gold)
    gold_pairs = [(set(s), set(t)) for s, t in gold if s and t]
    strict = lax = counted = 0
    for s, t in pred:
        if not s or not t:
            continue
        if (s, t) in gold_set:
            strict += 1
            lax += 1
            counted += 1
            continue
        ss, tt = set(s), set(t)
        if any(ss & gs and tt & gt for gs, gt in gold_pairs):
            lax += 1
        counted += 1
    return strict, lax, counted


def score(pairs: list[tuple[list[Bead], list[Bead]]]) -> dict[str, float]:
    """Micro-averaged strict and lax precision, recall and F1 over (predicted, gold) files."""
    n = dict.fromkeys(("p_strict", "p_strict_n", "p_lax", "p_n", "r_strict", "r_strict_n", "r_lax", "r_n"), 0)
    for pred, gold in pairs:
        strict, lax, counted = _hits(pred, gold)
        n["p_strict"] += strict
        n["p_strict_n"] += counted
        n["p_lax"] += lax
        n["p_n"] += sum(1 for s, t in pred if s and t)
        strict, lax, counted = _hits(gold, pred)
        n["r_strict"] += strict
        n["r_strict_n"] += counted
        n["r_lax"] += lax
        n["r_n"] += sum(1 for s, t in gold if s and t)

    def ratio(a, b):
        return a / b if b else 0.0

    def f1(p, r):
        return 2 * p * r / (p + r) if p + r else 0.0

    out = {"strict_p": ratio(n["p_strict"], n["p_strict_n"]), "strict_r": ratio(n["r_strict"], n["r_strict_n"]),
           "lax_p": ratio(n["p_lax"], n["p_n"]), "lax_r": ratio(n["r_lax"], n["r_n"])}
    out["strict_f1"] = f1(out["strict_p"], out["strict_r"])
    out["lax_f1"] = f1(out["lax_p"], out["lax_r"])
    return out


def gold(names: list[str]) -> list[list[Bead]]:
    return [read_beads(BENCH / "gold" / f"{n}.align") for n in names]


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def load_once(use_encoder: bool) -> tuple[float, float]:
    """Load CC-CEDICT and the encoder's weights (once per process); (wall, cpu) seconds."""
    from align import encoder, lexicon

    t0, c0 = time.perf_counter(), time.process_time()
    lexicon.load()
    if use_encoder:
        encoder.Encoder().embed(["warm up"])
    return time.perf_counter() - t0, time.process_time() - c0


def run_ours(names: list[str], use_encoder: bool, **options) -> tuple[list[list[Bead]], list[tuple[float, float]]]:
    """Predicted beads per file and (wall, cpu) seconds per file, loading excluded."""
    from align.parallel import align_sentences

    preds, took = [], []
    for n in names:
        zh = lines(BENCH / "split" / f"{n}.zh")
        en = lines(BENCH / "split" / f"{n}.en")
        t0, c0 = time.perf_counter(), time.process_time()
        beads = align_sentences(zh, en, src_lang="zh", tgt_lang="en", use_encoder=use_encoder, **options)
        took.append((time.perf_counter() - t0, time.process_time() - c0))
        preds.append([(tuple(b.src), tuple(b.tgt)) for b in beads])
    return preds, took


def _row(label: str, dev: dict, test: dict, allf: dict, extra: str = "") -> str:
    return (f"{label:<26} {dev['strict_f1']:.3f}  {dev['lax_f1']:.3f}   {test['strict_f1']:.3f}  "
            f"{test['lax_f1']:.3f}   {allf['strict_f1']:.3f}  {allf['lax_f1']:.3f}  {extra}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only-baselines", action="store_true")
    ap.add_argument("--no-encoder", action="store_true", help="run only the lexical fallback")
    ap.add_argument("--encoder-only", action="store_true", help="run only the encoder setting")
    ap.add_argument("--windows", choices=["pooled", "exact"], default=None,
                    help="window embeddings: pooled from sentences and pairs (default), or each window encoded whole")
    ap.add_argument("--exact-window", type=int, default=None,
                    help="with --windows exact: encode windows up to N sentences whole, longer ones as sums")
    ap.add_argument("--split", choices=["dev", "test", "all"], default="all",
                    help="which of our runs to do (dev while tuning)")
    ap.add_argument("--files", default=None, help="comma-separated file numbers to run instead of --split (timing)")
    args = ap.parse_args(argv)

    gold_dev, gold_test = gold(DEV), gold(TEST)
    print(f"MAC-Test at {BENCH}: dev {DEV[0]}-{DEV[-1]}, test {TEST[0]}-{TEST[-1]}")
    print(f"{'aligner':<26} {'dev strict/lax':<15} {'test strict/lax':<15} {'all strict/lax':<15}")
    for folder, label in EARLIER:
        d = score(list(zip(gold_of(folder, DEV), gold_dev)))
        t = score(list(zip(gold_of(folder, TEST), gold_test)))
        a = score(list(zip(gold_of(folder, DEV + TEST), gold_dev + gold_test)))
        print(_row(label, d, t, a))
    if args.only_baselines:
        return 0
    settings = []
    if not args.no_encoder:
        settings.append(("ours (encoder + CEDICT)", True))
    if not args.encoder_only:
        settings.append(("ours (CEDICT, no encoder)", False))
    for label, enc in settings:
        names = {"dev": DEV, "test": TEST, "all": DEV + TEST}[args.split]
        if args.files:
            names = [f"{int(n):03d}" for n in args.files.split(",")]
        options = {}
        if enc and (args.windows or args.exact_window):
            options["settings"] = encoder_settings(args)
            label += f" {args.windows or 'pooled'}" + (f"<={args.exact_window}" if args.exact_window else "")
        load = load_once(enc)
        preds, took = run_ours(names, use_encoder=enc, **options)
        by = dict(zip(names, preds))
        golds = dict(zip(DEV + TEST, gold_dev + gold_test))
        def sc(ns):
            ns = [n for n in ns if n in by]
            return score([(by[n], golds[n]) for n in ns]) if ns else {"strict_f1": float("nan"), "lax_f1": float("nan")}
        wall, cpu = sum(w for w, _ in took), sum(c for _, c in took)
        print(_row(label, sc(DEV), sc(TEST), sc(DEV + TEST),
                   f"wall {wall:.1f} s, cpu {cpu:.1f} s ({len(names)} files; per file median wall "
                   f"{statistics.median(w for w, _ in took):.2f} s, cpu {statistics.median(c for _, c in took):.2f} s; "
                   f"loading once: wall {load[0]:.1f} s, cpu {load[1]:.1f} s)"))
    from align.parallel import LEXICAL

    # The settings behind our figures, so a number can be traced to its configuration.
    print(f"settings with encoder: {encoder_settings(args)}\nsettings without: {LEXICAL}")
    return 0


def encoder_settings(args):
    from dataclasses import replace

    from align.parallel import DEFAULT

    changes = {}
    if args.windows:
        changes["windows"] = args.windows
    if args.exact_window:
        changes["exact_window"] = args.exact_window
    return replace(DEFAULT, **changes)


def gold_of(folder: str, names: list[str]) -> list[list[Bead]]:
    return [read_beads(BENCH / folder / f"{n}.align") for n in names]


if __name__ == "__main__":
    raise SystemExit(main())
