"""Gradient flow theta' = -grad R(theta) at high precision, and its decay rate (docs/theory.md §7, claim C6).

The integrator is the two-stage Rosenbrock method ROS2 (Verwer, Spee, Blom, Hundsdorfer 1999),
L-stable and linearly implicit: each step solves two linear systems with
``W = I + gamma h H`` (``H`` the closed-form Hessian of R), so the stiff late phase, where
the Gauss–Newton Hessian has eigenvalues over many orders of magnitude, needs no tiny
steps. The embedded linearly implicit Euler step gives the error estimate; steps are
controlled by ``|error| <= rtol |step| + atol``, relative to the step itself, because the
distance to the limit shrinks exponentially and a fixed absolute tolerance would stall.
For a mode decaying at rate mu the estimate is about (h mu / 2)|step|, so rtol = 0.02 keeps
h mu <= 0.04 on the slowest mode; ROS2's amplification factor then matches exp(-h mu) to a
relative rate error of order (h mu)^2 / 12 < 2e-4, well inside the 1e-2 rate tolerance of C6.

>>> from twolayer.symbolic.activations import activation
>>> from twolayer.numeric.network import parse_network
>>> from twolayer.numeric.problem import Problem
>>> problem = Problem(activation("tanh"), parse_network('[[1, "1/2"]]'), [[1], [-2]], dps=30)
>>> run = gradient_flow(problem, parse_network('[["1.1", "0.45"]]'), t_max=1e6)
>>> run.stopped, run.final_loss < mpmath.mpf(10) ** -20
('loss below target', True)
"""
from __future__ import annotations

from dataclasses import dataclass, field

import mpmath
from flint import arb, arb_mat

from ..base.errors import InputError
from ..base.precision import working_precision
from ..base.tolerance import flow_loss_target, gap_thresholds
from .evaluate import as_arb_matrix, evaluate, evaluate_hessian
from .network import Network
from .population import population_loss
from .precision import arb_to_mpf, distance, identity, norm, to_mpf
from .problem import Problem
from .projection import project
from .rank import gram_eigen

GAMMA = 1 + 1 / mpmath.sqrt(2)


@dataclass
class FlowRecord:
    times: list = field(default_factory=list)
    losses: list = field(default_factory=list)
    gradient_norms: list = field(default_factory=list)
    distances: list = field(default_factory=list)     # |theta(t) - theta(0)|
    points: list = field(default_factory=list)        # theta(t) (mpf lists): for the kernel / range split

    def add(self, t, loss, gradient_norm, distance_from_start, theta=None):
        self.times.append(t)
        self.losses.append(loss)
        self.gradient_norms.append(gradient_norm)
        self.distances.append(distance_from_start)
        self.points.append(None if theta is None else list(theta))


@dataclass
class GradientFlowResult:
    limit: Network
    final_time: mpmath.mpf
    final_loss: mpmath.mpf
    steps: int
    rejected: int
    record: FlowRecord
    stopped: str                 # "loss below target" | "time budget" | "step size underflow"


@dataclass(frozen=True)
class StepControl:
    """The integrator's step control: relative tolerance, first step and the budget of accepted steps."""
    rtol: str = "0.02"
    h0: str = "1e-3"
    max_steps: int = 20000


class _Loss:
    """R, grad R and Hess R of the problem's empirical (or weighted population) loss at a flat theta."""

    def __init__(self, problem: Problem, d):
        self.act, self.d, self.dps = problem.act, d, problem.dps
        self.X = as_arb_matrix(problem.inputs)
        self.values = evaluate(problem.act, problem.target, self.X, problem.target, dps=problem.dps).outputs
        self.weights = problem.weights

    def __call__(self, theta, hessian=False):
        how = evaluate_hessian if hessian else evaluate
        return how(self.act, Network.from_flat(theta, self.d), self.X, self.values, dps=self.dps, weights=self.weights)


def _solve(W, rhs):
    return [arb_to_mpf(v) for v in W.solve(arb_mat([[arb(x)] for x in rhs]), algorithm="approx").entries()]


