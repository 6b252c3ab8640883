"""Separation at degenerate points, decided to second order (docs/theory.md §6c; claim C5).

On a degenerate branch B (model rank r below the codimension c) the first-order lemma of
:mod:`.separation` never applies: J_n N has rank at most r < c. Write F_n(theta) = (f_theta(x_i) - y_i)_i,
N = T^perp (T the direction space of B), and split N = K ⊕ V where K is the part of ker J_n that the
identities of sigma explain (equal or opposite input weights inside a group of neurons, sigma(0) = 0, ...):
those hold for every theta' on B, so J_n(theta') K(theta') = 0 exactly. With U the rows of a basis of the
range of J_n V and Lambda the remaining rows, put L(theta') = Lambda - C A^-1 U (A = U J_n V, C = Lambda J_n V).

**Lemma** (derived here). Let X be the box |theta - theta°|_inf <= delta, ell = c^T L for a fixed vector c,
G = sum_i ell_i Hess f(x_i) enclosed over X (ell and the Hessians each over X), and suppose on X

* A is invertible (every matrix of the enclosure), and [K_y | V] is (coordinates of N);
* K^T G K - mu I is positive definite for a mu > 0 (Gershgorin after a fixed congruence);
* with beta = ||A^-1|| ||U|| ||H|| / 2 (||H||^2 = sum_i ||Hess f(x_i)||_F^2), W the K-rows of [K_y|V]^-1,
  g1 = ||K^T G V||, g2 = ||V^T G V|| and kappa = (1 - ||V|| beta delta) / ||K||:

      mu kappa^2 - 2 g1 ||W|| beta delta - g2 beta^2 delta^2 > 0.

Then Q_n ∩ B_2(theta°, delta) = B ∩ B_2(theta°, delta): the point is separated with radius delta.

*Proof* (docs/theory.md §6c). For theta ∈ Q_n in the ball let theta' be its orthogonal foot on B and
s = theta - theta' = K(theta') u + V v ∈ N. Taylor with Lagrange remainders gives
0 = F_n(theta) = J_n(theta') V v + H[s, s] / 2, since F_n(theta') = 0 and J_n(theta') K(theta') = 0. The U rows
give |v| <= beta |s|^2 <= beta delta |s|; eliminating v from the Lambda rows gives c^T L H[s, s] = s^T G s = 0,
while the bounds give s^T G s >= |s|^2 (mu kappa^2 - ...) > 0 unless s = 0.

When the forms q_lambda(h) = lambda^T D^2 F_n[h, h] on K have a common real zero h0 instead (or there are no
multipliers: J_n is onto), zeros of F_n leave theta° along h0; they are certified one by one by Krawczyk boxes
(:func:`.krawczyk.certified_upper_bound`) with f_theta != f* proven on each box. Anything else is INCONCLUSIVE,
with the reason.

>>> from twolayer.symbolic.activations import activation
>>> from twolayer.numeric.network import parse_network
>>> act, target = activation("tanh"), parse_network('[[1, "1/2"]]')
>>> point = parse_network('[["3/4", "1/2"], ["1/4", "1/2"]]')          # a split of the target neuron
>>> found = second_order(act, point, target, [["-3/2"], ["1/2"], ["5/4"], ["2"]])
>>> found.separated, found.kernel, found.multipliers, found.radius > 10 ** -4
(True, 1, 2, True)
"""
from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

import mpmath
import numpy as np
from flint import arb, arb_mat

from ..base.errors import InputError
from ..base.precision import working_precision
from ..symbolic.activations import z
from ..symbolic.constants import sign
from .classify import branch_constraints
from .evaluate import activation_function, as_arb_matrix, evaluate
from .exclusion import coordinate_basis
from .krawczyk import UpperBound, certify_mismatch, certify_zero, probe_inputs
from .network import Network
from .precision import arb_to_mpf, ball_box, float64_midpoints, to_arb, to_mpf
from .rank import exact_rank, range_rows

if TYPE_CHECKING:  # for annotations only: no import cycle at run time
    from ..symbolic.activations import Activation

#: the distances at which zeros off Q* are sought when the forms have a common real zero
EPSILONS = ("1e-1", "1e-2", "1e-3", "1e-4", "1e-5", "1e-6")
#: how many of them must be certified for "not separated"
ENOUGH_ZEROS = 4


@dataclass
class SecondOrder:
    """The second-order decision at one point and one sample set."""
    separated: object = None        # True (radius certified), False (zeros off Q* certified), None (inconclusive)
    reason: str = ""
    rank: object = None             # rho = dim V = rank J_n N when the structure accounts for the whole kernel
    kernel: int = 0                 # q = dim K (the structural kernel mod T)
    multipliers: int = 0            # n - rho: the number of quadratic forms
    form_lower: object = None       # certified mu: lambda_min of the combined form on K at theta° is >= mu (mpf)
    radius: object = None           # certified exclusion radius (exact dyadic mpf, rounded down)
    direction: object = None        # h0 in K-coordinates: a common real zero of the forms (not separated)
    zeros: list = field(default_factory=list)    # krawczyk.UpperBound per certified zero off Q*
    seconds: float = 0.0
    data: object = field(default=None, repr=False)   # what the re-verification needs (_Setup)
    method: str = "second order"

    @property
    def verdict(self):
        return {True: "separated", False: "not separated"}.get(self.separated, "inconclusive")


# ---------------------------------------------------------------------------------------------------------------
# the structural kernel


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


