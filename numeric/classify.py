"""Which branch of Q* a numerically found point lies on (claim C3).

>>> from twolayer.symbolic.activations import activation
>>> from twolayer.numeric.network import parse_network
>>> classify(activation("tanh"), parse_network('[["1/3", 2], ["2/3", 2], [0, 5]]'), parse_network("[[1, 2]]"))
((2,), 1, (), 0)
"""
import mpmath

from .precision import to_mpf


def classify(act, network, target, tolerance="1e-12"):
    """The branch pattern ``(splits, null, groups, zero)`` of a point, or None if it is on no branch.

    Neuron roles are read with the given tolerance: ``|a| < tol`` null, ``|w| < tol``
    zero class, ``w = +-w*_j`` (up to the symmetry) target class j, otherwise a free
    direction grouped with the neurons sharing it; then the sums of the signed output
    weights are checked (a*_j per target class, 0 per free group). When sigma(0) != 0 the
    neurons at w = 0 (weights summing to 0) are read as a free group, on whose boundary they lie.
    """
    tol = mpmath.mpf(tolerance)
    flip = act.symmetry.flip_sign
    sigma0_zero = act.taylor(0)[0] == 0
    targets = [([to_mpf(v) for v in w], to_mpf(a)) for a, *w in target.neurons]
    close = lambda u, v: max(abs(x - y) for x, y in zip(u, v)) < tol
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
            if close(w, wj):
                classes[j].append(a)
                break
            if flip is not None and close(w, [-v for v in wj]):
                classes[j].append(-a if flip < 0 else a)
                break
        else:
            for group in free:
                if close(w, group[0]):
                    group[1].append(a)
                    break
                if flip is not None and close(w, [-v for v in group[0]]):
                    group[1].append(-a if flip < 0 else a)
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


def branch_constraints(act, network, target):
    """The affine equations of the branch through an exact rational point, as rational rows.

    Each branch of Q* is an affine subspace (THEORY.md §4): target-class weights are
    fixed and their signed output weights sum to a*_j; null neurons have a = 0; a free
    group shares one direction and its signed output weights sum to 0; zero neurons have
    w = 0. The rows returned are the homogeneous parts (one per equation, ``codim`` in all),
    so their null space is the direction space T of the branch and their span its
    orthogonal complement N. Returns None if the point is on no branch.

    >>> from twolayer.symbolic.activations import activation
    >>> from twolayer.numeric.network import parse_network
    >>> rows = branch_constraints(activation("tanh"), parse_network('[[1, 2], [0, 3]]'), parse_network('[[1, 2]]'))
    >>> [[int(v) for v in row] for row in rows]
    [[0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 0]]
    """
    from fractions import Fraction
    flip = act.symmetry.flip_sign
    d = network.d
    M = network.m * (d + 1)
    targets = [(Fraction(a), [Fraction(v) for v in w]) for a, *w in target.neurons]

    def unit(index):
        return [Fraction(int(i == index)) for i in range(M)]

    def weight_sign(w, u):
        """+1 / -1 if w = u / w = -u (the latter only for odd or even sigma), else None."""
        if w == u:
            return 1
        if flip is not None and w == [-v for v in u]:
            return -1
        return None

    rows, classes, groups = [], [[] for _ in targets], []
    for k, (a, *w) in enumerate(network.neurons):
        a, w = Fraction(a), [Fraction(v) for v in w]
        base = k * (d + 1)
        if a == 0:
            rows.append(unit(base))
            continue
        if all(v == 0 for v in w):
            rows += [unit(base + 1 + l) for l in range(d)]
            continue
        for j, (_, wj) in enumerate(targets):
            sign = weight_sign(w, wj)
            if sign is not None:
                rows += [unit(base + 1 + l) for l in range(d)]
                classes[j].append((k, sign))
                break
        else:
            for members in groups:
                first = members[0][0]
                sign = weight_sign(w, [Fraction(v) for v in network.neurons[first][1:]])
                if sign is not None:
                    for l in range(d):
                        row = unit(base + 1 + l)
                        row[first * (d + 1) + 1 + l] -= sign
                        rows.append(row)
                    members.append((k, sign))
                    break
            else:
                groups.append([(k, 1)])
    if any(not c for c in classes) or any(len(g) < 2 for g in groups):
        return None
    for members in classes + groups:
        row = [Fraction(0)] * M
        for k, sign in members:
            # the output weight enters f with the sign of the flip for odd sigma, unchanged for even
            row[k * (d + 1)] = Fraction(sign if flip == -1 else 1)
        rows.append(row)
    return rows
