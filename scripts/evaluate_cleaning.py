"""Word error rate of the cleaned bundled episode against the human-edited captions.

    python scripts/evaluate_cleaning.py              # dev and test, every level and the raw captions
    python scripts/evaluate_cleaning.py --split dev --show 20   # also print 20 aligned error spots

The reference is ``../shared/eval/edited_captions.md`` (the creator's edited captions,
``[HH:MM:SS] text`` cues). Both sides are lowercased with punctuation dropped
(hyphens and dashes become spaces, apostrophes vanish). Our words are picked by
their own start time and the reference words by their cue's start time, over the
development split (0 to 00:28:07) or the test split (the rest), leaving out the
sponsor reads that the edited captions omit (the gaps listed in that file's header).

The ``baseline`` row is the eval README's yardstick (fillers, "you know", "I mean",
"kind of" and immediate repeats dropped everywhere, no context; the README gives
30.0% / 21.0%, this measures 29.4% / 20.2%; raw 42.7% / 34.0% against its 42.9% / 34.1%).
Errors are counted from a word-level Levenshtein alignment (rapidfuzz editops):
insertions are words we kept that the editor did not, deletions words the editor
kept that we lost, and "content deletions" the deletions that are not stopwords
(``cleaners/data/stopwords.txt``), the worst failure of a cleaner. The speaker
figure is the share of reference words said in a sentence given to the right
speaker (``edited_turns.txt``). Tune on ``dev`` only; report ``test`` honestly.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import polars as pl
from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cleaners import LEVELS, clean_file  # noqa: E402
from cleaners.passes import disfluency  # noqa: E402
from cleaners.timecodes import parse_clock  # noqa: E402


def _find_eval() -> Path:
    """``shared/eval`` beside the checkout or beside any folder above it (worktrees sit one level deeper)."""
    for folder in ROOT.parents:
        if (folder / "shared" / "eval").is_dir():
            return folder / "shared" / "eval"
    return ROOT.parent / "shared" / "eval"


EVAL = _find_eval()
REFERENCE = EVAL / "edited_captions.md"
CAPTIONS = ROOT / "fixtures" / "episode" / "002_39f15ef3401b1368.txt"
# the companion documents feed the names pass, as in `transcript-align demo`
DOCUMENTS = sorted(p for p in CAPTIONS.parent.glob("0*.txt") if p != CAPTIONS)
SPEAKERS = ["Dwarkesh Patel", "Dario Amodei"]
DEV_END = parse_clock("00:28:07")

_CUE = re.compile(r"^\[(\d{1,2}:\d{2}:\d{2})\]\s*(.*?)\s*$")
_GAPS = re.compile(r"(\d{1,2}:\d{2}:\d{2})\s*-\s*(\d{1,2}:\d{2}:\d{2})")
_SPLITTERS = re.compile(r"[-‐‑–—/]+")
_DROP = re.compile(r"[^\w\s]+")


def normalise(text: str) -> list[str]:
    """Lowercase words without punctuation: "Hot-button, it's" -> ["hot", "button", "its"]."""
    text = _SPLITTERS.sub(" ", text.lower())
    return _DROP.sub("", text).split()


def stopwords() -> frozenset[str]:
    text = resources.files("cleaners.data").joinpath("stopwords.txt").read_text(encoding="utf-8")
    return frozenset(w for ln in text.splitlines() if (w := ln.strip()) and not w.startswith("#"))


def read_reference(path: Path = REFERENCE) -> tuple[pl.DataFrame, list[tuple[float, float]]]:
    """The reference cues (``start``, ``text``) and the sponsor gaps named in the file's header."""
    text = path.read_text(encoding="utf-8")
    header = text.split("-->", 1)[0] if "-->" in text else ""
    gaps = [(parse_clock(a), parse_clock(b)) for a, b in _GAPS.findall(header)]
    rows = [(parse_clock(m.group(1)), m.group(2)) for ln in text.splitlines() if (m := _CUE.match(ln))]
    return pl.DataFrame(rows, schema={"start": pl.Float64, "text": pl.String}, orient="row"), gaps


