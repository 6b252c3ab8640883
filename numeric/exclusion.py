"""Exclusion by branch and bound: a certified ball around theta° free of non-generalizing minima (claim C5).

The lemma of :mod:`.separation` certifies one box around theta° with one first-order bound; its radius
is about sigma_min / Lipschitz, far below the true distance to Q_n \\ Q*. Here the region around theta°
is covered by many boxes instead, each excluded by whichever argument works on it:

* **lemma on a tube box** (boxes that reach the branch): write theta = theta° + T t + N c with T spanning
  the direction space of the branch B and N its orthogonal complement. If the box's c-range contains 0,
  every theta in it has its foot theta_B = theta° + T t on B inside the box too. For theta ∈ Q_n,
  0 = F_n(theta) - F_n(theta_B) = (mean of J_n N along the segment) c, and that mean lies in the
  enclosure J_n(box) N. If ||I - Y J_n(box) N||_inf < 1 for a fixed matrix Y, every matrix of the
  enclosure has full column rank, so c = 0: the box holds no point of Q_n outside B (⊆ Q*).
* **the same lemma, second order** (derived here): the mean of J_n N along the segment is enclosed by a
  centred form around the box's foot p0 = theta° + T t_mid on the branch,
  J_n(p0) N + sum_k D_k delta_k, where D_k encloses the derivative of J_n N along the k-th coordinate on
  the box (closed-form second derivatives of the network), delta_k = t_k - t_mid,k along the branch and
  c_k / 2 across it (the segment's mean of s c_k). Then P = Y (that enclosure) must be regular, and it is
  certified by a positive vector d with |I - P| d < d (so the spectral radius of |I - P| is below 1),
  which weighs the rows unequally: a weak direction of J_n N no longer needs the same small box as the
  strong ones.
* **residuals** (boxes away from the branch): some residual f_theta(x_i) - y_i excludes 0 on the box,
  or Krawczyk's operator in the normal coordinates c (t ranging over the box) misses the box. Either
  way the box holds no point of Q_n at all.

Boxes are examined nearest first (a heap on their exact distance to theta°); the first box that is
neither excluded nor split within the budget ends the search, and its distance is the **certified
exclusion radius**: Q_n ∩ B(theta°, r) = Q* ∩ B(theta°, r). The region is covered by a central cube
and dyadic shells around it, so boxes near theta° stay small without splitting the whole region.
Coordinates are exact rationals (T and N come from rational Gram-Schmidt, rescaled to length about
1, and their lengths enter the distances exactly); the boxes are mapped to parameter space in ball
arithmetic, so every exclusion is a certificate. Every excluded box is kept, so
:func:`reverify_exclusion` can check each one again by a separate computation.

>>> from twolayer.symbolic.activations import activation
>>> from twolayer.numeric.network import parse_network
>>> act, target = activation("tanh"), parse_network('[[1, "1/2"]]')
>>> point = parse_network('[[1, "1/2"], [0, "9/8"]]')
>>> problem = Problem(act, target, [["-3/2"], ["1/2"], ["5/4"]], dps=30)
>>> found = exclusion_radius(problem, point, reach="1/100", max_boxes=200)
>>> found.radius >= 10 ** -3, found.radius <= 10 ** -2
(True, True)
"""
from __future__ import annotations

import heapq
import math
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np
from flint import arb, arb_mat, fmpq

from ..base.precision import working_precision
from .classify import branch_constraints
from .evaluate import activation_function, as_arb_matrix, evaluate
from .network import Network
from .precision import arb_to_mpf, exact_fraction, float64_midpoints, identity, to_arb
from .problem import Problem
from .rank import certified_full_column_rank, exact_null_space

if TYPE_CHECKING:  # for annotations only
    import mpmath

#: how a box was excluded: the tube lemma (on the Jacobian's enclosure, or its second-order form), the residuals
#: (or Krawczyk), or inside the exclusion ball of fewer samples
LEMMA, SECOND_ORDER, RESIDUAL, INHERITED = "lemma", "second order", "residual", "inherited"


@dataclass
class Exclusion:
    """The certified exclusion radius (an exact dyadic mpf, rounded down) or None, and how it was reached."""
    radius: mpmath.mpf | None
    reach: Fraction                      # the radius aimed at (the search stops there)
    boxes: int = 0                       # boxes examined
    seconds: float = 0.0
    reason: str = ""                     # why the search stopped
    excluded: list = field(default_factory=list, repr=False)   # (box, LEMMA | RESIDUAL), for re-verification
    basis: list = field(default_factory=list, repr=False)      # the exact coordinate vectors (tangent, then normal)
    tangent: int = 0                     # how many of them span the branch's direction space
    inherited: mpmath.mpf | None = None  # the radius of a prefix of the samples this search started from

    def counts(self):
        return {kind: sum(1 for _, k in self.excluded if k == kind)
                for kind in (LEMMA, SECOND_ORDER, RESIDUAL, INHERITED)}


