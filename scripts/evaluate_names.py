"""Measure the names pass on the bundled episode: what it fixed, what it broke, how fast.

For each setting (the four companion documents as context, and the shipped glossary
only) it prints

* counts, per split, of right spellings and of misspellings of the episode's main names
  before and after the pass, beside the count of right spellings in the human-edited
  reference captions;
* right-spelling counts for every name the companion documents spell, before and after
  and in the reference;
* every change the pass made, with its time and whether the reference says the new
  word near that time ("ref" column: yes / no). Read the "no" rows by hand: they are
  the candidates for false fixes.

Development split: tokens said before 28:07 (1687 s); everything later is held out and
only reported. Usage::

    python scripts/evaluate_names.py [--shared ../shared] [--runs 5]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from align import example  # noqa: E402
from cleaners import glossary, pipeline, read_words  # noqa: E402
from cleaners.decode import decode, read_bytes  # noqa: E402
from cleaners.passes import names  # noqa: E402

DEV_END = 1687.0  # 00:28:07
# Misspelling patterns of the episode's main names (evaluation only: the pass never sees these).
MAIN_NAMES = {
    "Anthropic": r"\b[AaEe]n?thropic\w*",
    "Claude": r"\b(?:[Cc]laude|[Cc]laud|[Cc]la|[Cc]loud|[Qq]uad)\b(?= [Cc]ode)|\b[Cc]laude\b",
    "Claude Code": r"\b(?:[Cc]laude|[Cc]laud|[Cc]la|[Cc]loud|[Qq]uad) [Cc]ode\b",
    "LLM": r"\b(?:LLM|LOM|llm|lom|LM)s?\b",
    "DeepMind": r"\b[Dd]eep ?[Mm]ind\b",
    "AlphaGo": r"\b[Aa]lpha? ?[Gg]o\b",
    "AlphaStar": r"\b[Aa]lpha ?[Ss]tar\b",
    "StarCraft": r"\b[Ss]tar ?[Cc]raft\b",
    "OpenAI": r"\b[Oo]pen ?[Aa][Ii]\b",
}


def shared_folder(given: str | None) -> Path | None:
    for cand in ([Path(given)] if given else []) + [ROOT.parent / "shared", ROOT.parent.parent / "shared"]:
        if (cand / "eval" / "edited_captions.md").exists():
            return cand
    return None


def reference_cues(shared: Path) -> pl.DataFrame:
    rows = []
    for line in (shared / "eval" / "edited_captions.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"\[(\d\d):(\d\d):(\d\d)\]\s*(.*)", line)
        if m:
            rows.append((int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3]), m[4].strip()))
    return pl.DataFrame(rows, schema={"start": pl.Float64, "text": pl.String}, orient="row")


def words_around_names(context_texts: list[str]) -> tuple[pl.DataFrame, pl.DataFrame, float, float]:
    """The word table just before and just after the names pass; matcher build and pass times."""
    text, _ = decode(read_bytes(example.captions()), str(example.captions()))
    _, words = read_words(text)
    ctx = pipeline.Context(speakers=list(example.SPEAKERS), context_texts=context_texts)
    for p in pipeline.passes():
        if p.name == "names":
            break
        if ctx.at_least(p.level):
            words = p.run(words, ctx)
    t0 = time.perf_counter()
    names.matcher_for(ctx)
    build = time.perf_counter() - t0
    after = names.run(words, ctx)
    return words, after, build, ctx


def time_pass(words: pl.DataFrame, ctx, runs: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of the names pass (CPU time is less disturbed by a busy machine)."""
    wall, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        names.run(words, ctx)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu)


def split_text(words: pl.DataFrame, dev: bool) -> str:
    live = pipeline.live(words)
    live = live.filter(pl.col("start") < DEV_END) if dev else live.filter(pl.col("start") >= DEV_END)
    return " ".join(live["out"].to_list())


def ref_text(ref: pl.DataFrame, dev: bool) -> str:
    part = ref.filter(pl.col("start") < DEV_END) if dev else ref.filter(pl.col("start") >= DEV_END)
    return " ".join(part["text"].to_list())


def count_right(text: str, name: str) -> int:
    return len(re.findall(rf"(?<![\w-]){re.escape(name)}(?:'s|s)?(?![\w-])", text))


def changes(before: pl.DataFrame, after: pl.DataFrame, ref: pl.DataFrame | None) -> pl.DataFrame:
    """One row per run of consecutive changed tokens: time, split, raw phrase, fixed phrase, reference agrees."""
    both = before.select("i", "start", pl.col("out").alias("was")).join(
        after.select("i", pl.col("out").alias("now"), "rule"), on="i")
    changed = both.filter(pl.col("was") != pl.col("now"))
    rows, last, group = [], None, []
    for r in changed.iter_rows(named=True):
        if last is not None and r["i"] != last + 1:
            rows.append(group)
            group = []
        group.append(r)
        last = r["i"]
    if group:
        rows.append(group)
    out = []
    for g in rows:
        start = g[0]["start"]
        was = " ".join(r["was"] for r in g)
        now = " ".join(r["now"] for r in g if r["now"])
        agrees = None
        if ref is not None:
            near = " ".join(ref.filter((pl.col("start") > start - 20) & (pl.col("start") < start + 15))["text"].to_list())
            agrees = all(glossary.fold(w) in glossary.fold(near) for w in re.findall(r"[\w'-]+", now) if glossary.fold(w))
        out.append({"time": f"{int(start)//3600:02d}:{int(start)%3600//60:02d}:{int(start)%60:02d}",
                    "split": "dev" if start < DEV_END else "test", "raw": was, "fixed": now,
                    "rule": ",".join(sorted({r["rule"] or "" for r in g})), "ref": agrees})
    return pl.DataFrame(out, schema={"time": pl.String, "split": pl.String, "raw": pl.String, "fixed": pl.String,
                                     "rule": pl.String, "ref": pl.Boolean})


