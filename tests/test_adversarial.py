"""Inputs nobody wrote the code for: each class of wrong answer found in review, pinned.

Hidden zeros, disguised polynomials, complex values, points off Q*, ranks with a bias or w = 0,
runs that stop early, thresholds at low precision, huge sizes, and printed bounds rounded the
safe way. Every case gets the right answer or one clear error line with exit code 2, in seconds.
"""
import json
import time
from fractions import Fraction

import mpmath
import pytest
import sympy as sp
from test_cli import assert_refused, twolayer

from twolayer.base.errors import InputError
from twolayer.base.tolerance import zero_residual
from twolayer.claims.flow import check_flow
from twolayer.claims.global_minima import check_point_rank
from twolayer.claims.separation import check_point_sweep
from twolayer.numeric.evaluate import evaluate
from twolayer.numeric.network import gaussian_inputs, parse_network
from twolayer.numeric.precision import exact_fraction, lower_bound_string, upper_bound_string
from twolayer.numeric.problem import Problem
from twolayer.numeric.separation import nearest_nongeneralizing
from twolayer.symbolic.activations import activation
from twolayer.symbolic.constants import sign

MACHIN = "atan(1/2) + atan(1/3) - pi/4"   # exactly 0, not simplified by sympy


# 1. hidden zeros ------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["independence", "--activation", f"1/(z + {MACHIN})", "--weights", "[[1],[2]]"],
    ["activation", f"1/(z + {MACHIN})"],
    ["activation", f"tanh(z) + {MACHIN}"],
    ["activation", f"log(1 + {MACHIN} + z**2) + tanh(z)"],
])
def test_undecidable_constants_are_refused(args):
    assert_refused(args)


def test_a_provable_hidden_zero_is_removed_before_classifying():
    act = activation("tanh(z) + log(6) - log(2) - log(3)")   # the constant is exactly 0: sympy proves it
    assert act.taylor(0) == [0]
    assert act.symmetry.kind == "odd"


def test_sign_of_constants():
    assert sign(sp.sqrt(2) - sp.Rational(141421356237, 10**11)) == 1
    assert sign(sp.exp(1) - sp.E) == 0
    assert sign(-sp.tanh(sp.Rational(1, 2))) == -1
    with pytest.raises(InputError, match="not real"):
        sign(sp.log(-2))


# 2. polynomials in disguise, 3. complex values and removable singularities ---------------------

@pytest.mark.parametrize("spec, message", [
    ("z*(cosh(z)**2 - sinh(z)**2)", "polynomial z in disguise"),
    ("sin(z)**2 + cos(z)**2", "polynomial 1 in disguise"),
    ("(exp(z) + 1)*(exp(-z) + 1) - exp(z) - exp(-z) + z", "polynomial z \\+ 2 in disguise"),
    ("exp(I*z)", "real"), ("I*atan(z)", "real"), ("log(z - 1)", "not real"), ("sqrt(z - 1)", "not real"),
    ("sin(z)/z", "removable singularity"), ("log(z + 2)", "of log is positive for every real z"),
    ("tanh(z)**100000", "exponent"),
])
def test_refused_activations(spec, message):
    start = time.time()
    with pytest.raises(InputError, match=message):
        activation(spec)
    assert time.time() - start < 10


# 4. a run that stops early is INCONCLUSIVE; the CLI verdict is the claim's -------------------

TARGET = '[[1, 1, "1/2"]]'
INIT = '[["1.02", 1, "0.5"], ["0.01", "-0.7", "0.3"]]'


def _cli_flow(*extra):
    run = twolayer("flow", "--activation", "tanh", "--target", TARGET, "--init", INIT, *extra, "--json")
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_flow_cut_before_its_tail_is_inconclusive():
    out = _cli_flow("--samples", "10", "--t-max", "200")
    assert out["decay"] == "undetermined" and out["verdict"] == "INCONCLUSIVE"


