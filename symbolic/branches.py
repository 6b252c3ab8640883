"""The branches of Q* = {theta : f_theta = f*} (docs/theory.md §4, §5; claims C3, C4).

For an activation of the odd, even or generic class, each neuron of a point of
Q* is (generically) in exactly one role:

* **target class j**: ``w = w*_j`` (up to the symmetry), signed output weights
  summing to ``a*_j``; ``s_j >= 1`` neurons (``s_j >= 2`` is a split);
* **null**: ``a = 0``, ``w`` free;
* **free group**: ``t >= 2`` neurons on one non-target direction ``u``, signed
  output weights summing to 0;
* **zero class**: ``w = 0`` with free ``a`` — only when ``sigma(0) = 0``. When
  ``sigma(0) != 0`` the neurons at ``w = 0`` must have output weights summing to 0,
  and that set is the limit ``u -> 0`` of a free group: it lies in the closure of the
  free-group branch of the same size (found by claim C3's tangent measurement:
  the local dimension there is that of the free group), so it is no branch of its own.

A branch is the pattern ``(s_1..s_m*; nu; t_1 >= t_2 >= ...; z)``, taken up to
permutation of the neurons and the neuron symmetry ((a, w) ~ (-a, -w) for odd,
(a, w) ~ (a, -w) for even sigma).

>>> from twolayer.symbolic.activations import activation
>>> [b.label for b in enumerate_branches(activation("tanh"), target_width=1, width=2, d=1)]
['s=(1) null=1', 's=(1) zero=1', 's=(2)']
>>> b = enumerate_branches(activation("tanh"), 1, 2, 1)[2]
>>> (b.dim, b.codim, b.generic_rank, b.degenerate)
(1, 3, 2, True)
"""
import itertools
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np
import sympy as sp

from ..base.errors import InputError
from .activations import prove_zero, z

SUPPORTED_KINDS = ("odd", "even", "generic")
#: Enumerations with more branches are refused (they would not be readable, and listing them takes long).
MAX_BRANCHES = 5000


def _partitions(total, smallest=2, largest=None):
    """Partitions of ``total`` into parts >= ``smallest`` (and <= ``largest``), parts in non-increasing order.

    >>> list(_partitions(6))
    [(6,), (4, 2), (3, 3), (2, 2, 2)]
    """
    if total == 0:
        yield ()
        return
    # bounding the later parts by the first generates only valid partitions (filtering afterwards would
    # generate exponentially many to discard: 70 s before the type limit of m = 40 was reached)
    for first in range(min(total, total if largest is None else largest), smallest - 1, -1):
        for rest in _partitions(total - first, smallest, first):
            yield (first,) + rest


def _compositions(total, parts):
    """Tuples of ``parts`` integers >= 1 summing to ``total``."""
    if parts == 1:
        if total >= 1:
            yield (total,)
        return
    for first in range(1, total - parts + 2):
        for rest in _compositions(total - first, parts - 1):
            yield (first,) + rest


