"""How often a degenerate point is separated: the second-order decision over many sample sets (claim C5, part of
docs/theory.md §6 (g)).

For ``r <= n < codim`` the answer at a degenerate point depends on the samples; [GLR] Thm 5.4 says nothing between
its two bounds. For each built-in degenerate branch and each n from the model rank r to codim + 1, the decision of
:func:`twolayer.numeric.second_order.second_order` is taken on ``SETS`` sample sets (set k: Gaussian inputs of seed
``SET_SEED + k``, nested in n), and the fractions separated / not separated / inconclusive are reported with 95 %
Wilson intervals. The full table is computed by ``make frequencies`` into ``data/second_order/frequencies.csv``
(resumable, on Dask); C5 reads it, recomputes a few stored rows to check them, and reports the fractions.

>>> wilson(0, 200)[1] < 0.02 and wilson(200, 200)[0] > 0.98
True
"""
from __future__ import annotations

import csv
import math
import os
from pathlib import Path

from ..numeric.network import gaussian_inputs, parse_network
from ..numeric.precision import lower_bound_string, upper_bound_string
from ..numeric.problem import Problem
from ..numeric.second_order import second_order
from ..orchestration.sweep import _complete_lines, _progress, repair_tail, run_tasks, table_lock
from ..symbolic.activations import activation
from ..symbolic.branches import enumerate_branches
from .result import Check, Result

#: sample sets per (branch, n)
SETS = 200
SET_SEED = 5000
TABLE = Path(__file__).resolve().parents[1] / "data" / "second_order" / "frequencies.csv"
COLUMNS = ("case", "branch", "n", "set", "verdict", "why", "radius", "nearest_zero", "seconds")
VERDICTS = ("separated", "not separated", "inconclusive")

#: (case label, activation, target, student width); every degenerate branch of each, at its seeded point
FAMILIES = [("(1,2,1)", "tanh", '[[1, "1/2"]]', 2),
            ("(1,3,1)", "tanh", '[[1, "1/2"]]', 3),
            ("(2,3,1)", "tanh", '[[1, "1/2"], ["-3/2", "5/4"]]', 3),
            ("(2,3,2)", "tanh", '[[1, "1/2", "-3/4"], ["-3/2", 1, 1]]', 3)]
#: the split point of the review (docs/theory.md §6 (a)), given by its coordinates
REVIEW_POINT = ("(2,3,2) review", "tanh", '[[1, 1, "1/2"], ["-1/2", "1/3", -1]]',
                '[["9/8", 1, "1/2"], ["-1/8", 1, "1/2"], ["-1/2", "1/3", -1]]', 6, 8)


def cases():
    """[(case, activation, target, point JSON, branch label, r, codim)] of every built-in degenerate branch."""
    out = []
    for label, act, target, width in FAMILIES:
        t = parse_network(target)
        for branch in enumerate_branches(activation(act), t.m, width, t.d):
            if branch.degenerate:
                point = branch.point(t, 0)
                out.append((label, act, target, _json(point), branch.label, branch.generic_rank, branch.codim))
    label, act, target, point, r, codim = REVIEW_POINT
    out.append((label, act, target, point, "s=(2,1) at the review's point", r, codim))
    return out


def _json(network):
    return "[" + ", ".join("[" + ", ".join(f'"{v}"' for v in nrn) + "]" for nrn in network.neurons) + "]"


def _why(found):
    """A short category of the decision's reason (the table's ``why`` column)."""
    reason = found.reason
    for key, words in (("third order beyond the span", "beyond the span (g4):"), ("third order", "third order:"),
                       ("no definite, no zero", "no regular common"),
                       ("arcs", "arcs of directions"),
                       ("definite", "is definite"), ("onto", "is onto"), ("common zero", "regular common"),
                       ("forms vanish", "vanishes on K"),
                       ("structure", "no structural kernel"), ("kernel", "not certified of rank")):
        if words in reason:
            # a route that would decide but whose certificate (radius or zero boxes) did not come through
            unfinished = found.separated is None and key in ("arcs", "definite", "onto", "common zero")
            return key + (", not certified" if unfinished else "")
    return "other"


def decide(case, n, set_index, dps=50):
    """One row of the table: the decision at the case's point on sample set ``set_index`` (prefix of size n)."""
    label, act_name, target, point, branch, r, codim = case
    act, t, p = activation(act_name), parse_network(target), parse_network(point)
    inputs = gaussian_inputs(codim + 1, t.d, SET_SEED + set_index)[:n]
    found = second_order(Problem(act, t, inputs, dps=dps), p)
    nearest = min((z.distance for z in found.zeros), default=None)
    return {"case": label, "branch": branch, "n": n, "set": set_index, "verdict": found.verdict, "why": _why(found),
            "radius": "" if found.radius is None else lower_bound_string(found.radius, 4),
            "nearest_zero": "" if nearest is None else upper_bound_string(nearest, 4),
            "seconds": f"{found.seconds:.3f}"}


def _tasks(sets):
    return [(case, n, k) for case in cases() for n in range(case[5], case[6] + 2) for k in range(sets)]


def read_rows(path=TABLE):
    """The table's rows; a last line cut mid-write (a stopped run) is left out, never glued to the next."""
    if not os.path.exists(path):
        return []
    with open(path, newline="") as handle:
        rows = [row for row in csv.DictReader(_complete_lines(handle)) if None not in row.values()]
    for row in rows:
        row["n"], row["set"] = int(row["n"]), int(row["set"])
    return rows





