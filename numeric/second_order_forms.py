"""What the second- and third-order decisions share (docs/theory.md §6c, §6 (g)): the structural kernel K of
J_n that the identities of sigma explain (groups of neurons with equal or opposite input weights, zero neurons), the
set-up of one decision (U, V, Lambda and the kernel at a point), the Hessian combinations and norm bounds on a box,
the radius search, and quadratic forms on arcs of directions. The decisions are in :mod:`.second_order` and
:mod:`.third_order`; their re-check, which uses none of this, in :mod:`.reverify_second_order`.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np
from flint import arb, arb_mat

from ..base.errors import InputError
from ..symbolic.activations import z
from ..symbolic.constants import sign
from .evaluate import activation_function, as_arb_matrix
from .precision import to_arb


def _neuron_groups(act, point, tangent):
    """Neurons grouped by input weight up to sigma's symmetry, with the groups' relations checked to hold along
    the whole branch (every tangent vector moves the members alike). (groups, None) or (None, reason)."""
    sym = act.symmetry
    d = point.d
    neurons = [[Fraction(v) for v in nrn] for nrn in point.neurons]
    groups = []
    for k, (_, *w) in enumerate(neurons):
        for group in groups:
            s = sym.relate(w, neurons[group[0][0]][1:])
            if s is not None:
                group.append((k, s))
                break
        else:
            groups.append([(k, 1)])

    def w_of(vector, k):
        return vector[k * (d + 1) + 1:(k + 1) * (d + 1)]

    for group in groups:
        rep = group[0][0]
        zero = all(v == 0 for v in neurons[rep][1:])
        for tau in tangent:
            if zero and any(w_of(tau, rep)):
                return None, f"neuron {rep + 1} has w = 0, and the branch moves it"
            for k, s in group[1:]:
                if any(x != s * y for x, y in zip(w_of(tau, k), w_of(tau, rep))):
                    return None, (f"neurons {rep + 1} and {k + 1} share a direction at this point but not along "
                                  "the branch (the rank changes along it)")
            if all(neurons[k][0] == 0 for k, _ in group) and any(tau[k * (d + 1)] for k, _ in group):
                return None, (f"the output weights of neurons {[k + 1 for k, _ in group]} are all 0 here but not "
                              "along the branch (the rank changes along it)")
    return groups, None


def _is_zero(act, order):
    try:
        return sign(act.derivative(order).subs(z, 0)) == 0
    except InputError:
        return False    # undecided: no identity is claimed (a relation missed only costs a conclusion)


class _Kernel:
    """Vectors Z(a) with J_n(theta) Z(a) = 0 for every theta on the branch (a = its output weights), from the
    identities sigma(s u) = eps sigma(u), sigma'(s u) = eta sigma'(u) inside each group and sigma(0) = 0 or
    sigma'(0) = 0 for a group at w = 0. Entries are built from the a's by + - * /, so the same code gives exact
    Fractions at theta° and arb enclosures over a box."""

    def __init__(self, act, point, groups):
        self.d, self.m = point.d, point.m
        sym = act.symmetry
        self.plan = []   # (kind, k, l, partner, factor-spec)
        self.at_zero = set()   # indices into plan of the w-pairs of a group at w = 0
        self.relation = {}     # neuron -> s with w_k = s w_rep inside its group
        neurons = [[Fraction(v) for v in nrn] for nrn in point.neurons]
        for group in groups:
            rep = group[0][0]
            self.relation.update(dict(group))
            zero = all(v == 0 for v in neurons[rep][1:])
            if zero and _is_zero(act, 0):
                self.plan += [("a", k, None, None, None) for k, _ in group]
            else:
                self.plan += [("a-pair", k, None, rep, sym.output_sign(s)) for k, s in group[1:]]
            alive = [k for k, _ in group if neurons[k][0] != 0]
            if (zero and _is_zero(act, 1)) or not alive:
                self.plan += [("w", k, l, None, None) for k, _ in group for l in range(self.d)]
                continue
            pivot = max(alive, key=lambda k: abs(neurons[k][0]))
            # sigma' is even for odd sigma and odd for even sigma: eta = s for even sigma, 1 otherwise
            eta = {k: (s if sym.flip_sign == 1 else 1) for k, s in group}
            first = len(self.plan)
            self.plan += [("w-pair", k, l, pivot, (eta[k], eta[pivot])) for k, _ in group if k != pivot
                          for l in range(self.d)]
            if zero:
                self.at_zero.update(range(first, len(self.plan)))

    def vectors(self, a, zero=0, one=1):
        """The kernel vectors (lists of length M) for output weights ``a``."""
        d, M = self.d, self.m * (self.d + 1)
        out = []
        for kind, k, l, partner, spec in self.plan:
            v = [zero] * M
            if kind == "a":
                v[k * (d + 1)] = one
            elif kind == "a-pair":
                v[k * (d + 1)], v[partner * (d + 1)] = one, -spec * one
            elif kind == "w":
                v[k * (d + 1) + 1 + l] = one
            else:
                eta_k, eta_p = spec
                v[k * (d + 1) + 1 + l] = one
                v[partner * (d + 1) + 1 + l] = -(a[k] * eta_k) / (a[partner] * eta_p)
            out.append(v)
        return out

    def pivots(self):
        return sorted({partner for kind, _, _, partner, _ in self.plan if kind == "w-pair"})


def _square(x):
    """x^2 as |x| |x| (arb's ** goes through exp/log: NaN on a ball containing 0)."""
    return abs(x) * abs(x)


def _frobenius_upper(matrix):
    """An exact arb >= the spectral norm of every matrix in the enclosure (the smaller of the Frobenius norm
    and sqrt(||.||_1 ||.||_inf), both upper bounds of it), or None when the enclosure blew up."""
    entries = matrix.entries()
    if not all(e.is_finite() for e in entries):
        return None
    frobenius = sum((abs(e).upper() ** 2 for e in entries), arb(0)).sqrt().upper()
    # sqrt(|B|_1 |B|_inf): the largest column and row sums, each rounded up before the maximum is taken
    rows = [sum((abs(matrix[i, j]) for j in range(matrix.ncols())), arb(0)).upper() for i in range(matrix.nrows())]
    columns = [sum((abs(matrix[i, j]) for i in range(matrix.nrows())), arb(0)).upper()
               for j in range(matrix.ncols())]
    product = (max(columns, default=arb(0)) * max(rows, default=arb(0))).sqrt().upper()
    return frobenius if not product < frobenius else product


def _exact(array):
    """An arb_mat of the exact binary values of a float array (a fixed matrix: no rounding error enters)."""
    return arb_mat([[arb(float(v)) for v in row] for row in np.atleast_2d(array)])


def _positive_definite_above(S, mu, R):
    """True when every symmetric matrix of the enclosure S satisfies S - mu I > 0: Gershgorin's discs of
    R^T (S - mu I) R (R a fixed invertible matrix; congruence keeps the inertia) lie right of 0."""
    q = S.nrows()
    shifted = arb_mat([[(S[i, j] + S[j, i]) / 2 - (mu if i == j else 0) for j in range(q)] for i in range(q)])
    P = R.transpose() * shifted * R
    for i in range(q):
        off = sum((abs(P[i, j]) for j in range(q) if j != i), arb(0))
        if not P[i, i] - off > 0:
            return False
    return True


def hessian_combination(act, network, X, weights):
    """sum_i weights_i Hess_theta f(x_i) as an M x M arb_mat (``network`` and ``weights`` may be balls).

    Per neuron k the Hessian of a_k sigma(w_k.x) has the blocks d2/da dw = sigma'(w_k.x) x and
    d2/dw2 = a_k sigma''(w_k.x) x x^T (docs/theory.md §2); other blocks vanish.
    """
    d, m = network.d, network.m
    W = as_arb_matrix(network.input_weights)
    a = [to_arb(v) for v in network.output_weights]
    Z = (X * W.transpose()).tolist()
    sig = activation_function(act, (1, 2))
    values = [[sig(zik) for zik in row] for row in Z]
    Xt = X.transpose()
    G = arb_mat(m * (d + 1), m * (d + 1))
    for k in range(m):
        first = arb_mat([[weights[i] * values[i][k][0]] for i in range(len(Z))])
        cross = Xt * first
        scaled = arb_mat([[weights[i] * values[i][k][1] * X[i, l] for l in range(d)] for i in range(len(Z))])
        block = (Xt * scaled) * a[k]
        base = k * (d + 1)
        for p in range(d):
            G[base, base + 1 + p] = cross[p, 0]
            G[base + 1 + p, base] = cross[p, 0]
            for r in range(d):
                G[base + 1 + p, base + 1 + r] = block[p, r]
    return G


def hessian_norm_upper(act, network, X):
    """An exact arb >= sqrt(sum_i ||Hess f(x_i)||_F^2) for every theta in ``network`` (a box), or None."""
    W = as_arb_matrix(network.input_weights)
    a = [to_arb(v) for v in network.output_weights]
    Z = (X * W.transpose()).tolist()
    sig = activation_function(act, (1, 2))
    total = arb(0)
    for i, row in enumerate(Z):
        x2 = sum((X[i, l] ** 2 for l in range(X.ncols())), arb(0))
        for ak, zik in zip(a, row):
            first, second = sig(zik)
            total += 2 * abs(first).upper() ** 2 * x2 + (abs(ak) * abs(second)).upper() ** 2 * x2 * x2
    return total.sqrt().upper() if total.is_finite() else None


@dataclass
class _Setup:
    """The fixed matrices of the certificate (all exact), chosen once at theta°."""
    theta: list            # theta° (Fractions)
    d: int
    QN: arb_mat            # M x c, orthonormal columns spanning N (exact up to the sqrt's enclosure)
    kernel: _Kernel
    chosen: list           # indices of the kernel vectors kept (independent mod T at theta°)
    V: arb_mat             # c x rho, N-coordinates of the complement
    U: arb_mat             # rho x n
    Lam: arb_mat           # (n - rho) x n
    X: arb_mat             # the samples
    dps: int
    third: list = None     # third order: [(kind, c, arc, bound)], kind "cubic" (|c^T L D^3 F_n[Ku, Ku, Ku]| > bound
    #                        |u|^3 on the cone over the arc) or "quadratic" (|y(u)| > bound |u|^2, Lemma (g4))
    # Lemma (g4): (pivot, l, [(k, eps_k, row of w_{k,l})]); the curvature column joins J_n V
    augment: tuple | None = None
    pieces: list = None    # [(c, arc, mu, R)]: combination c (1 x (n - rho)) positive with margin mu on the cone


def _kernel_y(setup, a):
    """N-coordinates (c x q) of the kept kernel vectors at output weights ``a``."""
    vectors = setup.kernel.vectors(a, arb(0), arb(1))
    Z = arb_mat([[vectors[j][i] for j in setup.chosen] for i in range(setup.QN.nrows())])
    return setup.QN.transpose() * Z


def _radius(holds, largest=Fraction(1, 4), smallest=Fraction(1, 2 ** 60)):
    """Three quarters of the largest dyadic delta (halving, then six bisection steps) with ``holds(delta)``, an exact
    dyadic mpf, or None.

    The inequality holds there as well (checked); the slack lets the separate re-verification, whose enclosures
    are a little looser (a Neumann inverse instead of arb's), confirm the radius instead of failing at the edge."""
    delta = largest
    while delta >= smallest and not holds(delta):
        delta /= 2
    if delta < smallest:
        return None
    low, high = delta, 2 * delta
    for _ in range(6):
        middle = (low + high) / 2
        low, high = (middle, high) if holds(middle) else (low, middle)
    low = low * 3 / 4
    if not holds(low):
        return None
    return mpmath.mpf(low.numerator) / low.denominator


def _arc_angles(arc):
    lo, hi = arc
    return arb(lo).union(arb(hi))


def _positive_on_arc(S, mu, arc):
    """u^T S u > mu for every u = (cos phi, sin phi), phi in the arc, and every S of the enclosure (q = 2)."""
    phi = _arc_angles(arc)
    c, s = phi.cos(), phi.sin()
    value = S[0, 0] * c * c + (S[0, 1] + S[1, 0]) * c * s + S[1, 1] * s * s
    return bool(value > mu)