def _q(value):
    return fmpq(value.numerator, value.denominator)


def coordinate_basis(rows, M):
    """Exact orthogonal vectors: a basis of the direction space T of the branch (null space of ``rows``), then of
    its complement N (their span); each rescaled by a rational close to 1/length, so lengths are about 1.

    >>> basis, k = coordinate_basis([[Fraction(1), Fraction(1)]], 2)
    >>> k, [float(sum(v * v for v in q)) for q in basis]     # exact rationals within 1e-6 of 1
    (1, [1.00000053999..., 1.00000053999...])
    >>> sum(u * v for u, v in zip(*basis))
    Fraction(0, 1)
    """
    tangent = exact_null_space(rows) if rows else [[Fraction(int(i == j)) for j in range(M)] for i in range(M)]

    def orthogonal(vectors):
        # Gram-Schmidt on sparse vectors ({index: value}): branch equations touch few coordinates each
        out = []
        for v in vectors:
            w = {i: Fraction(x) for i, x in enumerate(v) if x}
            for q, qq in out:
                c = sum(x * q[i] for i, x in w.items() if i in q)
                if c:
                    c /= qq
                    for i, x in q.items():
                        w[i] = w.get(i, 0) - c * x
                    w = {i: x for i, x in w.items() if x}
            if w:
                out.append((w, sum(x * x for x in w.values())))
        return out

    # T = ker(rows) and N = span(rows) are orthogonal complements: each is orthogonalised on its own
    along, across = orthogonal(tangent), orthogonal(rows)
    scaled = []
    for w, length2 in along + across:
        scale = Fraction(2 ** 20, max(1, math.isqrt(int(length2 * 2 ** 40))))   # about 1 / |v|
        scaled.append([w.get(i, 0) * scale for i in range(M)])
    return scaled, len(along)


def _distance2(box, lengths2):
    """Exact squared Euclidean distance from theta° (coordinates 0) to the box."""
    # a Fraction's sign is its numerator's: integer tests skip the coordinates whose range holds 0
    return sum(min(abs(lo), abs(hi)) ** 2 * s for (lo, hi), s in zip(box, lengths2)
               if lo.numerator > 0 or hi.numerator < 0)


def _farthest2(box, lengths2):
    """Exact squared Euclidean distance from theta° to the box's farthest corner."""
    return sum(max(abs(lo), abs(hi)) ** 2 * s for (lo, hi), s in zip(box, lengths2))


def _shells(half, reach_half, M):
    """The central cube [-half, half]^M and dyadic shells {h <= |s_i|, |s|_inf <= 2h} up to reach_half."""
    boxes, h = [], half
    while h < reach_half:
        for i in range(M):
            for sign in (1, -1):
                box = [(-2 * h, 2 * h)] * M
                box[i] = (h, 2 * h) if sign > 0 else (-2 * h, -h)
                boxes.append(box)
        h *= 2
    return boxes


