"""Neuron linear independence: the coefficient matrix of a family of neurons (docs/theory.md §3).

The family is ``{sigma(w_k.x)}`` and, with ``derivatives=True``, also
``{x_l sigma'(w_k.x)}``. Its degree-``s`` homogeneous part is ``c_s`` times a
polynomial with rational coefficients when every ``w_k`` is rational:

* ``sigma(w.x)``: ``c_s (w.x)^s``;
* ``x_l sigma'(w.x)``: ``s c_s x_l (w.x)^(s-1)``.

Dividing the degree-``s`` block by ``c_s`` (and dropping blocks with ``c_s = 0``)
leaves a rational matrix. A vanishing combination of the family vanishes in
every degree, so full column rank of any set of these rows proves independence.

>>> from fractions import Fraction as F
>>> rows = degree_block([[F(1)], [F(-1)]], 3, derivatives=False)
>>> rows   # one monomial x^3 in d = 1; columns sigma(x), sigma(-x)
[[Fraction(1, 1), Fraction(-1, 1)]]
"""
import itertools
from fractions import Fraction
from math import factorial

import sympy as sp


def feature_names(weights, derivatives):
    """Labels of the columns, in order: sigma(w_k.x) for every k, then x_l sigma'(w_k.x)."""
    names = [f"sigma(w{k + 1}.x)" for k in range(len(weights))]
    if derivatives:
        names += [f"x{l + 1} sigma'(w{k + 1}.x)" for k in range(len(weights)) for l in range(len(weights[0]))]
    return names


def monomials(d, s):
    """Exponent vectors alpha with |alpha| = s in d variables, lexicographic."""
    if d == 1:
        return [(s,)]
    return [(first,) + rest for first in range(s, -1, -1) for rest in monomials(d - 1, s - first)]


def _power_coefficient(w, alpha):
    """Coefficient of x^alpha in (w.x)^|alpha| (multinomial theorem).

    Numerator and denominator are built as integers and reduced once (Fraction arithmetic per factor was the
    cost of large certificates).

    >>> _power_coefficient([Fraction(1, 2), 3], (2, 1))
    Fraction(9, 4)
    """
    numerator, denominator = factorial(sum(alpha)), 1
    for wl, a in zip(w, alpha):
        if a:
            wl = Fraction(wl)
            numerator *= wl.numerator ** a
            denominator *= factorial(a) * wl.denominator ** a
    return Fraction(numerator, denominator)


def degree_block(weights, s, derivatives, max_rows=None):
    """Rows of the degree-s block divided by c_s: one row per monomial of degree s.

    With ``max_rows``, an evenly spaced subset of the monomials: any subset of
    valid rows still certifies independence when it has full column rank.
    """
    d = len(weights[0])
    alphas = monomials(d, s)
    if max_rows and len(alphas) > max_rows:
        step = len(alphas) / max_rows
        alphas = [alphas[int(i * step)] for i in range(max_rows)]
    rows = []
    for alpha in alphas:
        row = [_power_coefficient(w, alpha) for w in weights]
        if derivatives:
            for w in weights:
                for l in range(d):
                    if alpha[l] == 0:
                        row.append(Fraction(0))
                    else:
                        lower = tuple(a - (i == l) for i, a in enumerate(alpha))
                        row.append(s * _power_coefficient(w, lower))
        rows.append(row)
    return rows


def nonzero_degrees(coefficients):
    """The degrees s with c_s != 0.

    The activation library stores every coefficient proven zero as the integer 0 and refuses
    activations with an undecidable coefficient (:mod:`twolayer.symbolic.constants`), so
    ``c != 0`` is a proof here: a block is used only when its c_s is known to be non-zero
    (leaving out a block is always safe, putting in a zero one would not be).
    """
    return [s for s, c in enumerate(coefficients) if c != 0]


def family_expression(activation_expr, z, weights, coefficients, derivatives, xs):
    """sum_j alpha_j F_j(x) as a sympy expression in the symbols xs (for checking a relation)."""
    d = len(weights[0])
    features = [activation_expr.subs(z, sum(sp.Rational(w[l]) * xs[l] for l in range(d))) for w in weights]
    if derivatives:
        prime = sp.diff(activation_expr, z)
        features += [xs[l] * prime.subs(z, sum(sp.Rational(w[i]) * xs[i] for i in range(d)))
                     for w in weights for l in range(d)]
    return sum((sp.Rational(c) * f for c, f in zip(coefficients, features) if c != 0), sp.S.Zero)


def lemma_prediction(symmetry_kind, weights):
    """What the lemma of docs/theory.md §3 predicts: True (independent), False (dependent) or None (silent).

    * any w_k = 0: silent (the lemma assumes w != 0);
    * two equal weights: dependent (identical functions);
    * odd or even sigma: independent iff no w_i = -w_j;
    * generic sigma: independent (distinct weights suffice);
    * "up to a polynomial" classes: independent if no w_i = -w_j, silent otherwise
      (relations through p depend on the rest of the family).
    """
    ws = [tuple(Fraction(v) for v in w) for w in weights]
    if any(all(v == 0 for v in w) for w in ws):
        return None
    if len(set(ws)) < len(ws):
        return False
    flipped = any(tuple(-v for v in u) == w for u, w in itertools.combinations(ws, 2))
    if symmetry_kind in ("odd", "even"):
        return not flipped
    if symmetry_kind == "generic":
        return True
    return None if flipped else True


def independence_condition(symmetry_kind):
    """The lemma of docs/theory.md §3 as a sentence for one symmetry class (:func:`lemma_prediction` decides it).

    >>> print(independence_condition("generic"))
    the neurons sigma(w_k.x) and x_l sigma'(w_k.x) are linearly independent when the w_k are non-zero
    and pairwise distinct
    """
    family = "the neurons sigma(w_k.x) and x_l sigma'(w_k.x) are linearly independent when the w_k are non-zero"
    if symmetry_kind == "generic":
        return f"{family} and pairwise distinct"
    if symmetry_kind in ("odd", "even"):
        flip = "(a, w) and (-a, -w)" if symmetry_kind == "odd" else "(a, w) and (a, -w)"
        return (f"{family} and w_i != +-w_j for i != j; the sign flips are the only relations "
                f"({symmetry_kind} sigma: {flip} are one neuron)")
    return (f"{family} and w_i != +-w_j for i != j; with some w_i = -w_j the polynomial part of sigma may create "
            "further relations, which the exact certificate (twolayer independence) decides case by case")
