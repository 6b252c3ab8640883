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
>>> found = second_order(Problem(act, target, [["-3/2"], ["1/2"], ["5/4"], ["2"]]), point)
>>> found.separated, found.kernel, found.multipliers, found.radius > 10 ** -4
(True, 1, 2, True)
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from fractions import Fraction

import mpmath
import numpy as np
from flint import arb, arb_mat

from ..base.precision import working_precision
from .classify import branch_constraints
from .evaluate import as_arb_matrix, evaluate
from .exclusion import coordinate_basis
from .krawczyk import UpperBound, certify_mismatch, certify_zero, probe_inputs
from .network import Network
from .precision import arb_to_mpf, ball_box, float64_midpoints, to_arb, to_mpf
from .problem import Problem
from .projection import project
from .rank import exact_rank, range_rows
from .second_order_forms import (
    _exact,
    _frobenius_upper,
    _Kernel,
    _kernel_y,
    _neuron_groups,
    _positive_definite_above,
    _positive_on_arc,
    _radius,
    _Setup,
    hessian_combination,
    hessian_norm_upper,
)
from .third_order import (
    _beyond_span,
    _third_order,
)

#: the distances at which zeros off Q* are sought when the forms have a common real zero
EPSILONS = ("1e-1", "1e-2", "1e-3", "1e-4", "1e-5", "1e-6")
#: how many of them must be certified for "not separated"
ENOUGH_ZEROS = 4


@dataclass
class SecondOrder:
    """The second-order decision at one point and one sample set."""
    separated: bool | None = None   # True (radius certified), False (zeros off Q* certified), None (inconclusive)
    reason: str = ""
    rank: int | None = None         # rho = dim V = rank J_n N when the structure accounts for the whole kernel
    kernel: int = 0                 # q = dim K (the structural kernel mod T)
    multipliers: int = 0            # n - rho: the number of quadratic forms
    form_lower: mpmath.mpf | None = None # certified mu: lambda_min of the combined form on K at theta° is >= mu (mpf)
    radius: mpmath.mpf | None = None # certified exclusion radius (exact dyadic mpf, rounded down)
    direction: list | None = None   # h0 in K-coordinates: a common real zero of the forms (not separated)
    zeros: list = field(default_factory=list)    # krawczyk.UpperBound per certified zero off Q*
    seconds: float = 0.0
    data: _Setup | None = field(default=None, repr=False) # what the re-verification needs (_Setup)
    method: str = "second order"

    @property
    def verdict(self):
        return {True: "separated", False: "not separated"}.get(self.separated, "inconclusive")


# ---------------------------------------------------------------------------------------------------------------
# the decision


    #                        over ``arc`` (angles (lo, hi) of u in K-coordinates, q = 2) or on all of K (arc None,
    #                        Gershgorin after the congruence R)


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


def second_order(problem: Problem, point: Network, zeros: bool = True) -> SecondOrder:
    """Decide separation at a degenerate point to second order (module doc); ``zeros=False`` skips the Krawczyk
    boxes of the not-separated case (its decision is then None, with the common zero reported)."""
    started = time.perf_counter()
    out = SecondOrder()
    try:
        _decide(problem, point, zeros, out)
    finally:
        out.seconds = time.perf_counter() - started
    return out


def _decide(problem, point, zeros, out):
    act, target, inputs, dps = problem.act, problem.target, problem.inputs, problem.dps
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
            return _onto_zeros(problem, point, zeros, out, J0 * QN, QN)
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
            return _zeros_along(problem, point, zeros, out, KM, np.eye(q)[0])
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
        return _zeros_along(problem, point, zeros, out, KM, h0)


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
# not separated: zeros off Q* along a common zero of the forms


def _probes(d, bias):
    if not bias:
        return probe_inputs(d)
    return [tuple(p) + (Fraction(1),) for p in probe_inputs(d - 1)]


def _zeros_along(problem, point, zeros, out, KM, h0):
    """Project theta° + eps h (h = K h0) onto Q_n for each eps of EPSILONS and certify each zero off Q*."""
    out.direction = [float(v) for v in h0]
    with working_precision(problem.dps):
        direction = KM * _exact(np.asarray(h0, dtype=float)[:, None])
        h = [arb_to_mpf(direction[i, 0]) for i in range(direction.nrows())]
    return _certify_zeros(problem, point, zeros, out, h)


def _onto_zeros(problem, point, zeros, out, JN, QN):
    """n below the structural rank: follow a numerical kernel vector of J_n N (J_n onto)."""
    mids = float64_midpoints(JN)
    if np.linalg.matrix_rank(mids) < mids.shape[0]:
        out.reason += "; J_n is not onto either"
        return
    y = np.linalg.svd(mids)[2][-1]
    with working_precision(problem.dps):
        direction = QN * _exact(y[:, None])
        h = [arb_to_mpf(direction[i, 0]) for i in range(direction.nrows())]
    return _certify_zeros(problem, point, zeros, out, h)


def _certify_zeros(problem, point, zeros, out, h):
    act, target, dps = problem.act, problem.target, problem.dps
    if not zeros:
        return
    size = mpmath.sqrt(mpmath.fsum(v * v for v in h))
    h = [v / size for v in h]
    base = [to_mpf(v) for v in point.flat()]
    with working_precision(dps):
        for eps in EPSILONS:
            eps = mpmath.mpf(eps)
            start = Network.from_flat([b + eps * v for b, v in zip(base, h)], point.d)
            p = project(problem, start, ball=(point, 10 * eps), max_iterations=100, step_limit=eps)
            if not p.converged:
                continue
            zero = certify_zero(problem, p.network)
            if not zero.verified:
                continue
            found = certify_mismatch(act, zero.box(), point.d, target, _probes(point.d, problem.bias), dps=dps)
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