class _Region:
    """The map from box coordinates to parameters and the two exclusion tests (ball arithmetic)."""

    def __init__(self, act, point, inputs, target, basis, tangent, dps):
        self.act, self.d, self.dps, self.k = act, point.d, dps, tangent
        self.M, self.r = len(basis), len(basis) - tangent
        self.X = as_arb_matrix(inputs)
        self.values = evaluate(act, target, self.X, dps=dps).outputs
        self.Q = arb_mat([[arb(_q(v[i])) for v in basis] for i in range(self.M)])
        self.QN = arb_mat([[arb(_q(v[i])) for v in basis[tangent:]] for i in range(self.M)])
        self.theta0 = [arb(_q(Fraction(v))) for v in point.flat()]
        # the neurons each coordinate vector moves: the Hessian of sum_k a_k sigma(w_k.x) is block diagonal
        d = point.d
        self.touched = [[k for k in range(point.m) if any(v[k * (d + 1) + l] for l in range(d + 1))] for v in basis]
        self._rows = {}

    def enclose(self, box):
        """A Network of balls containing theta° + sum_i s_i q_i for every s in the box."""
        s = arb_mat([[arb(_q(lo)).union(arb(_q(hi)))] for lo, hi in box])
        shift = self.Q * s
        return Network.from_flat([self.theta0[i] + shift[i, 0] for i in range(self.M)], self.d)

    def _evaluate(self, box):
        return evaluate(self.act, self.enclose(box), self.X, self.values, dps=self.dps)

    @staticmethod
    def _preconditioner(JN, full_rank=False):
        """The pseudo-inverse of JN's midpoint (float64, as exact balls), or None when that midpoint is not finite,
        or, with ``full_rank``, when it is numerically rank-deficient (see :func:`_full_rank`)."""
        mid = _midpoint(JN)
        if mid is None or (full_rank and not _full_rank(mid)):
            return None
        return arb_mat([[arb(float(v)) for v in row] for row in np.linalg.pinv(mid)])

    def _hull(self, box):
        """The box with its c-range widened to contain 0: it holds the foot on B of each of its points."""
        return box[:self.k] + [(min(lo, 0), max(hi, 0)) for lo, hi in box[self.k:]]

    def lemma_excludes(self, box):
        """The tube-box lemma on the box with its c-range widened to contain 0."""
        JN = self._evaluate(self._hull(box)).jacobian * self.QN
        if JN.nrows() < self.r:
            return False
        Y = self._preconditioner(JN)
        if Y is None:
            return False
        E = identity(self.r) - Y * JN
        return _inf_norm_upper(E) < 1

    def tube_lemma(self, box):
        """(LEMMA or SECOND_ORDER, None) when that form of the tube-box lemma excludes the box (the first form is
        cheaper and is tried first), else (None, the second-order smear or None)."""
        if self.lemma_excludes(box):
            return LEMMA, None
        excluded, smear = self.second_order(box)
        return (SECOND_ORDER, None) if excluded else (None, smear)

    def curvature(self, network):
        """[D_1, ..., D_M] as factors (G_k, N_k): D_k = G_k N_k (n x r) encloses d(J_n N)/ds_k on ``network`` (a box
        of parameters); G_k has a column per parameter of the neurons q_k moves, N_k the matching rows of N.

        Row i of D_k is (Hess f(x_i) q_k)^T N. Per neuron, the Hessian of a sigma(w.x) has the blocks
        d2/da dw = sigma'(w.x) x and d2/dw2 = a sigma''(w.x) x x^T (docs/theory.md §2).
        """
        X, d, M = self.X, self.d, self.M
        W = as_arb_matrix(network.input_weights)
        a = [to_arb(v) for v in network.output_weights]
        Z = (X * W.transpose()).tolist()
        sig = activation_function(self.act, (1, 2))
        first, second = [], []                    # sigma'(z_ik) and a_k sigma''(z_ik)
        for row in Z:
            values = [sig(z) for z in row]
            first.append([v[0] for v in values])
            second.append([ak * v[1] for ak, v in zip(a, values)])
        xs = X.tolist()
        # x_i . q_w(k) for every sample i, neuron k and coordinate vector q_j: one product per neuron
        moves = [(X * arb_mat([[self.Q[k * (d + 1) + 1 + l, j] for j in range(M)] for l in range(d)])).tolist()
                 for k in range(len(a))]
        blocks = []
        for j in range(M):
            rows = []
            for i, x in enumerate(xs):
                row = []
                for k in self.touched[j]:   # Hess f q_j lives on the neurons q_j moves
                    z = moves[k][i][j]
                    row.append(first[i][k] * z)
                    c = first[i][k] * self.Q[k * (d + 1), j] + second[i][k] * z
                    row += [c * xl for xl in x]
                rows.append(row)
            blocks.append((arb_mat(rows), self._normal_rows(self.touched[j])))
        return blocks

    def _normal_rows(self, units):
        """The rows of N for the parameters of the given neurons (cached: few distinct sets occur)."""
        key = tuple(units)
        if key not in self._rows:
            d = self.d
            self._rows[key] = arb_mat([[self.QN[k * (d + 1) + l, c] for c in range(self.r)]
                                       for k in units for l in range(d + 1)])
        return self._rows[key]

    def second_order_excludes(self, box):
        """The tube-box lemma with the segment mean of J_n N enclosed to second order (module doc)."""
        return self.second_order(box)[0]

    def second_order(self, box):
        """(excluded, smear) for the second-order tube-box lemma. When it fails, smear says what each coordinate's
        width adds to the worst row of |I - P| (that row's sum of |Y D_k|, times the box's width: splitting shrinks
        the box, not its hull), the coordinate to split; None when the test could not be set up."""
        hull = self._hull(box)
        middle = [(lo + hi) / 2 for lo, hi in hull[:self.k]]
        foot = self._evaluate([(c, c) for c in middle] + [(Fraction(0), Fraction(0))] * self.r).jacobian * self.QN
        Y = self._preconditioner(foot, full_rank=True) if foot.nrows() >= self.r else None
        if Y is None:
            return False, None
        # t - t_mid along the branch; the segment's mean of s c_k, s in [0, 1], across it
        deltas = [arb(_q(lo - c)).union(arb(_q(hi - c))) for (lo, hi), c in zip(hull[:self.k], middle)] + \
                 [arb(_q(Fraction(lo, 2))).union(arb(_q(Fraction(hi, 2)))) for lo, hi in hull[self.k:]]
        P, variation = self._centred(Y, foot, self.enclose(hull), deltas)
        upper, A = _magnitudes(identity(self.r) - P)
        if _weighted_below_one(upper, A):
            return True, None
        if not np.all(np.isfinite(A)):
            return False, None
        i = int(np.argmax(A.sum(axis=1)))
        return False, [sum(float(abs(YD[i, j]).upper()) for j in range(YD.ncols())) * float(hi - lo)
                       for YD, (lo, hi) in zip(variation, box)]

    def _centred(self, Y, centre, network, deltas):
        """(P, [Y D_k]): P = Y J_n(centre) N + sum_k (Y D_k) delta_k, D_k the curvature on ``network``, encloses
        Y J_n N to second order (mean value theorem from the centre)."""
        P, variation = Y * centre, []
        for (G, rows), delta in zip(self.curvature(network), deltas):
            variation.append((Y * G) * rows)   # Y D first: its cancellations are what the second order keeps
            P += variation[-1] * delta
        return P, variation

    def residual_excludes(self, box):
        """No zero of the residuals in the box: one residual excludes 0, or Krawczyk's operator in c misses it,
        with J_n N enclosed on the box (cheap) or, failing that, by its centred form around the box's middle."""
        ev = self._evaluate(box)
        if any(not e.contains(0) for e in ev.residuals):
            return True
        middle = [(lo + hi) / 2 for lo, hi in box]
        at_middle = evaluate(self.act, self.enclose(box[:self.k] + [(c, c) for c in middle[self.k:]]), self.X,
                             self.values, dps=self.dps).residuals
        JN = ev.jacobian * self.QN
        Y = self._preconditioner(JN)
        if Y is not None and self._krawczyk_misses(box, middle, at_middle, Y, identity(self.r) - Y * JN):
            return True
        centre = self._evaluate([(c, c) for c in middle]).jacobian * self.QN
        Y = self._preconditioner(centre)
        if Y is None:
            return False
        deltas = [arb(_q(lo - c)).union(arb(_q(hi - c))) for (lo, hi), c in zip(box, middle)]
        E = identity(self.r) - self._centred(Y, centre, self.enclose(box), deltas)[0]
        return self._krawczyk_misses(box, middle, at_middle, Y, E)

    def _krawczyk_misses(self, box, middle, at_middle, Y, E):
        """Krawczyk's operator in c, c_mid - Y F(t-range, c_mid) + E (C - c_mid) with E ⊇ I - Y (J_n N on the box),
        misses the box's c-range in some coordinate: no zero of F in the box."""
        spread = arb_mat([[arb(0, _q((hi - lo) / 2))] for lo, hi in box[self.k:]])
        K = arb_mat([[arb(_q(c))] for c in middle[self.k:]]) - Y * arb_mat([[e] for e in at_middle]) + E * spread
        return any(K[j, 0] < arb(_q(lo)) or K[j, 0] > arb(_q(hi)) for j, (lo, hi) in enumerate(box[self.k:]))


