"""Regenerate the golden trace of the bundled episode: fixtures/golden_alignment/episode.tsv.

    python scripts/update_alignment_golden.py      # then review `git diff fixtures/golden_alignment`

Compact on purpose (unit id, status, start rounded to seconds, claim check), so a change in the
cleaning passes shows as a short, readable diff. Never edit the file by hand.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from align import example  # noqa: E402
from align.trace import align_documents  # noqa: E402
from cleaners import clean_file  # noqa: E402

GOLDEN = ROOT / "fixtures" / "golden_alignment" / "episode.tsv"


def golden_text() -> str:
    """The compact trace of the four seed documents against the cleaned bundled captions."""
    sentences = clean_file(example.captions(), speakers=list(example.SPEAKERS), context=example.documents()).sentences
    trace = align_documents(sentences, example.documents())
    return render(trace)


def render(trace) -> str:
    lines = ["doc\tunit\tstatus\tstart\tclaim"]
    for r in trace.iter_rows(named=True):
        start = "-" if r["start"] is None else str(int(round(r["start"])))
        lines.append(f"{r['doc']}\t{r['unit']}\t{r['status']}\t{start}\t{r['claim'] or '-'}")
    return "\n".join(lines) + "\n"


def main() -> None:
    text = golden_text()
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    old = GOLDEN.read_text(encoding="utf-8") if GOLDEN.exists() else ""
    GOLDEN.write_text(text, encoding="utf-8")
    changed = sum(1 for a, b in zip(old.splitlines(), text.splitlines()) if a != b) + abs(
        len(old.splitlines()) - len(text.splitlines()))
    print(f"wrote {GOLDEN.relative_to(ROOT)}: {len(text.splitlines()) - 1} units, {changed} lines changed")


if __name__ == "__main__":
    main()
