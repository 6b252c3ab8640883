"""Projection onto a zero-residual set by Levenberg–Marquardt at high precision.

Residuals ``r_i = sqrt(v_i) (f_theta(x_i) - y_i)`` over given points with
weights ``v_i``; steps ``(J^T J + mu I) delta = -J^T r`` with ``mu`` tied to the
residual, so that near the solution set the step tends to the minimum-norm
Gauss–Newton step and the iteration lands near where it started. A run that
leaves the ball it was asked to search is stopped and reported, not used.

>>> from twolayer.symbolic.activations import activation
>>> from twolayer.numeric.network import parse_network
>>> target = parse_network("[[1, 2]]")
>>> p = project(activation("tanh"), parse_network('[["9/10", "21/10"]]'), [[1], [-1], ["1/2"]], target=target)
>>> p.converged, mpmath.nstr(p.network.neurons[0][1], 10)
(True, '2.0')
"""
from dataclasses import dataclass

import mpmath
from flint import arb, arb_mat

from .evaluate import as_arb_matrix, evaluate
from .network import Network
from .precision import DEFAULT_DPS, arb_to_mpf, to_arb, working_precision


@dataclass
class Projection:
    network: Network          # the last iterate (mpf entries)
    converged: bool           # residual norm <= tolerance
    left_ball: bool           # the iteration left the search ball (then not converged)
    iterations: int
    residual_norm: object     # mpf
    distance: object          # from the start (mpf)


def _norm(values):
    return mpmath.sqrt(mpmath.fsum(v * v for v in values))


def project(act, start, inputs, target=None, values=None, *, weights=None, dps=DEFAULT_DPS, center=None,
            radius=None, max_iterations=300, tolerance=None):
    """Levenberg–Marquardt from ``start`` to a zero of the residuals on ``inputs``.

    ``center``/``radius`` define the search ball (default: no ball).
    ``tolerance`` defaults to ``10^-(dps - 10)`` on the residual norm.
    """
    with working_precision(dps):
        tolerance = mpmath.mpf(10) ** (-(dps - 10)) if tolerance is None else mpmath.mpf(tolerance)
        X = as_arb_matrix(inputs)
        if target is not None:
            values = evaluate(act, target, X, target=target, dps=dps).outputs
        values = [to_arb(v) for v in values]
        scale = [to_arb(mpmath.sqrt(w)) for w in weights] if weights is not None else None
        d = start.d
        theta = [mpmath.mpf(arb_to_mpf(to_arb(v))) for v in start.flat()]
        origin = list(theta)
        centre = None if center is None else [arb_to_mpf(to_arb(v)) for v in center.flat()]

        def residuals_and_jacobian(th):
            ev = evaluate(act, Network.from_flat(th, d), X, values=values, dps=dps)
            r, J = ev.residuals, ev.jacobian
            if scale is not None:
                r = [s * e for s, e in zip(scale, r)]
                J = arb_mat([[scale[i] * J[i, j] for j in range(J.ncols())] for i in range(J.nrows())])
            return [arb_to_mpf(e) for e in r], J

        r, J = residuals_and_jacobian(theta)
        norm = _norm(r)
        mu = mpmath.mpf(1e-3)
        iterations, left = 0, False
        M = len(theta)
        while norm > tolerance and iterations < max_iterations:
            iterations += 1
            Jm = arb_mat([[arb(arb_to_mpf(J[i, j])) for j in range(M)] for i in range(J.nrows())])
            G = Jm.transpose() * Jm
            g = Jm.transpose() * arb_mat([[arb(v)] for v in r])
            accepted = False
            for _ in range(30):
                damping = mu * norm
                A = G + arb_mat([[damping if i == j else 0 for j in range(M)] for i in range(M)])
                step = A.solve(-g, algorithm="approx")
                trial = [t + arb_to_mpf(step[i, 0]) for i, t in enumerate(theta)]
                r_trial, J_trial = residuals_and_jacobian(trial)
                norm_trial = _norm(r_trial)
                if norm_trial < norm:
                    # Along directions where the residual is quadratic (degenerate branches) a Gauss-Newton
                    # step goes only half way; trying the doubled step turns linear convergence into fast.
                    doubled = [t + 2 * arb_to_mpf(step[i, 0]) for i, t in enumerate(theta)]
                    r_double, J_double = residuals_and_jacobian(doubled)
                    if _norm(r_double) < norm_trial:
                        trial, r_trial, J_trial, norm_trial = doubled, r_double, J_double, _norm(r_double)
                    theta, r, J, norm = trial, r_trial, J_trial, norm_trial
                    mu = max(mu / 10, mpmath.mpf(10) ** -(dps // 2))
                    accepted = True
                    break
                mu *= 10
            if not accepted:
                break
            if centre is not None and radius is not None and \
                    _norm([t - c for t, c in zip(theta, centre)]) > radius:
                left = True
                break
        network = Network.from_flat(theta, d)
        return Projection(network, bool(norm <= tolerance and not left), left, iterations, norm,
                          _norm([t - o for t, o in zip(theta, origin)]))
