"""Benchmark: the separation sweep for (m*, m, d) = (1, 3, 1), n = 1..8, 50 starts each, 50 digits.

Target (issue 5): under 2 minutes. Also the cost of one Gauss–Newton iteration of the
projection against the same iteration written as a per-scalar mpmath loop.
"""
import time

import mpmath

from twolayer.base.precision import working_precision
from twolayer.numeric.evaluate import as_arb_matrix, evaluate
from twolayer.numeric.network import gaussian_inputs, parse_network
from twolayer.numeric.precision import arb_to_mpf, to_mpf
from twolayer.numeric.problem import Problem
from twolayer.numeric.projection import _min_norm_step
from twolayer.orchestration.separation_sweep import separation_sweep
from twolayer.symbolic.activations import activation
from twolayer.symbolic.branches import enumerate_branches

DPS = 50


def per_scalar_iteration(theta, inputs, values):
    """One Gauss-Newton step written the straightforward way: mpmath scalars and mpmath matrices."""
    m = len(theta) // 2
    J = mpmath.matrix(len(inputs), len(theta))
    r = mpmath.matrix(len(inputs), 1)
    for i, x in enumerate(inputs):
        f = 0
        for k in range(m):
            a, w = theta[2 * k], theta[2 * k + 1]
            s = mpmath.tanh(w * x)
            f += a * s
            J[i, 2 * k] = s
            J[i, 2 * k + 1] = a * mpmath.sech(w * x) ** 2 * x
        r[i] = f - values[i]
    G = J.T * J + mpmath.eye(len(theta)) * mpmath.mpf(10) ** -40
    return mpmath.lu_solve(G, -(J.T * r))


def run():
    act, target = activation("tanh"), parse_network('[[1, "1/2"]]')
    branch = next(b for b in enumerate_branches(act, 1, 3, 1) if b.label == "s=(1) null=2")
    point = branch.point(target, 0)
    inputs = gaussian_inputs(8, 1, 11)
    start = time.perf_counter()
    rows = separation_sweep(Problem(act, target, inputs, dps=DPS), point, sizes=list(range(1, 9)), starts=50)
    sweep = time.perf_counter() - start
    print(f"Separation sweep, tanh (1, 3, 1), branch {branch.label}, n = 1..8, 50 starts each, {DPS} digits")
    print(f"  total {sweep:7.1f} s (target < 120 s); certified from n = "
          f"{min(r.n for r in rows if r.radius.radius is not None)}")
    with working_precision(DPS):
        X = as_arb_matrix(inputs)
        values = evaluate(act, target, X, target=target).outputs
        ev = evaluate(act, point, X, values)
        r = [arb_to_mpf(e) for e in ev.residuals]
        t0 = time.perf_counter()
        for _ in range(20):
            evaluate(act, point, X, values)
            _min_norm_step(ev.jacobian, r, DPS, 1)
        ours = (time.perf_counter() - t0) / 20
        theta = [to_mpf(v) for v in point.flat()]
        xs = [to_mpf(x[0]) for x in inputs]
        ys = [arb_to_mpf(v) for v in values]
        t0 = time.perf_counter()
        for _ in range(20):
            per_scalar_iteration(theta, xs, ys)
        loop = (time.perf_counter() - t0) / 20
    print(f"  one Gauss-Newton iteration (n = 8, M = 6): twolayer {ours * 1e3:.2f} ms, per-scalar mpmath "
          f"{loop * 1e3:.2f} ms ({loop / ours:.1f}x)")
    bracket = known_minimum_bracket()
    second = second_order_cost()
    return {"sweep_s": sweep, "iteration_ms": ours * 1e3, "loop_ms": loop * 1e3, **bracket, **second}


#: a degenerate point with M = 30: the review's target in d = 2, its first neuron split in three, its second in
#: two, five null neurons (model rank 11, codimension 17)
WIDE_TARGET = '[[1, 1, "1/2"], ["-1/2", "1/3", -1]]'
WIDE_POINT = ('[["1/2", 1, "1/2"], ["1/4", 1, "1/2"], ["1/4", 1, "1/2"], ["-1/4", "1/3", -1], ["-1/4", "1/3", -1], '
              '[0, "5/4", "3/8"], [0, "-3/8", "7/8"], [0, "1/8", "-5/4"], [0, "3/2", "1/4"], [0, "-1", "-3/4"]]')


