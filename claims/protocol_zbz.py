"""C7 part "[ZBZ] Fig. 4": Example 1 run by the paper's own protocol, compared per n with what the paper states.

The statements (docs/theory.md §10, "[ZBZ] Example 1 by its own protocol"): Z2 no recovery at n = 2; Z3 recovery
only at c~ = 0 or 1 at n = 3; Z4 a positive fraction at n = 4, and some sample set with none; Z5 at n = 5 some
sample set recovering from every c~ and another not; Z6 every start recovers at n = 6. Each is checked twice: on
the runs at the paper's step (lr 0.5, no halving; success = test error < 1e-8 at the end point) and on the runs
that follow the flow to their limit (decided there). Agreement passes; a disagreement fails with the counts: it is
a finding about the paper's protocol or its statement, reported, not tuned away. The registered predictions P1..P3
are checked beside them.
"""
from __future__ import annotations

from pathlib import Path

from ..orchestration.protocol_zbz import read_protocol_table, run_protocol
from .result import Check, Result

TITLE = "[ZBZ] Example 1 by its own protocol (Fig. 4): recovery against the initial imbalance ratio"
QUICK = {"sizes": (2, 3), "seeds": (0, 1), "ratios": (0.0, 0.25, 0.5, 0.75, 1.0), "max_steps": 10**5,
         "flow_steps": 10**5}


def _outcome(row, reading):
    """True (recovered), False (not) or None (undecided) for one run under one reading."""
    if reading == "lr 0.5":
        return row["paper_recovered"]
    return {"recovered": True, "not recovered": False}.get(row["flow_outcome"])


# Three-valued logic over runs: a statement is True when it holds whichever way the undecided runs fall, False when
# it fails whichever way they fall, None otherwise (an undecided run is no evidence either way).
def _none_recovers(outcomes):
    return False if any(o is True for o in outcomes) else (True if all(o is False for o in outcomes) else None)


def _some_recovers(outcomes):
    return True if any(o is True for o in outcomes) else (False if all(o is False for o in outcomes) else None)


def _all_recover(outcomes):
    return False if any(o is False for o in outcomes) else (True if all(o is True for o in outcomes) else None)


def _and(*values):
    return False if any(v is False for v in values) else (True if all(v is True for v in values) else None)


def _exists(values):
    return True if any(v is True for v in values) else (False if all(v is False for v in values) else None)


def _not(value):
    return None if value is None else not value