def _inf_norm_upper(E):
    """An upper bound of the max-row-sum norm of every matrix in the enclosure E (inf when it blew up)."""
    rows = [[abs(E[i, j]).upper() for j in range(E.ncols())] for i in range(E.nrows())]
    if not all(v.is_finite() for row in rows for v in row):
        return arb("inf")
    return max((sum(row, arb(0)).upper() for row in rows), key=lambda b: b.upper())


def _midpoint(A):
    """The midpoint of an arb_mat as a float64 array, or None when it is not finite."""
    mid = float64_midpoints(A)
    return mid if np.all(np.isfinite(mid)) else None


def _full_rank(mid, ratio=1e-12):
    """Whether a float64 matrix has full column rank numerically (sigma_min > ratio sigma_max): a cheap screen
    before a test that cannot succeed on a (numerically) rank-deficient matrix. Declining a test never makes
    a certificate wrong; it can only leave a box unexcluded."""
    s = np.linalg.svd(mid, compute_uv=False)
    return s[-1] > ratio * s[0]


def _why_singular(at_point, mid, model_rank):
    """Why the lemma found nothing at theta°, from evidence: a degenerate point only when the certified model
    rank is below codim (then J_n N is singular for every sample set); ill-conditioned samples when ball
    arithmetic proves J_n N of full rank although float64 cannot use it; otherwise not proven either way."""
    codim = at_point.ncols()
    if model_rank is not None and model_rank < codim:
        return f"a degenerate point (certified model rank r = {model_rank} < codim = {codim}, so J_n N is singular)"
    if mid is None:
        screen = "its float64 midpoint is not finite"
    else:
        s = np.linalg.svd(mid, compute_uv=False)
        screen = f"float64 sigma_min / sigma_max = {s[-1] / s[0]:.1e}" if s[0] > 0 else "float64 J_n N = 0"
    if certified_full_column_rank(at_point):
        return f"ill-conditioned samples (J_n N at theta° is certified of full rank, but {screen})"
    known = "" if model_rank is None else f"; the model rank r = {model_rank} = codim, so not a degenerate point"
    return f"J_n N at theta° is not certified of full rank on these samples ({screen}){known}"


