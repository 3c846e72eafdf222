"""Speed and memory figures for cleaning, alignment and batch runs (medians of several runs).

    python scripts/bench.py            # full run: 200-episode batch, 7 runs per timing
    python scripts/bench.py --quick    # a short run: 20-episode batch, 3 runs
    python scripts/bench.py --copies 1000 --jobs 2   # the 1,000-episode target

Prints, all measured in this process unless said otherwise:

- clean: ``clean_file`` on the bundled episode with its four documents as context;
- floor: one bare regex pass over the same decoded caption text,
  ``regex.findall(r"\\S+", text)`` (tokenising every word once, nothing else);
  the caption-marker substitution ``(HH:MM:SS)`` -> "" is shown beside it;
- stages: where cleaning's time goes (decode, reader, word table, each pass, views);
- profile: the top cProfile entries of cleaning;
- align: ``align.trace.align_documents`` on the episode and its four documents (skipped while absent),
  with its own profile. The aligner's per-word caches (stems, terms: a vocabulary, not a text) are
  emptied before every timed run, so the figure is what an episode costs whose words the process
  has never seen; the figure with those caches warm (as after a few episodes of a batch) is shown
  beside it;
- batch: ``transcript-align batch`` (a subprocess, so its peak memory is its own) over N copies of
  the episode, in episodes per second, and the peak RSS of the batch and its workers at a quarter
  of N and at N episodes, with the RSS sampled along the way: if memory grew with the number of
  episodes, the samples would climb.

Figures are medians but the machine may be shared: treat them as noisy. CPU time (all threads of
the process, or of the batch's process tree) is less hurt by other work on the machine than wall time.

No cache in cleaning or alignment is keyed on an episode's content (a file, a text, a document):
the batch's copies of one episode would then cost nothing after the first and the episodes per
second would lie. Caches are per word (stems, folded spellings, terms) or of shipped data, built
once per worker process; the copies do share every word, so those caches are warmer here than for
distinct episodes (which share most but not all of their vocabulary).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import regex  # noqa: E402

from align import example  # noqa: E402
from cleaners import clean_file  # noqa: E402
from cleaners.decode import decode, read_bytes  # noqa: E402

MARKER = regex.compile(r"\(\d{1,3}:\d{2}(?::\d{2})?\)\s*")


CPU_TIMES: dict[str, float] = {}  # median CPU time (all threads of this process) per timed label


def median_time(fn, runs: int, label: str | None = None) -> float:
    """Median wall time of ``fn``; its median CPU time goes to CPU_TIMES[label] (less hurt by a busy machine)."""
    fn()  # warm up: imports, compiled patterns, polars' thread pool
    times, cpu = [], []
    for _ in range(runs):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    if label:
        CPU_TIMES[label] = statistics.median(cpu)
    return statistics.median(times)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def clean_episode():
    return clean_file(example.captions(), speakers=list(example.SPEAKERS), context=example.documents())


def bench_clean(runs: int) -> None:
    text, _ = decode(read_bytes(example.captions()))
    clean = median_time(clean_episode, runs, "clean")
    floor = median_time(lambda: regex.findall(r"\S+", text), runs, "floor")
    markers = median_time(lambda: MARKER.sub("", text), runs, "markers")
    cpu = CPU_TIMES
    print(f"                              wall (median)   CPU (median, all threads)")
    print(f"clean bundled episode      {ms(clean)}    {ms(cpu['clean'])}   ({len(text):,} characters)")
    print(f"floor: findall \\S+         {ms(floor)}    {ms(cpu['floor'])}   "
          f"clean / floor = {clean / floor:5.1f}x wall, {cpu['clean'] / cpu['floor']:5.1f}x CPU (target <= 5x)")
    print(f"(marker substitution)      {ms(markers)}    {ms(cpu['markers'])}   clean / markers = {clean / markers:5.1f}x wall")
    print(f"target: clean < 100 ms     {'met' if clean < 0.1 else 'NOT met'} (wall), "
          f"{'met' if cpu['clean'] < 0.1 else 'NOT met'} (CPU)")


def bench_stages(runs: int) -> None:
    """Median time of each stage of cleaning, run one after another as clean_file does."""
    from cleaners import pipeline, views, words as wordtable
    from cleaners.readers import read_spans

    context = [decode(read_bytes(p))[0] for p in example.documents()]
    stages: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}

    def timed(name, fn, *args):
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn(*args)
        stages.setdefault(name, []).append(time.perf_counter() - t0)
        cpu.setdefault(name, []).append(time.process_time() - c0)
        return out

    for n in range(runs + 1):
        data = timed("read + decode", lambda: decode(read_bytes(example.captions()))[0])
        ctx = pipeline.Context(speakers=list(example.SPEAKERS), context_texts=context)
        _fmt, spans = timed("reader (read_spans)", read_spans, data)
        words = timed("word table (words.build)", wordtable.build, data, spans)
        for p in pipeline.passes():
            if ctx.at_least(p.level):
                words = timed(f"pass {p.name}", p.run, words, ctx)
        timed("view: sentences", views.sentences, words, ctx.speakers)
        timed("view: edits", wordtable.edits, words)
        if n == 0:
            stages.clear()  # the first round was the warm-up
            cpu.clear()
    total = sum(statistics.median(v) for v in cpu.values())
    print(f"  {'stage':<28} {'wall':>11} {'CPU':>11}  share of CPU")
    for name, values in sorted(cpu.items(), key=lambda kv: -statistics.median(kv[1])):
        m = statistics.median(values)
        print(f"  {name:<28} {ms(statistics.median(stages[name]))} {ms(m)}  {m / total:5.1%}")


def profile(fn, top: int, label: str) -> None:
    if top <= 0:  # --top 0: no profile
        return
    print(f"profile of {label} (cProfile):")
    fn()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(3):
        fn()
    profiler.disable()
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order)
        stats.print_stats(top)
        lines = out.getvalue().splitlines()
        start = next(k for k, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
        print(f"  by {order} (3 runs):")
        for line in lines[start : start + top + 1]:
            print("   ", line)


def bench_align(runs: int, top: int) -> None:
    import importlib.util

    if importlib.util.find_spec("align.trace") is None:
        print("align: skipped (align.trace is not installed yet)")
        return
    from align.trace import align_documents

    from align import score

    sentences = clean_episode().sentences
    run = lambda: align_documents(sentences, example.documents())  # noqa: E731

    def cold():  # as if the process had never seen these words (see the module docstring)
        score.clear_caches()
        return run()

    took = median_time(cold, runs, "align")
    warm = median_time(run, runs, "align warm")
    print(f"align episode + 4 documents{ms(took)}    {ms(CPU_TIMES['align'])}   target < 1 s: "
          f"{'met' if took < 1 else 'NOT met'} (wall), {'met' if CPU_TIMES['align'] < 1 else 'NOT met'} (CPU)")
    print(f"  (per-word caches warm)   {ms(warm)}    {ms(CPU_TIMES['align warm'])}")
    if top:
        profile(run, top, "alignment")


def make_copies(folder: Path, copies: int) -> Path:
    """``copies`` episode folders, each the bundled episode under a new name (hard links where possible)."""
    folder.mkdir(parents=True)
    files = [example.captions(), *example.documents()]
    for n in range(copies):
        episode = folder / f"episode-{n:04d}"
        episode.mkdir()
        for f in files:
            try:
                os.link(f, episode / f.name)
            except OSError:
                shutil.copy(f, episode / f.name)
    return folder


def tree_rss(pid: int) -> int:
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


CHILD_CPU = [0.0]  # CPU seconds of finished child processes counted so far


def run_batch_cli(src: Path, out: Path, jobs: int, extra: list[str]) -> dict:
    """Run the batch command; wall time, peak RSS of the process tree, and RSS samples over the run."""
    command = [sys.executable, "-m", "align", "batch", str(src), "-o", str(out), "-j", str(jobs), *extra]
    t0 = time.perf_counter()
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    samples: list[tuple[float, int, int]] = []  # (seconds, episodes done, tree RSS)
    done_dir = out / ".batch" / "done"

    def sample():
        try:
            import psutil  # noqa: F401
        except ImportError:
            return
        while proc.poll() is None:
            done = sum(1 for _ in done_dir.glob("*.json")) if done_dir.is_dir() else 0
            samples.append((time.perf_counter() - t0, done, tree_rss(proc.pid)))
            time.sleep(0.5)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    stdout, _ = proc.communicate()
    took = time.perf_counter() - t0
    watcher.join()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime - CHILD_CPU[0]
    CHILD_CPU[0] = usage.ru_utime + usage.ru_stime
    if proc.returncode != 0:
        raise SystemExit(f"batch failed ({proc.returncode}):\n{stdout}")
    peak = max((rss for _t, _d, rss in samples), default=0)
    return {"seconds": took, "cpu": cpu, "peak": peak, "samples": samples, "summary": stdout.strip()}


def bench_batch(copies: int, jobs: int, no_align: bool) -> None:
    extra = ["--no-align"] if no_align else []
    with tempfile.TemporaryDirectory(prefix="ta-bench-") as tmp:
        tmp = Path(tmp)
        sizes = sorted({max(1, copies // 4), copies})
        results = {}
        for n in sizes:
            src = make_copies(tmp / f"in-{n}", n)
            results[n] = run_batch_cli(src, tmp / f"out-{n}", jobs, extra)
            shutil.rmtree(tmp / f"out-{n}")
        for n, r in results.items():
            rate = n / r["seconds"]
            peak = f"peak RSS (batch + workers) {r['peak'] / 2**20:7.0f} MiB" if r["peak"] else "(no psutil: no RSS)"
            print(f"batch {n:>5} episodes, -j {jobs}: {r['seconds']:7.1f} s  {rate:6.2f} episodes/s  {peak}")
            print(f"      CPU {r['cpu']:7.1f} s in all ({r['cpu'] / n * 1000:5.0f} ms per episode): on {jobs} idle "
                  f"cores that is {jobs * n / r['cpu']:5.2f} episodes/s")
        big = results[copies]
        rate = copies / big["seconds"]
        idle = 1000 * big["cpu"] / copies / jobs
        print(f"1,000 episodes at this rate: {1000 / rate / 60:5.1f} min wall (target < 5 min: "
              f"{'met' if 1000 / rate < 300 else 'NOT met'}); from CPU time on {jobs} idle cores: {idle / 60:5.1f} min "
              f"({'met' if idle < 300 else 'NOT met'})")
        samples = [s for s in big["samples"] if s[1] > 0]
        if samples:
            print("RSS of the batch's process tree as episodes finish (growth would show here):")
            marks = [samples[int(k * (len(samples) - 1) / 4)] for k in range(5)]
            for t, done, rss in marks:
                print(f"  {t:6.1f} s  {done:>5} done  {rss / 2**20:7.0f} MiB")
        print("  last summary line:", big["summary"].splitlines()[-1] if big["summary"] else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short run: 3 runs per timing, 20-episode batch")
    parser.add_argument("--runs", type=int, help="runs per timing (median reported; default 7, quick 3)")
    parser.add_argument("--copies", type=int, help="episodes in the batch run (default 200, quick 20)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="batch workers (default: CPU count)")
    parser.add_argument("--top", type=int, default=15, help="profile entries to show (0: no profile)")
    parser.add_argument("--no-align", action="store_true", help="batch: clean only")
    parser.add_argument("--skip-batch", action="store_true", help="in-process figures only")
    args = parser.parse_args()
    runs = args.runs or (3 if args.quick else 7)
    copies = args.copies or (20 if args.quick else 200)

    print(f"transcript-align bench: {runs} runs per timing (medians), {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f} (shared machine: figures are noisy)")
    bench_clean(runs)
    print("where cleaning's time goes (median per stage, sorted by CPU):")
    bench_stages(runs)
    profile(clean_episode, args.top, "cleaning")
    bench_align(runs, args.top)
    if not args.skip_batch:
        bench_batch(copies, args.jobs, args.no_align)


if __name__ == "__main__":
    main()
