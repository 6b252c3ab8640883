"""Benchmark: the separation sweep for (m*, m, d) = (1, 3, 1), n = 1..8, 50 starts each, 50 digits.

Target (issue 5): under 2 minutes. Also the cost of one Gauss–Newton iteration of the
projection against the same iteration written as a per-scalar mpmath loop.
"""
import time

import mpmath

from twolayer.numeric.evaluate import as_arb_matrix, evaluate
from twolayer.numeric.network import gaussian_inputs, parse_network
from twolayer.numeric.precision import arb_to_mpf, to_mpf, working_precision
from twolayer.numeric.projection import _min_norm_step
from twolayer.numeric.separation import separation_sweep
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
    rows = separation_sweep(act, point, target, inputs, list(range(1, 9)), starts=50, dps=DPS)
    sweep = time.perf_counter() - start
    print(f"Separation sweep, tanh (1, 3, 1), branch {branch.label}, n = 1..8, 50 starts each, {DPS} digits")
    print(f"  total {sweep:7.1f} s (target < 120 s); certified from n = "
          f"{min(r.n for r in rows if r.radius.radius is not None)}")
    with working_precision(DPS):
        X = as_arb_matrix(inputs)
        values = evaluate(act, target, X, target=target).outputs
        ev = evaluate(act, point, X, values=values)
        r = [arb_to_mpf(e) for e in ev.residuals]
        t0 = time.perf_counter()
        for _ in range(20):
            evaluate(act, point, X, values=values)
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
    return {"sweep_s": sweep, "iteration_ms": ours * 1e3, "loop_ms": loop * 1e3, **bracket}


def known_minimum_bracket():
    """The cost of both ends of the bracket on the known-minimum family (eta = 0.1, n = M = 6): the certified
    radius rho_n and the certified upper bound delta-bar_n (Krawczyk box, mismatch probe)."""
    from fractions import Fraction

    from twolayer.claims.separation import KNOWN_MINIMUM_CASE as case
    from twolayer.numeric.exclusion import exclusion_radius, reverify_exclusion
    from twolayer.numeric.projection import project
    from twolayer.numeric.separation import certified_radius, certified_upper_bound, known_minimum_family
    act, target, point = activation(case["activation"]), parse_network(case["target"]), parse_network(case["point"])
    member = known_minimum_family(act, point, target, [Fraction(v) for v in case["direction"]], ["1e-1"],
                                  case["samples"], seed=3, dps=DPS)[0]
    candidate = project(act, member.theta_eta, member.inputs, target=target, dps=DPS, step_limit=member.eta).network
    t0 = time.perf_counter()
    rho = certified_radius(act, point, target, member.inputs, DPS).radius
    lower = time.perf_counter() - t0
    t0 = time.perf_counter()
    upper = certified_upper_bound(act, point, target, member.inputs, candidate, DPS)
    krawczyk = time.perf_counter() - t0
    print(f"  known-minimum bracket (eta = 0.1, n = M = 6): rho = {float(rho):.3e} in {lower * 1e3:.0f} ms, "
          f"delta-bar = {float(upper.distance):.4e} in {krawczyk * 1e3:.0f} ms (Krawczyk + mismatch probe)")
    timings = {"radius_ms": lower * 1e3, "krawczyk_ms": krawczyk * 1e3}
    for boxes in (1000, 4000):
        found = exclusion_radius(act, point, target, member.inputs, max_boxes=boxes)
        t0 = time.perf_counter()
        ok, _ = reverify_exclusion(act, point, target, member.inputs, found)
        again = time.perf_counter() - t0
        print(f"  exclusion radius by branch and bound, {boxes} boxes: r = {float(found.radius):.3e} "
              f"(r / rho = {float(found.radius / rho):.2f}) in {found.seconds:.2f} s "
              f"({found.seconds / found.boxes * 1e3:.2f} ms per box), re-verified ({ok}) in {again:.2f} s")
        timings[f"exclusion_{boxes}_s"] = found.seconds
    return timings


if __name__ == "__main__":
    run()
