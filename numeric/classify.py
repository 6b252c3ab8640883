"""Which branch of Q* a numerically found point lies on (claim C3).

>>> from twolayer.symbolic.activations import activation
>>> from twolayer.numeric.network import parse_network
>>> classify(activation("tanh"), parse_network('[["1/3", 2], ["2/3", 2], [0, 5]]'), parse_network("[[1, 2]]"))
((2,), 1, (), 0)
"""
import mpmath

from .precision import arb_to_mpf, to_arb


def _mpf(v):
    return arb_to_mpf(to_arb(v)) if not isinstance(v, mpmath.mpf) else v


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
    targets = [([_mpf(v) for v in w], _mpf(a)) for a, *w in target.neurons]
    close = lambda u, v: max(abs(x - y) for x, y in zip(u, v)) < tol
    classes = [[] for _ in targets]
    null, zero, free = 0, [], []
    for a, *w in network.neurons:
        a, w = _mpf(a), [_mpf(v) for v in w]
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
