"""The [ZBZ] Fig. 4 protocol (:mod:`twolayer.numeric.protocol_zbz`) over its grid, into a resumable table.

One task per (n, seed): every ratio of the grid for that sample set. Rows are appended as each task finishes, to a
CSV whose schema and protocol settings are kept beside it in ``FILE.meta.json``; running again skips the (n, seed)
cells already in the table, so a stopped sweep resumes. Tasks run serially or on Dask, as the other sweeps do.

>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "zbz.csv")
>>> rows = run_protocol(path, sizes=[2], seeds=[0], ratios=(0.0, 1.0), max_steps=2000, flow_steps=2000,
...                     progress=False)
>>> [(r["n"], r["ratio"], r["paper_recovered"]) for r in rows]
[(2, 0.0, False), (2, 1.0, False)]
"""
from __future__ import annotations

import contextlib
import os

from ..base.errors import InputError
from ..numeric.protocol_zbz import COLUMNS, FLOW_MAX_STEPS, PAPER_MAX_STEPS, RATIOS, SEEDS, SIZES, run_cell
from .sweep import _progress, append_rows, create_table, read_rows, repair_tail, run_tasks, table_lock


def settings(max_steps, flow_steps, ratios):
    """What a table was computed with (a table is resumed only with the same settings)."""
    return {"protocol": "zbz-fig4", "max_steps": max_steps, "flow_steps": flow_steps, "ratios": list(ratios)}


def read_protocol_table(path):
    """(settings, rows) of a protocol table; rows typed by the schema."""
    meta, rows = read_rows(path)
    return meta["settings"], rows


def _open(path, wanted):
    if not os.path.exists(path):
        create_table(path, {"settings": wanted}, COLUMNS)
        return set()
    try:
        found, rows = read_protocol_table(path)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path} exists but is not a protocol table with its schema ({exc}); choose another "
                         "--out") from None
    if found != wanted:
        raise InputError(f"{path} holds the protocol with other settings ({found}); choose another --out")
    ratios = len(wanted["ratios"])
    cells = {}
    for r in rows:
        cells[(r["n"], r["seed"])] = cells.get((r["n"], r["seed"]), 0) + 1
    return {key for key, count in cells.items() if count == ratios}   # a cell cut short is run again whole


def run_protocol(path=None, sizes=SIZES, seeds=SEEDS, ratios=RATIOS, max_steps=PAPER_MAX_STEPS,
                 flow_steps=FLOW_MAX_STEPS, workers=0, scheduler=None, progress=True) -> list[dict]:
    """Every (n, seed, ratio) row, the missing cells computed and appended to ``path``; all rows, sorted."""
    wanted = settings(max_steps, flow_steps, ratios)
    with table_lock(path) if path else contextlib.nullcontext():
        done = set()
        if path:
            repair_tail(path)
            done = _open(path, wanted)
        todo = [(n, seed) for n in sizes for seed in seeds if (n, seed) not in done]
        fresh = []

        def record(rows):
            fresh.extend(rows)
            if path:
                append_rows(path, rows, COLUMNS)

        bar = _progress(len(todo), progress, unit="cell", desc="zbz-fig4")
        run_tasks(run_cell, [(n, seed, tuple(ratios), max_steps, flow_steps) for n, seed in todo], workers,
                  scheduler, record, bar)
        bar.close()
        rows = read_protocol_table(path)[1] if path else fresh
    keep = {(n, seed) for n in sizes for seed in seeds}
    latest = {}
    for r in rows:   # a cell run again after a cut keeps its last rows
        if (r["n"], r["seed"]) in keep:
            latest[(r["n"], r["seed"], r["ratio"])] = r
    return sorted(latest.values(), key=lambda r: (r["n"], r["seed"], r["ratio"]))

