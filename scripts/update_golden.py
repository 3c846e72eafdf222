"""Regenerate the golden outputs under fixtures/golden/ from the bundled episode.

    python scripts/update_golden.py          # rewrite the files; review them with `git diff fixtures/golden`
    python scripts/update_golden.py --check  # exit 1 if any file would change

The golden files are the cleaned first ten minutes of the bundled episode (Markdown and
JSONL, standard level, with the demo's speakers and companion documents) and the number
of tokens each pass changed over the whole episode at each level. They are never edited
by hand: a change in cleaning shows up as a diff to review, then this script is re-run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from align import example  # noqa: E402
from cleaners import LEVELS, clean_file, export  # noqa: E402
from cleaners.pipeline import passes  # noqa: E402

GOLDEN = ROOT / "fixtures" / "golden"
FIRST_SECONDS = 600.0


def render() -> dict[str, str]:
    """File name -> content of every golden file."""
    files: dict[str, str] = {}
    counts = []
    for level in LEVELS:
        result = clean_file(example.captions(), level=level, speakers=list(example.SPEAKERS), context=example.documents())
        edits = result.edits
        for p in passes():
            counts.append({"level": level, "pass": p.name, "tokens_changed": edits.filter(pl.col("rule") == p.name).height})
        if level == "standard":
            head = result.sentences.filter(pl.col("start") < FIRST_SECONDS)
            files["episode_first10min.md"] = export.render("md", head)
            rounded = head.with_columns(pl.col("start").round(2), pl.col("end").round(2))
            files["episode_first10min.jsonl"] = export.render("jsonl", rounded)
    files["pass_counts.tsv"] = pl.DataFrame(counts).write_csv(separator="\t")
    return files


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="only report files that would change")
    args = ap.parse_args(argv)
    changed = []
    for name, text in render().items():
        path = GOLDEN / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            changed.append(name)
            if not args.check:
                GOLDEN.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    verb = "would change" if args.check else "rewritten"
    print(f"{verb}: {', '.join(changed)}" if changed else "golden files up to date")
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
