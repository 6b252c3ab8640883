"""Claim C2: symmetry classes, exact Taylor coefficients, and neuron linear independence (docs/theory.md §3).

(a) the symmetry class and the polynomial p of each library activation, proven by sympy,
    are those docs/theory.md lists;
(b) exact Taylor coefficients c_0..c_40; closed forms (tanh through Bernoulli numbers,
    ...) equal the series term by term; every series agrees with ``sympy.series`` to degree 10;
(c) families of neurons satisfying the lemma get an exact-rank certificate of
    independence; families violating it get an exact relation, verified by sympy as an
    identity of functions;
(d) the numerical rank of the features at random points (dps 50, gap rule) equals the exact rank.
"""
import sympy as sp

from ..numeric.independence import CrossCheck, certify_independence
from ..symbolic.activations import activation, z
from .result import Check, Result

TITLE = "neuron linear independence"

# docs/theory.md §3: the symmetry class of each library activation and its polynomial p.
SPECIFIED_CLASS = {
    "tanh": ("odd", 0), "erf": ("odd", 0), "sin": ("odd", 0), "cos": ("even", 0), "gaussian": ("even", 0),
    "sigmoid": ("odd up to a polynomial", 1), "softplus": ("even up to a polynomial", z),
    "silu": ("even up to a polynomial", z), "gelu": ("even up to a polynomial", z),
    "exp": ("generic", 0), "tanh_shift": ("generic", 0),
}


def check_series(activation_name, degree=40, cross_degree=10) -> Result:
    """C2(a) and (b) for one activation."""
    act = activation(activation_name)
    config = {"activation": activation_name, "part": "symmetry and Taylor series", "degree": degree}
    checks = []
    sym = act.symmetry
    if activation_name in SPECIFIED_CLASS:
        kind, p = SPECIFIED_CLASS[activation_name]
        checks.append(Check("(a) symmetry class and p (sympy proof: " + sym.proof + ")",
                            f"{sym.kind}, p = {sp.sstr(sym.polynomial)}", f"{kind}, p = {sp.sstr(p)}",
                            "identical", sym.kind == kind and sp.expand(sym.polynomial - p) == 0, "exact"))
    coefficients = act.taylor(degree)
    closed = act.closed_form
    if closed:
        latex, formula = closed
        mismatches = [s for s, c in enumerate(coefficients) if sp.simplify(c - formula(s)) != 0]
        checks.append(Check(f"(b) closed form ${latex}$ vs the exact series", f"{len(mismatches)} of "
                            f"{degree + 1} coefficients differ", "0 differ", "exact (sympy simplify)",
                            not mismatches, "exact"))
    reference = sp.series(act.expr, z, 0, cross_degree + 1).removeO()
    mismatches = [s for s in range(cross_degree + 1) if sp.simplify(coefficients[s] - reference.coeff(z, s)) != 0]
    checks.append(Check(f"(b) series engine vs sympy.series, degrees 0..{cross_degree}",
                        f"{len(mismatches)} differ", "0 differ", "exact (sympy simplify)", not mismatches, "exact"))
    return Result("C2", TITLE + ": symmetry class and Taylor coefficients", config, checks)


def check_family(activation_name, weights, derivatives=False, max_degree=60, dps=50, seed=0, family=None) -> Result:
    """C2(c) and (d) for one family of input weights."""
    act = activation(activation_name)
    config = {"activation": activation_name, **({"family": family} if family else {}),
              "weights": [[str(v) for v in w] for w in weights], "derivatives": derivatives, "dps": dps}
    r = certify_independence(act, weights, derivatives, max_degree=max_degree, cross_check=CrossCheck(seed, dps))
    checks = []
    exact = r.evidence in ("exact-certificate", "exact-relation")
    if r.evidence == "exact-certificate":
        value = f"independent: rank {r.rank} = {r.size} over Q at degree S = {r.degree} ({r.rows} rows)"
    elif r.evidence == "exact-relation":
        value = f"dependent: {r.relation_text}"
        if r.rank is not None:
            value += f"; rank {r.rank} of {r.size} ({len(r.relations)} verified relation(s))"
    else:
        value = f"no exact decision up to degree {max_degree} ({r.unverified} unverified null vector(s))"
    predicted = {True: "independent (lemma)", False: "dependent (lemma)", None: "lemma silent: exact decision"}
    checks.append(Check("(c) exact decision", value, predicted[r.prediction],
                        "exact certificate or sympy-verified relation",
                        (exact and (r.prediction is None or r.prediction == r.independent)) if exact else None,
                        "exact"))
    numerical = "undecided (a singular value in the gap)" if r.numerical_rank is None else str(r.numerical_rank)
    smallest = sp.Float(r.singular_values[-1] / r.singular_values[0], 3) if r.singular_values[0] else 0
    checks.append(Check("(d) numerical rank of the features at random points (gap rule)",
                        f"{numerical} (s_min/s_1 = {smallest})",
                        f"exact rank {r.rank}" if r.rank is not None else "exact rank unknown",
                        "s/s_1 > 1e-16.7 counts, < 1e-33.3 does not",
                        None if r.numerical_rank is None or r.rank is None else r.numerical_rank == r.rank,
                        "estimate"))
    return Result("C2", TITLE, config, checks)


# Families of input weights: what the lemma covers and what it excludes.
FAMILIES = {
    "distinct, d=1": ([[1], [2], ["-1/2"]], False),
    "distinct, d=2, with x sigma'": ([[1, 0], [0, 1], [1, 1]], True),
    "a +-w pair, d=2, with x sigma'": ([[1, 2], [-1, -2], [1, 0]], True),
    "parallel w, 2w, d=3, with x sigma'": ([[1, 0, 1], [2, 0, 2], [0, 1, -1]], True),
    "w = 0, d=2": ([[0, 0], [1, 1], [1, -1]], False),
}
SPECIAL_FAMILIES = {
    "sigmoid": {"w = 0 and a +-w pair, d=1": ([[0], [1], [-1]], False)},
    **{name: {"two +-w pairs, d=1": ([[1], [-1], [2], [-2]], False),
              "one +-w pair, d=1, with x sigma'": ([[1], [-1]], True)}
       for name in ("softplus", "silu", "gelu")},
}
