"""Numerical rank by a gap rule (docs/theory.md §8), and exact rank over Q.

Singular values come from the eigenvalues of the Gram matrix ``A^T A`` formed
in arb at twice the working precision (plus guard digits), so they carry about
``dps`` correct digits relative to ``s_1`` — as a direct SVD would, at a fraction
of mpmath's pure-Python SVD cost.

Gap rule: ``s_i / s_1 > 10^(-dps/3)`` counts, ``< 10^(-2 dps/3)`` does not,
anything in between makes the rank undecided (``None``).

>>> from flint import arb_mat
>>> gap_rank(singular_values(arb_mat([[1, 2], [2, 4]]), 50), 50).rank
1
>>> exact_rank([[1, 2], [2, 4], [0, 1]])
2
"""
import math
from dataclasses import dataclass
from fractions import Fraction

import flint
import mpmath
import numpy as np
from flint import arb, arb_mat, fmpq, fmpq_mat

from ..base.precision import working_precision
from ..base.tolerance import exponent_label, gap_thresholds
from .precision import arb_to_mpf, identity, to_arb


def gram_eigen(A, dps, weights=None, rhs=None, vectors=True):
    """Eigen-decomposition of ``A^T V A`` formed from the midpoints of ``A`` at 2 dps + 10 digits.

    ``V`` is diag(``weights``) (identity by default). Returns (eigenvalues ascending, eigenvectors as
    columns of an arb_mat of exact midpoints, ``A^T V rhs`` as an arb_mat column or None), all at the
    doubled precision: the Gram matrix squares the condition number, so doubling keeps about ``dps``
    correct digits relative to the largest singular value, as a direct SVD would, in a fraction of
    mpmath's pure-Python SVD time. Call it inside ``working_precision(2 * dps + 10)`` to use the results.
    Eigenvectors come from float64 ``eigh`` refined in arb (:func:`refined_eigen`); with ``vectors=False``
    they are not formed (None is returned for them), and below 30 x 30 mpmath's eigsy gives the values.
    """
    rows, cols = A.nrows(), A.ncols()
    mids = A.mid()
    VA = mids if weights is None else arb_mat([[to_arb(weights[i]) * mids[i, j] for j in range(cols)]
                                               for i in range(rows)])
    gram = VA.transpose() * mids
    if cols == 1:
        eigenvalues, basis = [arb_to_mpf(gram[0, 0])], arb_mat([[1]]) if vectors else None
    elif vectors or cols >= REFINE_FROM:
        eigenvalues, basis = refined_eigen(gram, vectors=vectors)
    else:
        eigenvalues, basis = _eigsy(gram)
    projected = None if rhs is None else VA.transpose() * arb_mat([[to_arb(v)] for v in rhs])
    return list(eigenvalues), basis, projected


#: from this size on, eigenvalues (without vectors) come from float64 eigh refined at high precision
REFINE_FROM = 30
#: eigenvalues closer than this fraction of the largest are one cluster, resolved on its own block
CLUSTER = 1e-8
#: from this size on the refinement's corrections are formed in float64 (numpy) until they are small
FLOAT_STEPS_FROM = 12


def refined_eigenvalues(gram, iterations=10):
    """Eigenvalues of the symmetric arb matrix ``gram`` (exact entries) at the current precision (see
    :func:`refined_eigen`)."""
    return refined_eigen(gram, iterations)[0]


