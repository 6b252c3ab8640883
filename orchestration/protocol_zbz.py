"""The [ZBZ] Fig. 4 protocol (:mod:`twolayer.numeric.protocol_zbz`) over its grid, into a resumable table.

One task per (n, seed): every ratio of the grid for that sample set. Rows are appended as each task finishes, to a
CSV whose schema and protocol settings are kept beside it in ``FILE.meta.json``; running again skips the (n, seed)
cells already in the table, so a stopped sweep resumes. Tasks run serially or on Dask, as the other sweeps do
(:func:`.sweep.run_protocol_cells`).

>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "zbz.csv")
>>> rows = run_protocol(path, sizes=[2], seeds=[0], ratios=(0.0, 1.0), max_steps=2000, flow_steps=2000,
...                     progress=False)
>>> [(r["n"], r["ratio"], r["paper_recovered"]) for r in rows]
[(2, 0.0, False), (2, 1.0, False)]
"""
from __future__ import annotations

from ..numeric.protocol_zbz import COLUMNS, FLOW_MAX_STEPS, PAPER_MAX_STEPS, RATIOS, SEEDS, SIZES, run_cell
from .sweep import latest, read_protocol_table, run_protocol_cells

__all__ = ["read_protocol_table", "run_protocol", "settings"]


def settings(max_steps, flow_steps, ratios):
    """What a table was computed with (a table is resumed only with the same settings)."""
    return {"protocol": "zbz-fig4", "max_steps": max_steps, "flow_steps": flow_steps, "ratios": list(ratios)}


def _key(row):
    return (row["n"], row["seed"]), row["ratio"]


def run_protocol(path=None, sizes=SIZES, seeds=SEEDS, ratios=RATIOS, max_steps=PAPER_MAX_STEPS,
                 flow_steps=FLOW_MAX_STEPS, workers=0, scheduler=None, progress=True) -> list[dict]:
    """Every (n, seed, ratio) row, the missing cells computed and appended to ``path``; all rows, sorted."""
    cells = [(n, seed) for n in sizes for seed in seeds]
    rows = run_protocol_cells(path, settings(max_steps, flow_steps, ratios), COLUMNS, _key, ratios, cells,
                              lambda c: (c[0], c[1], tuple(ratios), max_steps, flow_steps), run_cell, workers,
                              scheduler, progress)
    return latest(rows, _key, cells)
