"""Separation decided to third order (docs/theory.md §6 (g), "Third order"): at a zero class, where every
quadratic form vanishes (Lemma (g3)), and beyond the span of the forms, where the curvature direction joins the range
and the cubic term decides along the forms' null lines (Lemma (g4)); one inequality, one margin function, one
re-verification (:mod:`.reverify_second_order`) for both. Called by the decision in :mod:`.second_order`.
"""
from __future__ import annotations

import dataclasses
import math
from fractions import Fraction

import numpy as np
from flint import arb, arb_mat

from ..base.precision import working_precision
from .evaluate import activation_function, as_arb_matrix, evaluate
from .network import Network
from .precision import ball_box, float64_midpoints, to_arb, to_mpf
from .rank import range_rows
from .second_order_forms import (
    _arc_angles,
    _exact,
    _frobenius_upper,
    _is_zero,
    _kernel_y,
    _radius,
    _square,
    hessian_combination,
    hessian_norm_upper,
)


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