def run_frequencies(path=TABLE, sets=SETS, workers=0, scheduler=None, progress=True):
    """Compute the missing rows of the table (appended as they finish, so a stopped run resumes)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with table_lock(path):
        repair_tail(path)
        done = {(r["case"], r["branch"], r["n"], r["set"]) for r in read_rows(path)}
        todo = [t for t in _tasks(sets) if (t[0][0], t[0][4], t[1], t[2]) not in done]
        if not path.exists():
            with open(path, "w", newline="") as handle:
                csv.writer(handle).writerow(COLUMNS)

        def record(row):
            with open(path, "a", newline="") as handle:
                csv.writer(handle).writerow([row[c] for c in COLUMNS])

        bar = _progress(len(todo), progress, unit="decision", desc="second order")
        run_tasks(decide, todo, workers, scheduler, record, bar)
        bar.close()
    return read_rows(path)


def wilson(k, n, z=1.959963984540054):
    """The 95 % Wilson score interval of a proportion k / n."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def frequencies(rows):
    """[(case, branch, n, sets, {verdict: (count, low, high)})] in table order."""
    groups = {}
    for row in rows:
        groups.setdefault((row["case"], row["branch"], row["n"]), []).append(row["verdict"])
    out = []
    for (case, branch, n), verdicts in groups.items():
        total = len(verdicts)
        out.append((case, branch, n, total, {v: (verdicts.count(v), *wilson(verdicts.count(v), total))
                                             for v in VERDICTS}))
    return sorted(out, key=lambda e: (e[0], e[1], e[2]))


def frequency_table(rows):
    """The frequencies as table rows: case, branch, n, sets and, per verdict, [count, low, high] (95 % Wilson)."""
    return [{"case": case, "branch": branch, "n": n, "sets": total, **{v: list(counts[v]) for v in VERDICTS}}
            for case, branch, n, total, counts in frequencies(rows)]


#: How far a recomputed radius may lie from the stored one. Each radius is certified for the combination c and the
#: complements chosen in float64 (supergradient ascent, SVD, eigh); another machine's LAPACK changes their last bits,
#: which moves the certified radius by a few per cent (measured: 1.305e-5 here, 1.376e-5 where the table was made).
#: The verdict and its route are compared exactly.
RADIUS_SPREAD = 2.0


def _ratio(a, b):
    """max(a/b, b/a) of two stored decimal strings, 1 when both are empty, None when only one is."""
    if not a and not b:
        return 1.0
    if not a or not b:
        return None
    x, y = float(a), float(b)
    return max(x / y, y / x) if x > 0 and y > 0 else None


def check_frequencies(path=TABLE, recheck=2, dps=50) -> Result:
    """C5 part "frequencies": the stored table is complete and reproducible (``recheck`` rows per (branch, n),
    chosen by a fixed rule, decided again), and the fractions are reported."""
    rows = read_rows(path)
    config = {"part": "second-order frequencies", "table": str(Path(path).name), "sets": SETS}
    checks = []
    expected = {(c[0], c[4], n) for c in cases() for n in range(c[5], c[6] + 2)}
    have = {}
    for row in rows:
        have.setdefault((row["case"], row["branch"], row["n"]), set()).add(row["set"])
    missing = sorted(f"{k[0]} {k[1]} n={k[2]}" for k in expected if len(have.get(k, ())) < SETS)
    checks.append(Check(f"the table holds {SETS} sample sets for every (branch, n), r <= n <= codim + 1",
                        len(expected) - len(missing), len(expected), 0, None if missing else True, "exact",
                        ("missing or incomplete (run make frequencies): " + "; ".join(missing[:5])) if missing
                        else f"{len(rows)} decisions"))
    by_key = {(r["case"], r["branch"], r["n"], r["set"]): r for r in rows}
    again, differ, spread = 0, [], 1.0
    for case in cases():
        for n in range(case[5], case[6] + 2):
            sets = sorted(have.get((case[0], case[4], n), ()))
            for k in sets[:: max(1, len(sets) // recheck)][:recheck]:
                fresh = decide(case, n, k, dps)
                stored = by_key[(case[0], case[4], n, k)]
                again += 1
                ratios = [_ratio(fresh[c], stored[c]) for c in ("radius", "nearest_zero")]
                spread = max([spread] + [r for r in ratios if r is not None])
                if fresh["verdict"] != stored["verdict"] or fresh["why"] != stored["why"] or \
                        any(r is None or r > RADIUS_SPREAD for r in ratios):
                    differ.append(f"{case[0]} {case[4]} n={n} set {k}: stored {stored['verdict']} "
                                  f"({stored['why']}, radius {stored['radius'] or '-'}), now {fresh['verdict']} "
                                  f"({fresh['why']}, radius {fresh['radius'] or '-'})")
    checks.append(Check(f"stored decisions reproduced (verdict and route exactly; radius and nearest zero within a "
                        f"factor {RADIUS_SPREAD})", len(differ), 0, 0, None if again == 0 else not differ,
                        "certificate", f"{again} rows recomputed, largest ratio of radii {spread:.3f}"
                        + ("; " + "; ".join(differ[:3]) if differ else "")))
    result = Result("C5", "second-order decisions over sample sets", config, checks, "")
    result.table = frequency_table(rows)
    low = [(case, branch, n, counts) for case, branch, n, total, counts in frequencies(rows)
           if counts["inconclusive"][0] > 0.2 * total]
    summary = ("Decided on fewer than 80 % of the sample sets: " +
               "; ".join(f"{case} {branch} n = {n}" for case, branch, n, _ in low) + "."
               if low else "Every (branch, n) decided on at least 80 % of the sample sets.")
    result.notes = summary
    return result

