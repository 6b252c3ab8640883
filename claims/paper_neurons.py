"""Section 3.1 of [GLR], statement by statement: Lemma 3.1, Corollary 3.1, Remark 3.1, Assumption 3.1, Remark 3.2,
Proposition 3.1 and Remark 3.3, decided in exact arithmetic on the activations the paper names (docs/theory.md §9).

Two devices carry the section:

* the *window matrix* of Lemma 3.1: the sequences j -> j^t p_k^j (t < l) restricted to rl consecutive j. If it is
  non-singular for one window it is for every window (a shift by N multiplies it by an invertible matrix), so a
  non-zero combination has a non-zero term in every window: infinitely many, hence no polynomial;
* *tails* for Assumption 3.1: sigma^(s)(x) = C_+- e^(-kappa |x|^q) (1 + o(1)) as x -> +-oo, with C_+- finite and
  non-zero, q >= 1 and kappa > 0, gives the rapid decrease (derived here), and then the asymptotic asymmetry holds
  iff |C_+| != |C_-|.

>>> window_rank([1, 2], 2), window_rank([1, 1], 2), window_rank([0, 3], 2)
(4, 2, 3)
"""
from fractions import Fraction

import sympy as sp

from ..base.errors import InputError
from ..numeric.independence import certify_independence
from ..numeric.rank import exact_rank
from ..symbolic.activations import Activation, activation, prove_zero, z
from ..symbolic.constants import sign
from .result import Check, Result

TITLE = "the paper, statement by statement"


def window_rows(ps, l, start=0, parity=None):
    """Rows j = start, start + 1, ... (or only the j of one parity) of the matrix [j^t p_k^j], columns (k, t) for
    t < l: the coefficient sequences of Lemma 3.1 with c_j != 0 at every row."""
    js = [j for j in range(start, start + 4 * len(ps) * l) if parity is None or j % 2 == parity][:len(ps) * l]
    return [[Fraction(j) ** t * Fraction(p) ** j for p in ps for t in range(l)] for j in js]


def window_rank(ps, l, parity=None, start=0):
    """Exact rank of :func:`window_rows` (full rank = len(ps) * l proves Lemma 3.1's conclusion when c_j != 0 on
    the rows used and every p_k != 0: the shift argument needs p_k^N invertible)."""
    return exact_rank(window_rows(ps, l, start=start, parity=parity))


def _distinct_nonzero(rng, r):
    ps = []
    while len(ps) < r:
        p = Fraction(int(rng.integers(-9, 10)), int(rng.integers(1, 5)))
        if p != 0 and p not in ps:
            ps.append(p)
    return ps


def lemma_3_1_checks(seed=0):
    """[Lemma 3.1] on exp (every c_j = 1/j! != 0): the window matrix has full rank for seeded distinct non-zero p
    (r = 1..4, l = 1..3), and the hypotheses cannot be dropped (p = 0, a repeated p, coefficients of one parity)."""
    import numpy as np
    rng = np.random.default_rng(seed)
    cases = [(_distinct_nonzero(rng, r), l) for r in range(1, 5) for l in range(1, 4) for _ in range(3)]
    short = [(ps, l) for ps, l in cases if window_rank(ps, l) != len(ps) * l]
    checks = [Check("[Lemma 3.1] exp (c_j = 1/j! != 0 for all j): the sequences j^t p_k^j, t < l, are independent on "
                    "a window of rl consecutive j, for distinct non-zero p_k", f"{len(cases) - len(short)} of "
                    f"{len(cases)} window matrices of full rank rl", f"{len(cases)} of {len(cases)}", 0, not short,
                    "exact", "a shift of the window by N multiplies the matrix by an invertible block matrix (p_k^N "
                    "and "
                    "the binomial change of basis), so a non-zero combination has a non-zero coefficient in every "
                    "window: infinitely many, not a polynomial; failing cases: " + str(short[:3]))]
    # without the hypotheses the conclusion fails: exhibited combinations
    dropped = {"a p_k = 0 (r = 2, l = 2; window from j = 1)": (window_rank([0, 3], 2, start=1), 4),
               "p_1 = p_2 (r = 2, l = 1)": (window_rank([2, 2], 1), 2),
               "only even c_j (cosh), p = 1 and -1": (window_rank([1, -1], 1, parity=0), 2),
               "only odd c_j (sinh), p = 1 and -1": (window_rank([1, -1], 1, parity=1), 2)}
    eps = sp.Symbol("epsilon")
    identity = sp.simplify(sp.cosh(eps) - sp.cosh(-eps)) == 0 and sp.simplify(sp.sinh(eps) + sp.sinh(-eps)) == 0
    checks.append(Check("[Lemma 3.1] its hypotheses matter: with a p_k = 0, a repeated p_k, or coefficients of one "
                        "parity only, a non-zero combination is a polynomial (rank drops)",
                        {**{k: f"rank {a} of {b}" for k, (a, b) in dropped.items()},
                         "cosh(e) - cosh(-e) = 0 and sinh(e) + sinh(-e) = 0": identity},
                        "every rank below full; the identities hold", 0,
                        all(a < b for a, b in dropped.values()) and identity, "exact",
                        "p = 0 contributes only the constant term j = l; one parity sees p and -p alike"))
    return checks