def split_mask(start: pl.Expr, split: str, gaps: list[tuple[float, float]]) -> pl.Expr:
    inside = start < DEV_END if split == "dev" else start >= DEV_END
    for a, b in gaps:
        inside = inside & ~((start >= a) & (start < b))
    return inside


def reference_words(cues: pl.DataFrame, split: str, gaps) -> list[str]:
    chosen = cues.filter(split_mask(pl.col("start"), split, gaps))
    return normalise(" ".join(chosen["text"].to_list()))


def hypothesis_words(words: pl.DataFrame, split: str, gaps, column: str = "out") -> list[str]:
    """Our words in the split: ``column`` is ``out`` for the clean text or ``raw`` for the captions."""
    chosen = words.filter((pl.col("kind") == "word") & (pl.col(column) != "") & split_mask(pl.col("start"), split, gaps))
    return normalise(" ".join(chosen[column].to_list()))


def naive_baseline(words: list[str]) -> list[str]:
    """The eval README's yardstick: drop fillers, "you know" / "I mean" / "kind of" everywhere,
    then immediate single-word repeats (on normalised words, no context at all)."""
    fillers = set(disfluency.wordlist("fillers.txt"))
    kept = [w for w in words if w not in fillers]
    out: list[str] = []
    k = 0
    while k < len(kept):
        if k + 1 < len(kept) and (kept[k], kept[k + 1]) in {("you", "know"), ("i", "mean"), ("kind", "of")}:
            k += 2
            continue
        out.append(kept[k])
        k += 1
    return [w for n, w in enumerate(out) if n == 0 or w != out[n - 1]]


@dataclass
class Score:
    ref: int
    ins: int
    dels: int
    subs: int
    content_dels: int
    deleted: list[str]
    ops: list

    @property
    def wer(self) -> float:
        return (self.ins + self.dels + self.subs) / max(self.ref, 1)


def score(hyp: list[str], ref: list[str], stop: frozenset[str] | None = None) -> Score:
    """Word-level edit counts turning ``hyp`` into ``ref`` (so an "insert" op adds a reference word = our deletion)."""
    stop = stopwords() if stop is None else stop
    ops = Levenshtein.editops(hyp, ref)
    ins = dels = subs = 0
    deleted = []
    for op in ops:
        if op.tag == "delete":  # a hypothesis word the reference lacks: we inserted it
            ins += 1
        elif op.tag == "insert":  # a reference word we lack: we deleted it
            dels += 1
            deleted.append(ref[op.dest_pos])
        else:
            subs += 1
    content = [w for w in deleted if w not in stop and not w.isdigit()]
    return Score(len(ref), ins, dels, subs, len(content), content, list(ops))


def show_errors(hyp: list[str], ref: list[str], ops, limit: int, width: int = 6) -> str:
    """Up to ``limit`` error spots, each as ``hyp`` / ``ref`` context lines."""
    # editops turn hyp into ref: "delete" = a word we kept and the editor cut, "insert" = a word we lost
    names = {"delete": "extra", "insert": "lost", "replace": "changed"}
    lines = []
    for op in ops[:limit]:
        h, r = op.src_pos, op.dest_pos
        lines.append(
            f"{names[op.tag]:8} hyp: {' '.join(hyp[max(h - width, 0):h])} [{hyp[h] if op.tag != 'insert' and h < len(hyp) else ''}] "
            f"{' '.join(hyp[h + 1:h + width])}\n         ref: {' '.join(ref[max(r - width, 0):r])} "
            f"[{ref[r] if op.tag != 'delete' and r < len(ref) else ''}] {' '.join(ref[r + 1:r + width])}"
        )
    return "\n".join(lines)


