"""The activation library: sympy expression, derivatives, exact Taylor
coefficients and the symmetry class with its proof (THEORY.md §3).

>>> act = activation("tanh")
>>> act.symmetry.kind, act.symmetry.polynomial
('odd', 0)
>>> act.taylor(5)
[0, 1, 0, -1/3, 0, 2/15]
>>> activation("softplus").symmetry.describe()
'even up to a polynomial: sigma(z) - sigma(-z) = z'
>>> activation("Abs(z)")
Traceback (most recent call last):
...
twolayer.errors.InputError: activation 'Abs(z)' is not analytic: 'Abs' is not supported: an activation is built from +, *, /, rational powers and exp, log, tanh, atan, erf, sin, cos, sinh, cosh (analytic functions)
"""
from dataclasses import dataclass, field
from functools import cached_property

import sympy as sp

from ..errors import InputError
from .taylor import taylor_coefficients

z = sp.Symbol("z", real=True)

LIBRARY = {
    "tanh": sp.tanh(z),
    "sigmoid": 1 / (1 + sp.exp(-z)),
    "softplus": sp.log(1 + sp.exp(z)),
    "silu": z / (1 + sp.exp(-z)),
    "gelu": z / 2 * (1 + sp.erf(z / sp.sqrt(2))),
    "erf": sp.erf(z),
    "sin": sp.sin(z),
    "cos": sp.cos(z),
    "exp": sp.exp(z),
    "gaussian": sp.exp(-z**2),
    "tanh_shift": sp.tanh(z + sp.Rational(1, 2)),
}

# Closed forms of c_s = sigma^(s)(0)/s!, checked against the series by claim C2(b).
_n = sp.Symbol("s", integer=True, nonnegative=True)


def _tanh_coefficient(s):
    if s % 2 == 0:
        return sp.S.Zero
    k = (s + 1) // 2
    return 2**(2 * k) * (2**(2 * k) - 1) * sp.bernoulli(2 * k) / sp.factorial(2 * k)