#: distinct weights with w = 0, +-w pairs and parallel w, 2w (d = 1 and d = 2): Corollary 3.1's 'any distinct w'
ANY_DISTINCT = ([[0], [1], [-1], [2], [-2], ["1/2"]], [[0, 0], [1, 0], [-1, 0], [1, 1], [2, 2], [-1, 2]])
#: weights with w_k + w_j != 0 for all k, j (so no w = 0 and no +-w pair): Remark 3.1's condition
NO_OPPOSITES = ([[1], [2], ["-1/2"], [3]], [[1, 0], [0, 1], [1, 1], [-1, 2]])
#: for Proposition 3.1: distinct non-zero weights, +-w pairs and parallel ones included
NONZERO = ([[1], [-1], [2], [-2], ["1/2"]], [[1, 0], [-1, 0], [1, 1], [2, 2], [-1, 2]])


def _decide(act, weights, derivatives=False):
    found = certify_independence(act, weights, derivatives, cross_check=None)
    return found.independent if found.evidence in ("exact-certificate", "exact-relation") else None


def _family_check(row, act, families, expected, what, derivatives=False):
    found = {f"d = {len(ws[0])}" + (", with x sigma'" if derivatives else ""): _decide(act, ws, derivatives)
             for ws in families}
    word = {True: "independent", False: "dependent", None: "undecided"}
    return Check(f"[{row}] {act.name}: {what}", {k: word[v] for k, v in found.items()}, word[expected], 0,
                 None if None in found.values() else all(v is expected for v in found.values()), "exact",
                 "exact rank of the Taylor coefficient matrix over Q (a certificate) or a relation sympy verifies "
                 "as an identity of functions; weights " + "; ".join(str(ws) for ws in families))


def corollary_3_1_checks():
    """[Cor. 3.1] generic sigma: every distinct family independent; each way Assumption 2.1 can fail: a dependent
    family of distinct weights (the converse)."""
    checks = [_family_check("Cor. 3.1", activation("exp"), ANY_DISTINCT, True,
                            "generic, so every family of distinct weights (w = 0, +-w, w and 2w) is independent")]
    failing = {"tanh": ([[1], [-1]],), "cos": ([[1], [-1]],), "sigmoid": ([[0], [1], [-1]],),
               "softplus": ([[1], [-1], [2], [-2]],)}
    why = {"tanh": "odd", "cos": "even", "sigmoid": "odd up to a constant", "softplus": "even up to z"}
    for name, families in failing.items():
        checks.append(_family_check("Cor. 3.1", activation(name), families, False,
                                    f"not generic ({why[name]}), and a family of distinct weights is dependent"))
    return checks