# ---------------------------------------------------------------------------------------------------------------
# matrices


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
    rows = [sum((abs(matrix[i, j]) for j in range(matrix.ncols())), arb(0)) for i in range(matrix.nrows())]
    columns = [sum((abs(matrix[i, j]) for i in range(matrix.nrows())), arb(0)) for j in range(matrix.ncols())]
    product = (max(rows, default=arb(0)) * max(columns, default=arb(0))).sqrt().upper()   # sqrt(|B|_inf |B|_1)
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


# ---------------------------------------------------------------------------------------------------------------
# the decision


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
    augment: object = None # Lemma (g4): (pivot, l, [(k, eps_k, row of w_{k,l})]); the curvature column joins J_n V
    pieces: list = None    # [(c, arc, mu, R)]: combination c (1 x (n - rho)) positive with margin mu on the cone
    #                        over ``arc`` (angles (lo, hi) of u in K-coordinates, q = 2) or on all of K (arc None,
    #                        Gershgorin after the congruence R)


def _kernel_y(setup, a):
    """N-coordinates (c x q) of the kept kernel vectors at output weights ``a``."""
    vectors = setup.kernel.vectors(a, arb(0), arb(1))
    Z = arb_mat([[vectors[j][i] for j in setup.chosen] for i in range(setup.QN.nrows())])
    return setup.QN.transpose() * Z


def _choose_independent(vectors, normal, lengths2):
    """Indices of kernel vectors whose projections on N are independent (decided exactly in N-coordinates
    n_j . v / |n_j|^2)."""
    chosen, rows = [], []
    for j, v in enumerate(vectors):
        coords = [sum(x * y for x, y in zip(nj, v)) / l2 for nj, l2 in zip(normal, lengths2)]
        trial = rows + [coords]
        if exact_rank(trial) == len(trial):
            chosen.append(j)
            rows.append(coords)
    return chosen, rows


def _best_combination(forms, seed=0):
    """A unit c (numpy) maximising lambda_min(sum_j c_j Q_j) by projected supergradient ascent from several
    starts (lambda_min is concave in c), and that value."""
    p = len(forms)
    scale = max(np.abs(Q).max() for Q in forms) or 1.0
    forms = [Q / scale for Q in forms]
    rng = np.random.default_rng(seed)
    starts = [s * np.eye(p)[j] for j in range(p) for s in (1.0, -1.0)] + list(rng.standard_normal((8, p)))
    best, best_value = None, -np.inf
    for c in starts:
        c = c / np.linalg.norm(c)
        step = 0.5
        for _ in range(150):
            S = sum(cj * Q for cj, Q in zip(c, forms))
            values, vectors = np.linalg.eigh((S + S.T) / 2)
            if values[0] > best_value:
                best, best_value = c.copy(), values[0]
            h = vectors[:, 0]
            g = np.array([h @ Q @ h for Q in forms])
            c = c + step * g
            c /= np.linalg.norm(c)
            step *= 0.97
    return best, best_value * scale


def _form_span(forms, relative=1e-9):
    """An orthonormal basis (as symmetric matrices) of the span of the forms, dropping directions below
    ``relative`` times the largest singular value; [] when every form vanishes (to float precision).

    Only used to choose a direction to follow: the zeros found along it are certified on their own."""
    if not forms:
        return []
    stacked = np.array([Q.ravel() for Q in forms])
    _, values, rows = np.linalg.svd(stacked, full_matrices=False)
    scale = max(abs(v) for Q in forms for v in Q.ravel())
    if scale < 1e-30 or values[0] < 1e-12 * scale:
        return []
    q = forms[0].shape[0]
    return [rows[j].reshape(q, q) for j in range(len(values)) if values[j] > relative * values[0]]


def _common_zero(forms, seed=0, tries=40):
    """A unit h with h^T Q_j h = 0 for all j and the zero regular on the sphere (float64 Gauss-Newton), with the
    smallest singular value of its Jacobian on the sphere's tangent; (None, None) if none is found."""
    q, p = forms[0].shape[0], len(forms)
    scale = max(np.abs(Q).max() for Q in forms) or 1.0
    forms = [(Q + Q.T) / (2 * scale) for Q in forms]
    rng = np.random.default_rng(seed)
    for _ in range(tries):
        h = rng.standard_normal(q)
        h /= np.linalg.norm(h)
        for _ in range(60):
            F = np.array([h @ Q @ h for Q in forms] + [h @ h - 1])
            Jf = np.array([2 * Q @ h for Q in forms] + [2 * h])
            step = np.linalg.lstsq(Jf, -F, rcond=None)[0]
            h = h + step
            if np.linalg.norm(step) < 1e-15:
                break
        h /= np.linalg.norm(h)
        if max(abs(h @ Q @ h) for Q in forms) < 1e-12:
            tangent = np.linalg.svd(h[None, :])[2][1:].T          # q x (q - 1)
            reduced = np.array([2 * Q @ h for Q in forms]) @ tangent
            smallest = np.linalg.svd(reduced, compute_uv=False)[-1] if p else 1.0
            if smallest > 1e-6:
                return h, float(smallest)
    return None, None


def second_order(act: Activation, point: Network, target: Network, inputs, dps: int = 50,
                 bias: bool = False, zeros: bool = True) -> SecondOrder:
    """Decide separation at a degenerate point to second order (module doc); ``zeros=False`` skips the Krawczyk
    boxes of the not-separated case (its decision is then None, with the common zero reported)."""
    started = time.perf_counter()
    out = SecondOrder()
    try:
        _decide(act, point, target, inputs, dps, bias, zeros, out)
    finally:
        out.seconds = time.perf_counter() - started
    return out