CLOSED_FORMS = {
    "tanh": (r"c_{2k-1} = \frac{2^{2k}(2^{2k}-1)B_{2k}}{(2k)!}", _tanh_coefficient),
    "sigmoid": (r"c_0 = \tfrac12,\ c_{2k-1} = \frac{2^{2k}(2^{2k}-1)B_{2k}}{2^{2k}(2k)!}",
                lambda s: sp.Rational(1, 2) if s == 0 else _tanh_coefficient(s) / 2**(s + 1)),
    "erf": (r"c_{2k+1} = \frac{2}{\sqrt\pi}\frac{(-1)^k}{k!\,(2k+1)}",
            lambda s: sp.S.Zero if s % 2 == 0 else
            2 / sp.sqrt(sp.pi) * (-1)**((s - 1) // 2) / (sp.factorial((s - 1) // 2) * s)),
    "sin": (r"c_{2k+1} = \frac{(-1)^k}{(2k+1)!}",
            lambda s: sp.S.Zero if s % 2 == 0 else sp.S(-1)**((s - 1) // 2) / sp.factorial(s)),
    "cos": (r"c_{2k} = \frac{(-1)^k}{(2k)!}",
            lambda s: sp.S.Zero if s % 2 else sp.S(-1)**(s // 2) / sp.factorial(s)),
    "exp": (r"c_s = \frac{1}{s!}", lambda s: 1 / sp.factorial(s)),
    "gaussian": (r"c_{2k} = \frac{(-1)^k}{k!}",
                 lambda s: sp.S.Zero if s % 2 else sp.S(-1)**(s // 2) / sp.factorial(s // 2)),
}


@dataclass(frozen=True)
class Symmetry:
    """Symmetry class of sigma, with the identity sympy proved.

    ``kind`` is one of ``odd``, ``even``, ``odd up to a polynomial``,
    ``even up to a polynomial``, ``generic``; ``polynomial`` is ``p`` in
    ``sigma(z) + sigma(-z) = p`` (odd kinds) or ``sigma(z) - sigma(-z) = p``
    (even kinds), 0 for the pure classes; ``proof`` says how sympy proved it.
    """
    kind: str
    polynomial: sp.Expr
    proof: str

    def describe(self):
        if self.kind in ("odd", "odd up to a polynomial"):
            return f"{self.kind}: sigma(z) + sigma(-z) = {sp.sstr(self.polynomial)}"
        if self.kind in ("even", "even up to a polynomial"):
            return f"{self.kind}: sigma(z) - sigma(-z) = {sp.sstr(self.polynomial)}"
        return "generic: neither sigma(z) + sigma(-z) nor sigma(z) - sigma(-z) is a polynomial"

    @property
    def flip_sign(self):
        """+1 if (a, -w) repeats the neuron (a, w) (even σ), -1 if (-a, -w) does (odd σ), None otherwise."""
        return {"odd": -1, "even": 1}.get(self.kind)


def prove_zero(expr):
    """Prove ``expr(z) ≡ 0`` on the real line; returns how, or None if sympy cannot.

    Either sympy simplifies it to 0, or its value at 0 is 0 and its derivative
    simplifies to 0 (an analytic function with zero derivative is constant).

    >>> prove_zero(sp.log(1 + sp.exp(z)) - sp.log(1 + sp.exp(-z)) - z)
    'simplify(F) = 0'
    """
    for point in (sp.Rational(3, 10), sp.Rational(-7, 10)):
        # a value clearly away from 0 disproves the identity at once; simplify is slow on large expressions
        if abs(expr.evalf(30, subs={z: point})) > sp.Float("1e-20"):
            return None
    if sp.simplify(expr) == 0:
        return "simplify(F) = 0"
    if sp.simplify(expr.subs(z, 0)) == 0 and sp.simplify(sp.diff(expr, z)) == 0:
        return "F(0) = 0 and simplify(dF/dz) = 0"
    return None


@dataclass(frozen=True, eq=False)
class Activation:
    """An analytic, non-polynomial activation sigma(z).

    Build it with :func:`activation`, which validates the input.
    """
    name: str
    expr: sp.Expr
    _coefficients: list = field(default_factory=list, repr=False)
    _derivatives: dict = field(default_factory=dict, repr=False)

    def derivative(self, order):
        """sigma^(order)(z) as a sympy expression."""
        if order not in self._derivatives:
            self._derivatives[order] = sp.diff(self.expr, z, order)
        return self._derivatives[order]

    def taylor(self, degree):
        """Exact ``[c_0, ..., c_degree]``, ``c_s = sigma^(s)(0)/s!``."""
        if degree >= len(self._coefficients):
            self._coefficients[:] = taylor_coefficients(self.expr, z, degree)
        return self._coefficients[:degree + 1]

    @property
    def closed_form(self):
        """(LaTeX, function s -> c_s) for library activations that have one, else None."""
        return CLOSED_FORMS.get(self.name)

    @cached_property
    def symmetry(self):
        return _symmetry(self)

    def __repr__(self):
        return f"Activation({self.name!r}, {sp.sstr(self.expr)})"


def _polynomial_degree_bound(expr):
    """An upper bound on the degree of any polynomial part of expr (z-powers, counted with multiplicity)."""
    return sum(int(e.exp) for e in expr.atoms(sp.Pow) if e.base == z and e.exp.is_Integer and e.exp > 0) + \
        sum(1 for e in sp.preorder_traversal(expr) if e == z)


def _symmetry(act, probe_degree=24):
    # a polynomial p in sigma(z) +/- sigma(-z) = p has degree at most that of sigma's explicit polynomial terms
    probe = probe_degree + _polynomial_degree_bound(act.expr)
    c = act.taylor(probe)
    for kind, sign, parity in (("odd", 1, 0), ("even", -1, 1)):
        # sigma(z) + sign*sigma(-z) keeps the coefficients of this parity, doubled: if it is a
        # polynomial of degree <= probe, it is exactly this truncated series.
        candidate = sp.expand(sum((2 * c[s] * z**s for s in range(parity, probe + 1, 2)), sp.S.Zero))
        proof = prove_zero(act.expr + sign * act.expr.subs(z, -z) - candidate)
        if proof:
            full_kind = kind if candidate == 0 else f"{kind} up to a polynomial"
            return Symmetry(full_kind, candidate, f"sigma(z) {'+' if sign > 0 else '-'} sigma(-z) - p: {proof}")
    return Symmetry("generic", sp.S.Zero, f"neither sigma(z) + sigma(-z) nor sigma(z) - sigma(-z) equals a "
                    f"polynomial of degree <= {probe} (sympy finds no such identity; the exact series of both "
                    f"parities continues to degree {probe})")


_FORBIDDEN = ("Abs", "Max", "Min", "Heaviside", "sign", "Piecewise", "floor", "ceiling", "re", "im", "DiracDelta")


def activation(spec):
    """The activation named ``spec`` (see ``LIBRARY``) or given as a sympy expression in ``z``.

    Raises :class:`InputError` for unknown names, expressions in other
    variables, non-analytic functions and polynomials.
    """
    if isinstance(spec, Activation):
        return spec
    if not isinstance(spec, str) or not spec.strip():
        raise InputError("activation must be a library name or an expression in z")
    spec = spec.strip()
    if spec in LIBRARY:
        return Activation(spec, LIBRARY[spec])
    if spec.isidentifier() and spec not in ("z",):
        raise InputError(f"unknown activation '{spec}'; library: {', '.join(sorted(LIBRARY))}, "
                         "or an expression in z such as 'tanh(z + 1/2)'")
    try:
        expr = sp.sympify(spec, locals={"z": z}, rational=True)
    except (sp.SympifyError, SyntaxError, TypeError, AttributeError, ValueError) as exc:
        raise InputError(f"activation '{spec}' is not an expression in z ({type(exc).__name__})") from None
    if not isinstance(expr, sp.Expr):
        raise InputError(f"activation '{spec}' is not an expression in z")
    extra = expr.free_symbols - {z}
    if extra:
        raise InputError(f"activation '{spec}' has symbols other than z: {', '.join(sorted(map(str, extra)))}")
    if z not in expr.free_symbols:
        raise InputError(f"activation '{spec}' does not depend on z")
    for bad in _FORBIDDEN:
        if any(type(a).__name__ == bad for a in sp.preorder_traversal(expr)):
            raise InputError(f"activation '{spec}' is not analytic: '{bad}' is not supported: an activation "
                             "is built from +, *, /, rational powers and exp, log, tanh, atan, erf, sin, cos, "
                             "sinh, cosh (analytic functions)")
    if expr.is_polynomial(z):
        raise InputError(f"activation '{spec}' is a polynomial; the suite needs an analytic non-polynomial "
                         "activation (a polynomial network has finitely many independent neurons)")
    act = Activation(spec, expr)
    try:
        c = act.taylor(4)
    except InputError as exc:
        raise InputError(f"activation '{spec}' is not analytic: {exc}") from None
    if any(ci.has(sp.zoo, sp.oo, sp.nan) for ci in c):
        raise InputError(f"activation '{spec}' is not analytic at z = 0")
    return act
