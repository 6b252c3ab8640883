import flint
import mpmath
import pytest

from twolayer.base.errors import InputError
from twolayer.base.precision import working_precision
from twolayer.claims.derivatives import check_numeric, check_symbolic, q_n_point
from twolayer.numeric.evaluate import evaluate, evaluate_hessian
from twolayer.numeric.network import gaussian_inputs, parse_network, random_network
from twolayer.symbolic.activations import activation


def test_symbolic_closed_forms_agree_with_direct_differentiation():
    result = check_symbolic(sizes=((1, 1), (2, 2)))
    assert result.verdict == "PASS" and len(result.evidence) == 4


@pytest.mark.parametrize("name", ["tanh", "softplus", "gaussian", "tanh_shift"])
def test_numeric_derivatives_pass(name):
    result = check_numeric(name, width=3, d=2, target_width=2, samples=7, seed=5, dps=40)
    assert result.verdict == "PASS", [c for c in result.evidence if not c.passed]


def test_gauss_newton_identity_fails_off_q_n():
    """The check (c) can fail: off Q_n the residual term is there and is detected."""
    act, target = activation("tanh"), random_network(2, 2, seed=1)
    inputs = gaussian_inputs(9, 2, seed=2)
    ev = evaluate_hessian(act, random_network(3, 2, seed=3), inputs, target)
    difference = (ev.hessian - ev.jacobian.transpose() * ev.jacobian / 9).entries()
    assert not all(e.contains(0) for e in difference)
    on = evaluate_hessian(act, q_n_point(target, 3, seed=4), inputs, target)
    assert all(e.contains(0) for e in (on.hessian - on.jacobian.transpose() * on.jacobian / 9).entries())


def test_precision_does_not_leak():
    before = (mpmath.mp.dps, flint.ctx.prec)
    evaluate(activation("erf"), parse_network("[[1, 2]]"), [[1]], target=parse_network("[[1, 1]]"), dps=90)
    assert (mpmath.mp.dps, flint.ctx.prec) == before


def test_hundred_digits_agree_with_fifty():
    net, target = random_network(2, 1, seed=0), random_network(1, 1, seed=1)
    inputs = gaussian_inputs(4, 1, seed=2)
    low = evaluate(activation("sin"), net, inputs, target=target, dps=50).loss
    high = evaluate(activation("sin"), net, inputs, target=target, dps=100).loss
    assert abs(low - high) < mpmath.mpf(10) ** -48 and high.rad() < mpmath.mpf(10) ** -95


@pytest.mark.parametrize("inputs, target, message", [
    ([[1, 2]], "[[1, 1]]", "dimension mismatch"),
    ([[1]], "[[1, 1, 1]]", "dimension mismatch"),
])
def test_dimension_mismatch(inputs, target, message):
    with pytest.raises(InputError, match=message):
        evaluate(activation("tanh"), parse_network("[[1, 2]]"), inputs, target=parse_network(target))


@pytest.mark.parametrize("text, message", [
    ("[[1, 2]", "malformed JSON"), ("[[1, \"x\"]]", "not a rational"), ("[]", "non-empty"),
    ("[[1]]", "has 1 entry"), ("[[1, 2], [1, 2, 3]]", "neuron 2 has 3 entries"), ("[[true, 1]]", "not a number"),
    ("{\"a\": 1}", "non-empty JSON list"),
])
def test_network_parsing_refusals(text, message):
    with pytest.raises(InputError, match=message):
        parse_network(text)


def test_decimal_strings_are_exact():
    net = parse_network('[["0.1", 0.1, "1/10"]]')
    assert len(set(net.neurons[0])) == 1


def test_constants_in_the_activation_are_evaluated_as_balls():
    """gelu has sqrt(2) and 1/2 in its expression: arb.sqrt(2) on a Python int is NaN, so ints are converted."""
    from flint import arb

    from twolayer.numeric.evaluate import activation_function
    with working_precision(30):
        value = activation_function(activation("gelu"), (0,))(arb(1))[0]
        assert value.is_finite() and abs(value - mpmath.mpf("0.841344746068542948585232545632")) < 1e-28
