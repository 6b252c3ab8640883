"""Certified zeros of square residual systems (Krawczyk's test) and certified non-generalization.

For n samples and M = n parameters, ``F(theta) = (f_theta(x_i) - y_i)_i`` maps R^M to R^M (with n < M,
M - n coordinates are held at exact values and F maps the other n to R^n). Given an
approximate zero c, a box X = c + [-rho, rho]^M and a fixed matrix Y (the midpoint inverse of J_F(c)),
Krawczyk's operator is

    K(X) = c - Y F(c) + (I - Y J_F(X)) (X - c).

**Theorem** (Krawczyk; Moore). If K(X) lies in the interior of X, then F has exactly one zero in X, and
every matrix in J_F(X) is non-singular. Every quantity here is enclosed in arb balls, so the containment
test is rigorous: a success is a certificate.

Non-singularity makes the zero persist: by the implicit function theorem a zero of the same kind exists
for every input set near the given one, i.e. for a set of inputs of positive measure.

:func:`certify_mismatch` proves that a box contains no point of Q*: at a probe input x0 the enclosure of
f_theta(x0) - f*(x0) over the whole box excludes 0, so f_theta != f* for every theta in the box (and its
population loss is positive, f_theta - f* being analytic and not identically zero).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import mpmath
import numpy as np
from flint import arb, arb_mat

from ..base.errors import InputError
from ..base.precision import working_precision
from .evaluate import as_arb_matrix, evaluate
from .network import Network
from .precision import arb_to_mpf, ball_box, to_arb, to_mpf
from .problem import Problem

if TYPE_CHECKING:  # for annotations only: no import cycle at run time
    from ..symbolic.activations import Activation


@dataclass
class ZeroCertificate:
    """A verified box ``center ± radius`` (max-norm) holding exactly one zero of F, or why none was verified.

    With fewer samples than parameters only the coordinates in ``free`` vary (n of them: the system is
    square in them); the others are held at their exact center values, and the box is flat there.
    """
    center: list                 # exact mpf coordinates of c
    radius: mpmath.mpf | None    # exact dyadic mpf, or None when no box was verified
    contraction: mpmath.mpf | None = None # max_i |K_i - c_i| (upper bound) for the verified box
    reason: str = ""
    free: tuple = ()             # the coordinates that vary (all when n = M)

    @property
    def verified(self) -> bool:
        return self.radius is not None

    def box(self) -> list:
        """The box as arb balls (each free one contains [c_i - rho, c_i + rho]; fixed ones are exact)."""
        return _box(self.center, self.radius, self.free)


def _box(center, rho, free):
    widths = ball_box(center, rho)
    return [widths[i] if i in free else to_arb(center[i]) for i in range(len(center))]


def free_coordinates(jacobian, n):
    """n columns of the (midpoint) Jacobian chosen greedily by largest remaining norm (pivoted Gram-Schmidt):
    any choice is rigorous, a well-conditioned one lets Krawczyk's test pass on larger boxes."""
    J = np.array([[float(arb_to_mpf(jacobian[i, j])) for j in range(jacobian.ncols())]
                  for i in range(jacobian.nrows())])
    chosen, basis = [], []
    for _ in range(n):
        residual = J.copy()
        for q in basis:
            residual -= np.outer(q, q @ residual)
        norms = np.linalg.norm(residual, axis=0)
        norms[chosen] = -1
        best = int(np.argmax(norms))
        chosen.append(best)
        if norms[best] > 0:   # a zero column (repeated or zero inputs) adds nothing to the span
            basis.append(residual[:, best] / norms[best])
    return tuple(sorted(chosen))