@dataclass(frozen=True)
class Branch:
    """One branch of Q*: its pattern and the dimensions derived from it (docs/theory.md §4-5)."""
    splits: tuple        # s_j for each target neuron j
    null: int            # nu
    groups: tuple        # free-group sizes t_l, non-increasing
    zero: int            # z
    d: int
    slope_at_zero: bool  # sigma'(0) != 0

    @property
    def m(self):
        return sum(self.splits) + self.null + sum(self.groups) + self.zero

    @property
    def label(self):
        return _label("s=(" + ",".join(map(str, self.splits)) + ")", self)

    @property
    def dim(self):
        d = self.d
        return sum(s - 1 for s in self.splits) + d * self.null + sum(d + t - 1 for t in self.groups) + self.zero

    @property
    def codim(self):
        return self.m * (self.d + 1) - self.dim

    @property
    def generic_rank(self):
        """dim of the tangent function space at a generic point (docs/theory.md §5, derived for each class)."""
        d = self.d
        rank = len(self.splits) * (d + 1) + self.null + (d + 1) * len(self.groups)
        if self.zero:
            # sigma(0) = 0 here: the zero class spans x sigma'(0) when sigma'(0) != 0 (its a are generic)
            rank += d if self.slope_at_zero else 0
        return rank

    @property
    def degenerate(self):
        return self.generic_rank < self.codim

    def point(self, target, seed):
        """An exact rational point of this branch (a network), random but seeded.

        Target classes split a*_j into random parts; null neurons get a = 0 and a
        random w; free groups a random direction u and weights summing to 0; zero
        neurons w = 0 (and weights summing to 0 when sigma(0) != 0).
        """
        rng = np.random.default_rng(seed)
        d = self.d
        # directions already used (targets, up to sign): new random directions avoid them, so that the
        # point is a generic point of this branch and not an intersection with another
        used = [tuple(w) for _, *w in target.neurons]

        def rational():
            return Fraction(int(rng.integers(-12, 13)) or 5, 8)

        def fresh_direction():
            spread = 12
            for attempt in itertools.count():
                if attempt and attempt % 20 == 0:
                    spread *= 2  # d = 1 has only 12 directions up to sign among k/8, |k| <= 12: widen the pool
                u = tuple(Fraction(int(rng.integers(-spread, spread + 1)) or 5, 8) for _ in range(d))
                if all(u != v and u != tuple(-x for x in v) for v in used):
                    used.append(u)
                    return u

        def parts_summing_to(total, count):
            while True:
                head = [rational() for _ in range(count - 1)]
                parts = head + [total - sum(head, Fraction(0))]
                if all(parts):
                    return parts

        neurons = []
        for (a_star, *w_star), s in zip(target.neurons, self.splits):
            neurons += [(a, *w_star) for a in parts_summing_to(a_star, s)]
        for _ in range(self.null):
            neurons.append((Fraction(0), *fresh_direction()))
        for t in self.groups:
            u = fresh_direction()
            neurons += [(a, *u) for a in parts_summing_to(Fraction(0), t)]
        neurons += [(rational(), *[Fraction(0)] * d) for _ in range(self.zero)]
        return type(target)(tuple(neurons))


def refusal_up_to_polynomial(act):
    """Why Q* is not enumerated for sigma = p/2 + tau with tau odd or even (sigmoid, softplus, SiLU, GELU), and what
    to do instead (docs/theory.md §4).

    >>> from twolayer.symbolic.activations import activation
    >>> print(refusal_up_to_polynomial(activation("sigmoid")).split(";")[0])
    activation 'sigmoid' is odd up to a polynomial: sigma(z) + sigma(-z) = 1, so sigma = 1/2 + tau with tau odd
    """
    sym = act.symmetry
    parity = "odd" if sym.kind == "odd up to a polynomial" else "even"
    if not sym.polynomial.free_symbols:
        condition = f"sum_k a_k = sum_j a*_j, which the {parity} enumeration does not impose"
    else:
        condition = (f"sum_k a_k p(w_k.x) = sum_j a*_j p(w*_j.x) with p = {sp.sstr(sym.polynomial)}, which is not "
                     f"linear in (a, w), so the pieces of Q* need not be affine")
    # proven by the parity of sigma(wx) + sigma(-wx) = p(wx) and sigma(0) = p(0)/2 (tests/test_branches.py)
    example = ("; it also breaks the sign symmetry the enumeration uses and adds pieces of its own: the neurons "
               "(a, w), (a, -w) and (-2a, 0) add up to 0 for every a and w" if sym.polynomial == 1 else "")
    return (f"activation '{act.name}' is {sym.describe()}, so sigma = {sp.sstr(sym.polynomial / 2)} + tau with tau "
            f"{parity}; f_theta = f* splits by parity into the {parity} problem for tau and the condition "
            f"{condition}{example}. The branches of Q* are not derived for it here. Available for this activation: "
            f"verify (C1, C2), activation, derive, independence and rank at a point; for the geometry of the "
            f"{parity} part alone use tau itself as the activation"
            + (" (for sigmoid: --activation 'tanh(z/2)', since sigmoid = 1/2 + tanh(z/2)/2)"
               if act.name == "sigmoid" else ""))