def evaluate(splits=("dev", "test"), levels=LEVELS, show: int = 0, captions: Path = CAPTIONS) -> pl.DataFrame:
    """One row per (split, level) with WER, insertions, deletions, substitutions and content deletions."""
    cues, gaps = read_reference()
    stop = stopwords()
    tables = {level: clean_file(captions, level=level, speakers=SPEAKERS, context=DOCUMENTS).words for level in levels}
    rows = []
    for split in splits:
        ref = reference_words(cues, split, gaps)
        raw = hypothesis_words(next(iter(tables.values())), split, gaps, "raw")
        runs = [("raw", raw), ("baseline", naive_baseline(raw))]
        runs += [(level, hypothesis_words(tables[level], split, gaps)) for level in levels]
        for name, hyp in runs:
            s = score(hyp, ref, stop)
            rows.append(
                {"split": split, "level": name, "ref_words": s.ref, "hyp_words": len(hyp), "wer": round(100 * s.wer, 1),
                 "ins": s.ins, "del": s.dels, "sub": s.subs, "content_del": s.content_dels}
            )
            if show and name not in ("raw", "baseline"):
                print(f"--- {split} {name}: first {show} error spots")
                print(show_errors(hyp, ref, s.ops, show))
                print(f"content words deleted: {' '.join(s.deleted[:60])}")
    return pl.DataFrame(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", choices=["dev", "test", "both"], default="both")
    ap.add_argument("--level", choices=list(LEVELS), action="append", help="level(s) to run (default: all)")
    ap.add_argument("--show", type=int, default=0, help="print this many aligned error spots per run")
    args = ap.parse_args(argv)
    if not REFERENCE.exists():
        print(f"{REFERENCE} not found: the evaluation needs ../shared/eval beside the checkout", file=sys.stderr)
        return 2
    splits = ("dev", "test") if args.split == "both" else (args.split,)
    table = evaluate(splits, tuple(args.level or LEVELS), args.show)
    with pl.Config(tbl_rows=50, tbl_cols=20, tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True):
        print(table)
    print("WER = (ins + del + sub) / ref_words; lowercased, punctuation dropped, sponsor gaps left out; "
          f"dev = [0, {DEV_END:.0f}s), test = the rest")
    sentences = clean_file(CAPTIONS, level="standard", speakers=SPEAKERS, context=DOCUMENTS).sentences
    for split in splits:
        print(f"speaker attribution ({split}): {100 * turn_attribution(sentences, split):.1f}% of reference words "
              f"said in a sentence given to the right speaker (--speakers \"{','.join(SPEAKERS)}\")")
    return 0



# --- speaker turns ---------------------------------------------------------------------------

TURNS = EVAL / "edited_turns.txt"
_TURN = re.compile(r"^\[(\d{1,2}:\d{2}:\d{2})\]\s*([^:]+):\s")


def read_turns(path: Path = TURNS) -> pl.DataFrame:
    """Reference turns: ``start`` (seconds) and ``speaker``, in order."""
    rows = [(parse_clock(m.group(1)), m.group(2).strip()) for ln in path.read_text(encoding="utf-8").splitlines()
            if (m := _TURN.match(ln))]
    return pl.DataFrame(rows, schema={"start": pl.Float64, "speaker": pl.String}, orient="row")


def turn_attribution(sentences: pl.DataFrame, split: str = "dev") -> float:
    """Share of reference words (in ``split``) said at a time our sentences give to the right speaker.

    Each reference cue's words are spread evenly over the cue (until the next cue), take the
    reference speaker of the turn they fall in and our speaker of the last sentence that
    started at or before them.
    """
    cues, gaps = read_reference()
    cues = cues.with_columns(
        pl.col("text").map_elements(lambda t: len(normalise(t)), return_dtype=pl.Int64).alias("n"),
        pl.col("start").shift(-1).fill_null(pl.col("start") + 3.0).alias("stop"),
    ).filter(split_mask(pl.col("start"), split, gaps) & (pl.col("n") > 0))
    times = cues.select(
        pl.int_ranges(0, "n").alias("k"), "start", "stop", "n"
    ).explode("k").select((pl.col("start") + (pl.col("stop") - pl.col("start")) * pl.col("k") / pl.col("n")).alias("t"))
    times = times.sort("t")
    ref = read_turns().sort("start").rename({"start": "t", "speaker": "ref"})
    ours = sentences.select(pl.col("start").alias("t"), pl.col("speaker").alias("ours")).sort("t")
    got = times.join_asof(ref, on="t").join_asof(ours, on="t")
    return got.select((pl.col("ref") == pl.col("ours")).mean()).item()


if __name__ == "__main__":
    sys.exit(main())
