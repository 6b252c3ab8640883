import pytest
import sympy as sp

from twolayer.base.errors import InputError
from twolayer.symbolic.activations import LIBRARY, activation, prove_zero, z
from twolayer.symbolic.taylor import taylor_coefficients

EXPECTED = {
    "tanh": ("odd", 0), "erf": ("odd", 0), "sin": ("odd", 0),
    "cos": ("even", 0), "gaussian": ("even", 0),
    "sigmoid": ("odd up to a polynomial", 1),
    "softplus": ("even up to a polynomial", z), "silu": ("even up to a polynomial", z),
    "gelu": ("even up to a polynomial", z),
    "exp": ("generic", 0), "tanh_shift": ("generic", 0),
}


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_symmetry_class(name):
    sym = activation(name).symmetry
    assert (sym.kind, sp.expand(sym.polynomial - EXPECTED[name][1])) == (EXPECTED[name][0], 0)


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_taylor_matches_sympy_series(name):
    act = activation(name)
    series = sp.series(act.expr, z, 0, 9).removeO()
    for s, c in enumerate(act.taylor(8)):
        assert sp.simplify(c - series.coeff(z, s)) == 0, (name, s)


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "erf", "sin", "cos", "exp", "gaussian"])
def test_closed_form_matches_series_to_degree_40(name):
    act = activation(name)
    _, closed = act.closed_form
    assert all(sp.simplify(c - closed(s)) == 0 for s, c in enumerate(act.taylor(40)))


def test_series_engine_on_compositions():
    expr = sp.atan(sp.sinh(z)) / (2 + sp.cos(z)) + sp.sqrt(1 + z) * sp.log(3 + sp.exp(z))
    ours = taylor_coefficients(expr, z, 6)
    reference = sp.series(expr, z, 0, 7).removeO()
    assert all(sp.simplify(c - reference.coeff(z, s)) == 0 for s, c in enumerate(ours))


def test_user_expression_is_exact():
    act = activation("tanh(z + 0.5)")
    assert act.expr == LIBRARY["tanh_shift"]
    assert act.symmetry.kind == "generic"


def test_polynomial_part_is_found():
    sym = activation("tanh(z) + z**20").symmetry
    assert sym.kind == "odd up to a polynomial" and sym.polynomial == 2 * z**20


def test_prove_zero_refuses_a_false_identity():
    assert prove_zero(sp.tanh(z) + sp.tanh(-z) + z**7 / 10**9) is None


@pytest.mark.parametrize("spec, message", [
    ("Max(0, z)", "not analytic"), ("Abs(z)", "not analytic"), ("Heaviside(z)", "not analytic"),
    ("z**3", "polynomial"), ("2*z + 1", "polynomial"), ("relu", "unknown activation"),
    ("tanh(y)", "other than z"), ("tanh(z", "not an expression"), ("log(z)", "not analytic"),
    ("sqrt(z)", "not analytic"), ("1/z", "not analytic"), ("", "library name"), ("3", "does not depend on z"),
    ("besselj(0, z)", "not supported"),
])
def test_refusals(spec, message):
    with pytest.raises(InputError, match=message):
        activation(spec)


# A pole or a log argument reaching 0 anywhere on the real line, also off any grid and far out: refused with the
# sub-expression named; analytic forms the range proof can read are accepted (docs/theory.md §3).
@pytest.mark.parametrize("spec, part", [
    ("1/(z - 1/3)", "denominator z - 1/3"), ("1/(3*z**2 - 1)", "denominator 3*z**2 - 1"),
    ("tanh(1/(z - 1/3))", "denominator z - 1/3"), ("1/(2 - exp(z))", "denominator 2 - exp(z)"),
    ("1/(1 + sin(z))", "denominator sin(z) + 1"), ("log(1 + z/1000)", "argument z/1000 + 1 of log"),
    ("1/(1000 - z)", "denominator 1000 - z"), ("(1/2 + tanh(z))**(1/3)", "base tanh(z) + 1/2"),
])
def test_real_singularities_are_refused(spec, part):
    with pytest.raises(InputError, match="real-analytic on the whole real line") as caught:
        activation(spec)
    assert part in str(caught.value)


@pytest.mark.parametrize("spec", ["1/((z - 1/2)**2 + 3/4)", "1/(2 + sin(z))", "sqrt(1 + z**2)", "log(cosh(z))",
                                  "z/(exp(z) + exp(-z))", "(1 + exp(z))**(-3)", "1/(atan(z) + 2)"])
def test_manifestly_analytic_forms_are_accepted(spec):
    assert activation(spec).expr.has(z)


def test_range_enclosure_contains_the_values():
    # the enclosure of every sub-expression contains its values at sample points (an independent evaluation)
    import mpmath

    from twolayer.symbolic.real_line import _enclose
    expr = sp.atan(sp.sinh(z)) / (2 + sp.cos(z)) + sp.sqrt(1 + z**2) * sp.log(3 + sp.exp(z)) - sp.tanh(z) ** 3
    for sub in sp.preorder_traversal(expr):
        if not sub.has(z):
            continue
        lo, hi, never_zero = _enclose(sub)
        f = sp.lambdify(z, sub, "mpmath")
        for t in (-50, -3, -1, -0.25, 0, 0.5, 2, 7, 60):
            value = f(mpmath.mpf(t))
            assert float(lo) <= value <= float(hi), (sub, t)   # the bounds are far from the values here
            assert not never_zero or value != 0