def refined_eigen(gram, iterations=12, vectors=False, top=None, depth=0):
    """Eigenvalues (ascending) of the symmetric arb matrix ``gram`` (exact entries) at the current precision,
    and with ``vectors`` an arb_mat of matching eigenvectors (columns, exact midpoints).

    float64 ``eigh`` gives approximate eigenvectors X; Ogita and Aishima's refinement (2018) then
    improves them with matrix products in arb: R = I - X^T X, S = X^T G X, lambda_i = S_ii / (1 - R_ii),
    X += X E with E_ij = (S_ij + lambda_j R_ij) / (lambda_j - lambda_i). E is as small as the current error
    of X, so from 12 x 12 on it is formed in float64 from R, S and lambda (16 correct digits of a small
    correction): each step gains at least 16 digits, and R, S, lambda and the update stay in arb; once E is
    below half the working precision, one step with E in arb squares the error (small matrices take only
    such steps). Within a cluster
    (eigenvalues closer than CLUSTER x the largest) the vectors only span the right subspace; each
    cluster's block X_c^T G X_c is resolved in turn — left as it is when it is a multiple of the identity
    at this precision (e.g. exactly flat directions), by this same method on the block when it has 3 or
    more rows (its own scale separates what the whole matrix's could not), else by mpmath's eigsy. The
    result agrees with eigsy on the whole matrix (tests/test_rank.py); no convergence, or a matrix outside
    float64's range, falls back to eigsy.
    """
    n = gram.nrows()
    Gf = np.array([[float(gram[i, j].mid()) for j in range(n)] for i in range(n)])
    if not np.all(np.isfinite(Gf)) or not np.any(Gf):
        return _eigsy(gram, vectors)      # outside float64's range (or zero): no float64 start to refine
    w, V = np.linalg.eigh(Gf)
    scale = max(float(np.abs(w).max()), 1e-300)
    top = scale if top is None else top
    X = arb_mat(V.tolist())
    eye = identity(n)
    target = 10.0 ** -(mpmath.mp.dps / 2 + 2)
    apart = ~np.eye(n, dtype=bool)
    small, done = n < FLOAT_STEPS_FROM, False
    full, error = mpmath.mp.dps, 1e-16       # float64 eigh: vectors good to about 1e-16
    for _ in range(iterations):
        # a float64 step only needs R and S to about 16 digits beyond the current error of X: products at
        # that precision (rising each step) cost a fraction of full-precision ones on large matrices
        digits = full if small or done else min(full, int(-math.log10(max(error, 1e-300))) + 26)
        with flint.ctx.workdps(digits):
            R = eye - X.transpose() * X
            S = X.transpose() * (gram * X)
            lam = [(S[i, i] / (1 - R[i, i])).mid() for i in range(n)]
        if done:
            break
        if small:
            # E in full precision: the error of X goes from e to about e^2 (float64 steps stop at e * 1e-16)
            E = [[(((S[i, j] + lam[j] * R[i, j]) / (lam[j] - lam[i])) if i != j and
                   abs(float(lam[j] - lam[i])) > CLUSTER * scale else R[i, j] / 2).mid() for j in range(n)]
                 for i in range(n)]
            X = (X + X * arb_mat(E)).mid()
            done = max(abs(float(v)) for row in E for v in row) < target
            continue
        Rf = np.array([[float(v) for v in row] for row in R.mid().tolist()])
        Sf = np.array([[float(v) for v in row] for row in S.mid().tolist()])
        lf = np.array([float(v) for v in lam])
        gap = lf[None, :] - lf[:, None]
        separated = apart & (np.abs(gap) > CLUSTER * scale)
        Ef = np.where(separated, (Sf + lf[None, :] * Rf) / np.where(separated, gap, 1.0), Rf / 2)
        with flint.ctx.workdps(digits):
            X = (X + X * arb_mat(Ef.tolist())).mid()
        largest = float(np.abs(Ef).max())
        error = max(largest * 1e-15, largest * largest, 10.0 ** -digits)
        small = largest < target
        # values only: an error e of X moves a separated lambda by about e^2, already below the working
        # precision; a cluster's block inherits e times its own size, so clusters of eigenvalues above
        # 1e-16 x the largest take the last full-precision step
        clustered = apart & ~separated
        done = small and not vectors and not (clustered.any() and
                                              np.abs(lf)[clustered.any(axis=1)].max() > 1e-16 * scale)
    else:
        return _eigsy(gram, vectors)      # no convergence: the reference method decides
    values = [float(v) for v in lam]
    order = sorted(range(n), key=lambda i: values[i])
    out, columns, start = [], [], 0
    while start < n:
        stop = start + 1
        while stop < n and values[order[stop]] - values[order[stop - 1]] <= CLUSTER * scale:
            stop += 1
        block = order[start:stop]
        start = stop
        if len(block) == 1:
            out.append(arb_to_mpf(lam[block[0]]))
            columns.append([X[i, block[0]] for i in range(n)])
            continue
        Xc = arb_mat([[X[i, j] for j in block] for i in range(n)])
        inner = Xc.transpose() * (gram * Xc)
        if _scalar_block(inner, top):
            # a multiple of the identity at this precision: every orthonormal basis of the cluster is an
            # eigenbasis, X_c is one
            pairs = sorted(((arb_to_mpf(inner[k, k]), j) for k, j in enumerate(block)), key=lambda p: p[0])
            out += [value for value, _ in pairs]
            columns += [[X[i, j] for i in range(n)] for _, j in pairs]
            continue
        if len(block) >= 3 and depth < 8:
            block_values, block_vectors = refined_eigen(inner, iterations, vectors, top, depth + 1)
        else:
            block_values, block_vectors = _eigsy(inner, vectors)
        out += block_values
        if vectors:
            mapped = (Xc * block_vectors).mid()
            columns += [[mapped[i, j] for i in range(n)] for j in range(len(block))]
    if not vectors:
        return out, None
    return out, arb_mat([[columns[k][i] for k in range(n)] for i in range(n)])


def _scalar_block(block, scale):
    """True when the symmetric block equals a multiple of the identity to the working precision (relative to
    ``scale``): its off-diagonal entries and the spread of its diagonal are below 2^-(prec - 8) scale."""
    k = block.nrows()
    tiny = arb(2) ** -(flint.ctx.prec - 8) * arb(scale)
    diagonal = [block[i, i] for i in range(k)]
    return all(abs(block[i, j]) < tiny for i in range(k) for j in range(k) if i != j) and \
        all(abs(v - diagonal[0]) < tiny for v in diagonal)


def _mpmath_matrix(gram):
    """The midpoints of an arb matrix as an mpmath matrix (exact conversions)."""
    return mpmath.matrix([[arb_to_mpf(gram[i, j]) for j in range(gram.ncols())] for i in range(gram.nrows())])


