"""Which branch of Q* a numerically found point lies on (claim C3).

>>> from twolayer.symbolic.activations import activation
>>> from twolayer.numeric.network import parse_network
>>> classify(activation("tanh"), parse_network('[["1/3", 2], ["2/3", 2], [0, 5]]'), parse_network("[[1, 2]]"))
((2,), 1, (), 0)
"""
from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

import mpmath

from ..base.errors import InputError
from ..base.tolerance import role_tolerance
from .network import Network
from .precision import to_mpf

if TYPE_CHECKING:  # for annotations only: no import cycle at run time
    from ..symbolic.activations import Activation


def classify(act: Activation, network: Network, target: Network, tolerance=None, dps: int = 50) -> tuple | None:
    """The branch pattern ``(splits, null, groups, zero)`` of a point, or None if it is on no branch.

    Neuron roles are read with ``tolerance`` (default :func:`tolerance.role_tolerance`):
    ``|a| < tol`` null, ``|w| < tol`` zero class, ``w = +-w*_j`` (up to the symmetry) target
    class j, otherwise a free direction grouped with the neurons sharing it; then the sums of
    the signed output weights are checked (a*_j per target class, 0 per free group). When
    sigma(0) != 0 the neurons at w = 0 (weights summing to 0) are read as a free group, on whose
    boundary they lie.
    """
    tol = role_tolerance(dps) if tolerance is None else mpmath.mpf(tolerance)
    sym = act.symmetry
    sigma0_zero = act.taylor(0)[0] == 0
    targets = [([to_mpf(v) for v in w], to_mpf(a)) for a, *w in target.neurons]
    classes = [[] for _ in targets]
    null, zero, free = 0, [], []
    for a, *w in network.neurons:
        a, w = to_mpf(a), [to_mpf(v) for v in w]
        if abs(a) < tol:
            null += 1
            continue
        if max(abs(v) for v in w) < tol:
            zero.append(a)
            continue
        for j, (wj, _) in enumerate(targets):
            relation = sym.relate(w, wj, tol)
            if relation is not None:
                classes[j].append(sym.output_sign(relation) * a)
                break
        else:
            for group in free:
                relation = sym.relate(w, group[0], tol)
                if relation is not None:
                    group[1].append(sym.output_sign(relation) * a)
                    break
            else:
                free.append((w, [a]))
    if any(not c for c in classes):
        return None
    if any(abs(mpmath.fsum(c) - a_star) > tol for c, (_, a_star) in zip(classes, targets)):
        return None
    if any(len(ws) < 2 or abs(mpmath.fsum(ws)) > tol for _, ws in free):
        return None
    if zero and not sigma0_zero:
        # sigma(0) != 0: neurons at w = 0 are a free group on its boundary (direction u -> 0)
        if len(zero) < 2 or abs(mpmath.fsum(zero)) > tol:
            return None
        free.append((None, zero))
        zero = []
    return (tuple(len(c) for c in classes), null, tuple(sorted((len(ws) for _, ws in free), reverse=True)),
            len(zero))


def pattern_of(branch):
    return (branch.splits, branch.null, branch.groups, branch.zero)


def branch_membership(act: Activation, network: Network, target: Network) -> tuple[list | None, str | None]:
    """(rows, None) with the affine equations of the branch through an exact point of Q*, or (None, why not).

    Each branch of Q* is an affine subspace (docs/theory.md, branches of Q*): target-class
    weights are fixed and their signed output weights sum to a*_j; null neurons have a = 0; a
    free group shares one direction and its signed output weights sum to 0; zero neurons have
    w = 0 (and, when sigma(0) != 0, output weights summing to 0: they are then the boundary of a
    free group). Membership is decided exactly, on rationals: every sum is checked, so a point
    off Q* (an output weight 11/10 where the target has 1) is refused, not approximated. The rows
    returned are the homogeneous parts (``codim`` of them), so their null space is the direction
    space T of the branch and their span its orthogonal complement N.
    """
    if act.symmetry.kind not in ("odd", "even", "generic"):
        return None, ("the branches of Q* are derived only for odd, even and generic activations, "
                      f"not {act.symmetry.kind}")
    if target.d != network.d:
        return None, f"dimension mismatch: the point has d = {network.d}, the target d = {target.d}"
    try:
        neurons = [[Fraction(v) for v in nrn] for nrn in network.neurons]
    except (TypeError, ValueError):
        return None, "the point must be given exactly (rational numbers)"
    targets = [(Fraction(a), [Fraction(v) for v in w]) for a, *w in target.neurons]
    rows, classes, groups, zero = _direction_rows(act.symmetry, neurons, targets)
    missing = [j + 1 for j, c in enumerate(classes) if not c]
    if missing:
        return None, f"no neuron of the point has the input weight of target neuron {missing[0]} (up to the symmetry)"
    lonely = [g[0][0] + 1 for g in groups if len(g) < 2]
    if lonely:
        return None, (f"neuron {lonely[0]} has a non-zero output weight on a direction that is neither a target "
                      "direction nor shared with another neuron")
    sums = [(members, a_star, f"target neuron {j + 1}") for j, (members, (a_star, _)) in
            enumerate(zip(classes, targets))]
    sums += [(members, Fraction(0), f"the free group of neuron {members[0][0] + 1}") for members in groups]
    if zero and act.taylor(0)[0] != 0:
        sums.append((zero, Fraction(0), "the neurons at w = 0 (sigma(0) != 0)"))
    return _output_weight_rows(act.symmetry, neurons, sums, rows)