def check_target(act, target):
    """Refuse a reducible target (docs/theory.md §1) or an activation outside the odd / even / generic classes."""
    kind = act.symmetry.kind
    if kind not in SUPPORTED_KINDS:
        raise InputError(refusal_up_to_polynomial(act))
    seen = []
    for j, (a, *w) in enumerate(target.neurons, 1):
        if a == 0:
            raise InputError(f"target is reducible: neuron {j} has a = 0")
        if all(v == 0 for v in w):
            raise InputError(f"target neuron {j} has w = 0 (a constant): [GLR]'s Assumption 2.2 allows it, but the "
                             "branch enumeration here is derived for targets with every w* != 0 (docs/theory.md §1)")
        for i, u in enumerate(seen, 1):
            relation = act.symmetry.relate(list(w), list(u))
            if relation is not None:
                how = "equal" if relation == 1 else "opposite"
                raise InputError(f"target is reducible: neurons {i} and {j} have {how} input weights, "
                                 f"so they are one neuron for a{'n' if kind[0] in 'oe' else ''} {kind} activation")
        seen.append(w)


def shift_relation(act, order=4):
    """A linear ODE with constant coefficients that sigma satisfies, proven by sympy, or None.

    Then the shifts sigma(z + b) span a space of dimension at most its order (sigma is an exponential
    polynomial): neurons that differ only in their bias are dependent. Found from the exact Taylor
    coefficients (the Hankel matrix of sigma^(s)(0) is singular) when they are rational; proven by
    sympy as an identity of functions.

    >>> from twolayer.symbolic.activations import activation
    >>> print(shift_relation(activation("sin")))
    sigma'' + sigma = 0
    >>> shift_relation(activation("tanh")) is None
    True
    """
    c = act.taylor(2 * order + 1)
    if not all(sp.S(v).is_Rational for v in c):
        return None
    moments = [sp.factorial(s) * c[s] for s in range(len(c))]   # sigma^(s)(0)
    for k in range(1, order + 1):
        hankel = sp.Matrix(k + 1, k + 1, lambda i, j: moments[i + j])
        if hankel.rank() > k:
            continue
        null = hankel.nullspace()[0]
        if null[k] == 0:
            continue
        null = null / null[k]
        if prove_zero(sum((null[j] * act.derivative(j) for j in range(k + 1)), sp.S.Zero)):
            terms = " + ".join(f"{'' if null[j] == 1 else f'({null[j]})*'}sigma{chr(39) * j}"
                               for j in range(k, -1, -1) if null[j] != 0)
            return f"{terms} = 0"
    return None


#: The reason given for a sigma with a bias that has no known relation but no proof either.
NOT_DERIVED = ("the structure of Q* with a bias is derived only for tanh (docs/theory.md §4: a pole argument); for "
               "this sigma it is not, so no branch, dimension, codimension or rank formula is stated")


@lru_cache(maxsize=64)   # by identity: asked for every rank with a bias of one activation
def bias_structure_gap(act):
    """None where the structure of Q* with a bias is derived (sigma = tanh, docs/theory.md §4), else why not.

    With a bias the enumeration treats (w, b) as one weight vector: it needs the functions
    sigma(w.x + b) with pairwise non-equivalent (w, b) to be independent (with their derivatives).
    That is proven here for tanh (poles). It is false for every sigma whose shifts span a finite
    space (sin, cos, exp, cosh: sin(z + b) = cos b sin z + sin b cos z), and tanh(z + c) has the hidden
    symmetry (a, w, b) ~ (-a, -w, -2c - b); for other sigma it is not derived, so nothing is stated.
    """
    if prove_zero(act.expr - sp.tanh(z)):
        return None
    ode = shift_relation(act)
    if ode is not None:
        return (f"its shifts span a finite-dimensional space (sympy proves {ode}), so sigma(w.x + b) for "
                "different biases b are dependent and the branches with a bias are not the ones enumerated")
    inner = act.expr.args[0] - z if act.expr.func == sp.tanh else None
    if inner is not None and inner.is_Rational:
        return (f"it is tanh(z + {inner}): with a bias this is tanh with every bias shifted by {inner}, and "
                f"(a, w, b), (-a, -w, {-2 * inner} - b) are one neuron, a symmetry the enumeration does not see; "
                f"use --activation tanh and add {inner} to every bias")
    return NOT_DERIVED