def _eigsy(gram, vectors=False):
    """Eigenvalues (ascending, mpf) of a symmetric arb matrix's midpoints by mpmath's eigsy, and with ``vectors``
    its eigenvectors as an arb_mat (columns)."""
    if not vectors:
        return sorted(mpmath.eigsy(_mpmath_matrix(gram), eigvals_only=True)), None
    values, basis = mpmath.eigsy(_mpmath_matrix(gram))
    order = sorted(range(len(values)), key=lambda k: values[k])
    return [values[k] for k in order], arb_mat([[basis[i, k] for k in order] for i in range(basis.rows)])


def singular_values(A, dps):
    """Singular values of the arb matrix ``A`` (midpoints), descending, as mpf at ``dps`` digits.

    A wide matrix (n < M, from 30 columns on) is decomposed through its smaller Gram A A^T: the other
    M - n singular values are exactly 0 and are listed as such.
    """
    rows, cols = A.nrows(), A.ncols()
    wide = rows < cols and cols >= REFINE_FROM
    with working_precision(2 * dps + 10):
        eigenvalues, _, _ = gram_eigen(A.transpose() if wide else A, dps, vectors=False)
        eigenvalues = list(eigenvalues) + [mpmath.mpf(0)] * (cols - rows if wide else 0)
        values = sorted((mpmath.sqrt(max(e, 0)) for e in eigenvalues), reverse=True)
    with mpmath.workdps(dps):
        return [+v for v in values]


@dataclass(frozen=True)
class GapRank:
    rank: int | None        # int, or None when a singular value falls in the gap
    counted: int            # singular values above the upper threshold
    undecided: int          # singular values inside the gap
    upper: str              # thresholds, relative to s_1
    lower: str


def float64_singular_values(mids):
    """Singular values of a float64 array (the midpoints of J) from numpy's SVD, descending, as mpf."""
    return [mpmath.mpf(float(v)) for v in np.linalg.svd(mids, compute_uv=False)]


def gap_rank(values, dps, thresholds=None):
    """Numerical rank of descending singular values ``values`` by the gap rule at ``dps`` digits (or with the
    given (upper, lower) ``thresholds``, as for float64 values)."""
    upper, lower = thresholds or gap_thresholds(dps)
    labels = exponent_label(upper), exponent_label(lower)
    if not values or values[0] == 0:
        return GapRank(0, 0, 0, *labels)
    ratios = [v / values[0] for v in values]
    counted = sum(1 for r in ratios if r > upper)
    undecided = sum(1 for r in ratios if lower <= r <= upper)
    return GapRank(None if undecided else counted, counted, undecided, *labels)


def range_rows(A):
    """Exact rows U (an arb_mat, r x n) close to an orthonormal basis of the range of the n x r arb_mat ``A``,
    from mpmath's QR of its midpoints at the current precision; None when QR breaks down. Any fixed U is
    allowed wherever it is used: U A invertible proves rank A = r, whatever U is.
    """
    mids = mpmath.matrix([[arb_to_mpf(A[i, j]) for j in range(A.ncols())] for i in range(A.nrows())])
    try:
        Q, _ = mpmath.qr(mids)
    except ZeroDivisionError:
        return None
    return arb_mat([[arb(Q[i, j]) for i in range(A.nrows())] for j in range(A.ncols())])


def certified_full_column_rank(A):
    """True when ball arithmetic proves that every matrix in the enclosure ``A`` (n x r, n >= r) has rank r:
    U A is certified invertible for the U of :func:`range_rows`. False means not proven (singular, or too
    ill-conditioned for the current precision), never "proven singular".

    >>> from flint import arb_mat
    >>> certified_full_column_rank(arb_mat([[1, 0], [0, 1], [1, 1]]))
    True
    >>> certified_full_column_rank(arb_mat([[1, 2], [2, 4]]))
    False
    """
    if A.nrows() < A.ncols():
        return False
    U = range_rows(A)
    if U is None:
        return False
    try:
        (U * A).inv()
    except ZeroDivisionError:
        return False
    return True


def exact_rank(rows):
    """Rank over Q of a matrix of rationals (python-flint fmpq_mat)."""
    return _fmpq(rows).rank()


def _fmpq(rows):
    return fmpq_mat([[fmpq(Fraction(v).numerator, Fraction(v).denominator) for v in row] for row in rows])


def exact_null_space(rows):
    """A basis of the right null space over Q, each vector as a list of Fractions (from the RREF)."""
    R, rank = _fmpq(rows).rref()
    ncols = R.ncols()
    pivots, r = [], 0
    for c in range(ncols):
        if r < rank and R[r, c] != 0:
            pivots.append(c)
            r += 1
    basis = []
    for free in (c for c in range(ncols) if c not in pivots):
        v = [Fraction(0)] * ncols
        v[free] = Fraction(1)
        for i, p in enumerate(pivots):
            entry = R[i, free]
            v[p] = -Fraction(int(entry.p), int(entry.q))
        basis.append(v)
    return basis
