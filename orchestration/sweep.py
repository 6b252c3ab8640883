"""Sweeps of experiments (sample sizes x initialization scales x seeds) into a tidy table on disk.

One row per run, appended as soon as its cell (one (n, scale) with a block of seeds) finishes, to a
CSV file whose schema (columns, types, meanings) and experiment spec are kept beside it in
``FILE.meta.json``. Running the same sweep again skips the runs already in the table, so a stopped
sweep resumes where it stopped. Cells run serially, or on Dask (``dask.distributed``): a
LocalCluster of ``workers`` processes by default, or an existing scheduler by address. The cells
and their seed blocks are the same either way, so both give the same rows (bit for bit: each run's
arithmetic does not depend on where it runs).

>>> import tempfile, os
>>> spec = ExperimentSpec("tanh", '[[1, "3/5", "4/5"]]', width=2, lr=0.2, max_steps=2000)
>>> path = os.path.join(tempfile.mkdtemp(), "runs.csv")
>>> len(run_sweep(spec, [2], [1e-3], seeds=range(2), path=path, progress=False))
2
>>> len(run_sweep(spec, [2, 3], [1e-3], seeds=range(2), path=path, progress=False))   # only n = 3 is new
4
"""
from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import sys
from pathlib import Path

from ..base.errors import InputError
from ..numeric.experiment import COLUMNS, ExperimentSpec, run_cell

#: seeds per cell: one cell is one task (and one batched gradient descent)
SEED_BLOCK = 8
def _boolean(text):
    """Only the two spellings csv writes: anything else (a cut "Tru", a "1") is an error, not False."""
    if text not in ("True", "False"):
        raise ValueError(f"not a boolean: {text!r}")
    return text == "True"


_PARSE = {"int": int, "float": float, "str": str, "bool": _boolean}


@contextlib.contextmanager
def table_lock(path):
    """Hold an exclusive lock on ``path`` (a file ``path.lock`` beside it) while a sweep writes it; a second
    process asking for it is refused at once (two writers would interleave their rows)."""
    import fcntl
    lock_path = Path(f"{path}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise InputError(f"another process is writing {path}: wait for it to finish or choose another "
                             "--out") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def repair_tail(path):
    """Cut a last line left without its line end (a run stopped mid-write), so that the next row starts on a line
    of its own instead of being glued to it; True when something was cut."""
    if not os.path.exists(path):
        return False
    with open(path, "rb+") as handle:
        data = handle.read()
        if not data or data.endswith(b"\n"):
            return False
        handle.truncate(data.rfind(b"\n") + 1)
    print(f"note: the last line of {path} was cut mid-write; it is dropped and its run is done again",
          file=sys.stderr)
    return True


def _complete_lines(handle):
    """The lines of a table without a torn last line (read-only: a reader never changes the file)."""
    text = handle.read()
    if text and not text.endswith("\n"):
        text = text[:text.rfind("\n") + 1]
    return text.splitlines()


def cells(sizes, scales, seeds, done=frozenset()):
    """The (n, scale, seed block) tasks still to run, in a fixed order."""
    seeds = sorted(set(seeds))
    out = []
    for n in sizes:
        for scale in scales:
            todo = [s for s in seeds if (n, scale, s) not in done]
            out += [(n, scale, tuple(todo[i:i + SEED_BLOCK])) for i in range(0, len(todo), SEED_BLOCK)]
    return out


def read_rows(path):
    """(meta, rows) of any table of this module's kind: its FILE.meta.json, and the rows typed by its schema."""
    meta = json.loads(Path(f"{path}.meta.json").read_text())
    types = {c["name"]: c["type"] for c in meta["columns"]}
    with open(path, newline="") as handle:
        rows = [{k: _PARSE[types[k]](v) for k, v in row.items()} for row in csv.DictReader(_complete_lines(handle))]
    return meta, rows