def _decide(act, point, target, inputs, dps, bias, zeros, out):
    rows = branch_constraints(act, point, target)
    if rows is None:
        out.reason = "the point is on no branch of Q*"
        return
    d, M, n = point.d, point.m * (point.d + 1), len(inputs)
    basis, k = coordinate_basis(rows, M)
    tangent, normal = basis[:k], basis[k:]
    c_dim = len(normal)
    groups, why = _neuron_groups(act, point, tangent)
    if groups is None:
        out.reason = f"no structural kernel: {why}"
        return
    kernel = _Kernel(act, point, groups)
    theta = [Fraction(v) for v in point.flat()]
    a0 = [Fraction(v) for v in point.output_weights]
    lengths2 = [sum(x * x for x in v) for v in normal]
    chosen, _ = _choose_independent(kernel.vectors(a0, Fraction(0), Fraction(1)), normal, lengths2)
    q = len(chosen)
    rho = c_dim - q
    out.kernel = q
    if not q:
        out.reason = ("no identity inside a neuron group gives a kernel direction across the branch: whatever "
                      "kernel J_n has comes from elsewhere, and nothing is decided")
        return
    with working_precision(dps):
        X = as_arb_matrix(inputs)
        QN = arb_mat([[to_arb(v[i]) / to_arb(l2).sqrt() for v, l2 in zip(normal, lengths2)] for i in range(M)])
        J0 = evaluate(act, point, X, dps=dps).jacobian
        setup = _Setup(theta, d, QN, kernel, chosen, None, None, None, X, dps)
        Ky = _kernel_y(setup, [to_arb(v) for v in a0])
        KM = QN * Ky
        if not all(e.contains(0) for e in (J0 * KM).entries()):
            raise RuntimeError("the structural kernel is not in ker J_n: a wrong identity")   # a bug, never input
        complement = np.linalg.svd(float64_midpoints(Ky), full_matrices=True)[0][:, q:]
        V = _exact(complement) if rho else arb_mat(c_dim, 0)
        if rho > n:
            out.reason = (f"rank J_n <= n = {n} < {rho}: the kernel of J_n is larger than the identities explain "
                          "(n below the model rank: the constructive sequence decides)")
            return _onto_zeros(act, point, target, inputs, dps, bias, zeros, out, J0 * QN, QN)
        JV = J0 * QN * V
        U = range_rows(JV) if rho else arb_mat(0, n)
        if U is None:
            out.reason = "J_n V is singular"
            return
        A0 = U * JV
        try:
            A0inv = A0.inv() if rho else A0
        except ZeroDivisionError:
            out.reason = (f"J_n V is not certified of rank {rho}: ker J_n has directions the identities of sigma "
                          "do not explain (a sample-dependent kernel), so the forms are not defined by structure")
            return
        out.rank, out.multipliers = rho, n - rho
        if n == rho:
            out.reason = f"J_n is onto (rank n = {n}): Q_n is a manifold of dimension M - n near theta°"
            return _zeros_along(act, point, target, inputs, dps, bias, zeros, out, KM, np.eye(q)[0])
        Lfull = np.linalg.svd(float64_midpoints(JV), full_matrices=True)[0][:, rho:].T if rho else np.eye(n)
        Lam = _exact(Lfull)
        C0 = Lam * JV
        L0 = Lam - C0 * A0inv * U if rho else Lam
        forms = []
        for j in range(n - rho):
            G = hessian_combination(act, point, X, [L0[j, i] for i in range(n)])
            forms.append(KM.transpose() * G * KM)
        mids = [(float64_midpoints(Q) + float64_midpoints(Q).T) / 2 for Q in forms]
        c, value = _best_combination(mids)
        setup.V, setup.U, setup.Lam = V, U, Lam
        pieces, how = None, ""
        if value > 0:
            S = sum((to_arb(float(cj)) * Q for cj, Q in zip(c, forms)), arb_mat(q, q))
            R = _exact(np.linalg.eigh(float64_midpoints(S))[1])
            mu = arb(float(value) / 4)   # the margin is shared: a quarter of lambda_min balances the two tests
            if _positive_definite_above(S, mu, R):
                pieces = [(_exact(c[None, :]), None, mu, R)]
                how = f"a combination of the {n - rho} forms is definite on K (dim {q})"
        if pieces is None and q == 2 and n - rho >= 2 and _common_zero(_form_span(mids))[0] is None:
            pieces = _arc_pieces(mids, forms)
            how = (f"no combination of the {n - rho} forms is definite on K (dim 2), but {len(pieces or ())} arcs "
                   "of directions each have a combination positive on their cone")
        if pieces:
            setup.pieces = pieces
            out.form_lower = to_mpf(min((mu for _, _, mu, _ in pieces), key=lambda m: float(m.mid())))
            out.data = setup
            radius = _radius(lambda delta: margin_holds(act, setup, delta))
            if radius is None:
                out.reason = (f"{how} (certified at theta°), but no radius above 2^-60 passed the remainder bound")
                return
            out.separated, out.radius = True, radius
            out.reason = f"{how}: lambda_min >= {float(out.form_lower):.3g}; remainder bound holds on the ball"
            return
        span = _form_span(mids)
        if not span:
            out.reason = (f"every one of the {n - rho} forms vanishes on K (dim {q}): the second order says nothing "
                          "(e.g. sigma''(0) = 0 at a zero class)")
            return _third_order(act, setup, out, tangent, L0, KM)
        h0, regular = _common_zero(span) if len(span) <= q - 1 else (None, None)
        if h0 is None:
            out.reason = (f"undecided: no combination of the {n - rho} forms on K (dim {q}) is definite (best "
                          f"lambda_min {value:.3g} of a unit combination) and they have no regular common real zero "
                          "(a cover of the sphere, or higher order, would decide)")
            return
        if len(span) == n - rho:
            out.reason = (f"the {n - rho} form(s) on K (dim {q}) have a regular common real zero (Jacobian's "
                          f"smallest singular value {regular:.3g} on the sphere)")
        else:
            out.reason = (f"the {n - rho} forms on K (dim {q}) span only {len(span)} dimension(s) and those have a "
                          f"regular common real zero: the other equations start at third order")
            if _beyond_span(act, setup, out, tangent, JV, KM):
                return
        return _zeros_along(act, point, target, inputs, dps, bias, zeros, out, KM, h0)


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


