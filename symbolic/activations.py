"""The activation library: sympy expression, derivatives, exact Taylor
coefficients and the symmetry class with its proof (docs/theory.md §3).

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
twolayer.base.errors.InputError: activation 'Abs(z)' is not analytic: 'Abs' is not supported: an activation is ...
"""
import contextlib
from dataclasses import dataclass, field
from functools import cached_property

import sympy as sp

from ..base.errors import InputError
from ..base.inputs import time_budget
from .constants import sign
from .expression import parse_activation, z
from .real_line import certify_real_analytic
from .taylor import MAX_INTEGER_POWER, taylor_coefficients

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

    def relate(self, u, v, tolerance=None):
        """Is the direction ``u`` the direction ``v`` up to this symmetry? The one place this is decided.

        Returns +1 (u = v), -1 (u = -v, for odd or even sigma only) or None. Exact comparison
        (rationals) by default; with ``tolerance``, entrywise within it (numerically found points).

        >>> Symmetry("odd", 0, "").relate([1, 2], [-1, -2]), Symmetry("generic", 0, "").relate([1, 2], [-1, -2])
        (-1, None)
        """
        if len(u) != len(v):
            return None

        def same(p, q):
            if tolerance is None:
                return all(x == y for x, y in zip(p, q))
            return max(abs(x - y) for x, y in zip(p, q)) < tolerance

        if same(u, v):
            return 1
        if self.flip_sign is not None and same(u, [-x for x in v]):
            return -1
        return None

    def output_sign(self, relation):
        """The factor an output weight takes when its neuron's direction is ``relation`` times the reference."""
        return -1 if relation == -1 and self.flip_sign == -1 else 1


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
        """Exact ``[c_0, ..., c_degree]``, ``c_s = sigma^(s)(0)/s!``.

        Every coefficient proven zero (:func:`constants.sign`) is stored as the integer 0, so
        ``c == 0`` is a proof downstream; a coefficient whose sign cannot be decided, or that
        is not real, raises :class:`InputError`.
        """
        if degree >= len(self._coefficients):
            with self._budget(f"the Taylor coefficients of '{self.name}' to degree {degree}"):
                raw = taylor_coefficients(self.expr, z, degree)
                self._coefficients[:] = [sp.S.Zero if sign(c) == 0 else c for c in raw]
        return self._coefficients[:degree + 1]

    def _budget(self, what):
        """A user's expression gets :data:`ANALYSIS_SECONDS` for its exact analysis; the library's need none."""
        return contextlib.nullcontext() if self.name in LIBRARY else time_budget(ANALYSIS_SECONDS, what)

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


SYMMETRY_PROBE = 24


def _symmetry(act, probe_degree=SYMMETRY_PROBE):
    # a polynomial p in sigma(z) +/- sigma(-z) = p has degree at most that of sigma's explicit polynomial terms
    probe = probe_degree + _polynomial_degree_bound(act.expr)
    c = act.taylor(probe)
    for kind, flip, parity in (("odd", 1, 0), ("even", -1, 1)):
        # sigma(z) + flip*sigma(-z) keeps the coefficients of this parity, doubled: if it is a
        # polynomial of degree <= probe, it is exactly this truncated series.
        candidate = sp.expand(sum((2 * c[s] * z**s for s in range(parity, probe + 1, 2)), sp.S.Zero))
        proof = prove_zero(act.expr + flip * act.expr.subs(z, -z) - candidate)
        if proof:
            full_kind = kind if candidate == 0 else f"{kind} up to a polynomial"
            return Symmetry(full_kind, candidate, f"sigma(z) {'+' if flip > 0 else '-'} sigma(-z) - p: {proof}")
    return Symmetry("generic", sp.S.Zero, f"neither sigma(z) + sigma(-z) nor sigma(z) - sigma(-z) equals a "
                    f"polynomial of degree <= {probe} (sympy finds no such identity; the exact series of both "
                    f"parities continues to degree {probe})")


#: Wall-clock seconds for the exact analysis of a user's expression (the structural limits of
#: :mod:`.expression` catch the known bombs at once; this stops whatever else grows too fast).
ANALYSIS_SECONDS = 20

#: Size limit of a user's expression (sympy operation count): larger ones make the proofs too slow.
MAX_OPERATIONS = 120

def _refuse(spec, why):
    raise InputError(f"activation '{spec}' is refused: {why}")


def _check_not_polynomial(spec, act, probe):
    """Refuse sigma if its series stops below ``probe`` and sympy proves sigma equal to that polynomial."""
    c = act.taylor(probe)
    last = max((s for s, cs in enumerate(c) if cs != 0), default=-1)
    if last == probe:
        return
    p = sp.expand(sum((c[s] * z**s for s in range(last + 1)), sp.S.Zero))
    if prove_zero(act.expr - p):
        _refuse(spec, f"it is the polynomial {sp.sstr(p)} in disguise (sympy proves sigma(z) - ({sp.sstr(p)}) "
                "= 0); the suite needs an analytic non-polynomial activation")


def activation(spec):
    """The activation named ``spec`` (see ``LIBRARY``) or given as a sympy expression in ``z``.

    Raises :class:`InputError` for unknown names, expressions in other variables, complex-valued,
    non-analytic or undecidable expressions, and polynomials (also disguised ones).

    >>> activation("z*(cosh(z)**2 - sinh(z)**2)")
    Traceback (most recent call last):
    ...
    twolayer.base.errors.InputError: activation 'z*(cosh(z)**2 - sinh(z)**2)' is refused: it is the polynomial z in
    disguise (sympy proves sigma(z) - (z) = 0); the suite needs an analytic non-polynomial activation
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
    expr = parse_activation(spec)   # our own grammar: the text is never evaluated as code
    extra = expr.free_symbols - {z}
    if extra:
        raise InputError(f"activation '{spec}' has symbols other than z: {', '.join(sorted(map(str, extra)))}")
    if expr.has(sp.I):
        _refuse(spec, "it contains the imaginary unit I; activations must be real-valued")
    if z not in expr.free_symbols:
        raise InputError(f"activation '{spec}' does not depend on z")
    if sp.count_ops(expr) > MAX_OPERATIONS:
        _refuse(spec, f"it has more than {MAX_OPERATIONS} operations")
    big = [e for e in expr.atoms(sp.Pow) if e.exp.is_Integer and abs(e.exp) > MAX_INTEGER_POWER]
    if big:
        _refuse(spec, f"integer exponent {big[0].exp} exceeds the limit {MAX_INTEGER_POWER}")
    if expr.is_polynomial(z):
        raise InputError(f"activation '{spec}' is a polynomial; the suite needs an analytic non-polynomial "
                         "activation (a polynomial network has finitely many independent neurons)")
    act = Activation(spec, expr)
    with time_budget(ANALYSIS_SECONDS, f"activation '{spec}' is refused: its exact analysis (Taylor series, "
                     "symmetry proof, real-line check)"):
        try:
            _check_not_polynomial(spec, act, SYMMETRY_PROBE + _polynomial_degree_bound(expr))
        except InputError as exc:
            if str(exc).startswith(f"activation '{spec}'"):
                raise
            _refuse(spec, str(exc))
        unproven = certify_real_analytic(expr)
        if unproven:
            _refuse(spec, f"{unproven}; an activation must be real-analytic on the whole real line (write each "
                    "denominator, log argument and base of a fractional power in a manifestly positive form, "
                    "such as (z - 1/2)**2 + 3/4)")
        _ = act.symmetry   # decided now, under the budget, rather than later in the middle of a command
    return act
