"""Separation of the generalizing global minima from the others (THEORY.md §6, claim C5).

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
from dataclasses import dataclass, field

import mpmath
import numpy as np
from flint import arb, arb_mat

from .classify import branch_constraints
from .evaluate import as_arb_matrix, evaluate
from .network import Network
from .population import population_loss
from .precision import arb_to_mpf, distance, norm, to_arb, to_mpf, working_precision
from .projection import project
from .rank import gap_rank, gram_eigen, singular_values


@dataclass
class RadiusCertificate:
    radius: object            # certified rho (mpf), or None
    sigma_min_lower: object   # lower bound of sigma_min(A(theta°)) (mpf) or None
    delta_upper: object       # enclosure of sup ||A - A(theta°)|| over the box at rho (mpf) or None
    reason: str = ""


def _box(theta, rho):
    return [arb(to_arb(v).mid(), rho) if rho else to_arb(v) for v in theta]


def _frobenius_upper(matrix):
    entries = matrix.entries()
    if not all(e.is_finite() for e in entries):
        return mpmath.inf  # the enclosure blew up (e.g. exp on a wide box): no bound
    return mpmath.sqrt(mpmath.fsum(arb_to_mpf(abs(e).upper()) ** 2 for e in entries))


def certified_radius(act, point, target, inputs, dps=50, largest=mpmath.mpf("0.5"), smallest=mpmath.mpf("1e-30")):
    """The largest rho (halving from ``largest``, then refined by bisection) that the lemma certifies."""
    rows = branch_constraints(act, point, target)
    if rows is None:
        return RadiusCertificate(None, None, None, "the point is on no branch of Q*")
    with working_precision(dps):
        X = as_arb_matrix(inputs)
        d = point.d
        theta = point.flat()
        BN = arb_mat([[to_arb(row[i]) for row in rows] for i in range(len(theta))])   # M x codim
        J0 = evaluate(act, point, X, dps=dps).jacobian
        JB = J0 * BN
        r = BN.ncols()
        if JB.nrows() < r:
            return RadiusCertificate(None, None, None, f"n = {JB.nrows()} < codim = {r}")
        # U: orthonormal rows spanning the range of J_n B_N (from the midpoints; any fixed U is allowed)
        mids = mpmath.matrix([[arb_to_mpf(JB[i, j]) for j in range(r)] for i in range(JB.nrows())])
        try:
            Q, _ = mpmath.qr(mids)
        except ZeroDivisionError:
            return RadiusCertificate(None, None, None, "J_n B_N is singular")
        U = arb_mat([[arb(Q[i, j]) for i in range(JB.nrows())] for j in range(r)])
        A0 = U * JB
        try:
            inverse = A0.inv()
        except ZeroDivisionError:
            return RadiusCertificate(None, None, None, "A(theta°) = U J_n B_N is not certified invertible "
                                     "(rank J_n < codim: a degenerate point or too few samples)")
        sigma_lower = 1 / _frobenius_upper(inverse)

        def delta(rho):
            box = Network.from_flat(_box(theta, rho), d)
            return _frobenius_upper(U * evaluate(act, box, X, dps=dps).jacobian * BN - A0)

        rho = mpmath.mpf(largest)
        while rho >= smallest and not delta(rho) < sigma_lower:
            rho /= 2
        if rho < smallest:
            return RadiusCertificate(None, sigma_lower, delta(smallest), "no radius above 1e-30 certified")
        low, high = rho, 2 * rho
        for _ in range(8):
            middle = (low + high) / 2
            if delta(middle) < sigma_lower:
                low = middle
            else:
                high = middle
        return RadiusCertificate(low, sigma_lower, delta(low))


def kernel_basis(J, dps, relative="1e-30"):
    """Numerical basis (mpf columns) of ker J: eigenvectors of J^T J with eigenvalue below relative * largest."""
    M = J.ncols()
    with working_precision(2 * dps + 10):
        E, V, _ = gram_eigen(J, dps)
        top = max(abs(e) for e in E)
        basis = [[V[i, k] for i in range(M)] for k in range(M) if E[k] < mpmath.mpf(relative) ** 2 * top]
    return basis


@dataclass
class NonSeparation:
    epsilons: list = field(default_factory=list)
    distances: list = field(default_factory=list)
    generalization_errors: list = field(default_factory=list)
    converged: list = field(default_factory=list)
    reason: str = ""


def non_separation_sequence(act, point, target, inputs, population_inputs, epsilons, dps=50):
    """§6a: theta° + eps v (v in ker J_n outside ker J) projected onto Q_n, for each eps."""
    out = NonSeparation()
    with working_precision(dps):
        Jn = evaluate(act, point, inputs, dps=dps).jacobian
        Jinf = evaluate(act, point, population_inputs, dps=dps).jacobian
        kernel_n, kernel_inf = kernel_basis(Jn, dps), kernel_basis(Jinf, dps)
        best, best_norm = None, mpmath.mpf(0)
        for k in kernel_n:
            # remove the part in ker J (directions along Q*), keep what changes the function
            v = list(k)
            for q in kernel_inf:
                c = mpmath.fsum(a * b for a, b in zip(v, q))
                v = [a - c * b for a, b in zip(v, q)]
            size = norm(v)
            if size > best_norm:
                best, best_norm = v, size
        if best is None or best_norm < mpmath.mpf("1e-10"):
            out.reason = "ker J_n(theta°) = ker J(theta°): no first-order direction (n >= rank)"
            return out
        v = [a / best_norm for a in best]
        base = [to_mpf(x) for x in point.flat()]
        for eps in epsilons:
            eps = mpmath.mpf(eps)
            start = Network.from_flat([b + eps * a for b, a in zip(base, v)], point.d)
            p = project(act, start, inputs, target=target, dps=dps, step_limit=eps, max_iterations=200,
                        center=point, radius=10 * eps)
            out.epsilons.append(eps)
            out.converged.append(p.converged)
            out.distances.append(distance(p.network.flat(), base))
            out.generalization_errors.append(arb_to_mpf(population_loss(act, p.network, target, dps)[0]))
    return out


@dataclass
class Search:
    nearest: object = None              # distance of the nearest non-generalizing minimum found (mpf) or None
    nearest_error: object = None        # its generalization error
    found: int = 0                      # non-generalizing minima found
    generalizing: int = 0               # converged points in Q*
    failed: int = 0                     # not converged or left the ball
    points: list = field(default_factory=list)   # the non-generalizing minima (Networks)


GENERALIZING = mpmath.mpf("1e-30")     # population loss below: in Q* (to working precision)
NON_GENERALIZING = mpmath.mpf("1e-20")  # population loss above: not in Q*


def nearest_nongeneralizing(act, point, target, inputs, starts=20, radius="0.5", seed=0, dps=50):
    """Seeded search: starts at distance up to ``radius`` from theta°, projected onto Q_n inside 2*radius."""
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
            p = project(act, start, inputs, target=target, dps=dps, center=point, radius=2 * radius,
                        max_iterations=100, step_limit=radius)
            if not p.converged:
                out.failed += 1
                continue
            error = arb_to_mpf(population_loss(act, p.network, target, dps)[0])
            gap = distance(p.network.flat(), base)
            if error < GENERALIZING:
                out.generalizing += 1
            elif error > NON_GENERALIZING:
                out.found += 1
                out.points.append(p.network)
                if out.nearest is None or gap < out.nearest:
                    out.nearest, out.nearest_error = gap, error
    return out


def jacobian_rank(act, point, inputs, dps=50):
    """rank J_n(theta°) by the gap rule (None if undecided)."""
    return gap_rank(singular_values(evaluate(act, point, inputs, dps=dps).jacobian, dps), dps).rank


@dataclass
class SweepRow:
    n: int
    rank: object                 # rank J_n(theta°) (gap rule)
    codim: int
    model_rank: int              # r(theta°)
    separated: object            # True (certified) / False (shown or forced by dimension) / None
    radius: RadiusCertificate
    search: Search
    sequence: object = None      # NonSeparation for n < r(theta°)
    why: str = ""


EPSILONS = ("1e-2", "1e-3", "1e-4", "1e-5", "1e-6")


def separation_sweep(act, point, target, inputs, sizes, starts=20, seed=0, dps=50, radius="0.5"):
    """For each n in ``sizes``: rank J_n, certified radius, constructive non-separation, nearest search.

    ``inputs`` are nested: the sample set of size n is ``inputs[:n]``.
    """
    from .model_rank import structural_rank
    from .population import population_points
    rows_c = branch_constraints(act, point, target)
    if rows_c is None:
        from ..errors import InputError
        raise InputError("the point is not on a branch of Q* for this target (every neuron must be a target "
                         "neuron, a null neuron, part of a free group or at w = 0, exactly)")
    codim, r = len(rows_c), structural_rank(act, point)
    population, _, _ = population_points(point.d, dps)
    rows = []
    for n in sizes:
        xs = inputs[:n]
        row = SweepRow(n, jacobian_rank(act, point, xs, dps), codim, r, None,
                       certified_radius(act, point, target, xs, dps),
                       nearest_nongeneralizing(act, point, target, xs, starts=starts, seed=seed, dps=dps,
                                               radius=radius))
        if n < r:
            row.sequence = non_separation_sequence(act, point, target, xs, population, EPSILONS, dps)
        if row.radius.radius is not None:
            row.separated, row.why = True, "certified radius"
        elif n < codim:
            row.separated = False
            row.why = ("global minima theta_eps -> theta° with positive generalization error" if n < r else
                       "dim Q_n >= M - n > dim B near theta° (dimension count)")
        else:
            row.why = "no radius certified (rank J_n < codim)" if row.rank is not None and row.rank < codim \
                else row.radius.reason
        rows.append(row)
    return rows