def certify_zero(problem: Problem, approx: Network, exponents=None, free=None) -> ZeroCertificate:
    """Krawczyk's test around ``approx`` for the residuals on ``inputs``, radii 2^-k for k in ``exponents``.

    n = M: every coordinate varies. n < M: ``free`` (default: :func:`free_coordinates`) names the n that
    vary, the rest are fixed at ``approx``'s values. Tried from the smallest box up: the first box that
    passes is returned (small boxes pass when the approximate zero is good; larger ones when the Jacobian
    varies little).
    """
    act, target, inputs, dps = problem.act, problem.target, problem.inputs, problem.dps
    M = approx.m * (approx.d + 1)
    with working_precision(dps):
        X = as_arb_matrix(inputs)
        n = X.nrows()
        if n > M:
            raise InputError(f"Krawczyk's test needs at most as many samples as parameters: {n} samples for {M} "
                             "parameters")
        center = [to_mpf(v) for v in approx.flat()]
        at_center = evaluate(act, Network.from_flat(center, approx.d), X, target=target, dps=dps)
        free = tuple(range(M)) if n == M else tuple(free or free_coordinates(at_center.jacobian, n))
        if len(free) != n:
            raise InputError(f"Krawczyk's test needs {n} free coordinates, got {len(free)}")
        midpoint = arb_mat([[arb(arb_to_mpf(at_center.jacobian[i, j])) for j in free] for i in range(n)])
        try:
            inverse = midpoint.inv()
        except ZeroDivisionError:
            return ZeroCertificate(center, None, reason="the Jacobian at the approximate zero is singular",
                                   free=free)
        Y = arb_mat([[arb(arb_to_mpf(inverse[i, j])) for j in range(n)] for i in range(n)])  # exact points
        F = arb_mat([[r] for r in at_center.residuals])
        identity = arb_mat([[int(i == j) for j in range(n)] for i in range(n)])
        exponents = exponents or [int(3.32 * dps) * 2 // 3, int(3.32 * dps) // 2, int(3.32 * dps) // 3, 40, 20, 10]
        for k in exponents:
            rho = arb(2) ** -k
            box = Network.from_flat(_box(center, rho, free), approx.d)
            full = evaluate(act, box, X, target=target, dps=dps).jacobian
            JX = arb_mat([[full[i, j] for j in free] for i in range(n)])
            offset = -(Y * F) + (identity - Y * JX) * arb_mat([[arb(0, rho)] for _ in range(n)])
            widest = max(abs(offset[i, 0]).upper() for i in range(n))
            if widest < rho:   # K(X) - c inside the open box of radius rho: ball comparison, rigorous
                return ZeroCertificate(center, arb_to_mpf(rho), arb_to_mpf(widest), free=free)
        return ZeroCertificate(center, None, reason="K(X) is not inside X for any radius tried", free=free)


def reverify_zero(act, zero, d, target, inputs, dps) -> bool:
    """Krawczyk's inclusion recomputed at the certificate's radius, independently of :func:`certify_zero`.

    Y is mpmath's inverse of the midpoint Jacobian (not flint's), and each component of K(X) - c is summed
    entry by entry; any Y is allowed by the theorem, so agreement is a second, separate proof.
    """
    free = zero.free or tuple(range(len(zero.center)))
    with working_precision(dps):
        X = as_arb_matrix(inputs)
        n = len(free)
        rho = to_arb(zero.radius)
        at_center = evaluate(act, Network.from_flat(zero.center, d), X, target=target, dps=dps)
        midpoint = mpmath.matrix([[arb_to_mpf(at_center.jacobian[i, j]) for j in free] for i in range(n)])
        try:
            inverse = midpoint ** -1
        except ZeroDivisionError:
            return False
        Y = [[to_arb(inverse[i, j]) for j in range(n)] for i in range(n)]
        JX = evaluate(act, Network.from_flat(zero.box(), d), X, target=target, dps=dps).jacobian
        for i in range(n):
            k = -sum((Y[i][j] * at_center.residuals[j] for j in range(n)), arb(0))
            for j, column in enumerate(free):
                row = int(i == j) - sum((Y[i][l] * JX[l, column] for l in range(n)), arb(0))
                k += row * arb(0, rho)
            if not abs(k).upper() < rho:
                return False
    return True


def certify_mismatch(act: Activation, box: list, d: int, target: Network, probes, dps: int = 50):
    """(probe, enclosure) with the enclosure of f_theta(x0) - f*(x0) over the box excluding 0, else None."""
    network = Network.from_flat(box, d)
    with working_precision(dps):
        for probe in probes:
            ev = evaluate(act, network, as_arb_matrix([probe]), target=target, dps=dps)
            difference = ev.residuals[0]
            if not difference.contains(0):
                return probe, difference
    return None


@dataclass
class UpperBound:
    """A certified non-generalizing global minimum near theta°: delta-bar = max |theta - theta°|_2 over a box
    that holds exactly one zero of the residuals (Krawczyk) and no point of Q* (a probe's enclosure of
    f_theta - f* excludes 0), rounded up."""
    distance: mpmath.mpf          # exact mpf >= |theta - theta°|_2 for every theta in the box
    zero: ZeroCertificate         # the krawczyk.ZeroCertificate
    probe: tuple                  # the input x0 with f_theta(x0) != f*(x0) on the whole box


def probe_inputs(d):
    """A few fixed inputs to separate f_theta from f* on a box: the unit vectors and the all-ones vector."""
    units = [tuple(Fraction(int(i == j)) for j in range(d)) for i in range(d)]
    return units + [tuple(Fraction(1) for _ in range(d)), tuple(Fraction(1 if j % 2 else -1, 2) for j in range(d))]


def certified_upper_bound(problem: Problem, point: Network, candidate: Network) -> UpperBound | None:
    """delta-bar for a candidate point of Q_n \\ Q* (e.g. found by a search), or None if it is not certified."""
    act, target, inputs, dps = problem.act, problem.target, problem.inputs, problem.dps
    if len(inputs) > candidate.m * (candidate.d + 1):
        return None   # more equations than unknowns: Krawczyk's test has no square subsystem to work on
    zero = certify_zero(problem, candidate)
    if not zero.verified:
        return None
    found = certify_mismatch(act, zero.box(), candidate.d, target, probe_inputs(candidate.d), dps=dps)
    if found is None:
        return None
    with working_precision(dps):
        rho = to_arb(zero.radius)
        total = arb(0)
        for i, (c, p) in enumerate(zip(zero.center, point.flat())):
            gap = abs(to_arb(c) - to_arb(p)) + (rho if i in zero.free else 0)
            total += gap * gap
        return UpperBound(arb_to_mpf(total.sqrt().upper()), zero, found[0])
