"""Decide whether a family of neurons is linearly independent (docs/theory.md §3, claim C2).

Three kinds of evidence, in this order:

1. **exact certificate**: the rational coefficient matrix (degree blocks divided
   by ``c_s``, see :mod:`twolayer.symbolic.independence`) has full column rank
   over Q at some degree ``S`` (python-flint ``fmpq_mat``);
2. **exact relation**: otherwise a basis of the null space at the largest degree
   tried, each vector checked by sympy to vanish as a *function* of x;
3. **numerical**: the singular values of the features at random points, at
   ``dps`` digits, with the gap rule — a cross-check, labelled an estimate.

>>> from twolayer.symbolic.activations import activation
>>> r = certify_independence(activation("tanh"), [[1], [-1]])
>>> r.independent, r.evidence, r.relation_text
(False, 'exact-relation', 'sigma(w1.x) + sigma(w2.x) = 0')
>>> certify_independence(activation("tanh"), [[1], [2]]).evidence
'exact-certificate'
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

import sympy as sp
from flint import arb_mat

from ..base.errors import InputError
from ..base.precision import working_precision
from ..symbolic.activations import z
from ..symbolic.independence import degree_block, family_expression, feature_names, lemma_prediction, nonzero_degrees
from .evaluate import activation_function, as_arb_matrix
from .network import gaussian_inputs
from .rank import _fmpq, exact_null_space, exact_rank, gap_rank, singular_values

if TYPE_CHECKING:  # for annotations only: no import cycle at run time
    from ..symbolic.activations import Activation


@dataclass
class IndependenceResult:
    independent: bool | None     # True / False / None
    evidence: str | None         # 'exact-certificate' | 'exact-relation' | 'numerical' | None
    size: int                    # number of functions in the family
    rank: int | None             # exact rank when known, else the numerical rank (or None)
    degree: int                  # largest degree S used
    rows: int                    # rows of the certificate matrix
    relations: list = field(default_factory=list)   # verified null vectors (Fractions)
    unverified: int = 0          # null vectors sympy could not confirm
    numerical_rank: int | None = None
    singular_values: list = field(default_factory=list)
    names: list = field(default_factory=list)
    prediction: bool | None = None # what the lemma predicts (True / False / None)

    @property
    def relation_text(self):
        """The first verified relation, written out."""
        if not self.relations:
            return None
        terms = []
        for c, name in zip(self.relations[0], self.names):
            if c:
                coefficient = "" if abs(c) == 1 else f"{abs(c)} "
                terms.append(("- " if c < 0 else "+ ") + coefficient + name)
        text = " ".join(terms)
        return (text[2:] if text.startswith("+ ") else "-" + text[2:]) + " = 0"


_PROBES = [sp.Rational(3, 10), sp.Rational(-7, 10), sp.Rational(1, 3), sp.Rational(-11, 10), sp.Rational(2, 5),
           sp.Rational(5, 7), sp.Rational(-1, 6), sp.Rational(9, 8)]


def _is_zero_function(expr, xs):
    """sympy proof that expr(x) = 0 for all real x; a quick numerical disproof first (any d)."""
    for shift in (0, 3):
        point = [_PROBES[(shift + 2 * l) % len(_PROBES)] for l in range(len(xs))]
        value = expr.evalf(40, subs=dict(zip(xs, point)))
        if not value.is_number or abs(value) > sp.Float("1e-25"):
            return False
    for candidate in (expr, expr.rewrite(sp.exp)):
        if sp.simplify(candidate) == 0:
            return True
    return False


def _validate(weights):
    if not weights or not all(len(w) == len(weights[0]) for w in weights) or not weights[0]:
        raise InputError("weights must be a non-empty list of vectors of one length d >= 1")
    return [tuple(Fraction(v) for v in w) for w in weights]


def feature_matrix(act, weights, points, derivatives, dps):
    """Features of the family at the given points (rows), as an arb_mat."""
    with working_precision(dps):
        P = as_arb_matrix(points)
        W = as_arb_matrix(weights)
        Z = (P * W.transpose()).tolist()
        sig = activation_function(act, (0, 1))
        xs = P.tolist()
        rows = []
        for i, row in enumerate(Z):
            values = [sig(v) for v in row]
            features = [v[0] for v in values]
            if derivatives:
                features += [xl * v[1] for v in values for xl in xs[i]]
            rows.append(features)
        return arb_mat(rows)


#: Largest Taylor degree: exact coefficients with irrational constants (tanh(z + 1/2)) take ~12 s at 60.
MAX_DEGREE = 60


def _exact_rows(act, block, size, max_degree):
    """Stack the rational degree blocks (degrees with c_s != 0) until they reach full column rank ``size``.

    Taylor coefficients are computed only as far as the certificate needs them: the degree limit starts at
    ``size + 8`` and doubles up to ``max_degree``. While the rank falls short, the stack is replaced by
    the non-zero rows of its reduced row echelon form (same row space, same null space), so later blocks
    do not convert every earlier row again. Returns (rows, exact rank, last degree used, number of rows
    stacked).
    """
    basis, rank, degree, done, total = [], 0, 0, -1, 0
    limit = min(max_degree, size + 8)
    while rank < size:
        for s in nonzero_degrees(act.taylor(limit)):
            if s <= done:
                continue
            new = block(s)
            total += len(new)
            degree = s
            basis += new
            if len(basis) < size:
                continue
            rank = exact_rank(basis)
            if rank == size:
                break
            # rank deficient so far: keep only the reduced rows, so later blocks do not re-convert this stack
            reduced, rank = _fmpq(basis).rref()
            basis = [[Fraction(int(reduced[i, j].p), int(reduced[i, j].q)) for j in range(size)] for i in range(rank)]
        if limit == max_degree:
            break
        done, limit = limit, min(max_degree, 2 * limit)
    return basis, rank, degree, total


def _cross_check_singular_values(act, weights, derivatives, columns, total, dps, seed):
    """Singular values of the family sampled at 2 size + 3 Gaussian points, at ``dps`` digits."""
    points = gaussian_inputs(2 * len(columns) + 3, len(weights[0]), seed)
    features = feature_matrix(act, weights, points, derivatives, dps)
    if len(columns) != total:
        features = arb_mat([[features[i, c] for c in columns] for i in range(features.nrows())])
    return singular_values(features, dps)


@dataclass(frozen=True)
class CrossCheck:
    """The numerical cross-check of an exact decision: the family's singular values at random Gaussian points
    (drawn with ``seed``) at ``dps`` digits."""
    seed: int = 0
    dps: int = 50


def certify_independence(act: Activation, weights, derivatives: bool = False, max_degree: int = 60, *,
                         columns=None, cross_check: CrossCheck | None = CrossCheck()) -> IndependenceResult:
    """Decide independence of ``{sigma(w_k.x)}`` (and ``{x_l sigma'(w_k.x)}``), with evidence.

    ``columns`` selects a subset of the family (indices into :func:`feature_names`), e.g. the
    columns of a Jacobian whose neurons with a = 0 contribute no derivative features.
    ``cross_check=None`` skips the numerical cross-check (for callers that compute their own, like the model
    rank).
    """
    weights = _validate(weights)
    if isinstance(max_degree, bool) or not isinstance(max_degree, int) or not 1 <= max_degree <= MAX_DEGREE:
        raise InputError(f"maximum degree must be an integer from 1 to {MAX_DEGREE}, got {max_degree!r}")
    d = len(weights[0])
    all_names = feature_names(weights, derivatives)
    columns = list(range(len(all_names))) if columns is None else list(columns)
    names = [all_names[c] for c in columns]
    size = len(names)

    def block(s):
        return [[row[c] for c in columns] for row in degree_block(weights, s, derivatives, max_rows=2 * size)]

    def full(vector):
        out = [Fraction(0)] * len(all_names)
        for c, v in zip(columns, vector):
            out[c] = v
        return out
    rows, rank, degree, stacked = _exact_rows(act, block, size, max_degree)
    values, numerical = [], None
    if cross_check is not None:
        dps = cross_check.dps
        values = _cross_check_singular_values(act, weights, derivatives, columns, len(all_names), dps,
                                              cross_check.seed)
        numerical = gap_rank(values, dps).rank
    result = IndependenceResult(None, None, size, None, degree, stacked, numerical_rank=numerical,
                                singular_values=values, names=names,
                                prediction=lemma_prediction(act.symmetry.kind, weights))
    if rows and rank == size:
        result.independent, result.evidence, result.rank = True, "exact-certificate", size
        return result
    xs = sp.symbols(f"x1:{d + 1}", real=True)
    basis = exact_null_space(rows) if rows else [[Fraction(int(i == j)) for i in range(size)] for j in range(size)]
    for vector in basis:
        if _is_zero_function(family_expression(act.expr, z, weights, full(vector), derivatives, xs), xs):
            result.relations.append(vector)
        else:
            result.unverified += 1
    if result.relations:
        result.independent, result.evidence = False, "exact-relation"
        if not result.unverified:
            result.rank = size - len(basis)
    elif numerical is not None:
        result.independent, result.evidence, result.rank = numerical == size, "numerical", numerical
    return result
