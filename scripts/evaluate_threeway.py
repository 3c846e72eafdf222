"""Measure the three-way aligner (and Chinese traced alone) on the Chinese-English paragraphs.

Reads ../shared/eval/zh_en_paragraphs.md (skips when absent) and the bundled raw episode.

- Development (p001-p025, gold times in dev_gold/zh_pairs_dev.tsv): the share of Chinese
  sentences whose time falls within [gold_start - 30 s, gold_end + 30 s] of their paragraph.
- Held out (p026 on): no gold times; the proxies are the paragraph's English text traced on its own
  (the English aligner on the whole English paragraph): a Chinese sentence counts when its time
  falls within 30 s of that paragraph's traced span (too narrow for long paragraphs: the trace
  covers at most a few transcript sentences), and, looser, between the neighbouring paragraphs'
  traces. Say so when quoting the figures.
- Bead quality: the interleaved file pairs paragraphs, so a bead is right when its Chinese and
  English sentences come from the same paragraph number (a loose, paragraph-level check).
- ``--alone``: the Chinese side traced alone (`align` on the Chinese paragraphs, no English),
  the share of dev paragraphs whose start lands within 30 s of gold, and the score distribution
  of right and wrong traces (to judge the 0.5 threshold).

    python scripts/evaluate_threeway.py [--alone] [--runs 1]
"""

from __future__ import annotations

import argparse
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
EPISODE = ROOT / "fixtures" / "episode" / "002_39f15ef3401b1368.txt"
SLACK = 30.0
DEV = 25  # paragraphs p001-p025


def clock(text: str) -> float:
    h, m, s = (int(x) for x in text.split(":"))
    return h * 3600 + m * 60 + s


def gold() -> dict[int, tuple[float, float]]:
    rows = (SHARED / "dev_gold" / "zh_pairs_dev.tsv").read_text(encoding="utf-8").splitlines()[1:]
    out = {}
    for line in rows:
        pid, _speaker, a, b, *_ = line.split("\t")
        out[int(pid.lstrip("p"))] = (clock(a), clock(b))
    return out


def within(t, span) -> bool:
    return t is not None and span[0] - SLACK <= t <= span[1] + SLACK


def english_proxy(sentences, en_text: str) -> dict[int, tuple[float, float]]:
    """Each English paragraph traced whole: its span stands in for gold on held-out paragraphs."""
    from align.threeway import paragraphs
    from align.trace import align_units
    from align.documents import units_from_frame

    paras = paragraphs(en_text)
    units = units_from_frame(pl.DataFrame({"unit": [str(n) for n in range(1, len(paras) + 1)],
                                           "text": [p for _, p in paras], "lang": ["en"] * len(paras)}), doc="en")
    trace = align_units(sentences, units)
    return {int(r["unit"]): (r["start"], r["end"]) for r in trace.filter(pl.col("status") == "supported").iter_rows(named=True)}