def report(label: str, context_texts: list[str], ref: pl.DataFrame | None, runs: int) -> None:
    before, after, build, ctx = words_around_names(context_texts)
    took, cpu = time_pass(before, ctx, runs)
    n_live = pipeline.live(before).height
    print(f"\n## {label}\n")
    print(f"matcher build {build * 1000:.0f} ms (once per set of glossaries); names pass median of {runs}: "
          f"{took * 1000:.1f} ms wall, {cpu * 1000:.1f} ms CPU, over {n_live} live tokens")
    for dev in (True, False):
        split = "development (< 28:07)" if dev else "held-out test (>= 28:07)"
        hyp_before, hyp_after = split_text(before, dev), split_text(after, dev)
        reference = ref_text(ref, dev) if ref is not None else ""
        print(f"\n### {split}: main names\n")
        print("| name | right before | right after | misspelt before | misspelt after | right in reference |")
        print("|---|---|---|---|---|---|")
        for name, pattern in MAIN_NAMES.items():
            rb, ra = count_right(hyp_before, name), count_right(hyp_after, name)
            wb = len(re.findall(pattern, hyp_before)) - rb
            wa = len(re.findall(pattern, hyp_after)) - ra
            rr = count_right(reference, name) if ref is not None else "-"
            print(f"| {name} | {rb} | {ra} | {max(wb, 0)} | {max(wa, 0)} | {rr} |")
        if context_texts and ref is not None:
            vocab = [v for v in glossary.context_vocabulary(context_texts) if v not in MAIN_NAMES]
            rows = [(v, count_right(hyp_before, v), count_right(hyp_after, v), count_right(reference, v)) for v in vocab]
            rows = [r for r in rows if any(r[1:])]
            print(f"\n### {split}: other names the companion documents spell (right spellings)\n")
            print("| name | before | after | reference |")
            print("|---|---|---|---|")
            for v, b, a, r in rows:
                print(f"| {v} | {b} | {a} | {r} |")
    table = changes(before, after, ref)
    print(f"\n### every change ({table.height}: {table.filter(pl.col('split') == 'dev').height} dev, "
          f"{table.filter(pl.col('split') == 'test').height} test; "
          f"{table.filter(pl.col('ref') == False).height} not confirmed by the reference nearby)\n")  # noqa: E712
    with pl.Config(tbl_rows=-1, tbl_width_chars=200, fmt_str_lengths=60, tbl_hide_dataframe_shape=True):
        print(table)


def changes_on_correct_text(label: str, text: str, ctx) -> None:
    """Run the pass over text already spelled right: every change it makes there is a false fix (or a style choice)."""
    _, words = read_words(text, "plain")
    after = names.run(words, ctx)
    diff = words.select("i", "start", "out").join(after.select("i", pl.col("out").alias("now")), on="i").filter(
        pl.col("out") != pl.col("now"))
    print(f"- {label}: {pipeline.live(words).height} words, {diff.height} changed"
          + (f": {diff.select('out', 'now').rows()}" if diff.height else ""))


def correct_text_checks(docs: list[str], shared: Path | None) -> None:
    print("\n## the pass over text that is already right (each change would be a false fix)\n")
    as_cues = ["\n".join(f"[00:00:{n % 60:02d}] {ln}" for n, ln in enumerate(d.splitlines()) if ln.strip()) for d in docs]
    for name, text in zip(example.DOCUMENTS, as_cues):
        changes_on_correct_text(f"companion document {name}, shipped glossary only", text, pipeline.Context())
    if shared:
        edited = (shared / "eval" / "edited_captions.md").read_text(encoding="utf-8")
        dev = "\n".join(ln for ln in edited.splitlines() if not ln.startswith("[") or ln[1:9] < "00:28:07")
        changes_on_correct_text("edited captions, development part, with context", dev, pipeline.Context(context_texts=docs))
        changes_on_correct_text("edited captions, development part, shipped only", dev, pipeline.Context())


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", help="folder holding eval/edited_captions.md (default: ../shared)")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    shared = shared_folder(args.shared)
    ref = reference_cues(shared) if shared else None
    if ref is None:
        print("(no ../shared/eval/edited_captions.md: reference columns left out)")
    docs = [decode(read_bytes(p), str(p))[0] for p in example.documents()]
    report("with the four companion documents as context", docs, ref, args.runs)
    report("shipped glossary only (no context documents)", [], ref, args.runs)
    correct_text_checks(docs, shared)


if __name__ == "__main__":
    main()
