"""``twolayer study``: the local picture of one configuration, assembled from the claim functions.

For a target, an activation and a student width: the branches of Q* (or, when they are too many to
read, their types, counted without listing them), the optimistic sample size, and on each selected
branch the certified model rank at an exact point (C4's bounds), the separation sweep at a few sample
sizes around n = codim (C5, with its certified radius, exclusion radius and constructive
non-separation) and the predicted local rate 2 lambda of gradient flow at n = codim (C6). Nothing is
computed a second way: each number comes from the function its claim checks.

>>> from twolayer.symbolic.activations import activation
>>> from twolayer.numeric.network import parse_network
>>> table = overview(activation("tanh"), parse_network('[[1, "1/2"]]'), 2)
>>> [(row["label"], row["codim"], row["rank"], row["degenerate"]) for row in table["rows"]]
[('s=(1) null=1', 3, 3, False), ('s=(1) zero=1', 3, 3, False), ('s=(2)', 3, 2, True)]
>>> table["optimistic"], table["listed"]
(2, 'branches')
"""
from __future__ import annotations

import time

from ..base.errors import InputError
from ..base.precision import working_precision
from ..numeric.evaluate import evaluate
from ..numeric.flow import smallest_positive_eigenvalue
from ..numeric.model_rank import augment, model_rank
from ..numeric.network import Network, gaussian_inputs, parse_network
from ..numeric.precision import decimal_string, lower_bound_string, upper_bound_string
from ..numeric.problem import Problem
from ..orchestration.sweep import _progress, run_tasks
from ..symbolic.activations import activation
from ..symbolic.branches import branch_types, check_target, enumerate_branches, require_bias_structure
from .separation import certified_radius_of, check_point_sweep, separation_method

#: up to this many branches the study lists each one; beyond, it lists branch types
LIST_UP_TO = 60


def _row(branch, label, count, kind):
    return {"label": label, "kind": kind, "count": count, "dim": branch.dim, "codim": branch.codim,
            "rank": branch.generic_rank, "degenerate": branch.degenerate, "branch": branch}


def overview(act, target: Network, width: int, bias: bool = False) -> dict:
    """Every branch (up to LIST_UP_TO of them) or every branch type, with dim, codim, generic rank and whether it
    is degenerate, and the optimistic sample size (the smallest generic rank). With a bias the generic ranks of
    the formula do not apply (the constant input is not Gaussian): ranks are certified per studied branch."""
    if bias:
        require_bias_structure(act, width - target.m)
    types = branch_types(act, target.m, width, target.d)
    total = sum(t.count for t in types)
    if total <= LIST_UP_TO:
        rows = [_row(b, b.label, 1, "branch") for b in enumerate_branches(act, target.m, width, target.d)]
        listed = "branches"
    else:
        rows = [_row(t.representative, t.label, t.count, "type") for t in types]
        listed = "types"
    return {"rows": rows, "branches": total, "types": len(types), "listed": listed,
            "optimistic": None if bias else min(row["rank"] for row in rows), "bias": bias}


def by_codimension(rows):
    """The rows summarised per codimension (how many branches, how many of them non-degenerate, the ranks):
    a table that stays short for any width."""
    out = {}
    for row in rows:
        entry = out.setdefault(row["codim"], {"codim": row["codim"], "branches": 0, "types": 0, "non_degenerate": 0,
                                              "ranks": set(), "example": row["label"]})
        entry["branches"] += row["count"]
        entry["types"] += 1
        entry["ranks"].add(row["rank"])
        if not row["degenerate"]:
            if not entry["non_degenerate"]:
                entry["example"] = row["label"]
            entry["non_degenerate"] += row["count"]
    return [dict(v, ranks=sorted(v["ranks"])) for _, v in sorted(out.items())]


def default_selection(table):
    """Every listed branch; for a type table three of them: the non-degenerate type of smallest codimension,
    another type with null neurons, and the fully split type."""
    rows = table["rows"]
    if table["listed"] == "branches":
        return [row["label"] for row in rows]
    chosen = []
    fine = [row for row in rows if not row["degenerate"]]
    if fine:
        chosen.append(min(fine, key=lambda r: (r["codim"], r["label"]))["label"])
    nulls = [row for row in rows if row["branch"].null and row["label"] not in chosen]
    if nulls:
        chosen.append(max(nulls, key=lambda r: (r["branch"].null, -r["codim"]))["label"])
    split = max(rows, key=lambda r: (sum(r["branch"].splits), -len(r["label"])))
    if split["label"] not in chosen:
        chosen.append(split["label"])
    return chosen