def create_table(path, header: dict, columns):
    """A new table at ``path``: its header row, and beside it FILE.meta.json holding ``header`` and the schema
    (each column's name, type and meaning)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(f"{path}.meta.json").write_text(json.dumps({**header, "columns": [
        {"name": name, "type": kind, "meaning": meaning} for name, kind, meaning in columns]}, indent=1) + "\n")
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerow([name for name, _, _ in columns])


def append_rows(path, rows, columns):
    """Append ``rows`` (floats written exactly, by repr) and make them durable before returning."""
    with open(path, "a", newline="") as handle:
        writer = csv.writer(handle)
        for row in rows:
            writer.writerow([repr(row[name]) if kind == "float" else row[name] for name, kind, _ in columns])
        handle.flush()
        os.fsync(handle.fileno())


def read_table(path):
    """(spec, rows) of a sweep table; rows typed by the schema."""
    meta, rows = read_rows(path)
    return ExperimentSpec(**meta["spec"]), rows


def _open_table(spec, path):
    """The keys (n, scale, seed) already in the table at ``path``, creating it (and its schema) if new."""
    if not os.path.exists(path):
        create_table(path, {"spec": json.loads(spec.to_json())}, COLUMNS)
        return set()
    try:
        old_spec, rows = read_table(path)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path} exists but is not a sweep table with its schema ({exc}); "
                         "choose another --out") from None
    if old_spec != spec:
        raise InputError(f"{path} holds a sweep of another experiment ({old_spec.to_json()}); choose another --out")
    return {(r["n"], r["scale"], r["seed"]) for r in rows}


def run_sweep(spec: ExperimentSpec, sizes, scales, seeds, path=None, workers=0, scheduler=None,
              progress=True) -> list[dict]:
    """Every run (n, scale, seed), the new ones computed and appended to ``path``; returns all rows, sorted.

    ``workers=0`` and no scheduler: serial, in this process. Otherwise Dask: ``scheduler`` (an address
    like ``tcp://host:8786``) or a LocalCluster of ``workers`` single-threaded processes.
    """
    with table_lock(path) if path else contextlib.nullcontext():
        if path:
            repair_tail(path)
        done = _open_table(spec, path) if path else set()
        todo = cells(sizes, scales, seeds, done)
        fresh = []

        def record(rows):
            fresh.extend(rows)
            if path:
                append_rows(path, rows, COLUMNS)

        bar = _progress(len(todo), progress)
        run_tasks(run_cell, [(spec, n, scale, block) for n, scale, block in todo], workers, scheduler, record, bar)
        bar.close()
        rows = read_table(path)[1] if path else fresh
    wanted = {(n, s, seed) for n in sizes for s in scales for seed in seeds}
    return sorted((r for r in rows if (r["n"], r["scale"], r["seed"]) in wanted),
                  key=lambda r: (r["n"], -r["scale"], r["seed"]))


def read_protocol_table(path):
    """(settings, rows) of a paper-protocol table; rows typed by the schema."""
    meta, rows = read_rows(path)
    return meta["settings"], rows


def _complete_cells(path, wanted, columns, key, members):
    """The cells of a protocol table already complete (every one of their ``members`` rows present), creating the
    table if new; a table of other settings is refused."""
    if not os.path.exists(path):
        create_table(path, {"settings": wanted}, columns)
        return set()
    try:
        found, rows = read_protocol_table(path)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path} exists but is not a {wanted['protocol']} table with its schema ({exc}); choose "
                         "another --out") from None
    if found != wanted:
        raise InputError(f"{path} holds the protocol with other settings ({found}); choose another --out")
    present = {}
    for r in rows:
        cell, member = key(r)
        present.setdefault(cell, set()).add(member)
    return {cell for cell, found in present.items() if found >= members}   # a cell cut short is run again whole


def run_protocol_cells(path, wanted, columns, key, members, cells, task, function, workers=0, scheduler=None,
                       progress=True):
    """A paper protocol over its cells into a resumable table: ``function(*task(cell))`` returns a cell's rows; a
    cell whose rows (``key(row)`` = (cell, member)) cover ``members`` is skipped. Returns the table's rows (all of
    them, with ``path``; else the fresh ones); a cell run again after a cut keeps its last rows (:func:`latest`)."""
    with table_lock(path) if path else contextlib.nullcontext():
        done = set()
        if path:
            repair_tail(path)
            done = _complete_cells(path, wanted, columns, key, set(members))
        todo = [cell for cell in cells if cell not in done]
        fresh = []

        def record(rows):
            fresh.extend(rows)
            if path:
                append_rows(path, rows, columns)

        bar = _progress(len(todo), progress, unit="cell", desc=wanted["protocol"])
        run_tasks(function, [task(cell) for cell in todo], workers, scheduler, record, bar)
        bar.close()
        return read_protocol_table(path)[1] if path else fresh


def latest(rows, key, cells):
    """The last row of every (cell, member) of ``cells``, sorted by (cell, member)."""
    keep, last = set(cells), {}
    for r in rows:
        cell, member = key(r)
        if cell in keep:
            last[(cell, member)] = r
    return [last[k] for k in sorted(last)]


def run_tasks(function, tasks, workers=0, scheduler=None, record=print, bar=None):
    """``record(function(*args))`` for every ``args`` in ``tasks``, as they finish: in this process (``workers=0``
    and no scheduler), or on Dask — an existing scheduler by address, else a LocalCluster of ``workers``
    single-threaded processes. ``bar`` (a tqdm bar) advances once per task. Shared by the experiment sweeps
    and ``twolayer study``.
    """
    if not workers and not scheduler:
        for args in tasks:
            record(function(*args))
            if bar is not None:
                bar.update()
        return
    try:
        import dask.distributed  # noqa: F401
    except ImportError:  # pragma: no cover - dask is a dependency
        raise InputError("Dask is not installed: pip install 'dask[distributed]'") from None
    if scheduler:
        check_scheduler_address(scheduler)
    import logging
    # distributed logs every lost connection with a traceback; the one line of _collect says what happened
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)
               if name == "distributed" or name.startswith("distributed.")]
    levels = [(logger, logger.level) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        _run_on_dask(function, tasks, workers, scheduler, record, bar)
    finally:
        for logger, level in levels:
            logger.setLevel(level)


def _run_on_dask(function, tasks, workers, scheduler, record, bar):
    from dask.distributed import Client, LocalCluster
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="10s")
        else:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=":0", silence_logs=50)
            client = Client(cluster)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from None
    try:
        _collect(client, [client.submit(function, *args, pure=False) for args in tasks], record, bar)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


_SCHEDULER_ADDRESS = re.compile(r"(tcp|tls|ucx|inproc)://[\w.\-\[\]:]+:\d{1,5}")


def check_scheduler_address(address):
    """Refuse anything but a Dask address such as tcp://host:8786, before any work starts."""
    if not _SCHEDULER_ADDRESS.fullmatch(address):
        raise InputError(f"--scheduler: {address!r} is not a Dask scheduler address such as tcp://host:8786")


