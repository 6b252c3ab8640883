"""C8, Lemma 3.5 of [GLR] in general: for every pair of branches and every permutation, where the closure of one
meets the stratum of the other the rank drops as the lemma says (exact, over affine sets of parameters). Also the
example after Lemma 3.5 (three neurons), whose closures it builds.
"""
from fractions import Fraction

from ..numeric.network import parse_network
from ..numeric.rank import exact_null_space, exact_rank
from ..symbolic.activations import activation
from ..symbolic.branches import enumerate_branches
from .result import Check


def _three_neuron_closures(d=2):
    """The closures of the four branches of the example after Lemma 3.5 (target (1, w), w = (1/2, -3/4, ...)), each
    as a function of a tag giving fresh parameter names: the affine parametrizations the paper prints."""
    import sympy as sp
    abar, wbar = sp.Integer(1), [sp.Rational(1, 2), sp.Rational(-3, 4), sp.Rational(1, 3)][:d]
    zero = sp.Integer(0)

    def vec(name):
        return list(sp.symbols(f"{name}1:{d + 1}"))
    return {
        "Q1_{0,3}": lambda t: [sp.Symbol(f"a1{t}"), *wbar, sp.Symbol(f"a2{t}"), *wbar,
                               abar - sp.Symbol(f"a1{t}") - sp.Symbol(f"a2{t}"), *wbar],
        "Q2_{0,2,3}": lambda t: [sp.Symbol(f"a1{t}"), *wbar, abar - sp.Symbol(f"a1{t}"), *wbar, zero,
                                 *vec(f"w3{t}_")],
        "Q2_{0,1,3}": lambda t: [abar, *wbar, sp.Symbol(f"a2{t}"), *vec(f"w2{t}_"), -sp.Symbol(f"a2{t}"),
                                 *vec(f"w2{t}_")],
        "Q3_{0,1,2,3}": lambda t: [abar, *wbar, zero, *vec(f"w2{t}_"), zero, *vec(f"w3{t}_")],
    }


def _affine(point):
    """(base point, direction matrix) of an affine parametrization (sympy expressions linear in their symbols)."""
    import sympy as sp
    params = sorted(set().union(*[e.free_symbols for e in point]), key=str)
    directions = sp.Matrix([[sp.diff(e, t) for t in params] for e in point]) if params else sp.zeros(len(point), 0)
    return sp.Matrix([e.subs({t: 0 for t in params}) for e in point]), directions


def _intersection_inside(closures, first, second, inside):
    """(dimension of cl first ∩ cl second, whether it lies in cl inside), exactly: the intersection from sympy's
    linear solve, the inclusion of affine subspaces by ranks (base point and directions in the larger one's span)."""
    import sympy as sp
    p, q = closures[first]("p"), closures[second]("q")
    unknowns = sorted(set().union(*[e.free_symbols for e in p + q]), key=str)
    (solution,) = sp.solve([sp.Eq(x, y) for x, y in zip(p, q)], unknowns, dict=True)
    meet = [sp.expand(x.subs(solution)) for x in p]
    base, directions = _affine(meet)
    base_in, span_in = _affine(closures[inside]("t"))
    rank = span_in.rank()
    within = span_in.row_join(base - base_in).rank() == rank and (
        directions.cols == 0 or span_in.row_join(directions).rank() == rank)
    return directions.rank(), within


def _closure_equations(branch, target, order):
    """The affine closure of a branch as linear equations (rows, right-hand sides) in theta = (a_1, w_1, ..., a_m,
    w_m), with the branch's role list (target classes, null neurons, free groups, in that order)
    placed on the neurons ``order``; and its classes (sets of neuron indices sharing a weight)."""
    d, m = branch.d, branch.m
    width = (d + 1) * m
    rows, rhs, classes = [], [], []

    def unit(*entries):
        row = [Fraction(0)] * width
        for index, value in entries:
            row[index] += value
        return row
    roles = [("target", j, s) for j, s in enumerate(branch.splits)] + [("null", None, 1)] * branch.null
    roles += [("group", None, g) for g in branch.groups]
    if branch.zero:
        raise ValueError("zero classes (sigma(0) = 0) are not needed for exp and not written here")
    position = 0
    for kind, j, size in roles:
        members = [order[position + i] for i in range(size)]
        position += size
        classes.append(frozenset(members))
        first = members[0] * (d + 1)
        for k in members:
            base = k * (d + 1)
            for c in range(d):
                if kind == "target":
                    rows.append(unit((base + 1 + c, 1)))
                    rhs.append(Fraction(target.neurons[j][1 + c]))
                elif kind == "group" and k != members[0]:
                    rows.append(unit((base + 1 + c, 1), (first + 1 + c, -1)))
                    rhs.append(Fraction(0))
        if kind == "null":
            rows.append(unit((members[0] * (d + 1), 1)))
            rhs.append(Fraction(0))
        else:
            rows.append(unit(*[(k * (d + 1), 1) for k in members]))
            rhs.append(Fraction(target.neurons[j][0]) if kind == "target" else Fraction(0))
    return rows, rhs, classes