def test_flow_verdict_is_the_claim_verdict():
    out = _cli_flow("--samples", "2", "--t-max", "1e40")
    result = check_flow(activation("tanh"), parse_network(TARGET), parse_network(INIT), gaussian_inputs(2, 2, 0))
    assert out["verdict"] == result.verdict == "FAIL"   # two samples: the limit does not generalize
    assert out["decay"] == "exponential"
    expect_no = _cli_flow("--samples", "2", "--t-max", "1e40", "--expect", "no-recovery")
    assert expect_no["verdict"] == "PASS"


# 5. thresholds follow the precision -----------------------------------------------------------

def test_search_at_15_digits_reports_only_true_minima():
    act, target = activation("tanh"), parse_network('[[1, "1/2"]]')
    point = parse_network('[[1, "1/2"], [0, 2]]')
    inputs = gaussian_inputs(2, 1, 0)
    found = nearest_nongeneralizing(Problem(act, target, inputs, dps=15), point, starts=4)
    assert found.found >= 1
    for p in found.points:
        residual = max(abs(e.mid()) for e in evaluate(act, p, inputs, target=target, dps=30).residuals)
        assert residual <= 10 * zero_residual(15)


def test_predicted_rate_at_30_digits_matches_50_digits():
    act, target = activation("tanh"), parse_network(TARGET)
    inputs = gaussian_inputs(8, 2, 1)
    rates = [check_flow(act, target, parse_network(INIT), inputs, dps=dps).analysis.predicted_rate
             for dps in (30, 50)]
    assert rates[0] is not None and abs(rates[0] / rates[1] - 1) < mpmath.mpf("1e-6")


# 6. points off Q* ------------------------------------------------------------------------------

@pytest.mark.parametrize("point", [
    '[["11/10", "1/2"], [0, 2]]',           # the target's output weight is 1
    '[["1/2", "1/2"], ["1/3", "1/2"]]',      # a split whose parts sum to 5/6
    '[[1, "1/2"], [1, 2]]',                  # a lone neuron with a != 0 on a free direction
    '[[1, "1/2"], ["1/3", 2], ["-1/4", 2]]',  # a free group whose weights do not cancel
    '[[1, "0.5000001"], [0, 2]]',            # a direction just off the target's
])
def test_points_off_q_star_are_refused(point):
    assert_refused(["separation", "--activation", "tanh", "--target", '[[1, "1/2"]]', "--point", point,
                    "--samples", "1-3"])


def test_a_point_on_q_star_with_a_sign_flip_is_accepted():
    result = check_point_sweep(Problem(activation("tanh"), parse_network('[[1, "1/2"]]'), gaussian_inputs(3, 1, 0)),
                               parse_network('[[-1, "-1/2"], [0, 2]]'), sizes=[3], starts=1)
    assert result.rows[0].radius.radius is not None


# 7. model rank with a bias, w = 0, "up to a polynomial" classes ------------------------------------

@pytest.mark.parametrize("act, theta, bias, rank", [
    ("tanh", '[[1, 1, "1/2"], [1, 0, "3/2"]]', True, 5),
    ("sigmoid", "[[1, 1], [1, -1]]", False, 3),
    ("tanh", "[[1, 1, 0], [1, 0, 0]]", False, 5),          # w = 0 with a != 0 adds d = 2
    ("softplus", "[[1, 1], [1, -1], [1, 2], [1, -2]]", False, 5),
])
def test_model_rank_is_certified_and_right(act, theta, bias, rank):
    result = check_point_rank(act, theta, bias=bias)
    assert result.rank.certified == rank and result.verdict == "PASS"


def test_model_rank_with_a_bound_gap_is_not_guessed():
    result = check_point_rank("exp", '[[1, 1, "1/2"], [1, 1, "3/2"]]', bias=True)   # e^b exp(x): rank 2
    r = result.rank
    assert r.certified is None and r.lower <= 2 <= r.upper and result.verdict == "INCONCLUSIVE"
    args = ["rank", "--activation", "exp", "--bias", "--theta", '[[1, 1, "1/2"], [1, 1, "3/2"]]', "--json"]
    out = json.loads(twolayer(*args).stdout)
    assert out["model_rank"] is None and out["verdict"] == result.verdict