def margin_holds(act, setup, delta) -> bool:
    """The lemma's inequality on the box |theta - theta°|_inf <= delta (every quantity enclosed over the box)."""
    with working_precision(setup.dps):
        d, X, QN, V, U, Lam = setup.d, setup.X, setup.QN, setup.V, setup.U, setup.Lam
        box = Network.from_flat(ball_box(setup.theta, to_arb(delta)), d)
        a = [to_arb(v) for v in box.output_weights]
        if any(a[p].contains(0) for p in setup.kernel.pivots()):
            return False
        Ky = _kernel_y(setup, a)
        KM = QN * Ky
        VM = QN * V
        q, rho = Ky.ncols(), V.ncols()
        try:
            W = arb_mat([[Ky[i, j] for j in range(q)] + [V[i, j] for j in range(rho)]
                         for i in range(Ky.nrows())]).inv()
        except ZeroDivisionError:
            return False
        W = arb_mat([[W[i, j] for j in range(W.ncols())] for i in range(q)])
        J = evaluate(act, box, X, dps=setup.dps).jacobian
        JV = J * VM
        try:
            Ainv = (U * JV).inv()
        except ZeroDivisionError:
            return False
        L = Lam - (Lam * JV) * Ainv * U
        common = [_frobenius_upper(m) for m in (W, Ainv, U, KM, VM)] + [hessian_norm_upper(act, box, X)]
        if any(b is None for b in common):
            return False
        w, ainv, u, k, v, H = common
        delta = to_arb(delta)
        beta = ainv * u * H / 2
        kappa = (1 - v * beta * delta) / k
        if not kappa > 0:
            return False
        for c, arc, mu, R in setup.pieces:
            G = hessian_combination(act, box, X, (c * L).entries())
            S = KM.transpose() * G * KM
            if not (_positive_definite_above(S, mu, R) if arc is None else _positive_on_arc(S, mu, arc)):
                return False
            g1, g2 = _frobenius_upper(KM.transpose() * G * VM), _frobenius_upper(VM.transpose() * G * VM)
            if g1 is None or g2 is None:
                return False
            margin = mu * kappa * kappa - 2 * g1 * w * beta * delta - g2 * beta * beta * delta * delta
            if not margin > 0:
                return False
        return True


def _arc_angles(arc):
    lo, hi = arc
    return arb(lo).union(arb(hi))


def _positive_on_arc(S, mu, arc):
    """u^T S u > mu for every u = (cos phi, sin phi), phi in the arc, and every S of the enclosure (q = 2)."""
    phi = _arc_angles(arc)
    c, s = phi.cos(), phi.sin()
    value = S[0, 0] * c * c + (S[0, 1] + S[1, 0]) * c * s + S[1, 1] * s * s
    return bool(value > mu)


def _arc_pieces(mids, forms, depth=10):
    """A cover of the directions of R^2 (angles [-2^-20, pi]: u and -u give the same values) by arcs, each with the
    combination c = q(u_mid)/|q(u_mid)| and a margin mu positive on it, checked in ball arithmetic at theta°;
    None if some arc cannot be cleared within ``depth`` halvings (the forms then nearly share a zero)."""
    # math.pi is below pi: starting at -2^-20 instead of 0 makes the arcs span more than pi exactly, so every line
    # through 0 (u and -u alike) meets one of them
    pieces, stack = [], [(-2.0 ** -20, math.pi / 2), (math.pi / 2, math.pi)]
    while stack:
        lo, hi = stack.pop()
        middle = (lo + hi) / 2
        u = np.array([math.cos(middle), math.sin(middle)])
        values = np.array([u @ Q @ u for Q in mids])
        c = values / np.linalg.norm(values)
        grid = np.linspace(lo, hi, 17)
        low = min(sum(cj * (np.array([math.cos(t), math.sin(t)]) @ Q @ np.array([math.cos(t), math.sin(t)]))
                      for cj, Q in zip(c, mids)) for t in grid)
        if low > 0:
            mu = arb(float(low) / 4)
            carb = _exact(c[None, :])
            S = sum((carb[0, j] * Q for j, Q in enumerate(forms)), arb_mat(2, 2))
            if _positive_on_arc(S, mu, (lo, hi)):
                pieces.append((carb, (lo, hi), mu, None))
                continue
        if hi - lo < math.pi / 2 ** depth:
            return None
        stack += [(lo, middle), (middle, hi)]
    return pieces


