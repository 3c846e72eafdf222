"""The ordered search: pick at most one candidate span per unit so the document reads along the talk.

Documents mostly follow the conversation, so order is a prior: dynamic programming over the
document's units (in document order) whose state is the transcript position reached so far.
A unit may

- take one of its candidates at or after the current position (free, or slightly before it:
  :data:`BACK_TOLERANCE` seconds, since summaries reorder neighbouring remarks),
- take a candidate anywhere earlier, paying :data:`JUMP_PENALTY` (a section that restarts the
  timeline, a strong quote out of place), or
- be skipped: it ends ``unsupported``.

Taking a candidate gains ``score - MIN_SCORE``, so weak candidates are never worth taking and a
strong one is worth a jump. The search is O(units x positions) with numpy prefix maxima, like the
Vecalign/Bertalign family's DP over a band, but over the whole talk since a summary may skip.
"""

from __future__ import annotations

import bisect

import numpy as np
import polars as pl

MIN_SCORE = 0.5  # calibrated chance below which a candidate is not support
JUMP_PENALTY = 0.25  # cost of going back in the talk (in units of calibrated score)
BACK_TOLERANCE = 90.0  # seconds a unit may sit before the previous one at no cost


def ordered_choice(units: pl.DataFrame, candidates: pl.DataFrame, sentences: pl.DataFrame, *,
                   min_score: float = MIN_SCORE, jump_penalty: float = JUMP_PENALTY,
                   back_tolerance: float = BACK_TOLERANCE) -> pl.DataFrame:
    """The chosen candidate per unit of *one* document (rows of ``candidates``; skipped units absent).

    ``units`` needs ``key`` and ``order``; ``candidates`` follows :data:`align.score.CANDIDATE_SCHEMA`;
    ``sentences`` needs ``id`` and ``start``.
    """
    sents = sentences.select("id", "start").sort("start", "id", maintain_order=True)
    n_pos = sents.height
    if n_pos == 0 or units.height == 0:
        return candidates.clear()
    pos_of = pl.DataFrame({"first": sents["id"], "pos": np.arange(n_pos, dtype=np.int64)},
                          schema={"first": pl.Int32, "pos": pl.Int64})
    starts = sents["start"].to_numpy()
    # The furthest position a unit at ``p`` may follow without paying for a jump back.
    limit = np.searchsorted(starts, starts + back_tolerance, side="right") - 1

    cands = (
        candidates.filter(pl.col("score") > min_score)
        .join(pos_of, on="first")
        .join(units.select("key", "order"), on="key")
        .sort(["order", "score", "first", "last"], descending=[False, True, False, False])  # joins keep no order
        .with_row_index("row")
    )
    by_unit: dict[int, list[tuple[int, float, int]]] = {}
    for row, order, pos, sc in cands.select("row", "order", "pos", "score").iter_rows():
        by_unit.setdefault(order, []).append((pos, sc - min_score, row))

    value = np.zeros(n_pos)
    idx = np.arange(n_pos)
    steps: list[dict[int, tuple[int, int]]] = []  # per unit: position -> (candidate row, previous position)
    for order in sorted(units["order"].to_list()):
        options = by_unit.get(order)
        if not options:
            steps.append({})
            continue
        prefix = np.maximum.accumulate(value)
        arg_prefix = np.maximum.accumulate(np.where(value == prefix, idx, 0))
        best_any = int(np.argmax(value))
        changes: dict[int, tuple[int, int, float]] = {}
        for pos, gain, row in options:
            lim = limit[pos]
            in_order, prev = prefix[lim], int(arg_prefix[lim])
            jumped = value[best_any] - jump_penalty
            if jumped > in_order:
                in_order, prev = jumped, best_any
            total = in_order + gain
            if total > value[pos] and total > changes.get(pos, (0, 0, -np.inf))[2]:
                changes[pos] = (row, prev, total)
        for pos, (_row, _prev, total) in changes.items():
            value[pos] = total
        steps.append({p: (r, prev) for p, (r, prev, _t) in changes.items()})

    chosen: list[int] = []
    pos = int(np.argmax(value))
    for step in reversed(steps):
        if pos in step:
            row, pos = step[pos]
            chosen.append(row)
    return cands.filter(pl.col("row").is_in(chosen)).drop("row", "pos", "order")


# ---------------------------------------------------------------------------------------------
# Second pass: weak evidence that sits where the document's order says it should

WEAK_SCORE = 0.1  # a candidate below this is noise even in the right place
WEAK_COVERAGE = 0.25  # nor is one that shares a single common word with the talk


def fill_in_order(units: pl.DataFrame, candidates: pl.DataFrame, chosen: pl.DataFrame, sentences: pl.DataFrame, *,
                  weak_score: float = WEAK_SCORE, back_tolerance: float = BACK_TOLERANCE) -> pl.DataFrame:
    """For units the ordered search left out: their best candidate between the neighbours that were
    found (the previous and next supported unit of the same document), with ``bracket``: how many
    seconds that stretch of the talk is. A paraphrase rarely shares enough words to stand out in the
    whole talk, but often does within the few minutes where its neighbours are.
    """
    starts = dict(zip(sentences["id"].to_list(), sentences["start"].to_list()))
    order_of = dict(zip(units["key"].to_list(), units["order"].to_list()))
    anchors = sorted((order_of[k], starts[f]) for k, f in zip(chosen["key"].to_list(), chosen["first"].to_list()))
    anchor_orders = [o for o, _t in anchors]
    taken = set(chosen["key"].to_list())
    talk_end = max(starts.values()) if starts else 0.0
    best: dict[int, tuple[float, int, float]] = {}  # key -> (score, candidate row, bracket)
    candidates = candidates.sort(["key", "score", "first", "last"], descending=[False, True, False, False])
    rows = candidates.select("key", "first", "score", pl.col("coverage").fill_null(1.0)).rows()
    for n, (key, first, sc, coverage) in enumerate(rows):
        if key in taken or sc < weak_score or coverage < WEAK_COVERAGE or key not in order_of:
            continue
        order = order_of[key]
        k = bisect.bisect_left(anchor_orders, order)
        lo = anchors[k - 1][1] - back_tolerance if k > 0 else 0.0
        hi = anchors[k][1] + back_tolerance if k < len(anchors) else talk_end
        if hi <= lo:  # the neighbours jump back: a section restarts here, only the next one bounds it
            lo = 0.0
        if lo <= starts[first] <= hi and sc > best.get(key, (-1.0, 0, 0.0))[0]:
            best[key] = (sc, n, hi - lo)
    picked = sorted(best.values(), key=lambda b: b[1])
    return candidates[[n for _s, n, _b in picked]].with_columns(
        pl.Series("bracket", [b for _s, _n, b in picked], dtype=pl.Float64))