def test_rank_cli_verdict_is_the_claim_verdict():
    out = json.loads(twolayer("rank", "--activation", "tanh", "--theta", '[[1, 2], ["1/2", 2], [0, 1]]',
                              "--json").stdout)
    assert out["verdict"] == check_point_rank("tanh", '[[1, 2], ["1/2", 2], [0, 1]]').verdict == "PASS"
    assert out["model_rank"] == 3


def test_separation_cli_verdict_is_the_claim_verdict():
    args = ["separation", "--activation", "tanh", "--target", '[[1, "1/2"]]', "--point", '[[1, "1/2"], [0, 2]]',
            "--samples", "1-4", "--starts", "2", "--json"]
    out = json.loads(twolayer(*args).stdout)
    result = check_point_sweep(Problem(activation("tanh"), parse_network('[[1, "1/2"]]'), gaussian_inputs(4, 1, 0)),
                               parse_network('[[1, "1/2"], [0, 2]]'), sizes=[1, 2, 3, 4], starts=2)
    assert out["verdict"] == result.verdict == "PASS"
    assert [r["certified_radius"] for r in out["rows"]] == \
        [None if r.radius.radius is None else lower_bound_string(r.radius.radius, 6) for r in result.rows]


# 8. crashes, hangs and limits --------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["independence", "--activation", "tanh", "--weights", "[[1],[2]]", "--max-degree", "100000"],
    ["activation", "tanh", "--taylor", "100000"],
    ["rank", "--activation", "tanh", "--theta", "[[1, 2]]", "--samples", "1000000"],
    ["flow", "--activation", "tanh", "--target", TARGET, "--init", INIT, "--samples", "3", "--t-max", "1",
     "--plot", "/nonexistent/dir/x.png"],
    ["flow", "--activation", "tanh", "--target", '[[0, 1, "1/2"]]', "--init", INIT, "--t-max", "1"],
    ["flow", "--activation", "tanh", "--target", TARGET, "--init", '[[1, 1, "1/2"], [0, 1, 1]]', "--samples", "5",
     "--t-max", "1"],
    ["branches", "--activation", "tanh", "--target", "[[1, 1], [2, 3]]", "--width", "40"],
    ["activation", "tanh", "--dps", "100000"],
])
def test_limits_and_bad_input(args):
    start = time.time()
    assert_refused(args)
    assert time.time() - start < 20


def test_independence_in_d_4_with_an_exact_relation():
    run = twolayer("independence", "--activation", "sigmoid", "--weights", "[[1,0,0,1],[-1,0,0,-1],[0,0,0,0]]",
                   "--json")
    out = json.loads(run.stdout)
    assert out["independent"] is False and out["evidence"] == "exact-relation"


def test_many_branches_in_d_1_return_quickly():
    start = time.time()
    run = twolayer("branches", "--activation", "tanh", "--target", "[[1, 1]]", "--width", "13", "--json")
    assert run.returncode == 0 and time.time() - start < 30
    assert len(json.loads(run.stdout)["branches"]) > 100


def test_unknown_branch_label_is_an_input_error():
    from twolayer.claims.separation import check_sweep
    with pytest.raises(InputError, match="unknown branch"):
        check_sweep("tanh", '[[1, "1/2"]]', 2, "s=(7)")


# 9. printed bounds are rounded the safe way ----------------------------------------------------

@pytest.mark.parametrize("value", [Fraction(217114575, 10**16), Fraction(-1, 3), Fraction(99999999, 10**8),
                                   Fraction(1, 7) * 10**-40, Fraction(12345)])
def test_directed_rounding(value):
    low, high = Fraction(lower_bound_string(value, 6)), Fraction(upper_bound_string(value, 6))
    assert low <= value <= high and (high - low) <= abs(value) * Fraction(1, 10**4)


def test_printed_radius_is_below_the_certified_one():
    result = check_point_sweep(Problem(activation("tanh"), parse_network('[[1, "1/2"]]'), gaussian_inputs(3, 1, 0)),
                               parse_network('[[1, "1/2"], [0, 2]]'), sizes=[3], starts=1)
    rho = result.rows[0].radius.radius
    assert Fraction(lower_bound_string(rho, 6)) <= exact_fraction(rho)