def require_bias_structure(act, extra=None):
    """InputError with the reason unless the branches of Q* with a bias are derived for ``act`` and ``extra`` =
    m - m* extra neurons: with two or more, constant neurons (w = 0, b != 0) can cancel among themselves
    (sum a_k tanh(b_k) = 0), a component of Q* of dimension 2z - 1 through the zero branches that the enumeration
    does not list."""
    gap = bias_structure_gap(act)
    if gap is not None:
        raise InputError(f"activation '{act.name}' with a bias is refused here: {gap}")
    if extra is not None and extra >= 2:
        raise InputError(f"with a bias and m - m* = {extra} >= 2 extra neurons, constant neurons (w = 0, b != 0) can "
                         "cancel among themselves (sum a_k tanh(b_k) = 0): a component of Q* that the enumeration "
                         "does not list and whose dimension exceeds that of the zero branches inside it; the "
                         "branches with a bias are stated for m - m* <= 1 only")


def _roles(act, target_width, width):
    """(split_extra, null, groups, zero, slope) for every way to give the m - m* extra neurons their roles
    (``split_extra`` of them join target classes); InputError for an unsupported activation or a narrow width."""
    if act.symmetry.kind not in SUPPORTED_KINDS:
        check_target(act, None)
    if width < target_width:
        raise InputError(f"width m = {width} is below the target width m* = {target_width}")
    c = act.taylor(1)
    zero_at_zero, slope = c[0] == 0, c[1] != 0
    extra = width - target_width
    for split_extra in range(extra + 1):
        rest = extra - split_extra
        for zero in range(rest + 1 if zero_at_zero else 1):
            for grouped in range(rest - zero + 1):
                for groups in _partitions(grouped):
                    yield split_extra, rest - zero - grouped, groups, zero, slope


def enumerate_branches(act, target_width, width, d):
    """Every branch of Q* for a target of ``target_width`` neurons and a network of ``width`` neurons."""
    branches = []
    for split_extra, null, groups, zero, slope in _roles(act, target_width, width):
        for splits in _compositions(target_width + split_extra, target_width):
            if len(branches) >= MAX_BRANCHES:
                raise InputError(f"more than {MAX_BRANCHES} branches for m* = {target_width}, m = {width}: the "
                                 "enumeration is refused (choose a smaller width)")
            branches.append(Branch(splits, null, groups, zero, d, slope))
    return sorted(branches, key=lambda b: (-b.dim, b.splits[::-1], b.label))


@dataclass(frozen=True)
class BranchType:
    """Branches that differ only in how ``split_extra`` extra neurons are shared among the target classes.

    Dimension, codimension and generic rank depend on the pattern only through sum_j (s_j - 1), so one
    representative (all extra neurons on the last target neuron) stands for ``count`` branches.
    """
    representative: Branch
    split_extra: int
    count: int

    @property
    def label(self):
        return _label(f"split+{self.split_extra}" if self.split_extra else "no split", self.representative)


def _label(head, branch):
    """``head`` followed by the branch's null, free-group and zero roles, e.g. 's=(1) null=1 zero=1'."""
    parts = [head]
    if branch.null:
        parts.append(f"null={branch.null}")
    if branch.groups:
        parts.append("groups=(" + ",".join(map(str, branch.groups)) + ")")
    if branch.zero:
        parts.append(f"zero={branch.zero}")
    return " ".join(parts)


#: Type tables with more rows are refused (each type is O(1); the limit keeps the listing readable and fast).
MAX_TYPES = 20000


def branch_types(act, target_width, width, d):
    """The branch types of Q* (see :class:`BranchType`), counted without listing every branch.

    >>> from twolayer.symbolic.activations import activation
    >>> types = branch_types(activation("tanh"), 3, 6, 4)
    >>> len(types), sum(t.count for t in types) == len(enumerate_branches(activation("tanh"), 3, 6, 4))
    (14, True)
    >>> sum(t.count for t in branch_types(activation("tanh"), 3, 20, 4))
    53122
    """
    from math import comb
    types = []
    for split_extra, null, groups, zero, slope in _roles(act, target_width, width):
        if len(types) >= MAX_TYPES:
            raise InputError(f"more than {MAX_TYPES} branch types for m* = {target_width}, m = {width}: "
                             "choose a smaller width")
        splits = (1,) * (target_width - 1) + (1 + split_extra,)
        types.append(BranchType(Branch(splits, null, groups, zero, d, slope), split_extra,
                                comb(target_width + split_extra - 1, target_width - 1)))
    return sorted(types, key=lambda t: (-t.representative.dim, t.split_extra, t.label))


def optimistic_sample_size(branches):
    """The smallest generic model rank over the branches: m*(d+1) ([OE], [LLR] Thm. 5)."""
    return min(b.generic_rank for b in branches)
