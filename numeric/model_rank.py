"""Model rank: the dimension of the tangent function space T_theta (docs/theory.md, model rank; claim C4).

``T_theta`` is spanned by the columns of J: ``sigma(w_k.x)`` for every neuron and
``x_l sigma'(w_k.x)`` for the neurons with ``a_k != 0``. The rank is bracketed by two
certified bounds and compared with two predictions:

* **certified lower bound**: the larger of (without a bias) the exact rank over Q of the
  family's truncated coefficient matrix (:mod:`twolayer.numeric.independence`) and an
  ``r x r`` minor of J at ``2M`` samples whose determinant, enclosed in arb, excludes 0;
* **certified upper bound**: the family size minus the number of independent exact relations:
  without a bias, null vectors of the coefficient matrix each verified by sympy as an identity
  of functions; with a bias, the exact identities of :func:`grouped_count` (equal or, for odd
  and even sigma, opposite augmented weights; neurons whose input part is 0 are constants and
  linear functions);
* **formula** (the [LLR] Cor. 7 count for tanh, derived here for odd, even and generic sigma
  without a bias, and for odd and even sigma with one): :func:`grouped_count`; ``None`` for the
  "up to a polynomial" classes, where p adds relations that no closed count captures;
* **numerical**: the gap-rule rank of J at ``2M`` Gaussian samples (an estimate).

The model rank is *certified* when the two bounds meet.

>>> from twolayer.symbolic.activations import activation
>>> from twolayer.numeric.network import parse_network
>>> r = model_rank(activation("tanh"), parse_network('[[1, 2], ["1/2", 2], [0, 1]]'))
>>> (r.certified, r.formula, r.numerical, r.verdict)
(3, 3, 3, 'PASS')
>>> model_rank(activation("sigmoid"), parse_network('[[1, 1], [1, -1]]')).certified   # sigma(x) + sigma(-x) = 1
3
>>> model_rank(activation("tanh"), parse_network('[[1, 1, "1/2"], [1, 0, "3/2"]]'), bias=True).certified
5
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import sympy as sp
from flint import arb_mat

from ..base.errors import InputError
from ..base.precision import DEFAULT_DPS, working_precision
from ..base.tolerance import float64_gap_thresholds
from ..symbolic.activations import z
from ..symbolic.branches import bias_structure_gap
from ..symbolic.constants import sign
from .evaluate import evaluate
from .independence import certify_independence
from .network import Network, gaussian_inputs
from .precision import float64_midpoints
from .rank import float64_singular_values, gap_rank, singular_values
from .verified64 import certify_regular

if TYPE_CHECKING:  # for annotations only: no import cycle at run time
    from ..symbolic.activations import Activation

MAX_SAMPLES = 20000
#: above this many parameters the numerical rank is read from float64 singular values first (an estimate either
#: way; the 50-digit Gram costs about 80 s at M = 600), and the certified bounds do not change
FLOAT64_FROM = 200


def augment(inputs):
    """Append the constant 1 to every input (a bias is the last input weight)."""
    return [tuple(x) + (Fraction(1),) for x in inputs]


def _nonzero_value(act, order, point):
    """Is sigma^(order)(point) != 0? Decided exactly; an undecidable value counts as non-zero (safe for an
    upper bound)."""
    try:
        return sign(act.derivative(order).subs(z, sp.Rational(point))) != 0
    except InputError:
        return True


def grouped_count(act, network, bias=False):
    """The rank from the exact identities among neurons; the [LLR] Cor. 7 count for tanh.

    Neurons are grouped by (augmented) input weight up to the symmetry of sigma; a group spans
    sigma(w.x) and, if one of its output weights is non-zero, the d derivative functions. Neurons
    whose input part is 0 span constants and linear functions: without a bias, sigma(0) (if non-zero)
    and x sigma'(0) (d functions, if some a != 0 and sigma'(0) != 0); with a bias b, sigma(b) and
    a sigma'(b) (x, 1). Every merge is an exact identity, so this is an upper bound of the rank.
    """
    sym = act.symmetry
    d_in = network.d - (1 if bias else 0)
    neurons = [[Fraction(v) for v in nrn] for nrn in network.neurons]
    constant = linear = False
    groups = []
    for a, *w in neurons:
        if all(v == 0 for v in w[:d_in]):
            b = w[d_in] if bias else Fraction(0)
            slope = a != 0 and _nonzero_value(act, 1, b)
            constant |= _nonzero_value(act, 0, b) or (bias and slope)
            linear |= slope
            continue
        for group in groups:
            if sym.relate(w, group[0]) is not None:
                group[1] |= a != 0
                break
        else:
            groups.append([w, a != 0])
    return sum(1 + (network.d if active else 0) for _, active in groups) + int(constant) + (d_in if linear else 0)


@dataclass
class ModelRank:
    lower: int                 # certified lower bound
    upper: int                 # certified upper bound
    formula: int | None        # grouped_count where it is derived, else None
    numerical: int | None      # gap-rule rank of J at many samples (None if undecided)
    empirical: int | None      # rank of J_n on the given samples, if any
    singular_values: list = field(default_factory=list)
    samples: int = 0
    how_lower: str = ""
    how_upper: str = ""
    how_numerical: str = ""

    @property
    def certified(self):
        """The model rank when the certified bounds meet, else None."""
        return self.lower if self.lower == self.upper else None

    @property
    def estimate_is_wrong(self) -> bool:
        """True when the bounds meet and the gap-rule rank differs from them: the certificate is the answer, and
        the estimate misread singular values of a nearly dependent family (a pair of weights 1e-12 apart leaves
        one near 1e-36, below the 50-digit zero threshold)."""
        return self.certified is not None and self.numerical is not None and self.numerical != self.certified

    @property
    def verdict(self):
        """PASS: the bounds meet (and agree with the formula where there is one); FAIL: the formula, or with the
        bounds apart the gap-rule rank, outside the certified bounds. Where the bounds meet, a gap-rule rank
        that differs is reported as wrong (:attr:`estimate_is_wrong`), never turned into a FAIL."""
        if self.formula is not None and not self.lower <= self.formula <= self.upper:
            return "FAIL"
        if self.certified is not None:
            return "PASS"
        if self.numerical is not None and not self.lower <= self.numerical <= self.upper:
            return "FAIL"
        return "INCONCLUSIVE"


def _certified_minor_rank(J, mids, target_rank, dps):
    """(r, tier): the largest r <= target_rank with a certified non-singular r x r minor (greedy pivots on the
    float64 midpoints ``mids`` of J), proven by the verified float64 tier (:mod:`.verified64`) or, where that
    proof fails, by an arb determinant."""
    for r in range(target_rank, 0, -1):
        rows, cols = _pivots(mids, r)
        if rows is None:
            continue
        minor = arb_mat([[J[i, j] for j in cols] for i in rows])
        if certify_regular(minor):
            return r, "float64 tier: ||I - Y A||_inf < 1 with a priori error bounds"
        with working_precision(dps):
            det = minor.det()
        if not det.contains(0):
            return r, "arb determinant"
    return 0, ""


def _pivots(A, r):
    """Row and column indices of an r x r well-conditioned block (LU with complete pivoting, float64)."""
    A = A.copy()
    rows, cols = list(range(A.shape[0])), list(range(A.shape[1]))
    chosen_rows, chosen_cols = [], []
    for _ in range(r):
        sub = np.abs(A[np.ix_(rows, cols)])
        if sub.size == 0 or sub.max() == 0:
            return None, None
        i, j = np.unravel_index(np.argmax(sub), sub.shape)
        pi, pj = rows[i], cols[j]
        chosen_rows.append(pi)
        chosen_cols.append(pj)
        A -= np.outer(A[:, pj], A[pi, :]) / A[pi, pj]
        rows.remove(pi)
        cols.remove(pj)
    return sorted(chosen_rows), sorted(chosen_cols)


def _exact_bounds(act, network, dps):
    """(lower, upper) from the coefficient matrix of the Jacobian's function family (no bias).

    Exact and deterministic, so computed once per (activation, point): a study asks for it twice per branch
    (the model rank, then the separation sweep's structural rank)."""
    return _exact_bounds_cached(act, tuple(tuple(Fraction(v) for v in nrn) for nrn in network.neurons), dps)


@lru_cache(maxsize=128)
def _exact_bounds_cached(act, neurons, dps):
    network = Network(neurons)
    d = network.d
    weights = [tuple(Fraction(v) for v in nrn[1:]) for nrn in network.neurons]
    m = len(weights)
    columns = list(range(m)) + [m + k * d + l for k, nrn in enumerate(network.neurons) if Fraction(nrn[0]) != 0
                                for l in range(d)]
    r = certify_independence(act, weights, derivatives=True, columns=columns, cross_check=None)
    size = len(columns)
    if r.evidence == "exact-certificate":
        return size, size, "exact certificate (coefficient matrix of full rank over Q)"
    # r.rank is size - len(basis) when every null vector verified; the coefficient rank is a lower bound anyway
    lower = size - len(r.relations) - r.unverified
    upper = size - len(r.relations)
    return lower, upper, f"{len(r.relations)} sympy-verified relation(s), {r.unverified} unverified"


def model_rank(act: Activation, network: Network, bias: bool = False, inputs=None, seed=0,
               dps: int = DEFAULT_DPS) -> ModelRank:
    """The model rank at ``network``, bracketed and predicted; with ``inputs`` also rank J_n.

    ``inputs`` is a list of input vectors, or a number n: n standard Gaussian inputs drawn with ``seed``."""
    samples = inputs if isinstance(inputs, int) and not isinstance(inputs, bool) else None
    inputs = None if samples is not None else inputs
    if not isinstance(network, Network):
        raise InputError("model_rank needs a Network")
    d_in = network.d - 1 if bias else network.d
    if d_in < 1:
        raise InputError("with --bias every neuron is [a, w_1, ..., w_d, b], so it needs at least 3 entries")
    if samples is not None and not 1 <= samples <= MAX_SAMPLES:
        raise InputError(f"--samples must be between 1 and {MAX_SAMPLES}, got {samples}")
    M = network.m * (network.d + 1)
    large = M > FLOAT64_FROM
    # 2M samples keep the gap wide; at the field's widths M + M/10 keep J's memory linear in the rows
    many = gaussian_inputs(M + max(10, M // 10) if large else max(2 * M, M + 10), d_in, seed + 7919)
    if bias:
        many = augment(many)
    J = evaluate(act, network, many, dps=dps).jacobian
    mids = float64_midpoints(J)
    count = grouped_count(act, network, bias)
    kind = act.symmetry.kind
    # with a bias the count is derived for tanh only (docs/theory.md §4); for sin, exp, ... shifts are dependent
    derived = kind in ("odd", "even", "generic") if not bias else bias_structure_gap(act) is None
    formula = count if derived else None
    size = network.m + network.d * sum(1 for nrn in network.neurons if Fraction(nrn[0]) != 0)
    if bias:
        lower_exact, upper, how_upper = 0, count, "exact identities among neurons (grouped count)"
    elif large:
        # the exact coefficient matrix grows too fast here (250 s at M = 280): first see whether a minor reaches the
        # bound of the exact identities among neurons, or the family's size where no such count is derived
        lower_exact, upper, how_upper = ((0, count, "exact identities among neurons (grouped count)") if derived
                                         else (0, size, "the size of the family (its functions span T_theta)"))
    else:
        lower_exact, upper, how_upper = _exact_bounds(act, network, dps)
    # the numerical rank (an estimate): at large M from float64 first, and from the 50-digit Gram only where the
    # float64 gap rule is undecided or disagrees with the exact identities (an ill-conditioned J, s_min / s_1 near
    # 1e-13, would be misread); below, always at 50 digits
    float64_rank = None
    if large:
        values = float64_singular_values(mids)
        float64_rank = gap_rank(values, dps, float64_gap_thresholds(M)).rank
    if large and float64_rank == upper:
        numerical = float64_rank
        how_numerical = "float64 SVD, gap rule: counts above 1000 M 2^-52, zero below 10 M 2^-52"
    else:
        values = singular_values(J, dps)
        numerical = gap_rank(values, dps).rank
        how_numerical = f"{dps} digits, gap rule" + (f" (float64 read {float64_rank}, the exact identities allow "
                                                     f"{upper})" if large else "")
    minor, tier = _certified_minor_rank(J, mids, min(upper, numerical if numerical is not None else upper), dps)
    if not bias and large and minor < upper:
        lower_exact, upper, how_upper = _exact_bounds(act, network, dps)
    lower = max(lower_exact, minor)
    how_lower = f"non-singular minor ({tier})" if minor >= lower_exact else "exact coefficient rank"
    empirical = None
    if inputs is None and samples is not None:
        inputs = gaussian_inputs(samples, d_in, seed)
    if inputs is not None:
        if any(len(x) != d_in for x in inputs):
            raise InputError(f"dimension mismatch: inputs must have length d = {d_in}")
        inputs = augment(inputs) if bias else inputs
        empirical = gap_rank(singular_values(evaluate(act, network, inputs, dps=dps).jacobian, dps), dps).rank
    return ModelRank(lower, upper, formula, numerical, empirical, values, len(many), how_lower, how_upper,
                     how_numerical)


def structural_rank(act, network):
    """The certified model rank at an exact point without bias (InputError if the bounds do not meet)."""
    lower, upper, how = _exact_bounds(act, network, DEFAULT_DPS)
    if lower != upper:
        raise InputError(f"the model rank at this point is only bracketed: {lower} <= r <= {upper} ({how})")
    return lower