def _magnitudes(E):
    """Upper bounds of |E_ij| (exact arb), and the same as a float64 array."""
    upper = [[abs(E[i, j]).upper() for j in range(E.ncols())] for i in range(E.nrows())]
    return upper, np.array([[float(v) for v in row] for row in upper])


def _weighted_below_one(upper, A):
    """True when a positive vector d with |E| d < d is found and checked in ball arithmetic (``upper``, ``A``:
    the magnitudes of E from :func:`_magnitudes`): then every matrix in the enclosure E has spectral radius
    below 1 (Collatz-Wielandt), so I - E is regular. d is the Perron vector of A, lifted slightly so that no
    entry is 0."""
    if not np.all(np.isfinite(A)):
        return False
    values, vectors = np.linalg.eig(A)
    top = int(np.argmax(values.real))
    if not values.real[top] < 1:
        return False
    d = np.abs(vectors[:, top].real)
    d = d + 1e-6 * d.max()
    if not np.all(np.isfinite(d)) or d.max() <= 0:
        return False
    weights = [arb(float(v)) for v in d]
    return all(sum((u * w for u, w in zip(row, weights)), arb(0)) < weights[i] for i, row in enumerate(upper))


def _dyadic_sqrt_lower(value: Fraction):
    """An exact mpf <= sqrt(value)."""
    return arb_to_mpf(arb(_q(value)).sqrt().lower())


