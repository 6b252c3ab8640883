"""Certified zeros of square residual systems (Krawczyk's test) and certified non-generalization.

For n samples and M = n parameters, ``F(theta) = (f_theta(x_i) - y_i)_i`` maps R^M to R^M. Given an
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
from typing import TYPE_CHECKING

from flint import arb, arb_mat

from ..errors import InputError
from .evaluate import as_arb_matrix, evaluate
from .network import Network
from .precision import arb_to_mpf, ball_box, to_mpf, working_precision

if TYPE_CHECKING:  # for annotations only: no import cycle at run time
    from ..symbolic.activations import Activation


@dataclass
class ZeroCertificate:
    """A verified box ``center ± radius`` (max-norm) holding exactly one zero of F, or why none was verified."""
    center: list                 # exact mpf coordinates of c
    radius: object               # exact dyadic mpf, or None when no box was verified
    contraction: object = None   # max_i |K_i - c_i| (upper bound) for the verified box
    reason: str = ""

    @property
    def verified(self) -> bool:
        return self.radius is not None

    def box(self) -> list:
        """The box as arb balls (each contains [c_i - rho, c_i + rho])."""
        return ball_box(self.center, self.radius)


def certify_zero(act: Activation, approx: Network, target: Network, inputs, dps: int = 50,
                 exponents=None) -> ZeroCertificate:
    """Krawczyk's test around ``approx`` for the residuals on ``inputs`` (n = M), radii 2^-k for k in ``exponents``.

    Tried from the smallest box up: the first box that passes is returned (small boxes pass when the
    approximate zero is good; larger ones when the Jacobian varies little).
    """
    M = approx.m * (approx.d + 1)
    with working_precision(dps):
        X = as_arb_matrix(inputs)
        if X.nrows() != M:
            raise InputError(f"Krawczyk's test needs a square system: {X.nrows()} samples for {M} parameters")
        center = [to_mpf(v) for v in approx.flat()]
        at_center = evaluate(act, Network.from_flat(center, approx.d), X, target=target, dps=dps)
        midpoint = arb_mat([[arb(arb_to_mpf(at_center.jacobian[i, j])) for j in range(M)] for i in range(M)])
        try:
            inverse = midpoint.inv()
        except ZeroDivisionError:
            return ZeroCertificate(center, None, reason="the Jacobian at the approximate zero is singular")
        Y = arb_mat([[arb(arb_to_mpf(inverse[i, j])) for j in range(M)] for i in range(M)])  # exact points
        F = arb_mat([[r] for r in at_center.residuals])
        identity = arb_mat([[int(i == j) for j in range(M)] for i in range(M)])
        exponents = exponents or [int(3.32 * dps) * 2 // 3, int(3.32 * dps) // 2, int(3.32 * dps) // 3, 40, 20, 10]
        for k in exponents:
            rho = arb(2) ** -k
            box = Network.from_flat(ball_box(center, rho), approx.d)
            JX = evaluate(act, box, X, target=target, dps=dps).jacobian
            offset = -(Y * F) + (identity - Y * JX) * arb_mat([[arb(0, rho)] for _ in range(M)])
            widest = max(abs(offset[i, 0]).upper() for i in range(M))
            if widest < rho:   # K(X) - c inside the open box of radius rho: ball comparison, rigorous
                return ZeroCertificate(center, arb_to_mpf(rho), arb_to_mpf(widest))
        return ZeroCertificate(center, None, reason="K(X) is not inside X for any radius tried")


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

