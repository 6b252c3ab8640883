import pytest
import sympy as sp

from twolayer.errors import InputError
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