#: Seconds without any live worker after which a Dask run gives up (finished rows are kept).
NO_WORKER_SECONDS = 120


def _collect(client, futures, record, bar, poll=10):
    """Record each future's result as it finishes; give up with one message when the cluster is lost or has
    had no live worker for :data:`NO_WORKER_SECONDS` (a dead worker would otherwise leave us waiting forever).

    ``as_completed`` hands over finished futures in batches; waiting on the whole pending set after every
    completion (``wait(..., FIRST_COMPLETED)``) costs time and memory in proportion to the pending tasks, which
    thousands of small tasks (a frequency sweep) turn into gigabytes."""
    import time

    from dask.distributed import as_completed
    queue = as_completed(futures)
    idle_since, checked = time.monotonic(), time.monotonic()
    try:
        while not queue.is_empty():
            batch = queue.next_batch(block=False)
            for future in batch:
                record(future.result())
                if bar is not None:
                    bar.update()
            now = time.monotonic()
            if batch:
                idle_since = now
                continue
            time.sleep(min(poll, 0.2))
            if now - checked < poll:
                continue
            checked = now
            if client.scheduler_info().get("workers"):
                idle_since = now
            elif now - idle_since >= NO_WORKER_SECONDS:
                pending = sum(1 for f in futures if not f.done())
                raise InputError(f"no Dask worker has been alive for {NO_WORKER_SECONDS} s; {pending} tasks "
                                 "were not run (rows already written are kept: run the command again to resume)")
    except _cluster_errors() as exc:   # a lost scheduler, a worker killed mid-task, a cancelled future
        reason = " ".join(str(exc).split())[:200]
        raise InputError(f"the Dask cluster failed: {type(exc).__name__}: {reason} (rows already written are kept: "
                         "run the command again to resume)") from None


def _cluster_errors():
    from concurrent.futures import CancelledError

    from distributed.comm.core import CommClosedError
    from distributed.scheduler import KilledWorker
    return (CancelledError, CommClosedError, KilledWorker, OSError, TimeoutError)


def _progress(total, enabled, unit="cell", desc="sweep"):
    from tqdm import tqdm
    return tqdm(total=total, unit=unit, file=sys.stderr, desc=desc, disable=not enabled or total == 0)
