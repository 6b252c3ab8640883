"""The second- and third-order certificates of :mod:`.second_order` checked again by separate code.

The check shares with the search only what it is handed: the fixed matrices of the certificate (U, V, Lambda, the
chosen kernel directions, the pieces and their bounds) and the structural kernel, an identity of sigma. Every bound
is its own: A^-1 by a Neumann series around a float inverse (the search uses arb's inverse), positivity by an
interval Cholesky factorisation or on quartered arcs (the search uses Gershgorin), spectral norms summed here
entry by entry, the Hessians and the third-derivative norm summed sample by sample from the neuron values (the
search uses closed forms in |x|^2). This module imports nothing of the search, the decision or the third-order
code, so one wrong bound cannot reach a decision and its re-check together (tests/test_layers.py holds that).
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
from flint import arb, arb_mat

from ..base.precision import working_precision
from .evaluate import activation_function, as_arb_matrix, evaluate
from .krawczyk import reverify_zero
from .network import Network
from .precision import exact_fraction, float64_midpoints, to_arb
from .problem import Problem


def _square(x):
    """x^2 as |x| |x| (arb's ** goes through exp/log: NaN on a ball containing 0)."""
    return abs(x) * abs(x)


def _fixed(array):
    """The exact binary values of a float array as an arb_mat (a fixed matrix: no rounding enters)."""
    return arb_mat([[arb(float(v)) for v in row] for row in np.atleast_2d(array)])


def _direction(arc):
    """(cos phi, sin phi) for every phi of the arc, as a 2 x 1 ball matrix; (1) for a single direction."""
    if arc is None:
        return arb_mat([[1]])
    phi = arb(arc[0]).union(arb(arc[1]))
    return arb_mat([[phi.cos()], [phi.sin()]])


def _form_above(S, mu, arc):
    """u^T S u > mu for every unit u of the arc and every S of the enclosure, from the ball of u."""
    u = _direction(arc)
    return bool((u.transpose() * S * u)[0, 0] > mu)


def _dense_third_norm(act, network, X):
    """An exact arb >= sqrt(sum_i ||D^3 f(x_i)||_F^2), summed entry by entry: per neuron and sample the entries
    sigma''(z) x_p x_q at the three places (a, p, q), (p, a, q), (p, q, a), and a sigma^(3)(z) x_p x_q x_r."""
    sig = activation_function(act, (2, 3))
    a = [to_arb(v) for v in network.output_weights]
    d, total = network.d, arb(0)
    for i in range(X.nrows()):
        for k, w in enumerate(network.input_weights):
            second, third = sig(sum((X[i, l] * to_arb(w[l]) for l in range(d)), arb(0)))
            for p in range(d):
                for q in range(d):
                    total += 3 * _square(second * X[i, p] * X[i, q])
                    for r in range(d):
                        total += _square(a[k] * third * X[i, p] * X[i, q] * X[i, r])
    return total.sqrt().upper() if total.is_finite() else None


def reverify_second_order(problem: Problem, point: Network, found):
    """(ok, why): the certificate checked again by code that shares only its fixed matrices with the search.

    A separated answer: the lemma's inequality at the certified radius, with the Hessians summed sample by sample
    and entry by entry, A^-1 enclosed by a Neumann series around a float inverse (not arb's inverse), the form
    proven definite by an interval Cholesky factorisation (not Gershgorin) or, on an arc, on its four quarters,
    spectral norms by its own code, and J_n K = 0 re-checked at theta° (along the branch it is an identity of
    sigma, proven in docs/theory.md §6 (g), not a computation). A not-separated answer: each zero box by
    :func:`.krawczyk.reverify_zero` and f_theta != f* again.
    """
    act, inputs, dps = problem.act, problem.inputs, problem.dps
    if found.separated is False:
        return _reverify_zeros(problem, point, found)
    if found.separated is not True:
        return False, "nothing certified"
    if found.method == "third order":
        return _reverify_third(act, point, inputs, found, dps)
    s = found.data
    with working_precision(dps):
        X = as_arb_matrix(inputs)
        d = point.d
        delta = to_arb(exact_fraction(found.radius))
        box = Network.from_flat([to_arb(v) + arb(0, delta) for v in s.theta], d)
        a = [to_arb(v) for v in box.output_weights]
        vectors = s.kernel.vectors(a, arb(0), arb(1))
        M = len(s.theta)
        Z = arb_mat([[vectors[j][i] for j in s.chosen] for i in range(M)])
        Ky = s.QN.transpose() * Z
        KM, VM = s.QN * Ky, s.QN * s.V
        q, rho = Ky.ncols(), s.V.ncols()
        at_point = s.kernel.vectors([to_arb(Fraction(v)) for v in point.output_weights], arb(0), arb(1))
        J0 = evaluate(act, point, X, dps=dps).jacobian
        K0 = arb_mat([[at_point[j][i] for j in s.chosen] for i in range(M)])
        if not all(e.contains(0) for e in (J0 * K0).entries()):
            return False, "J_n K != 0 at theta°"
        J = evaluate(act, box, X, dps=dps).jacobian
        A = s.U * J * VM
        Ainv = _neumann_inverse(A)
        if Ainv is None:
            return False, "A not proven invertible by a Neumann series"
        KV = arb_mat([[Ky[i, j] for j in range(q)] + [s.V[i, j] for j in range(rho)] for i in range(Ky.nrows())])
        KVinv = _neumann_inverse(KV)
        if KVinv is None:
            return False, "[K V] not proven invertible"
        W = arb_mat([[KVinv[i, j] for j in range(KVinv.ncols())] for i in range(q)])
        L = s.Lam - (s.Lam * J * VM) * Ainv * s.U
        w, ainv, u, k, v = (_spectral_upper_again(m) for m in (W, Ainv, s.U, KM, VM))
        H = _dense_hessian_norm(act, box, X)
        if None in (w, ainv, u, k, v, H):
            return False, "an enclosure blew up"
        beta = ainv * u * H / 2
        kappa = (1 - v * beta * delta) / k
        if not kappa > 0:
            return False, "kappa not proven positive"
        margins = []
        for c, arc, mu, _ in s.pieces:
            G = _dense_hessian_sum(act, box, X, (c * L).entries())
            S = KM.transpose() * G * KM
            if arc is None and not _cholesky_positive(S, mu):
                return False, "K^T G K - mu I not proven positive definite (interval Cholesky)"
            if arc is not None and not all(_form_above(S, mu, part) for part in _quarters(arc)):
                return False, "the form not proven above mu on an arc (quartered)"
            g1, g2 = _spectral_upper_again(KM.transpose() * G * VM), _spectral_upper_again(VM.transpose() * G * VM)
            if g1 is None or g2 is None:
                return False, "an enclosure blew up"
            margin = mu * kappa * kappa - 2 * g1 * w * beta * delta - g2 * beta * beta * delta * delta
            if not margin > 0:
                return False, f"the inequality fails at the certified radius (margin {margin.str(3)})"
            margins.append(float(margin.mid()))
        return True, (f"least margin {min(margins):.3g} > 0 over {len(margins)} piece(s) at "
                      f"delta = {float(found.radius):.6g}")


def _quarters(arc):
    lo, hi = arc
    step = (hi - lo) / 4
    return [(lo + i * step, lo + (i + 1) * step if i < 3 else hi) for i in range(4)]


def _neumann_inverse(A):
    """An enclosure of A^-1 for every A in the enclosure, from Y = float inverse of the midpoint:
    A^-1 = (I - E)^-1 Y = (I + E) Y + E^2 (I - E)^-1 Y with E = I - Y A, so
    |A^-1 - (I + E) Y|_inf <= ||E||^2 ||Y|| / (1 - ||E||) (two terms of the series, then a bound)."""
    size = A.nrows()
    try:
        Y = _fixed(np.linalg.inv(float64_midpoints(A)))
    except np.linalg.LinAlgError:
        return None
    E = arb_mat([[arb(int(i == j)) for j in range(size)] for i in range(size)]) - Y * A
    e, y = _inf_upper(E), _inf_upper(Y)
    if e is None or not e < 1:
        return None
    spread = (e * e * y / (1 - e)).upper()
    first = Y + E * Y
    return arb_mat([[first[i, j] + arb(0, spread) for j in range(size)] for i in range(size)])


def _inf_upper(matrix):
    rows = [sum((abs(matrix[i, j]) for j in range(matrix.ncols())), arb(0)) for i in range(matrix.nrows())]
    if not all(r.is_finite() for r in rows):
        return None
    return max((r.upper() for r in rows), default=arb(0))


def _spectral_upper(matrix):
    """||B||_2 <= sqrt(||B||_1 ||B||_inf)."""
    one, inf = _inf_upper(matrix.transpose()), _inf_upper(matrix)
    return None if one is None or inf is None else (one * inf).sqrt().upper()


def _spectral_upper_again(matrix):
    """The re-verification's bound of ||B||_2: the smaller of sqrt(||B||_1 ||B||_inf) and the Frobenius norm, the
    latter summed here row by row (the search's bound is the same mathematics, computed by its own code)."""
    product = _spectral_upper(matrix)
    total = arb(0)
    for i in range(matrix.nrows()):
        for j in range(matrix.ncols()):
            if not matrix[i, j].is_finite():
                return None
            total += _square(abs(matrix[i, j]).upper())
    frobenius = total.sqrt().upper()
    return frobenius if product is None or frobenius < product else product


def _cholesky_positive(S, mu):
    """Interval Cholesky of sym(S) - mu I: every pivot provably positive means every member is positive definite."""
    q = S.nrows()
    A = [[(S[i, j] + S[j, i]) / 2 - (mu if i == j else 0) for j in range(q)] for i in range(q)]
    L = [[arb(0)] * q for _ in range(q)]
    for j in range(q):
        pivot = A[j][j] - sum((_square(L[j][k]) for k in range(j)), arb(0))
        if not pivot > 0:
            return False
        L[j][j] = pivot.sqrt()
        for i in range(j + 1, q):
            L[i][j] = (A[i][j] - sum((L[i][k] * L[j][k] for k in range(j)), arb(0))) / L[j][j]
    return True


def _neuron_values(act, network, X):
    sig = activation_function(act, (1, 2))
    W, a = network.input_weights, network.output_weights
    out = []
    for i in range(X.nrows()):
        row = []
        for w in W:
            zik = sum((X[i, l] * to_arb(w[l]) for l in range(X.ncols())), arb(0))
            row.append(sig(zik))
        out.append(row)
    return [to_arb(v) for v in a], out


def _dense_hessian_sum(act, network, X, weights):
    """sum_i weights_i Hess f(x_i), entry by entry from the per-sample Hessians."""
    d, m = network.d, network.m
    a, values = _neuron_values(act, network, X)
    size = m * (d + 1)
    G = [[arb(0)] * size for _ in range(size)]
    for i in range(X.nrows()):
        for k in range(m):
            first, second = values[i][k]
            base = k * (d + 1)
            for p in range(d):
                term = weights[i] * first * X[i, p]
                G[base][base + 1 + p] += term
                G[base + 1 + p][base] += term
                for r in range(d):
                    G[base + 1 + p][base + 1 + r] += weights[i] * a[k] * second * X[i, p] * X[i, r]
    return arb_mat(G)


def _dense_hessian_norm(act, network, X):
    d, m = network.d, network.m
    a, values = _neuron_values(act, network, X)
    total = arb(0)
    for i in range(X.nrows()):
        for k in range(m):
            first, second = values[i][k]
            for p in range(d):
                total += 2 * _square(first * X[i, p])
                for r in range(d):
                    total += _square(a[k] * second * X[i, p] * X[i, r])
    return total.sqrt().upper() if total.is_finite() else None


def _reverify_zeros(problem: Problem, point, found):
    act, target, inputs, dps = problem.act, problem.target, problem.inputs, problem.dps
    again = [reverify_zero(act, zero.zero, point.d, target, inputs, dps) for zero in found.zeros]
    if not all(again):
        return False, f"a zero box failed its re-verification: {again}"
    with working_precision(dps):
        for zero in found.zeros:
            net = Network.from_flat(zero.zero.box(), point.d)
            difference = evaluate(act, net, as_arb_matrix([zero.probe]), target=target, dps=dps).residuals[0]
            if difference.contains(0):
                return False, "f_theta - f* not proven non-zero on a zero box"
    return True, f"{len(found.zeros)} zero boxes re-verified (Krawczyk again, f_theta != f* at the stored probe)"


def _reverify_third(act, point, inputs, found, dps, finest=2 ** -14):
    """The third-order inequalities (g3)/(g4) at the certified radius by separate code: Neumann inverses, norms by
    :func:`_spectral_upper_again`, the curvature column from the neuron values, y(u) as the ratio
    Hess f(x_i)[Ku, Ku] / G_i of an entrywise Hessian, the cubic term from the products X K (one per neuron), and
    each arc bisected until every piece is proven with the angle as a plain ball (no mean-value form), down to
    ``finest`` times its width."""
    s = found.data
    with working_precision(dps):
        X = as_arb_matrix(inputs)
        delta = to_arb(exact_fraction(found.radius))
        box = Network.from_flat([to_arb(v) + arb(0, delta) for v in s.theta], point.d)
        a, values = _neuron_values(act, box, X)
        vectors = s.kernel.vectors(a, arb(0), arb(1))
        M, d, q = len(s.theta), point.d, len(s.chosen)
        KM = s.QN * (s.QN.transpose() * arb_mat([[vectors[j][i] for j in s.chosen] for i in range(M)]))
        VM = s.QN * s.V
        Ky = s.QN.transpose() * KM
        KV = arb_mat([[Ky[i, j] for j in range(q)] + [s.V[i, j] for j in range(s.V.ncols())]
                      for i in range(Ky.nrows())])
        J = evaluate(act, box, X, dps=dps).jacobian
        E, G, ratio_row = J * VM, None, None
        if s.augment is not None:
            pivot, l, members = s.augment
            G = [values[i][pivot][1] * X[i, l] * X[i, l] for i in range(X.nrows())]
            E = arb_mat([[E[i, j] for j in range(E.ncols())] + [G[i]] for i in range(E.nrows())])
            ratio_row = max(range(X.nrows()), key=lambda i: abs(float(G[i].mid())))
            if G[ratio_row].contains(0):
                return False, "the curvature column not proven non-zero"
        KVinv, Ainv = _neumann_inverse(KV), _neumann_inverse(s.U * E)
        if KVinv is None or Ainv is None:
            return False, "an inverse not proven by a Neumann series"
        L = s.Lam - (s.Lam * E) * Ainv * s.U
        W = arb_mat([[KVinv[i, j] for j in range(KVinv.ncols())] for i in range(q)])
        w, w_all, ainv, u, k, v = (_spectral_upper_again(m) for m in (W, KVinv, Ainv, s.U, KM, VM))
        h2, h3 = _dense_hessian_norm(act, box, X), _dense_third_norm(act, box, X)
        if None in (w, w_all, ainv, u, k, v, h2, h3):
            return False, "an enclosure blew up"
        alpha = ainv * u
        denominator = 1 - alpha * h2 * delta * (k * v * w + v * v * w_all / 2)
        beta = alpha * h3 / 6 / denominator
        kappa = (1 - v * beta * delta * delta) / k
        if not (denominator > 0 and kappa > 0):
            return False, "D or kappa not proven positive"
        third = activation_function(act, (3,))
        Z = (X * as_arb_matrix(box.input_weights).transpose()).tolist()
        unit_hessian = None if ratio_row is None else _dense_hessian_sum(
            act, box, X, [arb(int(i == ratio_row)) for i in range(X.nrows())])

        def y_above(cut, bound):
            h = KM * _direction(cut)
            return abs((h.transpose() * unit_hessian * h)[0, 0] / G[ratio_row]) > bound

        def cubic_above(cut, bound, ell):
            h = KM * _direction(cut)
            cubic = arb(0)
            for neuron in range(box.m):
                eta = X * arb_mat([[h[neuron * (d + 1) + 1 + l, 0]] for l in range(d)])   # eta_k . x_i
                for i in range(X.nrows()):
                    cubic += ell[0, i] * a[neuron] * third(Z[i][neuron])[0] * eta[i, 0] * eta[i, 0] * eta[i, 0]
            return abs(cubic) > bound

        def everywhere(test, arc):
            if arc is None:
                return test(None)
            stack = [arc]
            while stack:
                cut = stack.pop()
                if test(cut):
                    continue
                if cut[1] - cut[0] < finest * (arc[1] - arc[0]):
                    return False
                middle = (cut[0] + cut[1]) / 2
                stack += [(cut[0], middle), (middle, cut[1])]
            return True

        margins = []
        for kind, c, arc, bound in s.third:
            if kind == "quadratic":
                if not everywhere(lambda cut, b=bound: y_above(cut, b), arc):
                    return False, "|y| not proven above its bound on an arc"
                gamma = 2 * alpha * (h2 * k * v * w * beta * delta + h2 * v * v * beta * beta * delta ** 3 / 2
                                     + h3 / 6)
                margin = bound * kappa * kappa - gamma * delta
            else:
                ell = c * L
                ell_norm = _spectral_upper_again(ell)
                if ell_norm is None:
                    return False, "an enclosure blew up"
                if not everywhere(lambda cut, b=bound, e=ell: cubic_above(cut, b, e), arc):
                    return False, "the cubic term not proven above its bound on an arc"
                rest = ell_norm * (delta * (h2 * k * v * w * beta + h2 * v * v * beta * beta * delta ** 3 / 2)
                                   + h3 / 6 * (3 * k * k * w * w * v * beta * delta ** 2
                                               + 3 * k * w * v * v * beta * beta * delta ** 4
                                               + v * v * v * beta * beta * beta * delta ** 6))
                margin = bound / 6 * kappa ** 3 - rest
            if not margin > 0:
                return False, f"a third-order inequality fails at the certified radius (margin {margin.str(3)})"
            margins.append(float(margin.mid()))
        return True, (f"third order: least margin {min(margins):.3g} > 0 over {len(margins)} piece(s) at "
                      f"delta = {float(found.radius):.6g}")
