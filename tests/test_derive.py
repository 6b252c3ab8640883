"""`twolayer derive`: the printed closed forms equal an independent differentiation of the expanded loss."""
import json

import pytest
import sympy as sp
from test_cli import assert_refused, twolayer

from twolayer.symbolic.activations import activation, z
from twolayer.symbolic.derive import as_text, derive, e, i, n, pre, x
from twolayer.symbolic.model import expanded_loss

SAMPLES = 3


def _evaluate(entry, found, values, inputs):
    """An entry of `derive` at concrete samples: the sum done, e, z and x replaced by their values."""
    sigma = sp.Lambda(z, found.activation.expr)
    width, dim = found.width, found.dim
    a = {k: values[sp.Symbol(f"a{k + 1}")] for k in range(width)}
    w = {(k, l): values[sp.Symbol(f"w{k + 1}_{l + 1}")] for k in range(width) for l in range(dim)}
    expr = entry.subs(n, SAMPLES).doit()
    for s, (xs, ys) in enumerate(inputs, start=1):
        zs = [sum(w[k, l] * xs[l] for l in range(dim)) for k in range(width)]
        residual = sum(a[k] * sigma(zs[k]) for k in range(width)) - ys
        expr = expr.subs(e[s], residual).subs({pre[s, k + 1]: zs[k] for k in range(width)})
        expr = expr.subs({x[s, l + 1]: xs[l] for l in range(dim)})
    return expr.subs(values)


@pytest.mark.parametrize("name, width, dim", [("tanh", 2, 1), ("exp", 1, 2), ("tanh(z + 1/2)", 2, 2)])
def test_entries_match_the_expanded_loss(name, width, dim):
    act = activation(name)
    found = derive(act, width, dim)
    loss, theta = expanded_loss(width, dim, SAMPLES, act=sp.Lambda(z, act.expr))
    rng = [sp.Rational(v, 7) for v in (3, -5, 2, 4, -1, 6, 1, -3, 5, -2, 2, 3)]
    values = {t: rng[k] for k, t in enumerate(theta)}
    inputs, subs = [], {}
    for s in range(1, SAMPLES + 1):
        xs = [sp.Rational(s + l, 5) * (-1) ** l for l in range(dim)]
        ys = sp.Rational(s, 3)
        inputs.append((xs, ys))
        subs.update({sp.Symbol(f"x{s}_{l + 1}"): xs[l] for l in range(dim)})
        subs[sp.Symbol(f"y{s}")] = ys
    independent = sp.hessian(loss, theta).subs(subs).subs(values)
    printed = {(p, q): h for p, q, h in found.hessian}
    for r, tp in enumerate(theta):
        grad = dict(found.gradient)[str(tp)]
        assert abs((_evaluate(grad, found, values, inputs) - sp.diff(loss, tp).subs(subs).subs(values)).evalf(40)) \
            < 1e-35
        for c, tq in enumerate(theta[r:], start=r):
            mine = printed.get((str(tp), str(tq)), sp.S.Zero)
            value = _evaluate(mine, found, values, inputs) if mine != 0 else sp.S.Zero
            assert abs((value - independent[r, c]).evalf(40)) < 1e-35, (tp, tq)


def test_zero_entries_are_left_out_and_symmetry_stated():
    found = derive(activation("tanh"), 2, 1)
    assert ("a1", "a1") in {(p, q) for p, q, _ in found.hessian}
    assert len(found.hessian) == 10  # every entry of a 4 x 4 upper triangle is non-zero for tanh at m = 2, d = 1
    assert found.symmetry.startswith("odd") and "w_i != +-w_j" in found.independence
    assert "generic" in derive(activation("exp"), 1, 1).symmetry


def test_latex_and_json_from_the_command_line():
    run = twolayer("derive", "--activation", "tanh", "--width", "2", "--dim", "1", "--latex")
    assert run.returncode == 0, run.stderr
    assert r"\partial^2 R_n / \partial a_{1} \partial w_{1,1}" in run.stdout and r"\tanh" in run.stdout
    run = twolayer("derive", "--activation", "sigmoid", "--width", "1", "--dim", "1", "--json")
    data = json.loads(run.stdout)
    gradient = {g["parameter"]: sp.sympify(eval(g["srepr"], vars(sp))) for g in data["gradient"]}
    assert gradient["a1"] == dict(derive(activation("sigmoid"), 1, 1).gradient)["a1"]
    assert data["symmetry"].startswith("odd up to a polynomial")


def test_text_names_every_block():
    text = as_text(derive(activation("tanh"), 1, 1))
    for piece in ("sigma'(z) = 1 - tanh(z)**2", "dR_n/dw1_1", "d2R_n/dw1_1 dw1_1", "c_3 = -1/3", "i, 1, n"):
        assert piece in text
    assert str(i) == "i"


@pytest.mark.parametrize("args", [
    ["--activation", "tanh", "--width", "30", "--dim", "4"], ["--activation", "tanh", "--width", "0", "--dim", "1"],
    ["--activation", "Abs(z)", "--width", "1", "--dim", "1"], ["--activation", "tanh", "--width", "1", "--dim", "1",
                                                                "--taylor", "99"],
])
def test_bad_input(args):
    assert_refused(["derive", *args])


@pytest.mark.parametrize("name", ["tanh", "exp", "sin"])
def test_abstract_form_is_the_concrete_one_with_sigma_substituted(name):
    """derive --abstract: putting sigma, sigma', sigma'' back in gives exactly the expanded entries."""
    import sympy as sp

    from twolayer.symbolic.activations import activation, z
    from twolayer.symbolic.derive import derive
    act = activation(name)
    concrete, abstract = derive(act, 2, 2), derive(act, 2, 2, abstract=True)
    closed = {"sigma": act.expr, "sigma'": act.derivative(1), "sigma''": act.derivative(2)}

    from twolayer.symbolic.derive import i, pre, x
    from twolayer.symbolic.model import parameters
    theta = parameters(2, 2)
    # z[i, k] written out (the expanded form keeps exp(2 w.x) where the abstract one has exp(2 z[i, 1]))
    weights = {pre[i, k + 1]: sum(theta[k * 3 + 1 + l] * x[i, l + 1] for l in range(2)) for k in range(2)}

    def evaluated(expr):
        return expr.replace(lambda f: getattr(f, "func", None) is not None and f.func.__name__ in closed,
                            lambda f: closed[f.func.__name__].subs(z, f.args[0])).xreplace(weights)
    pairs = [(g, h) for (_, g), (_, h) in zip(concrete.gradient, abstract.gradient)]
    pairs += [(g, h) for (*_, g), (*_, h) in zip(concrete.hessian, abstract.hessian)]
    assert len(abstract.hessian) == len(concrete.hessian)
    assert all(sp.simplify(g.xreplace(weights) - evaluated(h)) == 0 for g, h in pairs)
    assert any("sigma''" in str(h) for *_, h in abstract.hessian)
