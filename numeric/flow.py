"""Gradient flow theta' = -grad R(theta) at high precision, and its decay rate (THEORY.md §7, claim C6).

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
>>> run = gradient_flow(activation("tanh"), parse_network('[["1.1", "0.45"]]'), parse_network('[[1, "1/2"]]'),
...                     inputs=[[1], [-2]], t_max=1e6, dps=30)
>>> run.stopped, run.final_loss < mpmath.mpf(10) ** -20
('loss below target', True)
"""
from dataclasses import dataclass, field

import mpmath
from flint import arb, arb_mat

from ..errors import InputError
from .evaluate import as_arb_matrix, evaluate
from .network import Network
from .precision import DEFAULT_DPS, arb_to_mpf, distance, norm, to_mpf, working_precision
from .rank import gram_eigen

GAMMA = 1 + 1 / mpmath.sqrt(2)


@dataclass
class FlowRecord:
    times: list = field(default_factory=list)
    losses: list = field(default_factory=list)
    gradient_norms: list = field(default_factory=list)
    distances: list = field(default_factory=list)     # |theta(t) - theta(0)|


@dataclass
class GradientFlowResult:
    limit: Network
    final_time: object
    final_loss: object
    steps: int
    rejected: int
    record: FlowRecord
    stopped: str                 # "loss below target" | "time budget" | "step size underflow"


class _Problem:
    """R, grad R and Hess R of the empirical (or weighted population) loss at a flat theta."""

    def __init__(self, act, target, inputs, weights, d, dps):
        self.act, self.d, self.dps = act, d, dps
        self.X = as_arb_matrix(inputs)
        self.values = evaluate(act, target, self.X, target=target, dps=dps).outputs
        self.weights = weights

    def __call__(self, theta, hessian=False):
        return evaluate(self.act, Network.from_flat(theta, self.d), self.X, values=self.values, dps=self.dps,
                        hessian=hessian, sample_weights=self.weights)


def _solve(W, rhs):
    return [arb_to_mpf(v) for v in W.solve(arb_mat([[arb(x)] for x in rhs]), algorithm="approx").entries()]