# ---------------------------------------------------------------------------------------------------------------
# third order (docs/theory.md §6 (g), "Third order"): at a zero class (Lemma (g3)) and beyond the span of the
# forms (Lemma (g4)); one inequality, one margin function, one re-verification for both


def _third_order_applies(act, setup, tangent):
    """The structural facts Lemma (g3) needs, decided exactly: one kept kernel vector, a w-pair of a group at
    w = 0 with sigma''(0) = 0 (so D^2 F_n[k, k] = 0 at every point of the branch), orthogonal to every tangent
    vector (so no projection changes it)."""
    if len(setup.chosen) != 1 or setup.chosen[0] not in setup.kernel.at_zero or not _is_zero(act, 2):
        return False
    a0 = [Fraction(v) for v in Network.from_flat(setup.theta, setup.d).output_weights]
    z = setup.kernel.vectors(a0, Fraction(0), Fraction(1))[setup.chosen[0]]
    return all(sum(x * y for x, y in zip(z, tau)) == 0 for tau in tangent)


def _augmentation(act, setup, tangent):
    """The structural facts Lemma (g4) needs, decided exactly, or None: every kept kernel vector is a w-pair of one
    group in one input coordinate l, and every tangent vector vanishes on those coordinates. Then at every theta'
    of the branch K(theta') = Z(a') has zero output-weight rows and D^2 F_n(theta')[Ku, Ku] = y(u) G(theta') with
    G_i = sigma''(w_p.x_i) x_il^2 and y(u) = sum_k a_k eps_k t_k^2 (t_k the w_{k,l} entry of Ku,
    sigma''(w_k.x) = eps_k sigma''(w_p.x) by sigma's symmetry). Returns (p, l, [(k, eps_k, row of w_{k,l})])."""
    plans = [setup.kernel.plan[j] for j in setup.chosen]
    if not plans or any(kind != "w-pair" for kind, *_ in plans):
        return None
    pivots, coordinates = {p for *_, p, _ in plans}, {l for _, _, l, _, _ in plans}
    if len(pivots) != 1 or len(coordinates) != 1:
        return None
    (p,), (l,) = pivots, coordinates
    members = sorted({p} | {k for _, k, *_ in plans})
    rows = [k * (setup.d + 1) + 1 + l for k in members]
    if any(tau[r] != 0 for tau in tangent for r in rows):
        return None
    # sigma'' is odd for odd sigma and even for even sigma: the factor of w -> -w is output_sign(-1)
    sym, relation = act.symmetry, setup.kernel.relation
    return p, l, [(k, sym.output_sign(relation[k]) * sym.output_sign(relation[p]), r) for k, r in zip(members, rows)]


def _curvature_column(act, network, X, pivot, l):
    """G = (sigma''(w_p.x_i) x_il^2)_i as an n x 1 arb_mat: the one output direction of D^2 F_n on K (g4)."""
    second = activation_function(act, (2,))
    w = [to_arb(v) for v in network.input_weights[pivot]]
    return arb_mat([[second(sum((X[i, j] * w[j] for j in range(X.ncols())), arb(0)))[0] * X[i, l] * X[i, l]]
                    for i in range(X.nrows())])


def _quadratic_coefficient(a, members, direction, along=None):
    """y(u) = sum_k a_k eps_k t_k^2 with t_k the w_{k,l} entry of the M x 1 ``direction`` K u (g4); with ``along``
    (K u'), the derivative 2 sum_k a_k eps_k t_k t'_k instead."""
    if along is not None:
        return sum((2 * a[k] * eps * direction[row, 0] * along[row, 0] for k, eps, row in members), arb(0))
    return sum((a[k] * eps * _square(direction[row, 0]) for k, eps, row in members), arb(0))


def _on_arc(f, KM, arc):
    """An enclosure of f(K u(phi)) for every phi in the arc, u = (cos, sin), by the mean-value form
    f(K u(m)) + f'(K u(Phi), K u'(Phi)) [-r, r] (m the middle, r the half-width, Phi the arc as a ball): tighter
    than f of the ball, whose cos and sin lose their dependence. ``f(direction, along=None)``."""
    if arc is None:
        return f(KM * arb_mat([[1]]))
    lo, hi = arb(arc[0]), arb(arc[1])
    middle, half = (lo + hi) / 2, ((hi - lo) / 2).upper()
    phi = lo.union(hi)
    value = f(KM * arb_mat([[middle.cos()], [middle.sin()]]))
    slope = f(KM * arb_mat([[phi.cos()], [phi.sin()]]), along=KM * arb_mat([[-phi.sin()], [phi.cos()]]))
    return value + slope * arb(0, half)


def _unit(arc):
    """u = (cos phi, sin phi) for phi in the arc as a 2 x 1 arb_mat; the single direction (1) when arc is None."""
    if arc is None:
        return arb_mat([[1]])
    phi = _arc_angles(arc)
    return arb_mat([[phi.cos()], [phi.sin()]])


def _with_column(A, column):
    return arb_mat([[A[i, j] for j in range(A.ncols())] + [column[i, 0]] for i in range(A.nrows())])


def _range_matrix(act, setup, network, JV):
    """E = J_n V, with the curvature column appended under Lemma (g4)."""
    if setup.augment is None:
        return JV
    pivot, l, _ = setup.augment
    return _with_column(JV, _curvature_column(act, network, setup.X, pivot, l))


