"""Float64 training of a two-layer network, as the field's experiments do it (claim C7).

The loss is the one of [ZBZ] and [LLR]: l(theta) = 1/2 sum_i (f_theta(x_i) - y_i)^2 (a sum, not
a mean, so their learning rates carry over). Gradient descent theta <- theta - lr grad l runs for a
whole batch of runs at once (one array axis per run), starting from N(0, eps^2) parameters.

Gradient descent stops at a loss threshold or a step budget; near a degenerate branch the loss
then still decays like a power of t, and the end point says little about where the run goes.
:func:`follow_to_limit` continues from the end point with the linearly implicit Euler step
``(I + h H) s = -h grad l`` and growing h: on the flow linearised at the limit, ``theta' = -H
(theta - theta_inf)``, this step keeps the component in ker H exactly and damps every other one,
so it converges to the same limit as the flow; the non-linear terms move that limit by the
square of the distance still to go. Its end point is what :func:`decide` classifies.

>>> from twolayer.symbolic.activations import activation
>>> model = FloatModel(activation("tanh"))
>>> X = np.array([[[1.0], [-2.0]]]); y = model.outputs(np.array([[1.0]]), np.array([[[0.5]]]), X)
>>> a, W = np.array([[1.1]]), np.array([[[0.45]]])
>>> run = gradient_descent(model, a, W, X, y, lr=0.2, max_steps=5000, loss_stop=1e-20)
>>> bool(run.loss[0] < 1e-20)
True
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..base.errors import InputError
from ..symbolic.activations import z

#: the recovery decision (see :func:`decide`): a limit whose test error is below RECOVERED_BELOW is in Q*,
#: above NOT_RECOVERED_ABOVE (with a training loss below GLOBAL_MINIMUM_BELOW) a non-generalizing global minimum
RECOVERED_BELOW = 1e-20
NOT_RECOVERED_ABOVE = 1e-10
GLOBAL_MINIMUM_BELOW = 1e-24


class FloatModel:
    """sigma, sigma', sigma'' of an activation as numpy functions (sympy's lambdify), and the model on batches.

    Shapes: ``a`` (runs, m), ``W`` (runs, m, D), ``X`` (runs, n, D); D counts the constant input of a bias.
    """

    def __init__(self, act):
        # numpy has no erf: sympy would print math.erf, which takes scalars only
        modules = [{"erf": np.vectorize(math.erf, otypes=[float])}, "numpy"]
        self.sigma = [sp.lambdify(z, act.derivative(r) if r else act.expr, modules) for r in range(3)]
        probe = np.array([[[-1.5, 0.0, 0.75]]])
        try:
            values = [self._apply(r, probe) for r in range(3)]
        except (TypeError, ValueError, NameError, AttributeError) as exc:
            raise InputError(f"the activation {act.name!r} cannot be evaluated in float64 on arrays ({exc})") from None
        if not all(np.all(np.isfinite(v)) and v.shape == probe.shape for v in values):
            raise InputError(f"the activation {act.name!r} is not finite in float64 at -1.5, 0, 0.75")

    def _apply(self, order, Z):
        out = self.sigma[order](Z)
        if np.ndim(out) == 0:            # a constant derivative (sigma = exp has none, z**3 + ... would) is a scalar
            return np.full(Z.shape, float(out))
        return out

    def outputs(self, a, W, X):
        return (self._apply(0, X @ W.transpose(0, 2, 1)) * a[:, None, :]).sum(-1)

    def loss_and_gradient(self, a, W, X, y):
        Z = X @ W.transpose(0, 2, 1)                       # (runs, n, m): one batched matrix product
        S, S1 = self._apply(0, Z), self._apply(1, Z)
        e = (S * a[:, None, :]).sum(-1) - y
        grad_a = (e[:, :, None] * S).sum(1)
        grad_W = (e[:, :, None] * S1 * a[:, None, :]).transpose(0, 2, 1) @ X
        return 0.5 * (e * e).sum(-1), grad_a, grad_W

    def jacobian_and_hessian(self, a, W, X, y):
        """For one run (a: m, W: m x D, X: n x D): residuals e, Jacobian J (n x M), Hessian H of l (M x M).

        theta is ordered (a_1, w_1, ..., a_m, w_m), as :class:`~twolayer.numeric.network.Network` flattens it.
        """
        m, D = W.shape
        Z = X @ W.T
        S, S1, S2 = (self._apply(r, Z) for r in range(3))
        e = S @ a - y
        n = len(y)
        J = np.zeros((n, m, D + 1))
        J[:, :, 0] = S
        J[:, :, 1:] = (S1 * a)[:, :, None] * X[:, None, :]
        J = J.reshape(n, m * (D + 1))
        H = J.T @ J
        for k in range(m):   # sum_i e_i d^2 f_i: only within neuron k (a_k with w_k, and w_k with w_k)
            s = k * (D + 1)
            cross = X.T @ (e * S1[:, k])
            H[s, s + 1:s + D + 1] += cross
            H[s + 1:s + D + 1, s] += cross
            H[s + 1:s + D + 1, s + 1:s + D + 1] += a[k] * (X.T * (e * S2[:, k])) @ X
        return e, J, H


@dataclass
class DescentRun:
    """The end of gradient descent for a batch of runs (one entry per run)."""
    a: np.ndarray
    W: np.ndarray
    loss: np.ndarray
    steps: np.ndarray          # iterations until the loss fell below loss_stop (max_steps if it never did)


def gradient_descent(model, a, W, X, y, *, lr, max_steps, loss_stop):
    """Full-batch GD on every run of the batch; a run is frozen once its loss is below ``loss_stop``.

    A run whose loss overflows is frozen as well, with loss ``inf`` (the step was too large). The
    arrays of the runs still active are kept contiguous and compressed only when a run stops.
    """
    a, W = a.copy(), W.copy()
    ids = np.arange(len(a))
    steps = np.full(len(a), max_steps)
    loss = np.full(len(a), np.inf)
    act_a, act_W, act_X, act_y = a.copy(), W.copy(), X, y
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(max_steps + 1):
            value, ga, gW = model.loss_and_gradient(act_a, act_W, act_X, act_y)
            loss[ids] = np.where(np.isfinite(value), value, np.inf)
            done = (value < loss_stop) | ~np.isfinite(value)
            if done.any() or step == max_steps:
                a[ids], W[ids] = act_a, act_W
                steps[ids[done]] = step
                keep = ~done
                ids, act_a, act_W, act_X, act_y = ids[keep], act_a[keep], act_W[keep], act_X[keep], act_y[keep]
                ga, gW = ga[keep], gW[keep]
                if ids.size == 0:
                    break
            if step == max_steps:
                break
            act_a -= lr * ga
            act_W -= lr * gW
    return DescentRun(a, W, loss, steps)


@dataclass
class Limit:
    a: np.ndarray
    W: np.ndarray
    trace: list                # (flow time, training loss, test error) at the start and after every accepted step

    @property
    def loss(self) -> float:
        return self.trace[-1][1]

    @property
    def error(self) -> float:
        return self.trace[-1][2]


def follow_to_limit(model, a, W, X, y, test_set, *, h0=1.0, max_steps=2000, loss_floor=1e-32, h_max=1e18,
                    nonlinearity=1.0):
    """Linearly implicit Euler from one end point (a: m, W: m x D) until the loss stops falling.

    A step is accepted when the loss falls and the gradient field is close to linear over it,
    ``|g(theta + s) - g(theta) - H s| <= nonlinearity * |g(theta)|`` (there the step follows the flow's
    limit, see the module docstring); then h doubles, otherwise it is quartered.
    """
    m, D = W.shape
    theta = np.concatenate([a[:, None], W], axis=1).ravel()
    h, t, steps = h0, 0.0, 0

    def split(th):
        block = th.reshape(m, D + 1)
        return block[:, 0], block[:, 1:]

    e, J, H = model.jacobian_and_hessian(*split(theta), X, y)
    loss, g = 0.5 * e @ e, J.T @ e
    trace = [(t, float(loss), test_error(model, *split(theta), *test_set))]
    while steps < max_steps and loss > loss_floor and h_max > h > 1e-12:
        try:
            step = np.linalg.solve(np.eye(len(theta)) + h * H, -h * g)
        except np.linalg.LinAlgError:
            h /= 4
            continue
        trial = theta + step
        e2, J2, H2 = model.jacobian_and_hessian(*split(trial), X, y)
        loss2, g2 = 0.5 * e2 @ e2, J2.T @ e2
        linear = np.linalg.norm(g2 - g - H @ step) <= nonlinearity * np.linalg.norm(g)
        if not (np.isfinite(loss2) and loss2 <= loss and linear):
            h /= 4
            continue
        theta, e, J, H, loss, g = trial, e2, J2, H2, loss2, g2
        t += h
        steps += 1
        h *= 2
        trace.append((t, float(loss), test_error(model, *split(theta), *test_set)))
    a, W = split(theta)
    return Limit(a.copy(), W.copy(), trace)


def test_error(model, a, W, X_test, y_test):
    """1/2 the mean squared error on a held-out set (the population loss R as a Monte Carlo mean)."""
    with np.errstate(over="ignore", invalid="ignore"):
        e = model.outputs(a[None], W[None], X_test[None])[0] - y_test
        return 0.5 * float(np.mean(e * e))


def decide(limit):
    """(outcome, why) for a :class:`Limit` (None: the run diverged); outcome is "recovered", "not recovered"
    or "undecided".

    Only the limit decides: a point of Q* has test error 0, and a limit found to ~1e-14 in the
    parameters shows an error of order 1e-28 in float64, so an error <= RECOVERED_BELOW is read as 0;
    a global minimum of the training loss (loss <= GLOBAL_MINIMUM_BELOW) with an error >=
    NOT_RECOVERED_ABOVE is a non-generalizing global minimum (those seen are at 1e-8 .. 1e-1). Any
    other end is undecided: near a degenerate branch the loss decays like a power of t, and the
    trend of test error against loss on the way there was found to misread stalling runs (re-run to
    1e7 steps, half of the trend's "recovered" runs stopped at a test error of 1e-4 .. 3e-7).

    >>> decide(Limit(np.zeros(1), np.zeros((1, 1)), [(0.0, 1e-12, 1e-9)]))[0]
    'undecided'
    """
    if limit is None:
        return "undecided", "the run diverged"
    return decide_at(limit.loss, limit.error)


def decide_at(loss, error):
    """:func:`decide` from the limit's training loss and test error alone (a stored row is re-decided this way)."""
    if not np.isfinite(loss):
        return "undecided", "the run diverged"
    if error <= RECOVERED_BELOW:
        return "recovered", f"test error {error:.1e} <= {RECOVERED_BELOW:.0e}"
    if error >= NOT_RECOVERED_ABOVE and loss <= GLOBAL_MINIMUM_BELOW:
        return "not recovered", (f"a global minimum of the training loss ({loss:.1e}) with test error "
                                 f"{error:.1e} >= {NOT_RECOVERED_ABOVE:.0e}")
    return "undecided", (f"the followed limit has training loss {loss:.1e} and test error {error:.1e}: neither "
                         f"a zero test error (<= {RECOVERED_BELOW:.0e}) nor a global minimum (loss <= "
                         f"{GLOBAL_MINIMUM_BELOW:.0e}) with test error >= {NOT_RECOVERED_ABOVE:.0e}")
