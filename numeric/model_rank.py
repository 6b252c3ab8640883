"""Model rank: the dimension of the tangent function space T_theta (THEORY.md §5, claim C4).

Three ways, which must agree:

* **structural count** from the exact relations among the columns of J: neurons
  are grouped by input weight up to the activation's symmetry; a group spans
  ``sigma(w.x)`` and, if one of its output weights is non-zero, the ``d``
  functions ``x_l sigma'(w.x)``; the group ``w = 0`` spans the constant
  ``sigma(0)`` (if non-zero) and ``x sigma'(0)`` (if some ``a != 0`` and
  ``sigma'(0) != 0``). Every merged column is an exact identity (the symmetry
  proven by sympy, or a zero column), so this is a **certified upper bound**;
  by the lemma of C2 it is the rank ([LLR] Cor. 7 for tanh);
* **numerical**: singular values of ``J`` at ``n >= 2M`` Gaussian samples at
  ``dps`` digits, gap rule;
* **certified lower bound**: a ``r x r`` minor of ``J`` (rational point,
  dyadic samples) whose determinant, enclosed in arb, excludes 0.

>>> from twolayer.symbolic.activations import activation
>>> from twolayer.numeric.network import parse_network
>>> r = model_rank(activation("tanh"), parse_network('[[1, 2], ["1/2", 2], [0, 1]]'))
>>> (r.structural, r.numerical, r.certified_lower, r.verdict)
(3, 3, 3, 'PASS')
"""
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from flint import arb_mat

from ..errors import InputError
from .evaluate import evaluate
from .network import Network, gaussian_inputs
from .precision import DEFAULT_DPS, working_precision
from .rank import gap_rank, singular_values


def augment(inputs):
    """Append the constant 1 to every input (a bias is the last input weight)."""
    return [tuple(x) + (Fraction(1),) for x in inputs]


def direction_groups(act, network):
    """Neurons grouped by input weight up to the symmetry; key None is the group w = 0."""
    flip = act.symmetry.flip_sign
    groups = {}
    for k, (a, *w) in enumerate(network.neurons):
        w = tuple(Fraction(v) for v in w)
        if all(v == 0 for v in w):
            key = None
        elif flip is not None and tuple(-v for v in w) in groups:
            key = tuple(-v for v in w)
        else:
            key = w
        groups.setdefault(key, []).append(k)
    return groups


def structural_rank(act, network):
    """Rank of the tangent function space from the exact relations among neurons (see module doc)."""
    c = act.taylor(1)
    d = network.d
    rank = 0
    for key, members in direction_groups(act, network).items():
        active = any(network.neurons[k][0] != 0 for k in members)
        if key is None:
            rank += (c[0] != 0) + (d if active and c[1] != 0 else 0)
        else:
            rank += 1 + (d if active else 0)
    return rank


@dataclass
class ModelRank:
    structural: int            # certified upper bound (exact relations), = the [LLR] formula
    numerical: object          # gap-rule rank of J at many samples (None if undecided)
    empirical: object          # rank of J_n on the given samples, if any
    certified_lower: int       # from a certified non-singular minor
    singular_values: list = field(default_factory=list)
    samples: int = 0
    upper_certified: bool = True

    @property
    def verdict(self):
        if self.numerical is None:
            return "INCONCLUSIVE"
        agree = self.structural == self.numerical == self.certified_lower
        return "PASS" if agree else "FAIL"


def _certified_minor_rank(J, target_rank, dps):
    """Largest r <= target_rank with a certified non-singular r x r minor (greedy pivots, arb determinant)."""
    mids = np.array([[float(J[i, j].mid()) for j in range(J.ncols())] for i in range(J.nrows())])
    for r in range(target_rank, 0, -1):
        rows, cols = _pivots(mids, r)
        if rows is None:
            continue
        with working_precision(dps):
            det = arb_mat([[J[i, j] for j in cols] for i in rows]).det()
        if not det.contains(0):
            return r
    return 0


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


def model_rank(act, network, bias=False, inputs=None, samples=None, seed=0, dps=DEFAULT_DPS):
    """The model rank at ``network`` three ways; with ``inputs`` (or ``samples``) also rank J_n there."""
    if not isinstance(network, Network):
        raise InputError("model_rank needs a Network")
    d_in = network.d - 1 if bias else network.d
    if d_in < 1:
        raise InputError("with --bias every neuron is [a, w_1, ..., w_d, b], so it needs at least 3 entries")
    M = network.m * (network.d + 1)
    many = gaussian_inputs(max(2 * M, M + 10), d_in, seed + 7919)
    if bias:
        many = augment(many)
    J = evaluate(act, network, many, dps=dps).jacobian
    values = singular_values(J, dps)
    numerical = gap_rank(values, dps).rank
    structural = structural_rank(act, network)
    lower = _certified_minor_rank(J, numerical if numerical is not None else min(M, structural), dps)
    empirical = None
    if inputs is None and samples is not None:
        inputs = gaussian_inputs(samples, d_in, seed)
    if inputs is not None:
        if any(len(x) != d_in for x in inputs):
            raise InputError(f"dimension mismatch: inputs must have length d = {d_in}")
        inputs = augment(inputs) if bias else inputs
        empirical = gap_rank(singular_values(evaluate(act, network, inputs, dps=dps).jacobian, dps), dps).rank
    # with a bias, neurons with w = 0 but b != 0 are all constants: the grouping above would not merge them
    upper_certified = not (bias and sum(1 for a, *w in network.neurons
                                        if all(v == 0 for v in w[:-1]) and w[-1] != 0) > 1)
    return ModelRank(structural, numerical, empirical, lower, values, len(many), upper_certified)