def cubic_combination(act, network, X, weights, directions, along=None):
    """sum_i weights_i D^3 f(x_i)[h, h, h] for a pure input-weight direction h (per neuron its rows of
    ``directions``, an M x 1 arb_mat): sum_k a_k sigma^(3)(w_k.x_i) (eta_k.x_i)^3; with ``along`` (h'), the
    derivative 3 sum_k a_k sigma^(3)(w_k.x_i) (eta_k.x_i)^2 (eta'_k.x_i) instead."""
    d = network.d
    a = [to_arb(v) for v in network.output_weights]
    W = as_arb_matrix(network.input_weights)
    Z = (X * W.transpose()).tolist()
    third = activation_function(act, (3,))
    total = arb(0)
    for i, row in enumerate(Z):
        for k, zik in enumerate(row):
            eta = sum((directions[k * (d + 1) + 1 + l, 0] * X[i, l] for l in range(d)), arb(0))
            if along is None:
                total += weights[i] * a[k] * third(zik)[0] * eta * eta * eta
            else:
                moved = sum((along[k * (d + 1) + 1 + l, 0] * X[i, l] for l in range(d)), arb(0))
                total += 3 * weights[i] * a[k] * third(zik)[0] * eta * eta * moved
    return total


def third_norm_upper(act, network, X):
    """An exact arb >= sqrt(sum_i ||D^3 f(x_i)||_F^2) over ``network`` (a box): per neuron the entries
    sigma''(w.x) x_p x_q (three places each) and a sigma^(3)(w.x) x_p x_q x_r."""
    W = as_arb_matrix(network.input_weights)
    a = [to_arb(v) for v in network.output_weights]
    Z = (X * W.transpose()).tolist()
    sig = activation_function(act, (2, 3))
    total = arb(0)
    for i, row in enumerate(Z):
        x2 = sum((X[i, l] * X[i, l] for l in range(X.ncols())), arb(0))
        for ak, zik in zip(a, row):
            second, third = sig(zik)
            total += 3 * _square(second) * x2 * x2 + _square(ak * third) * x2 * x2 * x2
    return total.sqrt().upper() if total.is_finite() else None


def _cubic_rest(ell_norm, h2, h3, k, v, w, beta, delta):
    """Lemmas (g3)/(g4): the bound of |ell^T P| + |ell^T (T[s, s, s] - T[Ku, Ku, Ku])| / 6, divided by |s|^3."""
    return ell_norm * (delta * (h2 * k * v * w * beta + h2 * v * v * beta * beta * delta ** 3 / 2)
                       + h3 / 6 * (3 * k * k * w * w * v * beta * delta ** 2 + 3 * k * w * v * v * beta * beta
                                   * delta ** 4 + v * v * v * beta * beta * beta * delta ** 6))


def _quadratic_rest(alpha, h2, h3, k, v, w, beta, delta):
    """Lemma (g4): gamma with |y(u)| <= gamma |s|^3 (the curvature row of the U equations)."""
    return 2 * alpha * (h2 * k * v * w * beta * delta + h2 * v * v * beta * beta * delta ** 3 / 2 + h3 / 6)


def _finish_third(act, setup, out, what):
    """The radius of a third-order certificate (halving, bisection, 3/4 of the edge) and the answer."""
    radius = _radius(lambda delta: third_margin_holds(act, setup, delta))
    if radius is None:
        out.reason += f"; {what}: no radius above 2^-60 passed the remainder bound"
        return False
    out.separated, out.radius, out.method, out.data = True, radius, "third order", setup
    out.form_lower = to_mpf(min((b for *_, b in setup.third), key=lambda m: float(m.mid())))
    out.reason += f"; {what}; remainder bound holds on the ball"
    return True


def _third_order(act, setup, out, tangent, L0, KM):
    """Lemma (g3): separation from the cubic term when every quadratic form vanishes structurally."""
    if not _third_order_applies(act, setup, tangent):
        out.reason += "; third order is set up only for one direction at a zero class with sigma''(0) = 0"
        return
    n = setup.X.nrows()
    point = Network.from_flat(setup.theta, setup.d)
    cubics = [cubic_combination(act, point, setup.X, [L0[j, i] for i in range(n)], KM) for j in range(L0.nrows())]
    values = np.array([float(c.mid()) for c in cubics])
    if not np.linalg.norm(values) > 1e-30:
        out.reason += "; the cubic forms vanish too"
        return
    c = _exact((values / np.linalg.norm(values))[None, :])
    at_point = sum((c[0, j] * cubics[j] for j in range(len(cubics))), arb(0))
    if not abs(at_point) > 0:
        out.reason += "; the cubic combination is not certified non-zero"
        return
    mu3 = arb(float(abs(at_point).mid()) / 4)
    setup.third = [("cubic", c, None, mu3)]
    _finish_third(act, setup, out, f"third order: the cubic term c^T L D^3 F_n[k, k, k] is certified non-zero "
                                   f"(>= {float(mu3):.3g} on the ball)")