def _unit(index, size):
    return [Fraction(int(i == index)) for i in range(size)]


def _direction_rows(sym, neurons, targets):
    """Assign every neuron its role; the equations fixing the input weights (and a = 0 of null neurons).

    Returns (rows, classes, groups, zero): ``classes[j]`` and each free group list ``(k, relation)`` pairs,
    ``relation`` being +1 or -1 (the direction up to the symmetry of sigma); ``zero`` lists the w = 0 neurons.
    """
    d = len(neurons[0]) - 1
    M = len(neurons) * (d + 1)
    rows, classes, groups, zero = [], [[] for _ in targets], [], []
    for k, (a, *w) in enumerate(neurons):
        base = k * (d + 1)
        if a == 0:  # null neuron: only a = 0 is fixed
            rows.append(_unit(base, M))
            continue
        if all(v == 0 for v in w):
            rows += [_unit(base + 1 + l, M) for l in range(d)]
            zero.append((k, 1))
            continue
        for j, (_, wj) in enumerate(targets):
            relation = sym.relate(w, wj)
            if relation is not None:  # target class j: the direction is fixed
                rows += [_unit(base + 1 + l, M) for l in range(d)]
                classes[j].append((k, relation))
                break
        else:
            _join_free_group(sym, neurons, groups, k, rows)
    return rows, classes, groups, zero


def _join_free_group(sym, neurons, groups, k, rows):
    """Put neuron k in the free group sharing its direction (a new group if none does)."""
    d = len(neurons[0]) - 1
    for members in groups:
        first = members[0][0]
        relation = sym.relate(neurons[k][1:], neurons[first][1:])
        if relation is not None:  # w_k = relation * w_first, free to move together
            for l in range(d):
                row = _unit(k * (d + 1) + 1 + l, len(neurons) * (d + 1))
                row[first * (d + 1) + 1 + l] -= relation
                rows.append(row)
            members.append((k, relation))
            return
    groups.append([(k, 1)])


def _output_weight_rows(sym, neurons, sums, rows):
    """Check each signed sum of output weights exactly and add its (homogeneous) equation to ``rows``."""
    d = len(neurons[0]) - 1
    M = len(neurons) * (d + 1)
    for members, expected, what in sums:
        total = sum((sym.output_sign(rel) * neurons[k][0] for k, rel in members), Fraction(0))
        if total != expected:
            return None, (f"the signed output weights of {what} sum to {total}, not {expected}: the point is not "
                          "on Q* (exactly)")
        row = [Fraction(0)] * M
        for k, rel in members:
            row[k * (d + 1)] = Fraction(sym.output_sign(rel))
        rows.append(row)
    return rows, None


def branch_constraints(act, network, target):
    """The rows of :func:`branch_membership`, or None if the point is not exactly on a branch of Q*.

    >>> from twolayer.symbolic.activations import activation
    >>> from twolayer.numeric.network import parse_network
    >>> rows = branch_constraints(activation("tanh"), parse_network('[[1, 2], [0, 3]]'), parse_network('[[1, 2]]'))
    >>> [[int(v) for v in row] for row in rows]
    [[0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 0]]
    >>> branch_constraints(activation("tanh"), parse_network('[["11/10", 2], [0, 3]]'), parse_network('[[1, 2]]'))
    """
    return branch_membership(act, network, target)[0]


def require_on_branch(act, network, target):
    """The rows of :func:`branch_membership`; InputError naming the reason when the point is off Q*."""
    rows, why = branch_membership(act, network, target)
    if rows is None:
        raise InputError(f"the point is not exactly on a branch of Q*: {why}")
    return rows