def study_branch(activation_name, target_json, width, label, bias=False, sizes=None, starts=0, boxes=200, seed=0,
                 dps=50) -> dict:
    """One branch (or branch type) studied: its exact point, certified rank, separation sweep, predicted rate.

    Plain arguments and a JSON-ready result, so Dask workers can run it.
    """
    start = time.perf_counter()
    act, target = activation(activation_name), parse_network(target_json, "target")
    table = overview(act, target, width, bias)
    row = next((r for r in table["rows"] if r["label"] == label), None)
    if row is None:
        raise InputError(f"no branch {label!r} for this configuration; listed: "
                         + ", ".join(r["label"] for r in table["rows"][:12]))
    branch = row["branch"]
    point = branch.point(target, seed)
    rank = model_rank(act, point, bias=bias, seed=seed, dps=dps)
    codim = branch.codim
    sizes = sorted(set(sizes or [n for n in (codim - 1, codim, codim + 1) if n >= 1]))
    d_in = target.d - 1 if bias else target.d
    inputs = gaussian_inputs(sizes[-1], d_in, seed + 11)
    inputs = augment(inputs) if bias else inputs
    sweep = check_point_sweep(Problem(act, target, inputs, dps=dps, bias=bias), point, sizes=sizes, starts=starts,
                              seed=seed, exclusion_boxes=boxes, config={"branch": label})
    rate = None
    if not branch.degenerate and codim <= len(inputs):   # degenerate: no local rate is predicted (C6: power laws)
        with working_precision(dps):
            lam = smallest_positive_eigenvalue(evaluate(act, point, inputs[:codim], dps=dps).jacobian, None, dps)
        rate = None if lam is None else decimal_string(2 * lam, 6)
    return {
        "label": label, "kind": row["kind"], "count": row["count"], "dim": branch.dim, "codim": codim,
        "generic_rank": branch.generic_rank, "degenerate": branch.degenerate,
        "point": [[str(v) for v in neuron] for neuron in point.neurons],
        "certified_rank": {"lower": rank.lower, "upper": rank.upper, "certified": rank.certified,
                           "how_lower": rank.how_lower, "how_upper": rank.how_upper},
        "separation": [{"n": r.n, "rank": r.rank, "separated": r.separated,
                        "certified_radius": None if certified_radius_of(r) is None else
                        lower_bound_string(certified_radius_of(r), 6),
                        "exclusion_radius": None if r.exclusion is None or r.exclusion.radius is None else
                        lower_bound_string(r.exclusion.radius, 6),
                        "nearest_found": None if r.search.nearest is None else decimal_string(r.search.nearest, 6),
                        "certified_upper": None if r.upper is None else upper_bound_string(r.upper.distance, 6),
                        "method": separation_method(r), "why": r.why} for r in sweep.rows],
        "separation_verdict": sweep.verdict,
        "rate_at_codim": rate,
        "seconds": round(time.perf_counter() - start, 2),
    }


def run_study(activation_name, target_json, width, labels=None, bias=False, sizes=None, starts=0, boxes=200, seed=0,
              dps=50, workers=0, scheduler=None, progress=True, on_result=None) -> dict:
    """The overview and every selected branch studied (serially, or on Dask as the experiment sweeps are)."""
    act, target = activation(activation_name), parse_network(target_json, "target")
    check_target(act, target)
    table = overview(act, target, width, bias)
    known = {row["label"] for row in table["rows"]}
    labels = list(labels) if labels else default_selection(table)
    missing = [label for label in labels if label not in known]
    if missing:
        raise InputError(f"--branch {missing[0]!r} is not a {table['listed'][:-1]} of this configuration; e.g. "
                         + ", ".join(sorted(known)[:6]))
    studied = []

    def record(result):
        studied.append(result)
        if on_result is not None:
            on_result(result)

    bar = _progress(len(labels), progress, unit="branch", desc="study")
    tasks = [(activation_name, target_json, width, label, bias, sizes, starts, boxes, seed, dps) for label in labels]
    run_tasks(study_branch, tasks, workers, scheduler, record, bar)
    bar.close()
    order = {label: i for i, label in enumerate(labels)}
    studied.sort(key=lambda s: order[s["label"]])
    rows = [{k: v for k, v in row.items() if k != "branch"} for row in table["rows"]]
    return {"activation": activation_name, "target": target_json, "width": width, "bias": bias,
            "parameters": width * (target.d + 1), "branches": table["branches"], "types": table["types"],
            "listed": table["listed"], "optimistic_sample_size": table["optimistic"], "table": rows,
            "by_codimension": by_codimension(table["rows"]), "studied": studied}