def finding_8_checks():
    """[Finding 8] Corollary 3.1's proof meets p_k = 0 (a weight w_k = 0), where Lemma 3.1 does not apply; c_0 != 0
    is what decides that case: exp(z) - 1 has odd and even coefficients of every degree but c_0 = 0, and its
    neuron at w = 0 is the zero function."""
    ranks = {f"window rank from j = 1, p = (0, 3), l = {l}": f"{window_rank([0, 3], l, start=1)} of {2 * l}"
             for l in (1, 2)}
    shifted, exp = activation("exp(z) - 1"), activation("exp")
    decided = {"exp(z) - 1, w = 0, 1": _decide(shifted, [[0], [1]]), "exp, w = 0, 1": _decide(exp, [[0], [1]])}
    coefficients = shifted.taylor(6)
    both = any(c != 0 for c in coefficients[1::2]) and any(c != 0 for c in coefficients[2::2])
    return [Check("[Finding 8] Lemma 3.1 does not cover p_k = 0, and without c_0 != 0 the neuron at w = 0 vanishes",
                  {**ranks, **{k: {True: "independent", False: "dependent", None: "undecided"}[v]
                               for k, v in decided.items()}, "exp(z) - 1 has odd and even c_j": both},
                  "ranks below full; dependent; independent", 0,
                  all(window_rank([0, 3], l, start=1) < 2 * l for l in (1, 2))
                  and decided == {"exp(z) - 1, w = 0, 1": False, "exp, w = 0, 1": True}
                  and both, "exact", "at p = 0 the series is the constant c_l P(l) whatever P is; the proof needs "
                  "c_0 != 0 there: sum_k alpha_k sigma(w_k.x) = 0 with w_1 = 0 leaves alpha_1 c_0 = 0")]


def remark_3_1_checks():
    """[Remark 3.1] sigmoid, tanh and log(1 + e^-z): independent (with x sigma', as Corollary 3.2 needs) when
    w_k + w_j != 0 for all k, j."""
    checks = []
    for name in ("sigmoid", "tanh", "log(1 + exp(-z))"):
        act = activation(name)
        checks.append(_family_check("Remark 3.1", act, NO_OPPOSITES, True,
                                    "not generic, yet independent when w_k + w_j != 0 for all k, j"))
        checks.append(_family_check("Remark 3.1", act, NO_OPPOSITES, True, "and so is the family with x sigma' "
                                    "(Corollary 3.2 under the same condition)", derivatives=True))
    return checks


x = sp.Symbol("x", real=True)


def tails(f, kappa, q=1):
    """(C_+, C_-): the limits of f(x) e^(kappa |x|^q) as x -> +oo and -oo (sympy), or None where one is not a
    finite non-zero real."""
    found = []
    for end, absx in ((sp.oo, x), (-sp.oo, -x)):
        c = sp.limit(f * sp.exp(kappa * absx ** q), x, end)
        # an oscillating tail has no limit (sympy answers with AccumBounds): the criterion is silent then
        limit = not isinstance(c, sp.AccumBounds) and c.is_finite and c.is_real
        found.append(c if limit and sign(c) != 0 else None)
    return tuple(found)


def assumption_3_1(f, kappa, q=1):
    """How the tail criterion decides Assumption 3.1 for sigma^(s) = f: {'tails', 'rapid decrease', 'asymmetry'}
    (None where the criterion is silent). Rapid decrease (derived here, docs/theory.md §9): for |x| >= |y| >= 1,
    |x|^q - |y|^q >= |x| - |y|, so |f(y)/f(x)| ~ |C_y/C_x| e^(kappa(|x|^q - |y|^q)) -> oo; the ratio
    |f(x)/f(-x)| tends to |C_+/C_-| at +oo and its inverse at -oo, so asymmetry holds iff |C_+| != |C_-|."""
    plus, minus = tails(f, kappa, q)
    if plus is None or minus is None:
        return {"tails": (str(plus), str(minus)), "rapid decrease": None, "asymmetry": None}
    return {"tails": (str(plus), str(minus)), "rapid decrease": True, "asymmetry": sign(abs(plus) - abs(minus)) != 0}


#: the paper's rapidly decreasing examples (Remark 3.2 (a), (c), (d) and tanh): (name, sigma, s, kappa, q); (b),
#: exp(-|x|), is not analytic and stays outside the suite
EXAMPLES = (("gaussian", sp.exp(-x ** 2), 0, 1, 2), ("sigmoid", 1 / (1 + sp.exp(-x)), 1, 1, 1),
            ("softplus", sp.log(1 + sp.exp(x)), 2, 1, 1), ("tanh", sp.tanh(x), 1, 2, 1))
SHIFT = sp.log(2)   # e^b = 2: the shifted series keep rational coefficients