def exclusion_radius(problem: Problem, point: Network, reach='1/2', max_boxes: int = 1500, inside=None,
                     model_rank=None) -> Exclusion:
    """Branch and bound around an exact point of a branch of Q* on the samples ``inputs`` (see the module doc).

    ``reach`` is the radius aimed at, ``max_boxes`` the budget of boxes examined; the result's radius is
    the distance of the nearest box that could not be excluded within them (or ``reach``). ``inside``: the
    certified radius of a prefix of ``inputs``; Q_n ⊆ Q_k for k <= n, so boxes within it are excluded
    already, and the search spends its budget beyond it. ``model_rank``: the certified r(theta°), if the caller
    has it; only with r < codim is a failure at theta° put down to a degenerate point.
    """
    act, target, inputs, dps = problem.act, problem.target, problem.inputs, problem.dps
    start = time.perf_counter()
    reach = Fraction(reach)
    rows = branch_constraints(act, point, target)
    if rows is None:
        return Exclusion(None, reach, reason="the point is on no branch of Q*")
    basis, tangent = coordinate_basis([list(map(Fraction, row)) for row in rows], len(point.flat()))
    lengths2 = [sum(v * v for v in q) for q in basis]
    result = Exclusion(None, reach, basis=basis, tangent=tangent, inherited=inside)
    known = Fraction(0) if inside is None else exact_fraction(inside) ** 2
    if len(inputs) < len(rows):
        result.reason = f"n = {len(inputs)} < codim = {len(rows)}: the branch is not separated"
        return result
    with working_precision(dps):
        region = _Region(act, point, inputs, target, basis, tangent, dps)
        # the box coordinates s_i have |q_i| >= 1/2, so |s_i| <= 2 reach covers the ball of radius reach
        reach_half = 2 * reach
        half = reach_half
        at_point = region._evaluate([(Fraction(0), Fraction(0))] * len(basis)).jacobian * region.QN
        mid = _midpoint(at_point)
        if known == 0 and (mid is None or not _full_rank(mid)):
            # every box around theta° holds this matrix, so no form of the lemma can clear one: skip the halving
            result.reason = "no cube around theta° is excluded: " + _why_singular(at_point, mid, model_rank)
            result.seconds = time.perf_counter() - start
            return result
        while True:   # the central cube: halve until it is inherited or the lemma excludes it (it contains theta°)
            cube = [(-half, half)] * len(basis)
            if _farthest2(cube, lengths2) <= known:
                result.excluded.append((cube, INHERITED))
                break
            result.boxes += 1
            kind, _ = region.tube_lemma(cube)
            if kind:
                result.excluded.append((cube, kind))
                break
            half /= 2
            if half < Fraction(1, 2 ** 60):
                result.radius = None
                result.reason = ("no cube around theta° of half-width 2^-60 or more is excluded by the lemma: "
                                 + _why_singular(at_point, mid, model_rank))
                result.seconds = time.perf_counter() - start
                return result
        heap = []
        for count, box in enumerate(_shells(half, reach_half, len(basis))):
            heapq.heappush(heap, (_distance2(box, lengths2), count, box))
        count = len(heap)
        stop = reach * reach
        result.reason = f"every box within {float(reach):.3g} excluded"
        while heap:
            dist2, _, box = heapq.heappop(heap)
            if dist2 >= stop:
                break
            if _farthest2(box, lengths2) <= known:
                result.excluded.append((box, INHERITED))
                continue
            result.boxes += 1
            contains_branch = all(lo <= 0 <= hi for lo, hi in box[tangent:])
            if not contains_branch and region.residual_excludes(box):
                result.excluded.append((box, RESIDUAL))
                continue
            kind, smear = region.tube_lemma(box)
            if kind:
                result.excluded.append((box, kind))
                continue
            if result.boxes >= max_boxes:
                stop, result.reason = dist2, f"budget of {max_boxes} boxes reached"
                break
            # split where the second-order lemma lost most (near a weak direction of J_n N that is the
            # coordinate along which J_n N turns, often along the branch); else the longest side
            if smear is not None and all(math.isfinite(v) for v in smear):
                j = max(range(len(box)), key=lambda i: smear[i])
            else:
                j = max(range(len(box)), key=lambda i: (box[i][1] - box[i][0]) ** 2 * lengths2[i])
            lo, hi = box[j]
            for part in ((lo, (lo + hi) / 2), ((lo + hi) / 2, hi)):
                piece = list(box)
                piece[j] = part
                count += 1
                heapq.heappush(heap, (_distance2(piece, lengths2), count, piece))
        # covered: every box nearer than stop, and the inherited ball
        covered = max(min(stop, reach * reach), known)
        # the inherited radius itself when nothing beyond it was covered (its square's root could round below it)
        result.radius = inside if inside is not None and covered == known else _dyadic_sqrt_lower(covered)
    result.seconds = time.perf_counter() - start
    return result


