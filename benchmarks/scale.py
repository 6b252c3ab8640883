"""Benchmark: how the 50-digit core scales with the number of parameters M (issue 12).

For tanh, a target of width 3 in d = 4 and students of width m = M / 5 on the branch "no split, all extra
neurons null" (non-degenerate, n = codim samples), each timed in one run, best of a few:

* rank — the certified model rank at the branch's point (C4: exact bounds, minor, gap rule);
* projection step — one Gauss-Newton step (residuals, J, eigen-decomposition of J^T J, step);
* certified radius — the one-box lemma of C5 at n = codim;
* flow step — one ROS2 step of C6 (Hessian, I + gamma h H, two solves).

Prints a table and the fitted exponent of each (time ~ M^p, least squares on log-log), and writes the
log-log plot to build/bench/scaling.png.
"""
import math
import os

import numpy as np
from jacobian import best_of  # the benchmarks run with their folder on sys.path (benchmarks/run.py)

from twolayer.base.precision import working_precision
from twolayer.numeric.evaluate import as_arb_matrix, evaluate
from twolayer.numeric.flow import _Loss, _ros2_step
from twolayer.numeric.model_rank import model_rank
from twolayer.numeric.network import gaussian_inputs, parse_network
from twolayer.numeric.precision import arb_to_mpf, to_mpf
from twolayer.numeric.problem import Problem
from twolayer.numeric.projection import _min_norm_step
from twolayer.numeric.separation import certified_radius
from twolayer.symbolic.activations import activation
from twolayer.symbolic.branches import branch_types

TARGET = parse_network('[[1, "1/2", "-1/4", "3/4", "1/3"], ["-3/2", 1, "1/2", "-1/2", "1/4"], '
                       '["3/4", "-1/3", 1, "1/4", "-1/2"]]')
SIZES = (6, 12, 20, 40, 100)        # M; M = 6 and 12 use d = 1 students of width 3 and 6
DPS = 50




def _case(M):
    act = activation("tanh")
    if M <= 12:      # d = 1: target tanh(x/2), width M / 2
        target, width, d = parse_network('[[1, "1/2"]]'), M // 2, 1
    else:
        target, width, d = TARGET, M // 5, 4
    types = branch_types(act, target.m, width, target.d)
    branch = min((t.representative for t in types if not t.representative.degenerate), key=lambda b: b.codim)
    point = branch.point(target, 0)
    inputs = gaussian_inputs(branch.codim, d, 11)
    return act, target, point, inputs


def measure(M):
    act, target, point, inputs = _case(M)
    out = {"rank": best_of(lambda: model_rank(act, point), 1)}
    with working_precision(DPS):
        X = as_arb_matrix(inputs)
        values = evaluate(act, target, X, target=target).outputs
        theta = [to_mpf(v) for v in point.flat()]
        moved = [t + to_mpf("1e-3") * ((-1) ** i) for i, t in enumerate(theta)]

        def projection_step():
            from twolayer.numeric.network import Network
            ev = evaluate(act, Network.from_flat(moved, point.d), X, values)
            _min_norm_step(ev.jacobian, [arb_to_mpf(e) for e in ev.residuals], DPS, 1)
        out["projection step"] = best_of(projection_step, 2)
        out["certified radius"] = best_of(lambda: certified_radius(Problem(act, target, inputs, dps=DPS), point), 1)
        problem = _Loss(Problem(act, target, inputs, dps=DPS), point.d)

        def flow_step():
            ev = problem(moved, hessian=True)
            _ros2_step(problem, moved, [arb_to_mpf(g) for g in ev.gradient.entries()], ev.hessian,
                       to_mpf("1e-3"), to_mpf("0.02"), to_mpf(0), DPS)
        out["flow step"] = best_of(flow_step, 2)
    return out


def run():
    print(f"Scaling with M (tanh, non-degenerate branch of smallest codimension, n = codim, {DPS} digits)")
    rows = {M: measure(M) for M in SIZES}
    names = list(rows[SIZES[0]])
    print("      M " + "".join(f"{name:>18s}" for name in names))
    for M, row in rows.items():
        print(f"{M:7d} " + "".join(f"{row[name]:17.3f}s" for name in names))
    exponents = {}
    for name in names:
        x = np.log([M for M in SIZES])
        y = np.log([rows[M][name] for M in SIZES])
        exponents[name] = float(np.polyfit(x, y, 1)[0])
    print("  fitted exponent p (time ~ M^p): " + ", ".join(f"{n} {p:.2f}" for n, p in exponents.items()))
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        os.makedirs("build/bench", exist_ok=True)
        fig, ax = plt.subplots(figsize=(5.5, 3.8))
        for name in names:
            ax.loglog(SIZES, [rows[M][name] for M in SIZES], "o-", label=f"{name} (p = {exponents[name]:.2f})")
        ax.set_xlabel("parameters M")
        ax.set_ylabel("seconds")
        ax.legend(fontsize=8)
        fig.savefig("build/bench/scaling.png", dpi=90, bbox_inches="tight")
        print("  plot: build/bench/scaling.png")
    except ImportError:  # pragma: no cover - matplotlib is a dependency
        pass
    return {"rows": rows, "exponents": exponents, "log_M": [math.log(M) for M in SIZES]}


if __name__ == "__main__":
    run()