def _generic_partition(rows, rhs, width, d, seed):
    """None if the affine set {rows theta = rhs} is empty; else the partition of the neurons by equal input weight
    that holds on all of it (the finer of the partitions at two seeded rational points)."""
    import numpy as np

    augmented = [row + [b] for row, b in zip(rows, rhs)]
    if exact_rank(rows) < exact_rank(augmented):
        return None
    basis = exact_null_space(augmented)          # solutions (theta, -1) of [rows | rhs]: the last entry != 0
    particular = next(v for v in basis if v[-1] != 0)
    particular = [x / -particular[-1] for x in particular[:-1]]
    homogeneous = [v[:-1] for v in basis if v[-1] == 0]
    rng = np.random.default_rng(seed)
    partitions = []
    for _ in range(2):
        theta = list(particular)
        for v in homogeneous:
            c = Fraction(int(rng.integers(-10 ** 6, 10 ** 6)), int(rng.integers(1, 10 ** 3)))
            theta = [t + c * x for t, x in zip(theta, v)]
        weights = [tuple(theta[k * (d + 1) + 1:(k + 1) * (d + 1)]) for k in range(width // (d + 1))]
        partitions.append({frozenset(i for i, u in enumerate(weights) if u == w) for w in weights})
    first, second = partitions
    return {a & b for a in first for b in second if a & b}


#: (m0, m, d) for the general check of Lemma 3.5 (exp, every pair of branches, every permutation)
LEMMA_3_5_SIZES = ((1, 2, 1), (1, 3, 1), (1, 3, 2), (2, 3, 1), (1, 4, 1), (2, 4, 1))


def lemma_3_5_check(seed: int = 0) -> Check:
    """[Lemma 3.5] in general: for branches B (r distinct weights) and B' (r'), every permutation pi, if cl B meets
    B'_pi, then r' <= r - m', m' the classes of B'_pi not inside one class of B; decided exactly on the affine sets."""
    from itertools import permutations
    act = activation("exp")
    tried = met = crossing = 0
    violations = []
    for m0, m, d in LEMMA_3_5_SIZES:
        target = parse_network(str([[1] + [f"{k + 1}/{k + 2}" for k in range(d)]] +
                                   [[2] + [f"-{k + 1}/3" for k in range(d)] for _ in range(m0 - 1)]).replace("'", '"'))
        branches = enumerate_branches(act, m0, m, d)
        identity = list(range(m))
        for first in branches:
            rows1, rhs1, classes1 = _closure_equations(first, target, identity)
            for second in branches:
                for order in {tuple(p) for p in permutations(range(m))}:
                    rows2, rhs2, classes2 = _closure_equations(second, target, list(order))
                    tried += 1
                    found = _generic_partition(rows1 + rows2, rhs1 + rhs2, (d + 1) * m, d, seed)
                    if found is None or found != set(classes2):
                        continue                 # cl B does not meet the stratum B'_pi itself
                    met += 1
                    straddle = sum(1 for c in classes2 if not any(c <= b for b in classes1))
                    crossing += straddle > 0
                    if len(classes2) > len(classes1) - straddle:
                        violations.append((m0, m, d, first.label, second.label, order))
    return Check("[Lemma 3.5] cl Q^r_P meets Q^r'_P',pi only if r' <= r - m' (m' classes of P' under pi not inside "
                 "one class of P): every pair of branches and permutation, exactly", {
                     "(pair, permutation) tried": tried, "meeting": met, "meeting with m' >= 1": crossing,
                     "violations": violations[:5]}, "no violation; some meetings with m' >= 1", 0,
                 not violations and crossing > 0, "exact",
                 f"exp, (m0, m, d) in {list(LEMMA_3_5_SIZES)}: closures as affine sets, the meeting decided by the "
                 "equal-weight partition that holds on all of cl B ∩ cl B'_pi (two seeded rational points)")
