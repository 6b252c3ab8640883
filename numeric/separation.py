"""Separation of the generalizing global minima from the others (docs/theory.md §6, claim C5).

* :func:`certified_radius` — a radius rho with Q_n ∩ B(theta°, rho) = Q* ∩ B(theta°, rho),
  proven by the lemma below with interval arithmetic;
* :func:`non_separation_sequence` — for n < rank, global minima of R_n converging to
  theta° with positive generalization error;
* :func:`nearest_nongeneralizing` — a seeded search for the nearest point of Q_n \\ Q*.

**Lemma** (derived here). Let theta° lie on a branch B of Q*, an affine subspace with
direction space T, and let the columns of B_N span N = T^perp. For a fixed r x n matrix U
put A(theta) = U J_n(theta) B_N (r = codim B). If for every theta in the box
|theta - theta°|_inf <= rho

    ||A(theta) - A(theta°)||_2 <= Delta(rho) < sigma_min(A(theta°)),

then Q_n ∩ B_2(theta°, rho) = Q* ∩ B_2(theta°, rho).

*Proof.* Let theta ∈ Q_n with ||theta - theta°||_2 < rho; write theta = theta° + t + B_N c with
t ∈ T. Then theta' = theta° + t ∈ B ⊆ Q* ⊆ Q_n, and the segment from theta' to theta stays in the
Euclidean ball (its points are theta° + t + s B_N c, orthogonal parts), hence in the box. So
0 = U (F_n(theta) - F_n(theta')) = (A(theta°) + E) c with E the mean of A - A(theta°) along the
segment, ||E|| <= Delta(rho). Hence (sigma_min - Delta)||c|| <= 0, c = 0 and theta = theta' ∈ Q*.

Delta(rho) is enclosed by evaluating A on the box in ball arithmetic (every theta in the box
gives an A(theta) inside the enclosure); sigma_min(A(theta°)) is bounded below by
1 / ||A(theta°)^-1||_F with the inverse enclosed in arb. Both bounds are rigorous, so rho is a
certificate. At a degenerate point (rank J_n < codim) A(theta°) is singular and nothing is
certified.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import mpmath
import numpy as np
import sympy as sp
from flint import arb, arb_mat

from ..base.errors import InputError
from ..base.precision import working_precision
from ..base.tolerance import gap_thresholds, generalization_verdict
from ..symbolic.activations import z
from .classify import branch_constraints
from .evaluate import as_arb_matrix, evaluate
from .network import Network
from .population import population_loss
from .precision import arb_to_mpf, ball_box, distance, norm, to_arb, to_mpf
from .problem import Problem
from .projection import project
from .rank import gap_rank, gram_eigen, range_rows, singular_values


@dataclass
class RadiusCertificate:
    radius: mpmath.mpf | None # certified rho (an exact dyadic mpf), or None
    sigma_min_lower: arb | None # lower bound of sigma_min(A(theta°)) (exact arb) or None
    delta_upper: arb | None   # upper bound of sup ||A - A(theta°)|| over the box at rho (exact arb) or None
    reason: str = ""


def _frobenius_upper(matrix):
    """An exact arb >= the Frobenius norm of every matrix in the enclosure (None if it blew up)."""
    entries = matrix.entries()
    if not all(e.is_finite() for e in entries):
        return None  # the enclosure blew up (e.g. exp on a wide box): no bound
    return sum((abs(e).upper() ** 2 for e in entries), arb(0)).sqrt().upper()


def certified_radius(problem: Problem, point: Network, largest=None, smallest=None) -> RadiusCertificate:
    """The largest rho (halving from 1/2, then refined by bisection) that the lemma certifies.

    Every comparison is made on balls: ``delta(rho) < sigma_lower`` holds only if it holds for every
    number in both enclosures; rho is a dyadic number, so it is printed and stored exactly.
    """
    act, target, inputs, dps = problem.act, problem.target, problem.inputs, problem.dps
    rows = branch_constraints(act, point, target)
    if rows is None:
        return RadiusCertificate(None, None, None, "the point is on no branch of Q*")
    with working_precision(dps):
        largest = arb(1) / 2 if largest is None else arb(largest)
        smallest = arb(2) ** -100 if smallest is None else arb(smallest)
        X = as_arb_matrix(inputs)
        d = point.d
        theta = point.flat()
        BN = arb_mat([[to_arb(row[i]) for row in rows] for i in range(len(theta))])   # M x codim
        J0 = evaluate(act, point, X, dps=dps).jacobian
        JB = J0 * BN
        r = BN.ncols()
        if JB.nrows() < r:
            return RadiusCertificate(None, None, None, f"n = {JB.nrows()} < codim = {r}")
        U = range_rows(JB)    # orthonormal rows spanning the range of J_n B_N (any fixed U is allowed)
        if U is None:
            return RadiusCertificate(None, None, None, "J_n B_N is singular")
        A0 = U * JB
        try:
            inverse = A0.inv()
        except ZeroDivisionError:
            return RadiusCertificate(None, None, None, "A(theta°) = U J_n B_N is not certified invertible at this "
                                     "precision (rank J_n < codim, or J_n too ill-conditioned)")
        inverse_norm = _frobenius_upper(inverse)
        if inverse_norm is None:
            return RadiusCertificate(None, None, None, "the enclosure of A(theta°)^-1 is not finite")
        sigma_lower = (1 / inverse_norm).lower()

        def delta(rho):
            box = Network.from_flat(ball_box(theta, rho), d)
            bound = _frobenius_upper(U * evaluate(act, box, X, dps=dps).jacobian * BN - A0)
            return arb("inf") if bound is None else bound

        rho = largest
        while rho >= smallest and not delta(rho) < sigma_lower:
            rho /= 2
        if rho < smallest:
            return RadiusCertificate(None, sigma_lower, delta(smallest), "no radius above 2^-100 certified")
        low, high = rho, 2 * rho
        for _ in range(8):
            middle = (low + high) / 2
            if delta(middle) < sigma_lower:
                low = middle
            else:
                high = middle
        return RadiusCertificate(arb_to_mpf(low), sigma_lower, delta(low))


def kernel_basis(J, dps):
    """Numerical basis (mpf columns) of ker J: right singular vectors with s/s_1 below the gap rule's lower
    threshold."""
    M = J.ncols()
    lower = gap_thresholds(dps)[1]
    with working_precision(2 * dps + 10):
        E, V, _ = gram_eigen(J, dps)
        top = max(abs(e) for e in E)
        basis = [[arb_to_mpf(V[i, k]) for i in range(M)] for k in range(M) if E[k] < lower ** 2 * top]
    return basis


@dataclass
class NonSeparation:
    epsilons: list = field(default_factory=list)
    distances: list = field(default_factory=list)
    generalization_errors: list = field(default_factory=list)
    converged: list = field(default_factory=list)
    reason: str = ""


def non_separation_sequence(problem: Problem, point, population_inputs, epsilons):
    """§6a: theta° + eps v (v in ker J_n outside ker J) projected onto Q_n, for each eps."""
    act, target, inputs, dps, bias = problem.act, problem.target, problem.inputs, problem.dps, problem.bias
    out = NonSeparation()
    with working_precision(dps):
        Jn = evaluate(act, point, inputs, dps=dps).jacobian
        Jinf = evaluate(act, point, population_inputs, dps=dps).jacobian
        kernel_n, kernel_inf = kernel_basis(Jn, dps), kernel_basis(Jinf, dps)
        # The direction is a fixed vector projected onto ker J_n minus its part in ker J (directions along Q*):
        # P_{ker J_n} g - P_{ker J} g depends on the two subspaces only. A vector of either basis would not do: the
        # kernel is an eigenspace of a repeated eigenvalue 0, whose eigenvectors any rounding difference (another
        # CPU's LAPACK kernels) rotates, and with them the sequence and its printed errors.
        fixed = [mpmath.mpf(float(x)) for x in np.random.default_rng(0).standard_normal(Jn.ncols())]
        v = [mpmath.mpf(0)] * len(fixed)
        for basis, sign in ((kernel_n, 1), (kernel_inf, -1)):
            for q in basis:
                c = sign * mpmath.fsum(a * b for a, b in zip(fixed, q))
                v = [a + c * b for a, b in zip(v, q)]
        size = norm(v)
        if not kernel_n or size < gap_thresholds(dps)[0]:
            out.reason = "ker J_n(theta°) = ker J(theta°): no first-order direction (n >= rank)"
            return out
        v = [a / size for a in v]
        base = [to_mpf(x) for x in point.flat()]
        for eps in epsilons:
            eps = mpmath.mpf(eps)
            start = Network.from_flat([b + eps * a for b, a in zip(base, v)], point.d)
            p = project(problem, start, step_limit=eps, max_iterations=200, ball=(point, 10 * eps))
            out.epsilons.append(eps)
            out.converged.append(p.converged)
            out.distances.append(distance(p.network.flat(), base))
            out.generalization_errors.append(arb_to_mpf(population_loss(act, p.network, target, dps, bias)[0]))
    return out


@dataclass
class Search:
    nearest: mpmath.mpf | None = None   # distance of the nearest non-generalizing minimum found (mpf) or None
    nearest_error: mpmath.mpf | None = None # its generalization error
    found: int = 0                      # non-generalizing minima found
    generalizing: int = 0               # converged points in Q*
    failed: int = 0                     # not converged or left the ball
    undecided: int = 0                  # population loss between the two thresholds of numeric.tolerance
    points: list = field(default_factory=list)   # the non-generalizing minima (Networks)


def nearest_nongeneralizing(problem: Problem, point: Network, starts=20, radius='0.5', seed=0) -> Search:
    """Seeded search: starts at distance up to ``radius`` from theta°, projected onto Q_n inside 2*radius.

    With ``bias`` the last input is the constant 1 (the population loss averages over the others)."""
    act, target, dps, bias = problem.act, problem.target, problem.dps, problem.bias
    rng = np.random.default_rng(seed)
    out = Search()
    radius = mpmath.mpf(radius)
    with working_precision(dps):
        base = [to_mpf(x) for x in point.flat()]
        for _ in range(starts):
            direction = rng.standard_normal(len(base))
            direction /= np.linalg.norm(direction)
            scale = radius * mpmath.mpf(float(rng.uniform(0.02, 1.0)))
            start = Network.from_flat([b + scale * mpmath.mpf(float(v)) for b, v in zip(base, direction)], point.d)
            p = project(problem, start, ball=(point, 2 * radius), max_iterations=100, step_limit=radius)
            if not p.converged:
                out.failed += 1
                continue
            error = arb_to_mpf(abs(population_loss(act, p.network, target, dps, bias)[0]).upper())
            gap = distance(p.network.flat(), base)
            verdict = generalization_verdict(error, dps)
            if verdict is True:
                out.generalizing += 1
            elif verdict is False:
                out.found += 1
                out.points.append(p.network)
                if out.nearest is None or gap < out.nearest:
                    out.nearest, out.nearest_error = gap, error
            else:
                out.undecided += 1
    return out


def jacobian_rank(act, point, inputs, dps=50):
    """rank J_n(theta°) by the gap rule (None if undecided)."""
    return gap_rank(singular_values(evaluate(act, point, inputs, dps=dps).jacobian, dps), dps).rank


@dataclass
class KnownMinimum:
    """Samples placed so that a known non-generalizing global minimum lies at distance eta |v| from theta°."""
    eta: mpmath.mpf             # mpf
    theta_eta: Network          # theta° + eta v: fits every sample, does not generalize
    inputs: list                # the samples (mpf vectors) on the zero set of f_{theta_eta} - f*
    residual: mpmath.mpf | None # max |f_{theta_eta}(x_i) - f*(x_i)| (root-finding accuracy)


#: samples_on_zero_set scans x_2 over [-SPAN, SPAN] (quarter steps) for a sign change
SPAN = 20


def samples_on_zero_set(act, theta_eta, target, n, seed=0):
    """``n`` inputs in d = 2 on the zero set of g = f_{theta_eta} - f*, by bracketed root finding.

    For x_1 drawn from N(0, 1), g(x_1, .) is scanned on [-SPAN, SPAN] for the sign change nearest
    to 0 and the root refined by the Anderson–Björck bracketing method at the working precision (the caller's
    ``working_precision``) plus 10 digits. Draws whose line carries no sign change are skipped.
    """
    dps, span = mpmath.mp.dps, SPAN
    if theta_eta.d != 2:
        raise InputError("samples on a zero set are built for d = 2 (the zero set is then a curve)")
    rng = np.random.default_rng(seed)
    sig = sp.lambdify(z, act.expr, "mpmath")   # an mpmath scalar: root finding needs no balls

    def g(x1, x2):
        total = mpmath.mpf(0)
        for net, sign in ((theta_eta, 1), (target, -1)):
            for a, w1, w2 in net.neurons:
                total += sign * to_mpf(a) * sig(to_mpf(w1) * x1 + to_mpf(w2) * x2)
        return total

    out = []
    with mpmath.workdps(dps + 10):
        grid = [mpmath.mpf(k) / 4 for k in range(-4 * span, 4 * span + 1)]
        grid.sort(key=abs)
        for _ in range(50 * n):
            if len(out) == n:
                break
            x1 = mpmath.mpf(float(rng.standard_normal()))
            values = {t: g(x1, t) for t in grid}
            brackets = [(s, t) for s, t in zip(sorted(grid), sorted(grid)[1:]) if values[s] * values[t] < 0]
            if not brackets:
                continue
            s, t = min(brackets, key=lambda b: abs(b[0] + b[1]))
            x2 = mpmath.findroot(lambda u, x1=x1: g(x1, u), (s, t), solver="anderson")
            out.append((x1, x2))
        residual = max(abs(g(x1, x2)) for x1, x2 in out) if out else None
    if len(out) < n:
        raise InputError(f"found only {len(out)} of {n} samples on the zero set")
    return out, residual


@dataclass(frozen=True)
class ZeroSetSamples:
    """The sample law of a known minimum: ``n`` inputs on the zero set of f_{theta_eta} - f*, drawn with ``seed``."""
    n: int
    seed: int = 0


def known_minimum_family(act, point, target, direction, etas, samples: ZeroSetSamples):
    """For each eta: theta_eta = theta° + eta * direction and ``samples.n`` inputs on its zero set (see module doc),
    at the working precision (the caller's ``working_precision``)."""
    n, seed = samples.n, samples.seed
    family = []
    base = [to_mpf(v) for v in point.flat()]
    for eta in etas:
        eta = mpmath.mpf(eta)
        theta_eta = Network.from_flat([b + eta * to_mpf(v) for b, v in zip(base, direction)], point.d)
        inputs, residual = samples_on_zero_set(act, theta_eta, target, n, seed=seed)
        family.append(KnownMinimum(eta, theta_eta, inputs, residual))
    return family