def remark_3_2_checks():
    """[Remark 3.2] each example's sigma^(s) is even, rapidly decreasing (so not asymmetric) and tends to 0; (c) has
    sigma'(x) e^|x| -> 1; a shift by b = log 2 makes every tail example satisfy both properties."""
    checks = []
    for name, sigma, s, kappa, q in EXAMPLES:
        f = sp.diff(sigma, x, s)
        even = prove_zero((f - f.subs(x, -x)).subs(x, z)) is not None
        decided = assumption_3_1(f, kappa, q)
        zero = [sp.limit(f, x, end) for end in (sp.oo, -sp.oo)]
        ok = even and decided["rapid decrease"] is True and decided["asymmetry"] is False and zero == [0, 0]
        checks.append(Check(f"[Remark 3.2] {name}, s = {s}: sigma^(s) even, rapidly decreasing, tends to 0, hence "
                            "not asymmetric", {"even": even, **decided, "limits at +-oo": [str(v) for v in zero]},
                            "even, True, False, [0, 0]", 0, ok, "exact",
                            f"tails of sigma^(s) e^({kappa}|x|^{q}) by sympy's limit; evenness by sympy simplify"))
    sigmoid_tails = tails(sp.diff(1 / (1 + sp.exp(-x)), x), 1)
    checks.append(Check("[Remark 3.2] (c) sigmoid: sigma'(x) e^|x| -> 1 at both ends", [str(c) for c in sigmoid_tails],
                        ["1", "1"], 0, list(sigmoid_tails) == [1, 1], "exact"))
    for name, sigma, s, kappa, q in EXAMPLES[1:]:
        decided = assumption_3_1(sp.diff(sigma.subs(x, x - SHIFT), x, s), kappa, q)
        checks.append(Check(f"[Remark 3.2] {name}(x - log 2), s = {s}: the shift gives both properties", decided,
                            "rapid decrease True, asymmetry True", 0,
                            decided["rapid decrease"] is True and decided["asymmetry"] is True, "exact",
                            "the tails' constants differ by the factor e^(2 kappa b)"))
    return checks


def assumption_3_1_checks():
    """[Assumption 3.1] decided by the tail criterion: the shifted sigmoid, softplus, tanh satisfy it; the unshifted
    ones and Remark 3.3's function fail only (b); a tail the criterion cannot read leaves it undecided."""
    checks = []
    for name, sigma, s, kappa, q in EXAMPLES[1:]:
        for b in (0, SHIFT):
            decided = assumption_3_1(sp.diff(sigma.subs(x, x - b), x, s), kappa, q)
            want = b != 0
            label = f"{name}(x - log 2)" if want else name
            checks.append(Check(f"[Assumption 3.1] {label}, s = {s}: (a) rapid decrease, (b) asymmetry",
                                decided, f"(a) True, (b) {want}", 0,
                                decided["rapid decrease"] is True and decided["asymmetry"] is want, "exact"))
    # the criterion says nothing when the tail is not of the form it reads: gaussian with kappa = 1, q = 1
    silent = assumption_3_1(sp.exp(-x ** 2), 1, 1)
    checks.append(Check("[Assumption 3.1] the tail criterion is silent on a tail of another form (e^(-x^2) read "
                        "against e^(-|x|))", silent, "rapid decrease None", 0, silent["rapid decrease"] is None,
                        "exact",
                        "the limits are 0, not finite non-zero constants: no conclusion is drawn"))
    return checks


def _shifted(name, sigma):
    expr = sigma.subs(x, z - SHIFT)
    return Activation(f"{name}(z - log 2)", expr)


def proposition_3_1_checks():
    """[Prop. 3.1] on activations that satisfy Assumption 3.1 (shifted sigmoid, softplus, tanh): distinct non-zero
    weights, +-w pairs included, give independent neurons; without (b) (softplus itself) a family is dependent."""
    checks = []
    for name, sigma, *_ in EXAMPLES[1:]:
        checks.append(_family_check("Prop. 3.1", _shifted(name, sigma), NONZERO, True,
                                    "satisfies Assumption 3.1, so distinct non-zero weights give independent neurons"))
    checks.append(_family_check("Prop. 3.1", activation("softplus"), ([[1], [-1], [2], [-2]],), False,
                                "fails only Assumption 3.1 (b): +-1, +-2 are dependent, so (b) cannot be dropped"))
    return checks