def second_order_cost():
    """Issue 22's cost goals: the second-order decision at M = 9 (the review point) under 2 s, at M = 30 under 20 s."""
    from twolayer.claims.separation import REVIEW_CASE
    from twolayer.numeric.second_order import second_order
    act = activation("tanh")
    out = {}
    cases = [("M = 9", REVIEW_CASE["target"], REVIEW_CASE["point"], [7, 8], 14),
             ("M = 30", WIDE_TARGET, WIDE_POINT, [12, 17, 18], 3),
             # the three-neuron split in d = 1, decided at third order beyond the span of the forms (Lemma (g4))
             ("M = 6", '[[1, "1/2"]]', '[["9/8", "1/2"], ["3/8", "1/2"], ["-1/2", "1/2"]]', [4, 5], 7)]
    print("Second-order decision at a degenerate point (numeric/second_order.py), 50 digits")
    for label, target, point, sizes, seed in cases:
        t, p = parse_network(target), parse_network(point)
        inputs = gaussian_inputs(max(sizes), t.d, seed)
        for n in sizes:
            t0 = time.perf_counter()
            found = second_order(Problem(act, t, inputs[:n], dps=DPS), p)
            seconds = time.perf_counter() - t0
            radius = "" if found.radius is None else f", radius {float(found.radius):.3e}"
            print(f"  {label}, n = {n}: {found.verdict} in {seconds:.2f} s (dim K = {found.kernel}, "
                  f"{found.multipliers} forms{radius}, {found.method}; target < {20 if label == 'M = 30' else 2} s)")
            out[f"second_order_{label.replace(' = ', '')}_n{n}_s"] = seconds
    return out


def known_minimum_bracket():
    """The cost of both ends of the bracket on the known-minimum family (eta = 0.1, n = M = 6): the certified
    radius rho_n and the certified upper bound delta-bar_n (Krawczyk box, mismatch probe)."""
    from fractions import Fraction

    from twolayer.claims.separation import KNOWN_MINIMUM_CASE as case
    from twolayer.numeric.exclusion import exclusion_radius, reverify_exclusion
    from twolayer.numeric.krawczyk import certified_upper_bound
    from twolayer.numeric.projection import project
    from twolayer.numeric.separation import ZeroSetSamples, certified_radius, known_minimum_family
    act, target, point = activation(case["activation"]), parse_network(case["target"]), parse_network(case["point"])
    with working_precision(DPS):
        member = known_minimum_family(act, point, target, [Fraction(v) for v in case["direction"]], ["1e-1"],
                                      ZeroSetSamples(case["samples"], seed=3))[0]
    candidate = project(Problem(act, target, member.inputs, dps=DPS), member.theta_eta, step_limit=member.eta).network
    t0 = time.perf_counter()
    rho = certified_radius(Problem(act, target, member.inputs, dps=DPS), point).radius
    lower = time.perf_counter() - t0
    t0 = time.perf_counter()
    upper = certified_upper_bound(Problem(act, target, member.inputs, dps=DPS), point, candidate)
    krawczyk = time.perf_counter() - t0
    print(f"  known-minimum bracket (eta = 0.1, n = M = 6): rho = {float(rho):.3e} in {lower * 1e3:.0f} ms, "
          f"delta-bar = {float(upper.distance):.4e} in {krawczyk * 1e3:.0f} ms (Krawczyk + mismatch probe)")
    timings = {"radius_ms": lower * 1e3, "krawczyk_ms": krawczyk * 1e3}
    for boxes in (1000, 4000):
        found = exclusion_radius(Problem(act, target, member.inputs, dps=30), point, max_boxes=boxes)
        t0 = time.perf_counter()
        ok, _ = reverify_exclusion(Problem(act, target, member.inputs, dps=30), point, found)
        again = time.perf_counter() - t0
        print(f"  exclusion radius by branch and bound, {boxes} boxes: r = {float(found.radius):.3e} "
              f"(r / rho = {float(found.radius / rho):.2f}) in {found.seconds:.2f} s "
              f"({found.seconds / found.boxes * 1e3:.2f} ms per box), re-verified ({ok}) in {again:.2f} s")
        timings[f"exclusion_{boxes}_s"] = found.seconds
    return timings


if __name__ == "__main__":
    run()