def _beyond_span(act, setup, out, tangent, JV, KM):
    """Lemma (g4): the forms are all multiples of one form y (a group of three or more neurons in one coordinate);
    with its output direction G added to the range, the remaining equations start at third order. Separated when
    the directions of K are covered by arcs where |y| or a cubic combination is bounded away from 0."""
    augment = _augmentation(act, setup, tangent)
    if augment is None:
        out.reason += "; (g4) needs every kernel direction in one group and one input coordinate"
        return False
    n, rho = setup.X.nrows(), setup.V.ncols()
    if n - rho < 2:
        return False
    point = Network.from_flat(setup.theta, setup.d)
    a0 = [to_arb(v) for v in point.output_weights]
    G0 = _curvature_column(act, point, setup.X, augment[0], augment[1])
    probe = KM * _unit(None if KM.ncols() == 1 else (0.5, 0.5))
    H0 = hessian_combination(act, point, setup.X, [arb(1)] * n)
    if not ((probe.transpose() * H0 * probe)[0, 0] - _quadratic_coefficient(a0, augment[2], probe)
            * sum(G0.entries(), arb(0))).contains(0):
        raise RuntimeError("D^2 F_n[Ku, Ku] != y(u) G: a wrong identity")       # a bug, never input
    E0 = _with_column(JV, G0)
    U = range_rows(E0)
    try:
        A0inv = (U * E0).inv()
    except (ZeroDivisionError, TypeError):
        out.reason += "; (g4): the curvature column is not certified outside the range of J_n V"
        return False
    Lam = _exact(np.linalg.svd(float64_midpoints(E0), full_matrices=True)[0][:, rho + 1:].T)
    L0 = Lam - (Lam * E0) * A0inv * U
    trial = dataclasses.replace(setup, U=U, Lam=Lam, augment=augment)
    pieces = _third_pieces(act, trial, point, L0, KM)
    if pieces is None:
        out.reason += ("; (g4): the arcs where |y| or a cubic combination stays away from 0 do not cover the "
                       "directions (a cubic vanishes where y does)")
        return False
    trial.third = pieces
    cubic = sum(1 for kind, *_ in pieces if kind == "cubic")
    return _finish_third(act, trial, out, (
        f"third order beyond the span (g4): with G added to the range, {len(pieces)} arcs cover the directions "
        f"of K, {len(pieces) - cubic} with |y| and {cubic} with a cubic combination of the {n - rho - 1} remaining "
        "equations certified away from 0"))