def three_way(sentences, zh_text, en_text, runs: int) -> None:
    from align.threeway import align_translation_text, document_sentences

    took = []
    for _ in range(runs):
        t0 = time.perf_counter()
        table = align_translation_text(sentences, zh_text, en_text, warn=lambda m: print("note:", m, file=sys.stderr))
        took.append(time.perf_counter() - t0)
    g = gold()
    proxy = english_proxy(sentences, en_text)
    zh = document_sentences(zh_text, "zh")
    # every Chinese sentence takes its bead's time
    per_sentence = []
    for r in table.iter_rows(named=True):
        for i in r["zh_ids"]:
            per_sentence.append((zh[i].paragraph, r["start"], r["time_from"]))
    dev = [(p, t, src) for p, t, src in per_sentence if p <= DEV]
    held = [(p, t, src) for p, t, src in per_sentence if p > DEV]
    ok_dev = sum(within(t, g[p]) for p, t, _ in dev)
    ok_held = sum(p in proxy and within(t, proxy[p]) for p, t, _ in held)
    ok_dev_proxy = sum(p in proxy and within(t, proxy[p]) for p, t, _ in dev)

    def between(p, t):
        """Looser proxy: after the previous traced paragraph's start and before the next one's end (30 s slack)."""
        before = [proxy[q][0] for q in range(p - 1, 0, -1) if q in proxy][:1]
        after = [proxy[q][1] for q in range(p + 1, p + 20) if q in proxy][:1]
        return t is not None and (not before or t >= before[0] - SLACK) and (not after or t <= after[0] + SLACK)
    loose_held = sum(between(p, t) for p, t, _ in held)
    loose_dev = sum(between(p, t) for p, t, _ in dev)
    times = [t for _, t, _ in per_sentence if t is not None]
    back = sum(b < a - SLACK for a, b in zip(times, times[1:]))
    held_covered = sum(p in proxy for p, _, _ in held)
    print(f"three-way: {table.height} beads, {len(zh)} Chinese sentences; median time {statistics.median(took):.2f} s over {runs} run(s)")
    print(f"  time from: {dict(table.group_by('time_from').len().iter_rows())}")
    print(f"  dev p001-p{DEV:03d}: {ok_dev}/{len(dev)} Chinese sentences within 30 s of their paragraph's gold span "
          f"({ok_dev / len(dev):.1%}); untimed {sum(t is None for _, t, _ in dev)}")
    for src in ("en", "zh"):
        part = [(p, t) for p, t, s in dev if s == src]
        if part:
            print(f"    timed by {src}: {sum(within(t, g[p]) for p, t in part)}/{len(part)}")
    print(f"  held out p{DEV + 1:03d}+: {ok_held}/{len(held)} within 30 s of the English paragraph's own trace "
          f"(a proxy, not gold; {held_covered} sentences have a traced paragraph); untimed {sum(t is None for _, t, _ in held)}")
    print(f"  the same proxy on dev: {ok_dev_proxy}/{len(dev)} (against gold above: {ok_dev}/{len(dev)}), "
          f"so the proxy understates: a long paragraph's trace covers at most a few transcript sentences")
    print(f"  looser proxy (between the neighbouring paragraphs' own traces): held out {loose_held}/{len(held)}, dev {loose_dev}/{len(dev)}")
    print(f"  timed Chinese sentences going back more than 30 s from the previous one: {back}/{len(times)}")
    # bead quality: Chinese and English sides from the same paragraph
    both = table.filter((pl.col("zh") != "") & (pl.col("en") != ""))
    same = both.filter(pl.col("zh_para") == pl.col("en_para")).height
    print(f"  beads pairing sentences of the same paragraph: {same}/{both.height} ({same / max(both.height, 1):.1%}); "
          f"shapes {dict(table.with_columns(shape=pl.format('{}-{}', pl.col('zh_ids').list.len(), pl.col('en_ids').list.len())).group_by('shape').len().sort('len', descending=True).head(6).iter_rows())}")


def alone(sentences, zh_text) -> None:
    """The Chinese side of p001-p025 traced alone, as `align EPISODE ZH_DOC` does (the document
    written to a temporary file, never into the repository), at the search's threshold and a lower
    one; each sentence is right when its start falls within 30 s of its paragraph's gold span."""
    import tempfile

    from align import search
    from align.threeway import paragraphs
    from align.trace import align_documents

    paras = paragraphs(zh_text)[:DEV]
    g = gold()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "zh_dev.md"
        path.write_text("\n\n".join(p for _, p in paras) + "\n", encoding="utf-8")
        for threshold in (search.MIN_SCORE, 0.35):
            t0 = time.perf_counter()
            trace = align_documents(sentences, [path], min_score=threshold)
            took = time.perf_counter() - t0
            # each unit's paragraph: the first paragraph (from where the last one was) holding its text
            at, scored = 0, []
            for r in trace.iter_rows(named=True):
                while at < DEV - 1 and r["text"] not in paras[at][1]:
                    at += 1
                scored.append((r["score"], within(r["start"], g[at + 1]), r["status"] == "supported"))
            timed = [(sc, ok) for sc, ok, sup in scored if sup]
            right = sum(ok for _, ok in timed)
            print(f"Chinese alone, threshold {threshold:.2f}: {len(scored)} sentences, {len(timed)} supported, "
                  f"{right} within 30 s ({right / len(scored):.1%} of all, {right / max(len(timed), 1):.1%} of supported); {took:.1f} s")
            for lo, hi in ((0.35, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01)):
                band = [ok for sc, ok in timed if lo <= sc < hi]
                if band:
                    print(f"    score [{lo:.2f}, {min(hi, 1):.2f}): {sum(band)}/{len(band)} right")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--alone", action="store_true", help="also trace the Chinese side alone (calibration check)")
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()
    source = SHARED / "zh_en_paragraphs.md"
    if not source.exists():
        print(f"skipped: {source} not present")
        return 0
    from align.threeway import read_bilingual
    from align.trace import load_transcript

    t0 = time.perf_counter()
    sentences = load_transcript(EPISODE)
    print(f"transcript: {sentences.height} sentences, cleaned in {time.perf_counter() - t0:.1f} s")
    zh_text, en_text = read_bilingual(source.read_text(encoding="utf-8"))
    three_way(sentences, zh_text, en_text, args.runs)
    if args.alone:
        alone(sentences, zh_text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