def reverify_exclusion(problem: Problem, point: Network, found: Exclusion, probes: int = 400,
                       seed: int = 0) -> tuple[bool, str]:
    """Check an exclusion again by separate code: (ok, what failed).

    * the coordinate vectors, exactly: tangent ones solve the branch's equations, normal ones are orthogonal
      to them, all are pairwise orthogonal, and there are M of them;
    * every excluded box once more, parameters enclosed by exact rational interval arithmetic from the box's
      corners (not the ball product of the search): a lemma box by the smallest of three matrix norms of
      I - Y J_n N (each bounds the spectral radius), a second-order box by its own centred form (the curvature
      entry by entry from each neuron's bilinear form, another weight vector d), a residual box by a residual
      excluding 0 or a Krawczyk operator of its own, an inherited box by its farthest corner against the
      inherited radius (exactly);
    * coverage, sampled: ``probes`` random points of the certified ball each lie in some excluded box.
    """
    act, target, inputs, dps = problem.act, problem.target, problem.inputs, problem.dps
    if found.radius is None:
        return True, "nothing certified"
    rows = branch_constraints(act, point, target)
    if rows is None:
        return False, "the point is on no branch of Q*"
    basis, k = found.basis, found.tangent
    M = len(point.flat())
    if len(basis) != M or len(rows) != M - k:
        return False, "the coordinate vectors do not number M, or the normal ones not codim"
    sparse = [{i: x for i, x in enumerate(q) if x} for q in basis]

    def dot(u, v):
        return sum(x * v[i] for i, x in u.items() if i in v)
    if any(dot({i: Fraction(c) for i, c in enumerate(row) if c}, q) != 0 for row in rows for q in sparse[:k]):
        return False, "a tangent vector is not in the branch's direction space"
    if any(dot(p, q) != 0 for i, p in enumerate(sparse) for q in sparse[i + 1:]):
        return False, "the coordinate vectors are not orthogonal"
    lengths2 = [sum(v * v for v in q) for q in basis]
    if min(lengths2) < Fraction(1, 4):
        return False, "a coordinate vector is shorter than 1/2 (the covering assumes |q_i| >= 1/2)"
    theta0 = [Fraction(v) for v in point.flat()]
    with working_precision(dps):
        X = as_arb_matrix(inputs)
        values = evaluate(act, target, X, dps=dps).outputs
        N = arb_mat([[arb(_q(q[i])) for q in basis[k:]] for i in range(M)])

        touching = [[(j, q[i]) for j, q in enumerate(basis) if q[i]] for i in range(M)]

        def network(box):
            coordinates = []
            for i in range(M):
                lo = hi = theta0[i]
                for j, q in touching[i]:
                    ends = (q * box[j][0], q * box[j][1])
                    lo, hi = lo + min(ends), hi + max(ends)
                coordinates.append(arb(_q(lo)).union(arb(_q(hi))))
            return Network.from_flat(coordinates, point.d)

        def pinv(matrix):
            mid = float64_midpoints(matrix)
            return arb_mat([[arb(float(v)) for v in row] for row in np.linalg.pinv(mid)]) \
                if np.all(np.isfinite(mid)) else None

        def norms_below_one(E):
            entries = [[abs(E[i, j]).upper() for j in range(E.ncols())] for i in range(E.nrows())]
            if not all(v.is_finite() for row in entries for v in row):
                return False
            inf = max(sum(row, arb(0)).upper() for row in entries)
            one = max(sum((row[j] for row in entries), arb(0)).upper() for j in range(E.ncols()))
            frobenius = sum((v * v for row in entries for v in row), arb(0)).sqrt().upper()
            return inf < 1 or one < 1 or frobenius < 1

        def weighted_below_one(E):
            # a positive d with |E| d < d, here from (I - |E|) d = 1 (the search uses the Perron vector)
            entries = [[abs(E[i, j]).upper() for j in range(E.ncols())] for i in range(E.nrows())]
            A = np.array([[float(v) for v in row] for row in entries])
            if not np.all(np.isfinite(A)):
                return False
            try:
                d = np.linalg.solve(np.eye(len(A)) - A, np.ones(len(A)))
            except np.linalg.LinAlgError:
                return False
            if not np.all(np.isfinite(d)) or d.min() <= 0:
                return False
            weights = [arb(float(v)) for v in d]
            return all(sum((u * w for u, w in zip(row, weights)), arb(0)) < weights[i]
                       for i, row in enumerate(entries))

        sigma = activation_function(act, (1, 2))

        def curvature(enclosed):
            # D_j[i, l] = q_j^T Hess f(x_i) n_l, entry by entry from the bilinear form of each neuron
            r, xs = M - k, X.tolist()
            D = [[[arb(0)] * r for _ in xs] for _ in range(M)]
            for unit in range(enclosed.m):
                w, a = enclosed.input_weights[unit], enclosed.output_weights[unit]
                base = unit * (point.d + 1)
                # only the coordinate vectors with an entry on this neuron see its Hessian block
                near = [j for j, q in enumerate(basis) if any(q[base:base + point.d + 1])]
                across = [j for j in near if j >= k]
                for i, x in enumerate(xs):
                    z = sum((wl * xl for wl, xl in zip(w, x)), arb(0))
                    s1, s2 = sigma(z)
                    moved = {j: sum((arb(_q(basis[j][base + 1 + l])) * x[l] for l in range(point.d)
                                     if basis[j][base + 1 + l]), arb(0)) for j in near}
                    for j in near:
                        for jl in across:
                            # q_j^T H n_l: sigma' (q_a n_w.x + n_a q_w.x) + a sigma'' (q_w.x)(n_w.x)
                            D[j][i][jl - k] += s1 * (arb(_q(basis[j][base])) * moved[jl] + arb(_q(basis[jl][base]))
                                                     * moved[j]) + a * s2 * moved[j] * moved[jl]
            return D

        def centred(Y, J0, enclosed, deltas):
            # Y J0 + sum_j (Y D_j) [lo_j, hi_j], deltas as exact rational ranges
            P = Y * J0
            for Dj, (lo, hi) in zip(curvature(enclosed), deltas):
                P += (Y * arb_mat(Dj)) * arb(_q(Fraction(lo))).union(arb(_q(Fraction(hi))))
            return P

        def jacobian_at(coordinates):
            exact = [theta0[i] + sum(q[i] * c for q, c in zip(basis, coordinates)) for i in range(M)]
            return evaluate(act, Network.from_flat([arb(_q(v)) for v in exact], point.d), X, values,
                            dps=dps).jacobian * N

        def misses(box, centre, F, Y, E):
            # Krawczyk's image of the c-range is disjoint from it in some coordinate
            C = [arb(_q(lo)).union(arb(_q(hi))) for lo, hi in box[k:]]
            image = arb_mat([[arb(_q(c))] for c in centre[k:]]) - Y * arb_mat([[f] for f in F]) + \
                E * arb_mat([[x - arb(_q(c))] for x, c in zip(C, centre[k:])])
            return any(not image[j, 0].overlaps(C[j]) for j in range(len(C)))

        def second_order(box):
            hull = box[:k] + [(min(lo, 0), max(hi, 0)) for lo, hi in box[k:]]
            middle = [(lo + hi) / 2 for lo, hi in hull[:k]]
            J0 = jacobian_at(middle + [0] * (M - k))
            Y = pinv(J0)
            if Y is None or J0.nrows() < J0.ncols():
                return False
            deltas = [(lo - c, hi - c) for (lo, hi), c in zip(hull[:k], middle)] + \
                     [(Fraction(lo) / 2, Fraction(hi) / 2) for lo, hi in hull[k:]]
            E = identity(M - k) - centred(Y, J0, network(hull), deltas)
            return norms_below_one(E) or weighted_below_one(E)

        inherited = Fraction(0) if found.inherited is None else exact_fraction(found.inherited) ** 2
        for box, kind in found.excluded:
            if kind == INHERITED:
                ok = sum(max(abs(lo), abs(hi)) ** 2 * s for (lo, hi), s in zip(box, lengths2)) <= inherited
            elif kind == SECOND_ORDER:
                ok = second_order(box)
            elif kind == LEMMA:
                hull = box[:k] + [(min(lo, 0), max(hi, 0)) for lo, hi in box[k:]]
                JN = evaluate(act, network(hull), X, values, dps=dps).jacobian * N
                Y = pinv(JN)
                ok = Y is not None and JN.nrows() >= JN.ncols() and norms_below_one(identity(JN.ncols()) - Y * JN)
            else:
                ev = evaluate(act, network(box), X, values, dps=dps)
                ok = any(not e.contains(0) for e in ev.residuals)
                if not ok:
                    centre = [(lo + hi) / 2 for lo, hi in box]
                    F = evaluate(act, network(box[:k] + [(c, c) for c in centre[k:]]), X, values,
                                 dps=dps).residuals
                    JN = ev.jacobian * N                  # J_n N enclosed on the box
                    Y = pinv(JN)
                    ok = Y is not None and misses(box, centre, F, Y, identity(JN.ncols()) - Y * JN)
                    if not ok:                            # or its centred form around the box's middle
                        J0 = jacobian_at(centre)
                        Y = pinv(J0)
                        ok = Y is not None and misses(box, centre, F, Y, identity(J0.ncols()) - centred(
                            Y, J0, network(box), [(lo - c, hi - c) for (lo, hi), c in zip(box, centre)]))
            if not ok:
                return False, f"a {kind} box did not re-verify: {[(float(lo), float(hi)) for lo, hi in box]}"
    # coverage, sampled: points of the ball (in the coordinates, |q_i| s_i) must fall in excluded boxes
    rng = np.random.default_rng(seed)
    radius = float(found.radius)
    lows = np.array([[float(lo) for lo, _ in box] for box, _ in found.excluded])
    highs = np.array([[float(hi) for _, hi in box] for box, _ in found.excluded])
    scale = np.sqrt(np.array([float(s) for s in lengths2]))
    direction = rng.standard_normal((probes, M))
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    points = direction * (radius * rng.uniform(0, 1, (probes, 1)) ** (1 / M)) / scale
    slack = 1e-12 * radius
    covered = ((points[:, None, :] >= lows[None] - slack) & (points[:, None, :] <= highs[None] + slack)).all(2).any(1)
    if found.inherited is not None:   # the inherited ball is covered by the certificate of fewer samples
        covered |= np.linalg.norm(points * scale, axis=1) <= float(found.inherited) * (1 - 1e-12)
    if not covered.all():
        return False, f"{int((~covered).sum())} of {probes} sampled points of the ball are in no excluded box"
    return True, f"{len(found.excluded)} boxes re-verified; {probes} sampled points of the ball covered"