def statement_checks(rows, reading) -> list[Check]:
    """Z2..Z6 on the rows of one reading ("lr 0.5": the paper's runs, decided by its criterion; "flow": the runs
    followed to their limit, where an undecided run leaves a statement undecided unless it holds or fails either way).

    "Every" and "no" initialization range over 0 < c~ < 1: the ends c~ = 0, 1 are the two starts on which the
    network stays a single neuron, which the paper itself sets apart at n = 3 (they recover whenever one neuron can).
    """
    checks = []
    for n in sorted({r["n"] for r in rows}):
        mine = [r for r in rows if r["n"] == n]
        inner = [r for r in mine if 0 < r["ratio"] < 1]
        seeds = sorted({r["seed"] for r in mine})
        inner_of = {seed: [_outcome(r, reading) for r in inner if r["seed"] == seed] for seed in seeds}
        inside = [_outcome(r, reading) for r in inner]
        every = [_outcome(r, reading) for r in mine]
        tally = {"recovered": sum(o is True for o in every), "undecided": sum(o is None for o in every)}
        detail = f"{tally['recovered']}/{len(every)} starts recover" + (
            f", {tally['undecided']} undecided" if tally["undecided"] else "")
        if reading == "lr 0.5":
            statuses = {s: sum(r["status"] == s for r in mine)
                        for s in ("stopped", "budget", "oscillating", "diverged")}
            detail += "; lr 0.5 runs: " + ", ".join(f"{k} {v}" for k, v in statuses.items() if v)
        detail += "; by seed over 0 < c~ < 1: " + ", ".join(
            f"{seed}: {sum(o is True for o in v)}/{len(v)}" for seed, v in inner_of.items())
        name = f"[ZBZ Fig. 4, {reading}] n = {n}: "
        if n == 2:
            checks.append(Check(name + "no initialization recovers", tally["recovered"], 0, 0, _none_recovers(every),
                                "estimate", detail))
        elif n == 3:
            ends = [_outcome(r, reading) for r in mine if r["ratio"] in (0, 1)]
            checks.append(Check(name + "recovery only at c~ = 0 or 1",
                                {"recovered with 0 < c~ < 1": sum(o is True for o in inside),
                                 "recovered at c~ in {0, 1}": sum(o is True for o in ends)},
                                "0 inside, > 0 at the ends", 0, _and(_none_recovers(inside), _some_recovers(ends)),
                                "estimate", detail))
        elif n == 4:
            checks.append(Check(name + "a positive fraction recovers, and some sample set recovers from no "
                                "initialization", {"recovered with 0 < c~ < 1": sum(o is True for o in inside),
                                                   "sample sets with none": [s for s, v in inner_of.items()
                                                                             if _none_recovers(v) is True]},
                                "> 0, and at least one such set", 0,
                                _and(_some_recovers(inside), _exists([_none_recovers(v) for v in inner_of.values()])),
                                "estimate", detail))
        elif n == 5:
            checks.append(Check(name + "some sample set recovers from every initialization, another does not",
                                {"every c~": [s for s, v in inner_of.items() if _all_recover(v) is True],
                                 "not every c~": [s for s, v in inner_of.items() if _all_recover(v) is False]},
                                "both non-empty", 0,
                                _and(_exists([_all_recover(v) for v in inner_of.values()]),
                                     _exists([_not(_all_recover(v)) for v in inner_of.values()])), "estimate", detail))
        elif n == 6:
            checks.append(Check(name + "every small initialization recovers", sum(o is True for o in inside),
                                len(inside), 0, _all_recover(inside), "estimate", detail))
        else:
            checks.append(Check(name + "measured (the paper states nothing here)", tally["recovered"], "-", 0, True,
                                "estimate", detail))
    return checks


def prediction_checks(rows) -> list[Check]:
    """The predictions registered before the full sweep (docs/theory.md §10): P2 and P3 (P1 is Z2 and Z3 at lr
    0.5, checked above)."""
    checks = []
    for n in (6, 7):
        mine = [r for r in rows if r["n"] == n]
        if mine:
            bad = sum(r["status"] in ("oscillating", "diverged") for r in mine)
            checks.append(Check(f"[prediction P2] n = {n}: at least a quarter of the lr 0.5 runs end oscillating or "
                                "diverged", round(bad / len(mine), 3), ">= 0.25", 0, bad >= len(mine) / 4,
                                "estimate", f"{bad} of {len(mine)}"))
    six = [r for r in rows if r["n"] == 6]
    if six:
        good = sum(r["flow_outcome"] == "recovered" for r in six)
        checks.append(Check("[prediction P3] n = 6: following the flow, at least 90 % of the starts recover",
                            round(good / len(six), 3), ">= 0.9", 0, good >= 0.9 * len(six), "estimate",
                            f"{good} of {len(six)}"))
    return checks


def check_protocol(stored: bool = False, table=None, **quick) -> Result:
    """The statements on the stored full sweep (``stored``: ``table``), or on a subset computed now."""
    if stored:
        settings, rows = read_protocol_table(table)
        source = f"stored sweep {Path(table).name} ({len(rows)} runs, {settings['max_steps']} steps at most)"
    else:
        spec = {**QUICK, **quick}
        rows = run_protocol(None, progress=False, **spec)
        source = f"computed now ({len(rows)} runs, n = {list(spec['sizes'])}, {spec['max_steps']} steps at most)"
    checks = statement_checks(rows, "lr 0.5") + statement_checks(rows, "flow") + prediction_checks(rows)
    result = Result("C7", TITLE, {"protocol": "zbz-fig4", "source": source}, checks)
    result.rows = rows
    return result
