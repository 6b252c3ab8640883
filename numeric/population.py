"""The population loss R(theta) = 1/2 E_{x ~ N(0, I)} (f_theta(x) - f*(x))^2 (docs/theory.md §1).

For d <= 2: tensor Gauss–Hermite quadrature (probabilists' weight), nodes and
weights computed at the working precision by the Golub–Welsch eigenvalue method.
For d >= 3: a fixed held-out test set of 256 Gaussian points with its own seed.
With a bias the last input is the constant 1, not Gaussian: the expectation is over the first d - 1.

>>> with working_precision(30):
...     nodes, weights = gauss_hermite(3)
...     print(mpmath.nstr(sum(w * x**2 for x, w in zip(nodes, weights)), 12))
1.0
"""
import itertools
from functools import lru_cache

import mpmath

from ..base.precision import working_precision
from .evaluate import as_arb_matrix, evaluate
from .network import gaussian_inputs
from .precision import to_arb

QUADRATURE_ORDER = 16
TEST_SET_SIZE = 256
TEST_SET_SEED = 20230901


@lru_cache(maxsize=16)
def _gauss_hermite(order, dps):
    with mpmath.workdps(2 * dps):
        # Jacobi matrix of the probabilists' Hermite polynomials: off-diagonal sqrt(k)
        J = mpmath.zeros(order, order)
        for k in range(1, order):
            J[k, k - 1] = J[k - 1, k] = mpmath.sqrt(k)
        values, vectors = mpmath.eigsy(J)
        nodes = [values[i] for i in range(order)]
        weights = [vectors[0, i] ** 2 for i in range(order)]
    with mpmath.workdps(dps):
        return [+x for x in nodes], [+w for w in weights]


def gauss_hermite(order):
    """Nodes and weights of ``order``-point Gauss–Hermite quadrature for N(0, 1), at the current precision."""
    return _gauss_hermite(order, mpmath.mp.dps)


def population_points(d, dps, bias=False):
    """(points, weights, description) representing E over N(0, I_d) (with ``bias``: over x ~ N(0, I_(d-1)), (x, 1)).

    >>> population_points(2, 30, bias=True)[0][0][1]
    1
    """
    if bias:
        points, weights, description = population_points(d - 1, dps) if d > 1 else ([[]], [mpmath.mpf(1)], "")
        return [list(p) + [1] for p in points], weights, description + " and the constant input 1 of the bias"
    with working_precision(dps):
        if d <= 2:
            nodes, weights = gauss_hermite(QUADRATURE_ORDER)
            points = [list(p) for p in itertools.product(nodes, repeat=d)]
            wts = [mpmath.fprod(ws) for ws in itertools.product(weights, repeat=d)]
            return points, wts, f"Gauss-Hermite quadrature, {QUADRATURE_ORDER}^{d} nodes"
        points = gaussian_inputs(TEST_SET_SIZE, d, TEST_SET_SEED)
        return points, [mpmath.mpf(1) / TEST_SET_SIZE] * TEST_SET_SIZE, \
            f"held-out test set, {TEST_SET_SIZE} points, seed {TEST_SET_SEED}"


def population_loss(act, network, target, dps=50, bias=False):
    """(R(theta) as an arb ball, description of the quadrature)."""
    points, weights, description = population_points(network.d, dps, bias)
    with working_precision(dps):
        ev = evaluate(act, network, as_arb_matrix(points), target=target, dps=dps)
        # weights enter as arb balls: an mpf times an arb would go through a float
        total = sum((to_arb(w) * e * e for w, e in zip(weights, ev.residuals)), 0 * ev.residuals[0])
        return total / 2, description