def _ros2_step(objective, theta, grad, H, h, rtol, atol, dps):
    """One accepted ROS2 step from ``theta``, shrinking h by 4 until the error estimate passes.

    Returns (step, error estimate, h used, rejected tries); step is None when h underflows 10^(-dps/2).
    """
    M = len(theta)
    rejected = 0
    eye = identity(M)
    while True:
        W = eye + H * arb(GAMMA * h)      # I + gamma h H as one arb_mat expression (in C)
        try:
            k1 = _solve(W, [-g for g in grad])
            mid = [x + h * k for x, k in zip(theta, k1)]
            g_mid = [arb_to_mpf(v) for v in objective(mid).gradient.entries()]
            k2 = _solve(W, [-g - 2 * k for g, k in zip(g_mid, k1)])
        except ZeroDivisionError:
            k1 = None
        if k1 is not None:
            step = [h * (3 * a + b) / 2 for a, b in zip(k1, k2)]
            error = norm([h * (a + b) / 2 for a, b in zip(k1, k2)])
            if error <= rtol * norm(step) + atol:
                return step, error, h, rejected
        rejected += 1
        h /= 4
        if h < mpmath.mpf(10) ** -(dps // 2):
            return None, None, h, rejected


def gradient_flow(problem: Problem, start: Network, t_max=1e4, loss_target=None,
                  control: StepControl = StepControl()) -> GradientFlowResult:
    """Integrate theta' = -grad R from ``start`` until R < ``loss_target`` (default 10^(-2 dps/3)) or t_max."""
    if t_max is None or mpmath.mpf(t_max) <= 0:
        raise InputError(f"the time budget must be positive, got {t_max}")
    dps, rtol, h0, max_steps = problem.dps, control.rtol, control.h0, control.max_steps
    with working_precision(dps):
        objective = _Loss(problem, start.d)
        loss_target = flow_loss_target(dps) if loss_target is None else mpmath.mpf(loss_target)
        rtol, atol = mpmath.mpf(rtol), mpmath.mpf(10) ** (-(dps - 5))
        theta = [to_mpf(v) for v in start.flat()]
        origin = list(theta)
        t, h, t_max = mpmath.mpf(0), mpmath.mpf(h0), mpmath.mpf(t_max)
        record = FlowRecord()
        next_record = mpmath.mpf(0)
        steps = rejected = 0
        ev = objective(theta, hessian=True)
        if arb_to_mpf(ev.loss) < loss_target:
            raise InputError(f"the initial point is already a global minimum to working precision (R = "
                             f"{mpmath.nstr(arb_to_mpf(ev.loss), 3)} < {mpmath.nstr(loss_target, 3)}): there is no "
                             "flow to integrate; start away from the minimum")
        stopped = "time budget"
        while True:
            loss = arb_to_mpf(ev.loss)
            grad = [arb_to_mpf(v) for v in ev.gradient.entries()]
            if t >= next_record or loss < loss_target:
                record.add(t, loss, norm(grad), distance(theta, origin), theta)
                next_record = max(t * mpmath.mpf("1.05"), t + mpmath.mpf("1e-3"))  # log-spaced grid
            if loss < loss_target:
                stopped = "loss below target"
                break
            if t >= t_max or steps >= max_steps:
                break
            h = min(h, t_max - t)
            step, error, h, tries = _ros2_step(objective, theta, grad, ev.hessian, h, rtol, atol, dps)
            rejected += tries
            if step is None:
                stopped = "step size underflow"
                break
            theta = [x + s for x, s in zip(theta, step)]
            t += h
            steps += 1
            ratio = error / (rtol * norm(step) + atol) if error else mpmath.mpf("1e-6")
            h *= min(4, max(mpmath.mpf("0.2"), mpmath.mpf("0.9") / ratio))  # the ratio grows like h
            ev = objective(theta, hessian=True)
        return GradientFlowResult(Network.from_flat(theta, start.d), t, arb_to_mpf(ev.loss), steps, rejected,
                                  record, stopped)


@dataclass
class FlowAnalysis:
    """What a finished run shows: where it ended, how fast R decayed, and which decay the data show."""
    generalization_error: mpmath.mpf # upper end of the population-loss ball at the limit
    loss_target: mpmath.mpf        # 10^(-2 dps/3): the tail window ends here
    predicted_rate: mpmath.mpf | None # 2 lambda at the limit (None: a singular value fell in the gap)
    fitted_rate: mpmath.mpf | None # -slope of log R over 10^(-dps/3) > R > loss_target (None: no tail)
    rate_points: int
    fitted_slope: mpmath.mpf | None # slope of log R against log t over the last two decades of t
    slope_points: int
    decay: str                     # "exponential" | "algebraic" | "undetermined", read from the data
    decay_evidence: dict           # the fit residuals the decision rests on

    @property
    def rate_error(self):
        """|fitted / predicted - 1|, or None without a tail or a prediction."""
        if self.fitted_rate is None or self.predicted_rate is None:
            return None
        return abs(self.fitted_rate / self.predicted_rate - 1)


#: A fit is good when its largest residual in log R is at most this fraction of the drop of log R
#: over the window; bad when above BAD_FIT. In between, the decay is undetermined.
GOOD_FIT, BAD_FIT = mpmath.mpf("0.02"), mpmath.mpf("0.05")


def classify_decay(times, losses, loss_target, dps):
    """The decay the data show: "exponential", "algebraic" or "undetermined", with the fit residuals.

    Exponential: the run reached the loss target and log R is linear in t over the tail window
    10^(-dps/3) > R > target. Algebraic: log R is linear in log t over the last two decades of t,
    R fell at least 100-fold there, and log R is not linear in t on that window. Why the run
    stopped is never used: a run that ran out of time before its tail is undetermined.
    """
    evidence = {}
    reached = bool(losses) and losses[-1] < loss_target
    tail = [(t, mpmath.log(r)) for t, r in zip(times, losses) if loss_target <= r <= mpmath.mpf(10) ** -(dps // 3)]
    if reached and len(tail) >= 3:
        evidence["exponential_fit_residual"] = _relative_residual(tail)
        if evidence["exponential_fit_residual"] <= GOOD_FIT:
            return "exponential", evidence
    if times and times[-1] > 0:
        window = [(t, r) for t, r in zip(times, losses) if t >= times[-1] / 100 and r > 0]
        if len(window) >= 5:
            drop = mpmath.log(window[0][1]) - mpmath.log(window[-1][1])
            power = _relative_residual([(mpmath.log(t), mpmath.log(r)) for t, r in window])
            linear = _relative_residual([(t, mpmath.log(r)) for t, r in window])
            evidence.update(power_fit_residual=power, exponential_fit_residual_on_window=linear,
                            log_drop_on_window=drop)
            if drop >= mpmath.log(100) and power <= GOOD_FIT and linear > BAD_FIT:
                return "algebraic", evidence
    return "undetermined", evidence


def _relative_residual(points):
    """Largest residual of the least-squares line through ``points``, relative to the range of y."""
    slope = _slope(points)
    n = len(points)
    mx = mpmath.fsum(p[0] for p in points) / n
    my = mpmath.fsum(p[1] for p in points) / n
    spread = max(p[1] for p in points) - min(p[1] for p in points)
    if spread == 0:
        return mpmath.inf
    return max(abs(y - my - slope * (x - mx)) for x, y in points) / spread


def analyse(problem: Problem, run: GradientFlowResult) -> FlowAnalysis:
    """The numbers claim C6 compares: generalization error, 2 lambda, fitted rate and slope, decay type."""
    act, target, inputs, weights, dps = problem.act, problem.target, problem.inputs, problem.weights, problem.dps
    with working_precision(dps):
        generalization = population_loss(act, run.limit, target, dps, problem.bias)[0]
        gen = mpmath.mpf(0) if generalization.is_exact() else arb_to_mpf(abs(generalization).upper())
        loss_target = flow_loss_target(dps)
        # lambda is defined at the limit itself: the end of the run is off it by about sqrt(R), which puts
        # spurious singular values of that size (e.g. a null neuron's tiny a) into the gap, so the end
        # point is first projected onto the zero-loss set (residual <= 10^(-4 dps/5))
        refined = project(problem, run.limit, step_limit="1e-3")
        limit = refined.network if refined.converged else run.limit
        lam = smallest_positive_eigenvalue(evaluate(act, limit, inputs, dps=dps).jacobian, weights, dps)
        rate, rate_points = fit_exponential_rate(run.record.times, run.record.losses, loss_target,
                                                 mpmath.mpf(10) ** -(dps // 3))
        slope, slope_points = fit_power_law(run.record.times, run.record.losses, run.final_time / 100)
        decay, evidence = classify_decay(run.record.times, run.record.losses, loss_target, dps)
        return FlowAnalysis(gen, loss_target, None if lam is None else 2 * lam, rate, rate_points, slope,
                            slope_points, decay, evidence)


def smallest_positive_eigenvalue(jacobian, weights, dps):
    """lambda: the smallest positive eigenvalue of J^T V J (V = diag(weights), or 1/n), by the gap rule.

    An eigenvalue e = s^2 counts when s/s_1 > 10^(-dps/3) and is zero when s/s_1 < 10^(-2dps/3);
    if some s falls in between, lambda is undecided and None is returned (retry at higher precision).
    """
    n = jacobian.nrows()
    upper, lower = gap_thresholds(dps)
    with working_precision(2 * dps + 10):
        weights = weights if weights is not None else [mpmath.mpf(1) / n] * n
        eigenvalues = sorted(gram_eigen(jacobian, dps, weights=weights, vectors=False)[0])
        largest = eigenvalues[-1]
        if largest <= 0:
            return None
        ratios = [mpmath.sqrt(max(e, 0) / largest) for e in eigenvalues]
        if any(lower <= q <= upper for q in ratios):
            return None
        positive = [e for e, q in zip(eigenvalues, ratios) if q > upper]
    with mpmath.workdps(dps):
        return +positive[0]


def fit_exponential_rate(times, losses, low, high):
    """Least-squares slope of log R against t for losses in [low, high]: returns the rate (minus the slope)."""
    pts = [(t, mpmath.log(r)) for t, r in zip(times, losses) if low <= r <= high]
    return (-_slope(pts), len(pts)) if len(pts) >= 3 else (None, len(pts))


def fit_power_law(times, losses, t_from):
    """Least-squares slope of log R against log t for t >= t_from."""
    pts = [(mpmath.log(t), mpmath.log(r)) for t, r in zip(times, losses) if t >= t_from and r > 0]
    return (_slope(pts), len(pts)) if len(pts) >= 3 else (None, len(pts))


def _slope(points):
    n = len(points)
    mx = mpmath.fsum(p[0] for p in points) / n
    my = mpmath.fsum(p[1] for p in points) / n
    return mpmath.fsum((x - mx) * (y - my) for x, y in points) / mpmath.fsum((x - mx) ** 2 for x, _ in points)


@dataclass
class NearBranch:
    """A run near a branch B, measured against gamma, the orthogonal foot of its last point on B: the Hessian
    (1/n) J^T J at gamma split into its kernel and range (gap rule), and per recorded time t
    |pi_kernel(theta(t) - gamma)|, |pi_range(theta(t) - gamma)|, R and |pi_kernel grad R|."""
    kernel_dim: int
    times: list
    kernel_parts: list
    range_parts: list
    losses: list
    kernel_gradients: list


def near_branch(problem: Problem, run: GradientFlowResult, rows, base) -> NearBranch:
    """The kernel / range split of theta(t) - gamma and the kernel part of grad R along a finished run.

    ``rows`` (exact) are the branch's equations and ``base`` a point of it. The kernel part of grad R is what
    Lojasiewicz's inequality sees on the slow manifold: the range part of the recorded gradient at late times is
    the stiff integrator's offset in the fast directions (docs/theory.md §7)."""
    dps = problem.dps
    with working_precision(dps):
        R = mpmath.matrix([[to_mpf(v) for v in row] for row in rows])
        b = mpmath.matrix([to_mpf(v) for v in base])
        last = mpmath.matrix(run.record.points[-1])
        foot = last - R.T * (mpmath.inverse(R * R.T) * (R * (last - b)))
        gamma = [foot[i] for i in range(foot.rows)]
        objective = _Loss(problem, run.limit.d)
        J = evaluate(problem.act, Network.from_flat(gamma, run.limit.d), objective.X, dps=dps).jacobian
        lower = gap_thresholds(dps)[1]
        with working_precision(2 * dps + 10):   # eigenvalues of J^T J are squares: the gap rule needs 2 dps
            E, V, _ = gram_eigen(J, dps)
            top = max(abs(e) for e in E)
            kernel = [k for k in range(len(E)) if E[k] < lower ** 2 * top]
            values = list(E)
            vectors = mpmath.matrix([[arb_to_mpf(V[i, k]) for k in range(len(E))] for i in range(len(E))])

        def parts(vector):
            coords = [mpmath.fsum(vectors[i, k] * vector[i] for i in range(len(vector))) for k in range(len(values))]
            return (mpmath.sqrt(mpmath.fsum(coords[k] ** 2 for k in kernel)),
                    mpmath.sqrt(mpmath.fsum(coords[k] ** 2 for k in range(len(values)) if k not in kernel)))

        out = NearBranch(len(kernel), [], [], [], [], [])
        for t, theta, loss in zip(run.record.times, run.record.points, run.record.losses):
            if theta is None:
                continue
            along, across = parts([x - g for x, g in zip(theta, gamma)])
            gradient = [arb_to_mpf(v) for v in objective(theta).gradient.entries()]
            out.times.append(t)
            out.kernel_parts.append(along)
            out.range_parts.append(across)
            out.losses.append(loss)
            out.kernel_gradients.append(parts(gradient)[0])
        return out


def tail_slope(xs, ys, times, decades=2):
    """Least-squares slope of log y against log x over the last ``decades`` decades of t (None if < 3 points)."""
    t_from = times[-1] / mpmath.mpf(10) ** decades
    pts = [(mpmath.log(x), mpmath.log(y)) for x, y, t in zip(xs, ys, times) if t >= t_from and x > 0 and y > 0]
    return (_slope(pts), len(pts)) if len(pts) >= 3 else (None, len(pts))