def bounded_parts_check(act, row="Assumption 2.1 in full, by boundedness") -> Check:
    """[Assumption 2.1 in full, by boundedness] every Taylor coefficient at once (derived here, docs/theory.md §9):
    if the odd part sigma(z) - sigma(-z) (the even part sigma(z) + sigma(-z)) has a finite limit at +infinity and is
    not constant, it is no polynomial, so infinitely many odd (even) coefficients are non-zero: a real-analytic
    function equal near 0 to a polynomial equals it on all of R, and a non-constant polynomial is unbounded."""
    found = {}
    for name, flip in (("odd part", -1), ("even part", 1)):
        part = act.expr + flip * act.expr.subs(z, -z)
        limit = sp.limit(part, z, sp.oo)
        # not constant: a value at 0 or at 1 other than the limit (the odd part is 0 at 0 whatever sigma is)
        moves = bool(limit.is_finite) and any(sign(part.subs(z, point) - limit) != 0 for point in (0, 1))
        found[name] = {"limit at +oo": str(limit), "values at 0, 1": [str(sp.simplify(part.subs(z, point)))
                                                                      for point in (0, 1)], "proof": moves}
    c0 = act.expr.subs(z, 0)
    proven = all(v["proof"] for v in found.values()) and sign(c0) != 0
    return Check(f"[{row}] {act.name}: c_0 != 0, and the odd and even parts are "
                 "bounded at +oo and not constant, so neither is a polynomial", {**found, "c_0": str(c0)},
                 "both parts: finite limit != value at 0 or at 1", 0, True if proven else None, "exact",
                 "every coefficient at once: no window of degrees (sympy's limit, exact signs); None: the argument "
                 "does not apply (an unbounded part, as for exp), which says nothing against the assumption")


def remark_3_3_checks():
    """[Remark 3.3] sigma = e^(-x^2) + (d/dx)^2 1/(1 + e^-x) satisfies Assumption 2.1 and is rapidly decreasing, but
    sigma(x)/sigma(-x) -> -1 at +-oo, so it fails Assumption 3.1 (b); its neurons are independent all the same."""
    sigma = sp.exp(-x ** 2) + sp.diff(1 / (1 + sp.exp(-x)), x, 2)
    act = Activation("exp(-z^2) + sigmoid''(z)", sigma.subs(x, z))
    ratio = [sp.limit(sigma / sigma.subs(x, -x), x, end) for end in (sp.oo, -sp.oo)]
    decided = assumption_3_1(sigma, 1)
    return [bounded_parts_check(act, row="Remark 3.3"),
            Check("[Remark 3.3] the example is rapidly decreasing and sigma(x)/sigma(-x) -> -1 at +-oo (so "
                  "Assumption 3.1 (b) fails with s = 0)", {**decided, "ratio limits": [str(v) for v in ratio]},
                  "rapid decrease True, asymmetry False, [-1, -1]", 0,
                  decided["rapid decrease"] is True and decided["asymmetry"] is False and ratio == [-1, -1], "exact"),
            _family_check("Remark 3.3", act, NONZERO, True, "generic (Cor. 3.1), so +-w pairs are independent although "
                          "Prop. 3.1 does not apply")]


#: the sections of check_neurons, by the paper's item (a configuration may ask for some of them only)
SECTIONS = {"lemma 3.1": lemma_3_1_checks, "cor 3.1": lambda seed: corollary_3_1_checks(),
            "finding 8": lambda seed: finding_8_checks(), "remark 3.1": lambda seed: remark_3_1_checks(),
            "assumption 3.1": lambda seed: assumption_3_1_checks(), "remark 3.2": lambda seed: remark_3_2_checks(),
            "prop 3.1": lambda seed: proposition_3_1_checks(), "remark 3.3": lambda seed: remark_3_3_checks()}


def check_neurons(seed: int = 0, sections=None) -> Result:
    """C8 part 'neurons': §3.1 of [GLR] (Lemma 3.1 to Remark 3.3), all of it or the named ``sections``."""
    chosen = list(SECTIONS) if sections is None else list(sections)
    unknown = [name for name in chosen if name not in SECTIONS]
    if unknown:
        raise InputError(f"unknown section(s) {unknown} of part 'neurons'; they are: {', '.join(SECTIONS)}")
    checks = [check for name in chosen for check in SECTIONS[name](seed)]
    config = {"part": "neurons", "seed": seed, **({"sections": chosen} if sections is not None else {})}
    return Result("C8", TITLE, config, checks)
