"""Benchmark: gradient flow from 0.05 away from a non-degenerate point of (1, 2, 1), n = 6, 50 digits,
until R_n < 1e-40. Target (issue 6): under 30 s. Against a fixed-step explicit RK4 reaching the same loss:
its step is capped by stability (h <= 2.78 / lambda_max of the Hessian), so its cost is estimated from the
measured cost of one RK4 step times the steps the final time needs.
"""
import time

import mpmath

from twolayer.base.precision import working_precision
from twolayer.claims.flow import perturbed
from twolayer.claims.global_minima import setup_case
from twolayer.numeric.evaluate import evaluate, evaluate_hessian
from twolayer.numeric.flow import gradient_flow
from twolayer.numeric.network import Network, gaussian_inputs
from twolayer.numeric.precision import arb_to_mpf
from twolayer.numeric.problem import Problem

DPS = 50


def run():
    act, target, branches = setup_case("tanh", '[[1, "1/2"]]', 2)
    point = next(b for b in branches if b.label == "s=(1) null=1").point(target, 0)
    start = perturbed(point, "0.05", 5)
    inputs = gaussian_inputs(6, 1, 11)
    t0 = time.perf_counter()
    flow = gradient_flow(Problem(act, target, inputs, dps=DPS), start, t_max="1e40", loss_target="1e-40")
    ours = time.perf_counter() - t0
    print(f"Gradient flow, tanh (1, 2, 1), n = 6, start 0.05 from {point.to_json()}, {DPS} digits")
    print(f"  ROS2: R = {mpmath.nstr(flow.final_loss, 3)} at t = {mpmath.nstr(flow.final_time, 4)} in "
          f"{flow.steps} steps ({flow.rejected} rejected), {ours:.1f} s (target < 30 s)")
    with working_precision(DPS):
        hessian = evaluate_hessian(act, start, inputs, target, dps=DPS).hessian
        eig = mpmath.eigsy(mpmath.matrix([[arb_to_mpf(hessian[i, j]) for j in range(hessian.ncols())]
                                          for i in range(hessian.nrows())]), eigvals_only=True)
        lam_max = max(eig)
        state = [mpmath.mpf(v) for v in start.flat()]

        def f(th):
            ev = evaluate(act, Network.from_flat(th, 1), inputs, target=target, dps=DPS)
            return [-arb_to_mpf(g) for g in ev.gradient.entries()]

        h = 2.78 / lam_max
        t1 = time.perf_counter()
        for _ in range(50):
            k1 = f(state)
            k2 = f([x + h / 2 * k for x, k in zip(state, k1)])
            k3 = f([x + h / 2 * k for x, k in zip(state, k2)])
            k4 = f([x + h * k for x, k in zip(state, k3)])
            state = [x + h / 6 * (a + 2 * b + 2 * c + e) for x, a, b, c, e in zip(state, k1, k2, k3, k4)]
        per_step = (time.perf_counter() - t1) / 50
    needed = flow.final_time / h
    print(f"  RK4 at its stability limit h = 2.78/lambda_max = {mpmath.nstr(h, 3)}: {mpmath.nstr(needed, 3)} steps "
          f"to reach t = {mpmath.nstr(flow.final_time, 3)}, {per_step * 1e3:.2f} ms each: about "
          f"{mpmath.nstr(needed * per_step / 3600, 3)} hours ({mpmath.nstr(needed * per_step / ours, 3)}x)")
    return {"seconds": ours, "steps": flow.steps}


if __name__ == "__main__":
    run()
