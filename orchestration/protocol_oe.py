"""The [OE] Fig. 4a protocol (:mod:`twolayer.numeric.protocol_oe`) over widths and sample sizes, into a resumable
table.

One task per (width, n): every seed and learning rate of it in one batch. Rows are appended as each task finishes,
to a CSV whose schema and settings are kept beside it in ``FILE.meta.json``; running again skips the (width, n) cells
already complete, so a stopped sweep resumes (a cell cut short is run again whole). Serial or on Dask
(:func:`.sweep.run_protocol_cells`).

>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "oe.csv")
>>> rows = run_protocol(path, widths=[3], sizes=[30], seeds=[0], rates=(0.5,), max_steps=400, progress=False)
>>> [(r["width"], r["n"], r["lr"]) for r in rows]
[(3, 30, 0.5)]
"""
from __future__ import annotations

from ..numeric.protocol_oe import COLUMNS, run_cell
from .sweep import latest, read_protocol_table, run_protocol_cells

__all__ = ["read_protocol_table", "run_protocol", "settings"]


def settings(seeds, rates, max_steps):
    """What a table was computed with (a table is resumed only with the same settings)."""
    return {"protocol": "oe-fig4a", "seeds": list(seeds), "rates": list(rates), "max_steps": max_steps}


def _key(row):
    return (row["width"], row["n"]), (row["seed"], row["lr"])


def run_protocol(path=None, widths=(3,), sizes=range(1, 64), seeds=range(5), rates=(0.05, 0.1, 0.2, 0.5),
                 max_steps=200_000, workers=0, scheduler=None, progress=True) -> list[dict]:
    """Every (width, n, seed, lr) row, the missing cells computed and appended to ``path``; all rows, sorted."""
    # the widest cells first: they take longest, and a stop leaves the cheap ones to run again
    cells = sorted(((m, n) for m in widths for n in sizes), key=lambda c: (-c[0], -c[1]))
    members = [(seed, lr) for seed in seeds for lr in rates]
    rows = run_protocol_cells(path, settings(seeds, rates, max_steps), COLUMNS, _key, members, cells,
                              lambda c: (c[0], c[1], tuple(seeds), tuple(rates), max_steps), run_cell, workers,
                              scheduler, progress)
    return latest(rows, _key, cells)
