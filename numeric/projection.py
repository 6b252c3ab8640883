"""Projection onto a zero-residual set by Gauss–Newton at high precision.

Residuals ``r_i = sqrt(v_i) (f_theta(x_i) - y_i)`` over given points with
weights ``v_i``; minimum-norm Gauss–Newton steps ``-J^+ r`` (singular values
below ``10^-(dps-10)`` relative truncated) with backtracking, so the iteration
lands near where it started. A run that leaves the ball it was asked to search
is stopped and reported, not used.

>>> from twolayer.symbolic.activations import activation
>>> from twolayer.numeric.network import parse_network
>>> target = parse_network("[[1, 2]]")
>>> from twolayer.numeric.problem import Problem
>>> problem = Problem(activation("tanh"), target, [[1], [-1], ["1/2"]])
>>> p = project(problem, parse_network('[["9/10", "21/10"]]'))
>>> p.converged, mpmath.nstr(p.network.neurons[0][1], 10)
(True, '2.0')
"""
from __future__ import annotations

from dataclasses import dataclass

import mpmath
from flint import arb_mat

from ..base.precision import working_precision
from ..base.tolerance import zero_residual
from .evaluate import as_arb_matrix, evaluate
from .network import Network
from .precision import arb_to_mpf, distance, norm, to_arb, to_mpf
from .problem import Problem
from .rank import gram_eigen


@dataclass
class Projection:
    network: Network          # the last iterate (mpf entries)
    converged: bool           # residual norm <= tolerance
    left_ball: bool           # the iteration left the search ball (then not converged)
    iterations: int
    residual_norm: mpmath.mpf # mpf
    distance: mpmath.mpf      # from the start (mpf)


def _min_norm_step(J, r, dps, limit, drop=0):
    """Minimum-norm Gauss-Newton step -J^+ r, truncated two ways.

    Uses the eigenvectors of J^T J formed at twice the working precision (float64 eigh refined in arb).
    Directions with singular value below 10^(-4 dps/5) s_1 (exactly flat ones,
    such as a null neuron's input weight) get no step; nor does any direction
    whose component would exceed ``limit`` (a trust radius): near a degenerate
    branch J has singular values like 1e-26 whose Gauss-Newton component would
    throw the iterate far from where it started. ``drop`` leaves out that many of
    the remaining directions with the smallest eigenvalues (after a rejected step).

    With fewer samples than parameters the smaller Gram J J^T = U diag(lambda) U^T (n x n) gives the same
    step: with J = U S V^T the component along v_k is (u_k^T r) / s_k, so with w_k = (u_k^T r) / lambda_k the
    step is -J^T sum_k w_k u_k and the trust test reads w_k^2 lambda_k <= limit^2 (tests/test_rank.py compares
    the two ways).
    """
    wide = J.nrows() < J.ncols()
    with working_precision(2 * dps + 10):
        mids = J.mid()
        if wide:
            eigenvalues, vectors, _ = gram_eigen(mids.transpose(), dps)
            projected = vectors.transpose() * arb_mat([[to_arb(v)] for v in r])     # U^T r
        else:
            eigenvalues, vectors, gm = gram_eigen(mids, dps, rhs=r)
            projected = vectors.transpose() * gm                                    # V^T J^T r
        largest = max(abs(e) for e in eigenvalues)
        cutoff = largest * zero_residual(dps) ** 2
        kept = []
        for k, e in enumerate(eigenvalues):
            if e > cutoff:
                weight = arb_to_mpf(projected[k, 0]) / e
                # the step's component along the k-th direction: |w_k| s_k (wide) or |w_k|
                if weight * weight * (e if wide else 1) <= limit * limit:
                    kept.append((e, k, weight))
        kept.sort(reverse=True)
        weights = [0] * len(eigenvalues)
        for _, k, weight in kept[:max(len(kept) - drop, 0)]:
            weights[k] = weight
        step = vectors * arb_mat([[to_arb(w)] for w in weights])
        if wide:
            step = mids.transpose() * step
        step = [-arb_to_mpf(step[i, 0]) for i in range(J.ncols())]
    with mpmath.workdps(dps):
        return [+v for v in step]