def gradient_flow(act, start, target, inputs, *, weights=None, t_max=1e4, dps=DEFAULT_DPS, rtol="0.02",
                  loss_target=None, h0="1e-3", max_steps=20000):
    """Integrate theta' = -grad R from ``start`` until R < ``loss_target`` (default 10^(-2 dps/3)) or t_max."""
    if t_max is None or mpmath.mpf(t_max) <= 0:
        raise InputError(f"the time budget must be positive, got {t_max}")
    with working_precision(dps):
        problem = _Problem(act, target, inputs, weights, start.d, dps)
        loss_target = mpmath.mpf(10) ** (-(2 * dps) // 3) if loss_target is None else mpmath.mpf(loss_target)
        rtol, atol = mpmath.mpf(rtol), mpmath.mpf(10) ** (-(dps - 5))
        theta = [to_mpf(v) for v in start.flat()]
        origin = list(theta)
        M = len(theta)
        t, h, t_max = mpmath.mpf(0), mpmath.mpf(h0), mpmath.mpf(t_max)
        record = FlowRecord()
        next_record = mpmath.mpf(0)
        steps = rejected = 0
        ev = problem(theta, hessian=True)
        stopped = "time budget"
        while True:
            loss = arb_to_mpf(ev.loss)
            grad = [arb_to_mpf(v) for v in ev.gradient.entries()]
            if t >= next_record or loss < loss_target:
                record.times.append(t)
                record.losses.append(loss)
                record.gradient_norms.append(norm(grad))
                record.distances.append(distance(theta, origin))
                next_record = max(t * mpmath.mpf("1.05"), t + mpmath.mpf("1e-3"))  # log-spaced grid
            if loss < loss_target:
                stopped = "loss below target"
                break
            if t >= t_max or steps >= max_steps:
                break
            h = min(h, t_max - t)
            H = ev.hessian
            while True:
                W = arb_mat([[(1 if i == j else 0) + GAMMA * h * H[i, j] for j in range(M)] for i in range(M)])
                try:
                    k1 = _solve(W, [-g for g in grad])
                    mid = [x + h * k for x, k in zip(theta, k1)]
                    g_mid = [arb_to_mpf(v) for v in problem(mid).gradient.entries()]
                    k2 = _solve(W, [-g - 2 * k for g, k in zip(g_mid, k1)])
                except ZeroDivisionError:
                    k1 = None
                if k1 is not None:
                    step = [h * (3 * a + b) / 2 for a, b in zip(k1, k2)]
                    error = norm([h * (a + b) / 2 for a, b in zip(k1, k2)])
                    if error <= rtol * norm(step) + atol:
                        break
                rejected += 1
                h /= 4
                if h < mpmath.mpf(10) ** -(dps // 2):
                    stopped = "step size underflow"
                    break
            if stopped == "step size underflow":
                break
            theta = [x + s for x, s in zip(theta, step)]
            t += h
            steps += 1
            ratio = error / (rtol * norm(step) + atol) if error else mpmath.mpf("1e-6")
            h *= min(4, max(mpmath.mpf("0.2"), mpmath.mpf("0.9") / ratio))  # the ratio grows like h
            ev = problem(theta, hessian=True)
        return GradientFlowResult(Network.from_flat(theta, start.d), t, arb_to_mpf(ev.loss), steps, rejected,
                                  record, stopped)


@dataclass
class FlowAnalysis:
    """What a finished run shows: where it ended and how fast R decayed."""
    generalization_error: object   # upper end of the population-loss ball at the limit
    loss_target: object            # 10^(-2 dps/3): the tail window ends here
    predicted_rate: object         # 2 lambda at the limit
    fitted_rate: object            # -slope of log R over 10^(-dps/3) > R > loss_target (None: no tail)
    rate_points: int
    fitted_slope: object           # slope of log R against log t over the last two decades of t
    slope_points: int

    @property
    def rate_error(self):
        """|fitted / predicted - 1|, or None without a tail."""
        return None if self.fitted_rate is None else abs(self.fitted_rate / self.predicted_rate - 1)


def analyse(act, run, target, inputs, weights=None, dps=DEFAULT_DPS):
    """The numbers claim C6 and ``twolayer flow`` compare: generalization error, 2 lambda, fitted rate and slope."""
    from .population import population_loss
    with working_precision(dps):
        generalization = population_loss(act, run.limit, target, dps)[0]
        gen = mpmath.mpf(0) if generalization.is_exact() else arb_to_mpf(abs(generalization).upper())
        loss_target = mpmath.mpf(10) ** (-(2 * dps) // 3)
        lam = smallest_positive_eigenvalue(evaluate(act, run.limit, inputs, dps=dps).jacobian, weights, dps)
        rate, rate_points = fit_exponential_rate(run.record.times, run.record.losses, loss_target,
                                                 mpmath.mpf(10) ** -(dps // 3))
        slope, slope_points = fit_power_law(run.record.times, run.record.losses, run.final_time / 100)
        return FlowAnalysis(gen, loss_target, 2 * lam, rate, rate_points, slope, slope_points)


def smallest_positive_eigenvalue(jacobian, weights, dps):
    """lambda: the smallest eigenvalue of J^T V J (V = diag(weights), or 1/n) above the gap rule's threshold."""
    n = jacobian.nrows()
    with working_precision(2 * dps + 10):
        weights = weights if weights is not None else [mpmath.mpf(1) / n] * n
        eigenvalues = sorted(gram_eigen(jacobian, dps, weights=weights)[0])
    largest = eigenvalues[-1]
    positive = [e for e in eigenvalues if e > largest * mpmath.mpf(10) ** (-2 * dps / 3)]
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
