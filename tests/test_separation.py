import json
from fractions import Fraction

import mpmath

from twolayer.claims.separation import check_sweep
from twolayer.numeric.network import gaussian_inputs, parse_network
from twolayer.numeric.population import population_points
from twolayer.numeric.problem import Problem
from twolayer.numeric.projection import project
from twolayer.numeric.separation import certified_radius, nearest_nongeneralizing, non_separation_sequence
from twolayer.symbolic.activations import activation

TANH = activation("tanh")
TARGET = parse_network('[[1, "1/2"]]')
INPUTS = gaussian_inputs(6, 1, seed=11)


def test_projection_converges_to_a_zero_of_the_residuals():
    start = parse_network('[["0.9", "0.6"], ["0.1", "0.3"]]')
    p = project(Problem(TANH, TARGET, INPUTS[:2]), start)
    assert p.converged and p.residual_norm <= mpmath.mpf(10) ** -40


def test_projection_refuses_to_wander():
    """With a tiny search ball, a projection that must travel is stopped and reported, not used."""
    start = parse_network('[["0.5", "1.5"], ["0.1", "0.3"]]')
    p = project(Problem(TANH, TARGET, INPUTS[:3]), start, ball=(start, mpmath.mpf("1e-6")))
    assert p.left_ball and not p.converged


def test_constructive_sequence_below_the_rank():
    point = parse_network('[[1, "1/2"], [0, 2]]')
    population, _, _ = population_points(1, 50)
    seq = non_separation_sequence(Problem(TANH, TARGET, INPUTS[:2]), point, population, ["1e-3", "1e-4", "1e-5"])
    assert all(seq.converged)
    assert all(abs(d / e - 1) < mpmath.mpf("0.01") for d, e in zip(seq.distances, seq.epsilons))
    ratios = [g / e**2 for g, e in zip(seq.generalization_errors, seq.epsilons)]
    assert all(g > 0 for g in seq.generalization_errors) and abs(ratios[-1] / ratios[0] - 1) < mpmath.mpf("0.01")


def test_radius_certified_at_a_non_degenerate_point():
    cert = certified_radius(Problem(TANH, TARGET, INPUTS[:4]), parse_network('[[1, "1/2"], [0, 2]]'))
    assert cert.radius is not None and cert.delta_upper < cert.sigma_min_lower


def test_radius_not_certified_at_a_degenerate_point():
    """A split target neuron: rank J_n < codim, so the interval bound must fail to certify."""
    cert = certified_radius(Problem(TANH, TARGET, INPUTS), parse_network('[["1/4", "1/2"], ["3/4", "1/2"]]'))
    assert cert.radius is None and "not certified invertible" in cert.reason


def test_radius_not_certified_below_codim():
    cert = certified_radius(Problem(TANH, TARGET, INPUTS[:2]), parse_network('[[1, "1/2"], [0, 2]]'))
    assert cert.radius is None


def test_certified_ball_contains_no_nongeneralizing_minimum():
    point = parse_network('[[1, "1/2"], [0, 2]]')
    cert = certified_radius(Problem(TANH, TARGET, INPUTS[:3]), point)
    search = nearest_nongeneralizing(Problem(TANH, TARGET, INPUTS[:3]), point, starts=6, radius="0.3")
    assert search.nearest is None or search.nearest >= cert.radius


def test_claim_c5_on_the_smallest_case():
    result = check_sweep("tanh", '[[1, "1/2"]]', 2, "s=(1) null=1", starts=4)
    assert result.verdict == "PASS", [c for c in result.evidence if not c.passed]


def test_certified_upper_bound_brackets_the_nearest_non_generalizing_minimum(capsys):
    """Below the codimension the search finds non-generalizing minima; the nearest is certified (Krawczyk, with
    M - n coordinates fixed) and its certified distance bounds the one the search measured from above."""
    from twolayer.cli import main
    assert main(["separation", "--activation", "tanh", "--target", '[[1, "1/2"]]', "--point",
                 '[[1, "1/2"], [0, "3/4"]]', "--samples", "1-3", "--starts", "6", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    for row in rows[:2]:
        assert row["certified_upper"] is not None and len(row["upper_point"]["free"]) == row["n"]
        assert float(row["certified_upper"]) >= float(row["estimated_distance"])
    assert rows[2]["certified_radius"] is not None and rows[2]["certified_upper"] is None
    # from n = 3 = codim on, the branch-and-bound exclusion radius exists and exceeds the one-box lemma's radius
    assert [row["exclusion_radius"] for row in rows[:2]] == [None, None]
    assert float(rows[2]["exclusion_radius"]) > float(rows[2]["certified_radius"])
    by = rows[2]["exclusion"]["excluded_by"]
    assert rows[2]["exclusion"]["boxes"] > 0 and by["lemma"] + by["second order"] > 0


def test_exact_fraction_keeps_the_sign():
    import mpmath

    from twolayer.numeric.precision import exact_fraction, lower_bound_string, upper_bound_string
    assert exact_fraction(mpmath.mpf("-0.75")) == Fraction(-3, 4)
    assert lower_bound_string(mpmath.mpf(-0.7), 3) == "-7.00e-1"
    assert upper_bound_string(mpmath.mpf("-1.5"), 3) == "-1.50"


def test_no_upper_bound_is_attempted_with_more_samples_than_parameters():
    from twolayer.numeric.krawczyk import certified_upper_bound
    act, target = activation("tanh"), parse_network('[[1, "1/2"]]')
    point = parse_network('[[1, "1/2"], [0, "3/4"]]')
    assert certified_upper_bound(Problem(act, target, gaussian_inputs(5, 1, 0)), point, point) is None