def _residual_map(act, X, values, scale, d, dps):
    """theta -> (residuals as mpf, Jacobian as arb_mat), each row weighted by ``scale`` when given."""
    def residuals_and_jacobian(th):
        ev = evaluate(act, Network.from_flat(th, d), X, values, dps=dps)
        r, J = ev.residuals, ev.jacobian
        if scale is not None:
            r = [s * e for s, e in zip(scale, r)]
            J = arb_mat([[scale[i] * J[i, j] for j in range(J.ncols())] for i in range(J.nrows())])
        return [arb_to_mpf(e) for e in r], J

    return residuals_and_jacobian


def _line_search(theta, step, residual, residuals_and_jacobian):
    """The first of the steps 1, 1/2, 1/4, 1/8 (times ``step``) that lowers the residual norm, or None.

    A full step is extended to 2 and 3 times when that lowers it further: where the residual vanishes to
    order k along a direction (degenerate branches), a Gauss-Newton step goes only 1/k of the way.
    Returns (theta, residuals, Jacobian, residual norm) at the accepted point.
    """
    for fraction in (1, mpmath.mpf(1) / 2, mpmath.mpf(1) / 4, mpmath.mpf(1) / 8):
        trial = [t + fraction * v for t, v in zip(theta, step)]
        r_trial, J_trial = residuals_and_jacobian(trial)
        norm_trial = norm(r_trial)
        if norm_trial < residual:
            if fraction == 1:
                for factor in (2, 3):
                    extended = [t + factor * v for t, v in zip(theta, step)]
                    r_ext, J_ext = residuals_and_jacobian(extended)
                    if norm(r_ext) < norm_trial:
                        trial, r_trial, J_trial, norm_trial = extended, r_ext, J_ext, norm(r_ext)
            return trial, r_trial, J_trial, norm_trial
    return None


def project(problem: Problem, start: Network, *, ball=None, max_iterations=300, tolerance=None,
            step_limit=1) -> Projection:
    """Gauss–Newton from ``start`` to a zero of the problem's residuals.

    ``ball`` = (center network, radius) bounds the search (default: no ball): leaving it stops the iteration.
    ``tolerance`` defaults to :func:`tolerance.zero_residual` (10^(-4 dps/5)) on the residual norm.
    ``step_limit`` is the initial trust radius per eigen-direction of ``J^T J``
    (halved after a rejected step, doubled after an accepted one, up to its start).
    """
    act, inputs, target, weights, dps = problem.act, problem.inputs, problem.target, problem.weights, problem.dps
    center, radius = ball if ball is not None else (None, None)
    with working_precision(dps):
        tolerance = zero_residual(dps) if tolerance is None else mpmath.mpf(tolerance)
        X = as_arb_matrix(inputs)
        values = [to_arb(v) for v in evaluate(act, target, X, target, dps=dps).outputs]
        scale = [to_arb(mpmath.sqrt(w)) for w in weights] if weights is not None else None
        d = start.d
        theta = [to_mpf(v) for v in start.flat()]
        origin = list(theta)
        centre = None if center is None else [to_mpf(v) for v in center.flat()]

        residuals_and_jacobian = _residual_map(act, X, values, scale, d, dps)
        r, J = residuals_and_jacobian(theta)
        residual = norm(r)
        iterations, left = 0, False
        limit, drop = mpmath.mpf(step_limit), 0
        while residual > tolerance and iterations < max_iterations:
            iterations += 1
            step = _min_norm_step(J, r, dps, limit, drop)
            found = _line_search(theta, step, residual, residuals_and_jacobian)
            if found is None:
                # first leave out the least reliable directions, then shrink the trust radius
                drop += 1
                if drop > len(theta):
                    drop, limit = 0, limit / 16
                if limit < tolerance:
                    break
                continue
            theta, r, J, residual = found
            drop, limit = 0, min(2 * limit, mpmath.mpf(step_limit))
            if centre is not None and radius is not None and distance(theta, centre) > radius:
                left = True
                break
        network = Network.from_flat(theta, d)
        return Projection(network, bool(residual <= tolerance and not left), left, iterations, residual,
                          distance(theta, origin))
