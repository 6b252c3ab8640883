"""Benchmark: the two tiers of a regularity certificate side by side (issue 26).

For tanh networks of width m in d = 5 with a bias (M = m (d + 2) parameters, the [OE]/[LLR] setting), the
50-digit Jacobian at 2M Gaussian samples, and the well-conditioned M x M minor the model rank certifies (greedy
pivots): the time to prove it non-singular with the verified float64 tier (numeric/verified64.py: enclosure,
inverse, a priori bound) against an arb determinant at 50 digits, both on the same minor, with the float64
bound reached. Prints a table and the fitted exponents (time ~ M^p); the arb column stops at M = 350 (it grows
like M^3 at 170 bits and would dominate `make bench`).
"""
import time

import numpy as np
from flint import arb_mat
from jacobian import best_of  # the benchmarks run with their folder on sys.path (benchmarks/run.py)

from twolayer.base.precision import working_precision
from twolayer.numeric.evaluate import as_arb_matrix, evaluate
from twolayer.numeric.model_rank import _pivots
from twolayer.numeric.network import gaussian_inputs, random_network
from twolayer.numeric.verified64 import enclose, regularity_bound
from twolayer.symbolic.activations import activation

WIDTHS = (9, 20, 50, 86)       # M = 63, 140, 350, 602
ARB_UP_TO = 350
DPS = 50


def _minor(m):
    act, d = activation("tanh"), 5
    net = random_network(m, d + 1, seed=0)                 # [a, w_1..w_5, b]: the bias as a sixth input weight
    inputs = [list(x) + [1] for x in gaussian_inputs(2 * m * (d + 2), d, seed=1)]
    J = evaluate(act, net, as_arb_matrix(inputs), dps=DPS).jacobian
    mids = np.array([[float(J[i, j].mid()) for j in range(J.ncols())] for i in range(J.nrows())])
    rows, cols = _pivots(mids, J.ncols())
    return arb_mat([[J[i, j] for j in cols] for i in rows])


def run():
    print(f"Regularity of the M x M minor of J (tanh, d = 5 with a bias, {DPS} digits): float64 tier against arb")
    print("      M   float64 tier   bound ||I - YA||   arb det (50 digits)   ratio")
    sizes, fast, slow = [], [], []
    for m in WIDTHS:
        A = _minor(m)
        M = A.nrows()
        bound = regularity_bound(*enclose(A))
        t64 = best_of(lambda A=A: regularity_bound(*enclose(A)), 3)   # best of three: the first call warms BLAS

        def arb_det(A=A):
            with working_precision(DPS):
                A.det()
        tarb = best_of(arb_det, 2 if M < 200 else 1) if M <= ARB_UP_TO else None
        sizes.append(M)
        fast.append(t64)
        slow.append(tarb)
        print(f"{M:7d} {t64:12.3f}s {bound:18.2e} " + (f"{tarb:19.3f}s {tarb / t64:8.0f}x" if tarb else
                                                         f"{'(skipped)':>20s}"))
    p64 = float(np.polyfit(np.log(sizes), np.log(fast), 1)[0])
    known = [(M, t) for M, t in zip(sizes, slow) if t]
    parb = float(np.polyfit(np.log([M for M, _ in known]), np.log([t for _, t in known]), 1)[0])
    print(f"  fitted exponent p (time ~ M^p): float64 tier {p64:.2f}, arb determinant {parb:.2f}")
    ranks = run_rank()
    _plot(sizes, fast, known, p64, parb, ranks)
    return {"M": sizes, "float64": fast, "arb": slow, "rank": ranks}


def _plot(sizes, fast, known, p64, parb, ranks):
    import os

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    os.makedirs("build/bench", exist_ok=True)
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    ax.loglog(sizes, fast, "o-", label=f"minor, float64 tier (p = {p64:.2f})")
    ax.loglog([M for M, _ in known], [t for _, t in known], "s-", label=f"minor, arb determinant (p = {parb:.2f})")
    ax.loglog([M for M, _ in ranks], [t for _, t in ranks], "^-", label="certified model rank, end to end")
    ax.set_xlabel("parameters M")
    ax.set_ylabel("seconds")
    ax.legend(fontsize=8)
    fig.savefig("build/bench/tiers.png", dpi=90, bbox_inches="tight")
    print("  plot: build/bench/tiers.png")


if __name__ == "__main__":
    run()


def run_rank():
    """The certified model rank end to end (twolayer rank's work) at the field's widths, with peak memory."""
    import resource

    from twolayer.numeric.model_rank import model_rank
    print("Certified model rank, tanh, d = 5 with a bias, random network (float64 tier, float64 estimate)")
    print("      M      time   certified   numerical   peak RSS")
    act, rows = activation("tanh"), []
    for m in (9, 50, 86, 300):
        net = random_network(m, 6, seed=0)
        start = time.perf_counter()
        found = model_rank(act, net, bias=True)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print(f"{m * 7:7d} {seconds:8.2f}s {found.certified!s:>11} {found.numerical!s:>11} {peak:8d} MB")
        rows.append((m * 7, seconds))
    return rows
