"""§5.1 of [GLR], Proposition 5.1: every global minimum is the limit of a non-constant gradient flow
(docs/theory.md §9). Measured by shooting at a point of a Morse-Bott branch.

Near a Morse-Bott branch B every flow converges, and its limit pi(p) depends smoothly on the start p. Starting from
p(tau) = theta* + delta nu + T tau (nu a unit normal to B, T an orthonormal basis of B's direction space), the
map tau -> T^T (pi(p(tau)) - theta*) is close to the identity, so the iteration tau <- tau - T^T (pi(p(tau)) -
theta*) contracts; its fixed point is a start at distance about delta whose flow converges to theta* itself.
"""
import mpmath

from ..base.precision import working_precision
from ..numeric.classify import branch_constraints
from ..numeric.evaluate import as_arb_matrix, evaluate
from ..numeric.flow import gradient_flow
from ..numeric.network import Network, gaussian_inputs
from ..numeric.precision import arb_to_mpf, to_mpf
from ..numeric.problem import Problem
from ..numeric.rank import exact_null_space
from .global_minima import find_branch, setup_case
from .result import Check, Result

TITLE = "the paper, statement by statement"
#: the worked example in d = 1 (exp, m = 2, m0 = 1), its null branch (Morse-Bott, codim 3) and five samples
CASE = {"activation": "exp", "target": '[[1, "1/2"]]', "m": 2, "branch": "s=(1) null=1", "n": 5}
ITERATIONS = 6
DELTA = mpmath.mpf(1) / 20


def shoot(problem: Problem, point, rows, iterations=ITERATIONS, delta=DELTA):
    """The shooting iteration: per step (|p - theta*|, the tangent residual |T^T (limit - theta*)|, the normal
    distance of the flow's last point to the branch, why the flow stopped)."""
    act, inputs, dps = problem.act, problem.inputs, problem.dps
    with working_precision(dps):
        star = mpmath.matrix([to_mpf(v) for v in point.flat()])
        basis = exact_null_space(rows)
        T, _ = mpmath.qr(mpmath.matrix([[to_mpf(v) for v in b] for b in basis]).T)
        T = T[:, :len(basis)]
        J = evaluate(act, point, as_arb_matrix(inputs), dps=dps).jacobian
        nu = mpmath.matrix([mpmath.fsum(arb_to_mpf(J[i, k]) for i in range(J.nrows())) for k in range(J.ncols())])
        nu = nu - T * (T.T * nu)      # J^T (1, ..., 1): a direction the data see, normal to B
        nu = nu / mpmath.norm(nu)
        tau, steps = mpmath.matrix([0] * T.cols), []
        for _ in range(iterations):
            start = star + delta * nu + T * tau
            run = gradient_flow(problem, Network.from_flat(list(start), point.d), t_max="1e40")
            last = mpmath.matrix(run.limit.flat())
            residual = T.T * (last - star)
            normal = (last - star) - T * residual
            steps.append((mpmath.norm(start - star), mpmath.norm(residual), mpmath.norm(normal), run.stopped))
            tau = tau - residual
        return steps


def check_converse_flow(seed: int = 0, dps: int = 40) -> Result:
    """[Prop. 5.1] at a point theta* of a Morse-Bott branch: a flow started at distance ~ 1/20 whose limit is
    theta* to 10^(-dps/2), found by a contracting shooting iteration."""
    act, target, branches = setup_case(CASE["activation"], CASE["target"], CASE["m"])
    branch = find_branch(branches, CASE["branch"])
    point = branch.point(target, seed)
    inputs = gaussian_inputs(CASE["n"], target.d, seed + 11)
    steps = shoot(Problem(act, target, inputs, dps=dps), point, branch_constraints(act, point, target))
    floor = mpmath.mpf(10) ** (-(dps // 2))
    residuals = [r for _, r, _, _ in steps]
    ok = (all(why == "loss below target" for *_, why in steps) and residuals[-1] <= floor
          and steps[-1][0] >= DELTA / 2 and residuals[0] >= 10 ** 6 * residuals[-1])
    return Result("C8", TITLE, {"part": "converse flow", **CASE, "seed": seed, "dps": dps}, [
        Check("[Prop. 5.1] a non-constant flow converging to a given point theta* of a Morse-Bott branch (shooting "
              "on the start's tangent offset)", {"start distance": mpmath.nstr(steps[-1][0], 6),
                                                 "tangent residual per step": [mpmath.nstr(r, 3) for r in residuals],
                                                 "normal distance at the stop": mpmath.nstr(steps[-1][2], 3)},
              f"residual <= {mpmath.nstr(floor, 2)}, start distance >= {mpmath.nstr(DELTA / 2, 2)}", 0, ok,
              "estimate", "theta(oo) is within the residual plus O(normal distance^2) of theta*: the flow is stopped "
              "at R < 10^(-2 dps/3); the residual contracts at every step, so the iteration has a fixed point")])
