"""Lemma 4.1 (and Corollary 3.3): R is analytic when sigma is (C8, part "statements").

Two checks, each able to fail: sigma is proven real-analytic on the whole line for every library activation (the
proof that guards every user activation), and R, as the symbolic model writes it, is a polynomial in the a_k and the
sigma(w_k.x_i), with sigma applied only to polynomials in the weights and inputs. Together: R is analytic by
composition.

>>> [c.passed for c in lemma_4_1_checks()]
[True, True]
"""
import sympy as sp

from ..symbolic.activations import LIBRARY, z
from ..symbolic.model import expanded_loss
from ..symbolic.real_line import certify_real_analytic
from .result import Check


def lemma_4_1_checks() -> list:
    """The two checks of the module doc."""
    return [_analytic_on_the_line(), _loss_structure()]


def _analytic_on_the_line():
    """[Lemma 4.1] R is analytic when sigma is real-analytic on all of R (then R is a polynomial in the a_k and the
    sigma(w_k.x_i)); the hypothesis is proven for every activation the suite accepts, and a pole refused."""
    unproven = {name: certify_real_analytic(expr) for name, expr in LIBRARY.items()}
    pole = 1 / (z - sp.Rational(1, 3))
    refused = certify_real_analytic(pole)
    return Check("[Lemma 4.1] sigma is real-analytic on the whole real line for every library activation (a range "
                 "enclosure over R: denominators non-zero, log arguments and fractional-power bases positive), so R "
                 "is analytic; 1/(z - 1/3), which has a real pole, is not certified",
                 {"library proven": sum(v is None for v in unproven.values()), "library": len(unproven),
                  "1/(z - 1/3)": refused or "proven"}, "all proven; the pole refused", 0,
                 all(v is None for v in unproven.values()) and refused is not None and pole.subs(z, sp.Rational(1, 3))
                 is sp.zoo, "exact", "the same proof guards every user activation (symbolic/real_line.py); R is then "
                 "a polynomial in the a_k and the sigma(w_k.x_i), analytic by composition")


def _loss_structure(sizes=((1, 1, 1), (2, 2, 3), (3, 1, 2))):
    """[Lemma 4.1] R itself: written out by the symbolic model for an unknown sigma, it is built from numbers, symbols,
    sums, products and non-negative integer powers, and sigma is applied only to polynomials in the weights and
    inputs; so R is a polynomial in the a_k and the sigma(w_k.x_i), analytic wherever sigma is (composition)."""
    sigma = sp.Function("sigma")

    def polynomial(e):
        if e.is_Number or e.is_Symbol:
            return True
        if isinstance(e, (sp.Add, sp.Mul)):
            return all(polynomial(a) for a in e.args)
        if isinstance(e, sp.Pow):
            return e.exp.is_Integer and e.exp >= 0 and polynomial(e.base)
        return e.func == sigma and len(e.args) == 1 and polynomial(e.args[0]) and not e.args[0].has(sigma)

    found = {f"(m, d, n) = {size}": polynomial(expanded_loss(*size, act=sigma)[0]) for size in sizes}
    return Check("[Lemma 4.1] R = (1/2n) sum_i (sum_k a_k sigma(w_k.x_i) - y_i)^2, as the symbolic model writes it, "
                 "is a polynomial in the a_k and the sigma(w_k.x_i) (sigma applied only to polynomials in w and x): "
                 "analytic wherever sigma is", found, "all True", 0, all(found.values()), "exact",
                 "the expression tree of symbolic/model.expanded_loss with sigma an undefined function")