def _third_pieces(act, setup, point, L0, KM, depth=12):
    """Arcs over angles [-2^-20, pi] (u and -u give the same absolute values) each with a piece: ("quadratic",
    None, arc, eps) with |y| > eps, or ("cubic", c, arc, mu) with |c^T L D^3 F_n[Ku, Ku, Ku]| > mu, certified at
    theta° with the angle as a ball and half the certified least value as the bound; None if some arc is not
    cleared within ``depth`` halvings."""
    n, members = setup.X.nrows(), setup.augment[2]
    a0 = [to_arb(v) for v in point.output_weights]
    rows = [[L0[j, i] for i in range(n)] for j in range(L0.nrows())]
    if KM.ncols() == 1:
        arcs = [None]
    elif KM.ncols() == 2:
        arcs = [(-2.0 ** -20, math.pi / 2), (math.pi / 2, math.pi)]
    else:
        return None

    def y_at(phi):
        return float(_quadratic_coefficient(a0, members, KM * _unit(None if phi is None else (phi, phi))).mid())

    def values(phi):
        direction = KM * _unit(None if phi is None else (phi, phi))
        return (y_at(phi), np.array([float(cubic_combination(act, point, setup.X, r, direction).mid())
                                     for r in rows]))

    y_largest = max(abs(y_at(t)) for t in (np.linspace(0, math.pi, 65) if arcs != [None] else [None]))
    pieces = []
    while arcs:
        arc = arcs.pop()
        grid = [None] if arc is None else np.linspace(arc[0], arc[1], 9)      # grid[4] is the arc's middle
        sampled = [values(t) for t in grid]
        y_low = min(abs(y) for y, _ in sampled)
        middle = sampled[len(sampled) // 2][1]
        c = middle / np.linalg.norm(middle) if np.linalg.norm(middle) > 0 else None
        tries = ["quadratic", "cubic"] if y_low >= y_largest / 8 else ["cubic", "quadratic"]
        found = None
        for kind in tries:
            if kind == "quadratic" and y_low > 0:
                enclosed = abs(_on_arc(lambda h, along=None: _quadratic_coefficient(a0, members, h, along), KM, arc))
                if enclosed > 0:
                    found = ("quadratic", None, arc, arb(float(enclosed.lower().mid()) / 2))
            elif kind == "cubic" and c is not None and min(float(c @ cubes) for _, cubes in sampled) > 0:
                carb = _exact(c[None, :])
                weights = (carb * L0).entries()
                enclosed = abs(_on_arc(lambda h, along=None, ws=weights: cubic_combination(act, point, setup.X, ws, h,
                                                                                             along), KM, arc))
                if enclosed > 0:
                    found = ("cubic", carb, arc, arb(float(enclosed.lower().mid()) / 2))
            if found:
                break
        if found:
            pieces.append(found)
            continue
        if arc is None or arc[1] - arc[0] < math.pi / 2 ** depth:
            return None
        middle_angle = (arc[0] + arc[1]) / 2
        arcs += [(arc[0], middle_angle), (middle_angle, arc[1])]
    return pieces


def third_margin_holds(act, setup, delta) -> bool:
    """The inequalities of Lemmas (g3)/(g4) on the box |theta - theta°|_inf <= delta, every piece of
    ``setup.third`` (docs/theory.md §6 (g))."""
    with working_precision(setup.dps):
        X, QN, V, U, Lam = setup.X, setup.QN, setup.V, setup.U, setup.Lam
        box = Network.from_flat(ball_box(setup.theta, to_arb(delta)), setup.d)
        a = [to_arb(v) for v in box.output_weights]
        if any(a[p].contains(0) for p in setup.kernel.pivots()):
            return False
        Ky = _kernel_y(setup, a)
        KM, VM = QN * Ky, QN * V
        q, rho = Ky.ncols(), V.ncols()
        try:
            inverse = arb_mat([[Ky[i, j] for j in range(q)] + [V[i, j] for j in range(rho)]
                               for i in range(Ky.nrows())]).inv()
            J = evaluate(act, box, X, dps=setup.dps).jacobian
            E = _range_matrix(act, setup, box, J * VM)
            Ainv = (U * E).inv()
        except ZeroDivisionError:
            return False
        W = arb_mat([[inverse[i, j] for j in range(inverse.ncols())] for i in range(q)])
        L = Lam - (Lam * E) * Ainv * U
        bounds = [_frobenius_upper(m) for m in (W, inverse, Ainv, U, KM, VM)]
        h2, h3 = hessian_norm_upper(act, box, X), third_norm_upper(act, box, X)
        if h2 is None or h3 is None or any(b is None for b in bounds):
            return False
        w, w_all, ainv, u, k, v = bounds
        delta = to_arb(delta)
        alpha = ainv * u
        denominator = 1 - alpha * h2 * delta * (k * v * w + v * v * w_all / 2)
        if not denominator > 0:
            return False
        beta = alpha * h3 / 6 / denominator                   # |v| <= beta |s|^3
        kappa = (1 - v * beta * delta * delta) / k             # |u| >= kappa |s|
        if not kappa > 0:
            return False
        for kind, c, arc, bound in setup.third:
            if kind == "quadratic":
                if not abs(_on_arc(lambda h, along=None: _quadratic_coefficient(a, setup.augment[2], h, along),
                                   KM, arc)) > bound:
                    return False
                if not bound * kappa * kappa - _quadratic_rest(alpha, h2, h3, k, v, w, beta, delta) * delta > 0:
                    return False
                continue
            ell = c * L
            ell_norm = _frobenius_upper(ell)
            weights = ell.entries()
            cubic = _on_arc(lambda h, along=None, ws=weights: cubic_combination(act, box, X, ws, h, along), KM, arc)
            if ell_norm is None or not abs(cubic) > bound:
                return False
            if not bound / 6 * kappa * kappa * kappa - _cubic_rest(ell_norm, h2, h3, k, v, w, beta, delta) > 0:
                return False
        return True


# ---------------------------------------------------------------------------------------------------------------
# not separated: zeros off Q* along a common zero of the forms


def _probes(d, bias):
    if not bias:
        return probe_inputs(d)
    return [tuple(p) + (Fraction(1),) for p in probe_inputs(d - 1)]


def _zeros_along(act, point, target, inputs, dps, bias, zeros, out, KM, h0):
    """Project theta° + eps h (h = K h0) onto Q_n for each eps of EPSILONS and certify each zero off Q*."""
    out.direction = [float(v) for v in h0]
    with working_precision(dps):
        direction = KM * _exact(np.asarray(h0, dtype=float)[:, None])
        h = [arb_to_mpf(direction[i, 0]) for i in range(direction.nrows())]
    return _certify_zeros(act, point, target, inputs, dps, bias, zeros, out, h)


def _onto_zeros(act, point, target, inputs, dps, bias, zeros, out, JN, QN):
    """n below the structural rank: follow a numerical kernel vector of J_n N (J_n onto)."""
    mids = float64_midpoints(JN)
    if np.linalg.matrix_rank(mids) < mids.shape[0]:
        out.reason += "; J_n is not onto either"
        return
    y = np.linalg.svd(mids)[2][-1]
    with working_precision(dps):
        direction = QN * _exact(y[:, None])
        h = [arb_to_mpf(direction[i, 0]) for i in range(direction.nrows())]
    return _certify_zeros(act, point, target, inputs, dps, bias, zeros, out, h)


def _certify_zeros(act, point, target, inputs, dps, bias, zeros, out, h):
    from .projection import project
    if not zeros:
        return
    size = mpmath.sqrt(mpmath.fsum(v * v for v in h))
    h = [v / size for v in h]
    base = [to_mpf(v) for v in point.flat()]
    with working_precision(dps):
        for eps in EPSILONS:
            eps = mpmath.mpf(eps)
            start = Network.from_flat([b + eps * v for b, v in zip(base, h)], point.d)
            p = project(act, start, inputs, target=target, dps=dps, center=point, radius=10 * eps,
                        max_iterations=100, step_limit=eps)
            if not p.converged:
                continue
            zero = certify_zero(act, p.network, target, inputs, dps=dps)
            if not zero.verified:
                continue
            found = certify_mismatch(act, zero.box(), point.d, target, _probes(point.d, bias), dps=dps)
            if found is None:
                continue
            rho = to_arb(zero.radius)
            total = arb(0)
            for i, (cv, pv) in enumerate(zip(zero.center, point.flat())):
                gap = abs(to_arb(cv) - to_arb(pv)) + (rho if i in zero.free else 0)
                total += gap * gap
            out.zeros.append(UpperBound(arb_to_mpf(total.sqrt().upper()), zero, found[0]))
    if len(out.zeros) >= ENOUGH_ZEROS:
        out.separated = False
        out.reason += (f"; {len(out.zeros)} zeros of F_n off Q* certified (Krawczyk, f_theta != f* on each box), "
                       f"the nearest within {float(min(z.distance for z in out.zeros)):.3g} of theta°")
    else:
        out.reason += f"; only {len(out.zeros)} of {len(EPSILONS)} zeros off Q* certified (need {ENOUGH_ZEROS})"
