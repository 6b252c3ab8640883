"""Claim C1: closed-form gradient and Hessian of the empirical loss (docs/theory.md §2).

(a) the closed forms derived by sympy for symbolic m, d agree exactly with
    sympy's direct differentiation of the fully expanded loss, for every
    (m, d) with m, d <= 2 and a generic (undefined) sigma;
(b) the arb evaluator's gradient and Hessian agree with ``mpmath.diff`` applied
    to an independent mpmath implementation of the loss, to dps - 10 digits;
(c) on a point of Q_n (the target with a split neuron and null neurons) the
    Hessian equals (1/n) J^T J: every entry of the difference is a ball that
    contains 0 and is below 10^-(dps-10).
"""
import itertools
from fractions import Fraction

import mpmath
import sympy as sp

from ..base.precision import working_precision
from ..numeric.evaluate import evaluate, evaluate_hessian
from ..numeric.network import Network, gaussian_inputs, random_network
from ..numeric.precision import arb_to_mpf, decimal_string, to_mpf
from ..symbolic.activations import activation, z
from ..symbolic.model import closed_form_loss_derivatives, expanded_loss
from .result import Check, Result

TITLE = "closed-form gradient and Hessian of R_n"


def check_symbolic(sizes=((1, 1), (1, 2), (2, 1), (2, 2)), samples=2) -> Result:
    """C1(a): closed forms against direct differentiation of the expanded loss, generic sigma."""
    checks = []
    for m, d in sizes:
        loss, theta = expanded_loss(m, d, samples)
        grad, hess, _ = closed_form_loss_derivatives(m, d, samples)
        direct_grad = sp.Matrix([sp.diff(loss, t) for t in theta])
        direct_hess = sp.hessian(loss, theta)
        for what, closed, direct in (("gradient", grad, direct_grad), ("Hessian", hess, direct_hess)):
            difference = sp.simplify((closed - direct).doit())
            nonzero = sum(1 for v in difference if v != 0)
            checks.append(Check(f"(m, d) = ({m}, {d}): closed-form {what} - direct {what}",
                                f"{nonzero} non-zero entries of {len(difference)}", "0 non-zero entries",
                                "exact (sympy simplify)", nonzero == 0, "exact"))
    config = {"activation": "generic sigma", "sizes": [list(s) for s in sizes], "samples": samples}
    return Result("C1", TITLE + " (symbolic, every analytic sigma)", config, checks)


def _mpmath_loss(act, inputs, values, m, d):
    """The loss as plain mpmath code: an implementation independent of the arb evaluator."""
    sig = sp.lambdify(z, act.expr, "mpmath")
    xs = [[to_mpf(v) for v in x] for x in inputs]

    def loss(*theta):
        total = 0
        for x, y in zip(xs, values):
            f = 0
            for k in range(m):
                base = k * (d + 1)
                f += theta[base] * sig(mpmath.fsum(theta[base + 1 + l] * x[l] for l in range(d)))
            total += (f - y) ** 2
        return total / (2 * len(xs))

    return loss


def q_n_point(target, width, seed):
    """A point of Q* (hence of Q_n): the target with its first neuron split 1/3 : 2/3
    and null neurons (a = 0, random w) up to ``width``."""
    neurons = list(target.neurons)
    if width > len(neurons):
        a, *w = neurons[0]
        neurons[0] = (a / 3, *w)
        neurons.append((2 * a / 3, *w))
    nulls = random_network(width - len(neurons), target.d, seed).neurons if width > len(neurons) else ()
    neurons.extend((Fraction(0), *nrn[1:]) for nrn in nulls)
    return Network(tuple(neurons))


def check_numeric(activation_name, width, d, target_width, samples, seed, dps=50) -> Result:
    """C1(b) and C1(c) for one activation and size."""
    act = activation(activation_name)
    config = {"activation": activation_name, "m*": target_width, "m": width, "d": d, "n": samples,
              "seed": seed, "dps": dps}
    target = random_network(target_width, d, seed)
    theta = random_network(width, d, seed + 1)
    inputs = gaussian_inputs(samples, d, seed + 2)
    tolerance = mpmath.mpf(10) ** (-(dps - 10))
    checks = []
    with working_precision(dps):
        ev = evaluate_hessian(act, theta, inputs, target, dps=dps)
        values = [arb_to_mpf(v) for v in evaluate(act, target, inputs, target=target, dps=dps).outputs]
        loss = _mpmath_loss(act, inputs, values, width, d)
        point = [to_mpf(v) for v in theta.flat()]
        M = len(point)
        grad_fd = [mpmath.diff(loss, point, tuple(int(r == p) for r in range(M))) for p in range(M)]
        hess_fd = {}
        for p, q in itertools.combinations_with_replacement(range(M), 2):
            order = tuple(int(r == p) + int(r == q) for r in range(M))
            hess_fd[p, q] = mpmath.diff(loss, point, order)
        grad = [arb_to_mpf(ev.gradient[p, 0]) for p in range(M)]
        hess = {(p, q): arb_to_mpf(ev.hessian[p, q]) for p, q in hess_fd}
        for what, ours, reference in (("gradient", grad, grad_fd), ("Hessian", list(hess.values()),
                                                                    list(hess_fd.values()))):
            scale = max(1, max(abs(v) for v in reference))
            error = max(abs(u - v) for u, v in zip(ours, reference)) / scale
            checks.append(Check(f"(b) {what}: closed form (arb) vs mpmath.diff of the mpmath loss",
                                f"max relative difference {decimal_string(error, 3)}", "0",
                                f"<= 1e-{dps - 10}", bool(error <= tolerance), "estimate"))
        # (c) on Q_n the e-weighted term vanishes: H = (1/n) J^T J
        point_q = q_n_point(target, width, seed + 3)
        ev_q = evaluate_hessian(act, point_q, inputs, target, dps=dps)
        gauss_newton = ev_q.jacobian.transpose() * ev_q.jacobian / samples
        difference = (ev_q.hessian - gauss_newton).entries()
        all_contain_zero = all(e.contains(0) for e in difference)
        bound = max(arb_to_mpf(abs(e).upper()) for e in difference)
        scale = max(1, max(abs(arb_to_mpf(e)) for e in ev_q.hessian.entries()))
        residual = max(arb_to_mpf(abs(e).upper()) for e in ev_q.residuals)
        checks.append(Check("(c) on Q_n: every residual ball contains 0", f"max |e_i| <= {decimal_string(residual, 3)}",
                            "0", "ball contains 0", all(e.contains(0) for e in ev_q.residuals), "certificate"))
        checks.append(Check("(c) on Q_n: Hessian - (1/n) J^T J (interval enclosure)",
                            f"every entry contains 0: {all_contain_zero}; |entries| <= {decimal_string(bound, 3)}",
                            "0", f"contains 0 and <= 1e-{dps - 10} x {decimal_string(scale, 3)}",
                            bool(all_contain_zero and bound <= tolerance * scale), "certificate"))
    return Result("C1", TITLE, config, checks)
