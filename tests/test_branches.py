import itertools

import pytest

from twolayer.base.errors import InputError
from twolayer.claims.global_minima import check_rank, check_search
from twolayer.numeric.classify import classify, pattern_of
from twolayer.numeric.model_rank import model_rank
from twolayer.numeric.network import parse_network
from twolayer.numeric.population import population_loss
from twolayer.symbolic.activations import activation
from twolayer.symbolic.branches import check_target, enumerate_branches


def brute_force_patterns(target_width, width, allow_zero):
    """Label every neuron (target j, null, zero, free group g) and keep the valid patterns, up to relabelling."""
    labels = [f"T{j}" for j in range(target_width)] + ["N", "Z"] + [f"G{g}" for g in range(width // 2)]
    patterns = set()
    for assignment in itertools.product(labels, repeat=width):
        counts = {lab: assignment.count(lab) for lab in labels}
        if any(counts[f"T{j}"] == 0 for j in range(target_width)):
            continue
        groups = [counts[f"G{g}"] for g in range(width // 2)]
        if any(0 < t < 2 for t in groups) or (not allow_zero and counts["Z"]):
            continue
        patterns.add((tuple(counts[f"T{j}"] for j in range(target_width)), counts["N"],
                      tuple(sorted((t for t in groups if t), reverse=True)), counts["Z"]))
    return patterns


@pytest.mark.parametrize("name, target_width, width", [
    ("tanh", 1, 2), ("tanh", 1, 3), ("tanh", 2, 4), ("tanh", 1, 5), ("cos", 1, 4), ("exp", 2, 4),
])
def test_enumeration_matches_brute_force(name, target_width, width):
    act = activation(name)
    listed = {pattern_of(b) for b in enumerate_branches(act, target_width, width, d=1)}
    assert listed == brute_force_patterns(target_width, width, allow_zero=act.taylor(0)[0] == 0)


def test_dimension_formula_for_tanh():
    # docs/theory.md §4: codim = sum(s_j d + 1) + nu + sum(t_l d - d + 1) + z d, for d = 2
    for b in enumerate_branches(activation("tanh"), 2, 5, 2):
        d = 2
        codim = sum(s * d + 1 for s in b.splits) + b.null + sum(t * d - d + 1 for t in b.groups) + b.zero * d
        assert b.codim == codim
        gap = d * (sum(s - 1 for s in b.splits) + sum(t - 2 for t in b.groups) + max(b.zero - 1, 0))
        assert b.codim - b.generic_rank == gap


@pytest.mark.parametrize("name", ["tanh", "cos", "exp"])
def test_branch_points_are_global_minima(name):
    act, target = activation(name), parse_network('[[1, "1/2"], ["-3/2", "5/4"]]')
    for b in enumerate_branches(act, 2, 4, 1):
        point = b.point(target, seed=3)
        loss, _ = population_loss(act, point, target)
        assert loss.contains(0)
        assert classify(act, point, target) == pattern_of(b)


@pytest.mark.parametrize("name", ["tanh", "cos", "exp", "sin"])
def test_rank_formula_agrees_with_numerics(name):
    act, target = activation(name), parse_network('[[1, "1/2", "-3/4"], ["-3/2", 1, 1]]')
    for b in enumerate_branches(act, 2, 4, 2):
        r = model_rank(act, b.point(target, seed=1))
        assert (r.certified, r.formula, r.numerical) == (b.generic_rank,) * 3


def test_certified_lower_bound_is_below_a_wrong_claim():
    """A point where two neurons coincide: the certified minor cannot exceed the true rank."""
    r = model_rank(activation("tanh"), parse_network('[[1, 1], [2, 1]]'))
    assert r.lower == r.upper == r.formula == 2 < 4


def test_bias_optimistic_sample_size():
    result = check_rank("tanh", '[[1, "1/2", "1/3"], ["-3/2", "5/4", "-1/2"]]', 3, bias=True)
    assert result.verdict == "PASS"
    size = [c for c in result.evidence if c.name.startswith("optimistic sample size")]
    assert [(c.value, c.reference) for c in size] == [(6, 6)]  # = m*(d+2) with d = 1 input


def test_search_lands_on_listed_branches():
    result = check_search("tanh", '[[1, "1/2"]]', 2, starts=3)
    assert result.verdict == "PASS"


@pytest.mark.parametrize("target, width, message", [
    ('[[1, 1], [2, -1]]', 3, "opposite input weights"),
    ('[[0, 1]]', 2, "a = 0"),
    ('[[1, 0]]', 2, "w = 0"),
    ('[[1, 1], [1, 1]]', 3, "equal input weights"),
])
def test_reducible_targets_refused(target, width, message):
    with pytest.raises(InputError, match=message):
        check_target(activation("tanh"), parse_network(target))


def test_width_below_target_and_polynomial_classes_refused():
    with pytest.raises(InputError, match="below the target width"):
        enumerate_branches(activation("tanh"), 2, 1, 1)
    with pytest.raises(InputError, match="sigma = z/2 \\+ tau with tau even"):
        check_target(activation("softplus"), parse_network('[[1, 1]]'))


def test_zero_class_is_a_free_group_boundary_when_sigma0_nonzero():
    """cos(0) = 1: neurons at w = 0 with weights (a, -a) are the u -> 0 limit of a free group."""
    act, target = activation("cos"), parse_network('[[1, "1/2"]]')
    assert all(b.zero == 0 for b in enumerate_branches(act, 1, 3, 1))
    point = parse_network('[[1, "1/2"], ["3/4", 0], ["-3/4", 0]]')
    assert classify(act, point, target) == ((1,), 0, (2,), 0)
    assert classify(act, parse_network('[[1, "1/2"], ["3/4", 0], ["-1/4", 0]]'), target) is None


def test_projection_converges_on_a_degenerate_branch():
    from twolayer.claims.global_minima import check_branch
    result = check_branch("tanh", '[[1, "1/2"], ["-3/2", "5/4"]]', 4, "s=(1,3)")
    assert result.verdict == "PASS", result.evidence[-1].value


def test_sigmoid_is_refused_with_its_reason_and_the_reason_holds():
    """sigma = 1/2 + tanh(z/2)/2: the refusal names the parity split and a piece of Q* the odd enumeration misses;
    that piece is checked exactly (the three neurons add up to the zero function)."""
    import sympy as sp

    from twolayer.base.errors import InputError
    from twolayer.numeric.network import parse_network
    from twolayer.symbolic.activations import activation, prove_zero, z
    from twolayer.symbolic.branches import check_target
    sigmoid = activation("sigmoid")
    sigma = sp.Lambda(z, sigmoid.expr)
    # a sigma(wx) + a sigma(-wx) - 2a sigma(0) = a (sigma(u) + sigma(-u) - 2 sigma(0)) with u = wx
    assert prove_zero(sigma(z) + sigma(-z) - 2 * sigma(0))
    assert sp.simplify((sigmoid.expr - (sp.Rational(1, 2) + sp.tanh(z / 2) / 2)).rewrite(sp.exp)) == 0
    with pytest.raises(InputError) as refused:
        check_target(sigmoid, parse_network('[[1, 1]]'))
    text = str(refused.value)
    assert "(a, w), (a, -w) and (-2a, 0) add up to 0" in text and "--activation 'tanh(z/2)'" in text
    for name in ("softplus", "silu", "gelu"):
        with pytest.raises(InputError, match="need not be affine"):
            check_target(activation(name), parse_network('[[1, 1]]'))
