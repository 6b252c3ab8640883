"""The [OE] Fig. 4a protocol (:mod:`twolayer.numeric.protocol_oe`) over widths and sample sizes, into a resumable
table.

One task per (width, n): every seed and learning rate of it in one batch. Rows are appended as each task finishes,
to a CSV whose schema and settings are kept beside it in ``FILE.meta.json``; running again skips the (width, n) cells
already complete, so a stopped sweep resumes (a cell cut short is run again whole). Serial or on Dask.

>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "oe.csv")
>>> rows = run_protocol(path, widths=[3], sizes=[30], seeds=[0], rates=(0.5,), max_steps=400, progress=False)
>>> [(r["width"], r["n"], r["lr"]) for r in rows]
[(3, 30, 0.5)]
"""
from __future__ import annotations

import contextlib
import os

from ..base.errors import InputError
from ..numeric.protocol_oe import COLUMNS, run_cell
from .sweep import _progress, append_rows, create_table, read_rows, repair_tail, run_tasks, table_lock


def settings(seeds, rates, max_steps):
    """What a table was computed with (a table is resumed only with the same settings)."""
    return {"protocol": "oe-fig4a", "seeds": list(seeds), "rates": list(rates), "max_steps": max_steps}


def read_protocol_table(path):
    """(settings, rows) of an oe-fig4a table; rows typed by the schema."""
    meta, rows = read_rows(path)
    return meta["settings"], rows


def _open(path, wanted):
    if not os.path.exists(path):
        create_table(path, {"settings": wanted}, COLUMNS)
        return set()
    try:
        found, rows = read_protocol_table(path)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path} exists but is not an oe-fig4a table with its schema ({exc}); choose another "
                         "--out") from None
    if found != wanted:
        raise InputError(f"{path} holds the protocol with other settings ({found}); choose another --out")
    count = {}
    for r in rows:
        count[(r["width"], r["n"])] = count.get((r["width"], r["n"]), 0) + 1
    full = len(wanted["seeds"]) * len(wanted["rates"])
    return {cell for cell, k in count.items() if k >= full}


def run_protocol(path=None, widths=(3,), sizes=range(1, 64), seeds=range(5), rates=(0.05, 0.1, 0.2, 0.5),
                 max_steps=200_000, workers=0, scheduler=None, progress=True) -> list[dict]:
    """Every (width, n, seed, lr) row, the missing cells computed and appended to ``path``; all rows, sorted."""
    wanted = settings(seeds, rates, max_steps)
    with table_lock(path) if path else contextlib.nullcontext():
        done = set()
        if path:
            repair_tail(path)
            done = _open(path, wanted)
        # the widest cells first: they take longest, and a stop leaves the cheap ones to run again
        todo = sorted(((m, n) for m in widths for n in sizes if (m, n) not in done), key=lambda c: (-c[0], -c[1]))
        fresh = []

        def record(rows):
            fresh.extend(rows)
            if path:
                append_rows(path, rows, COLUMNS)

        bar = _progress(len(todo), progress, unit="cell", desc="oe-fig4a")
        run_tasks(run_cell, [(m, n, tuple(seeds), tuple(rates), max_steps) for m, n in todo], workers, scheduler,
                  record, bar)
        bar.close()
        rows = read_protocol_table(path)[1] if path else fresh
    keep = {(m, n) for m in widths for n in sizes}
    latest = {}
    for r in rows:
        if (r["width"], r["n"]) in keep:
            latest[(r["width"], r["n"], r["seed"], r["lr"])] = r
    return sorted(latest.values(), key=lambda r: (r["width"], r["n"], r["seed"], r["lr"]))
