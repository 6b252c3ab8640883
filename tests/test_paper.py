"""Claim C8: the paper's statements, the paper map, Krawczyk's test, and the findings."""
from fractions import Fraction
from pathlib import Path

import pytest

from twolayer.base.errors import InputError
from twolayer.claims import paper, paper_lemma_3_5, paper_map, registry
from twolayer.numeric.krawczyk import certify_mismatch, certify_zero
from twolayer.numeric.network import gaussian_inputs, parse_network
from twolayer.numeric.problem import Problem
from twolayer.symbolic.activations import activation
from twolayer.symbolic.branches import enumerate_branches


@pytest.fixture(scope="module")
def quick_results():
    return [registry.run("C8", config) for config in registry.claim("C8").configurations(quick=True)]


def test_quick_configurations_pass_and_every_statement_has_a_verdict(quick_results):
    assert [r.verdict for r in quick_results] == ["PASS"] * len(quick_results)
    rows = paper_map.paper_map(quick_results)
    assert len(rows) == len(paper_map.PAPER_MAP)
    assert {verdict for *_, verdict, _ in rows} == {"PASS"}, [r[0] for r in rows if r[4] != "PASS"]


def test_stratum_matches_the_dimension_formula_on_many_configurations():
    """Independent of C8's own configurations: (r, l) from every branch reproduce Prop. 3.2(c)'s dimension."""
    act = activation("exp")
    for m0, m, d in [(1, 2, 1), (1, 4, 2), (2, 4, 1), (2, 5, 3)]:
        for branch in enumerate_branches(act, m0, m, d):
            r, l = paper.stratum(branch, m0)
            assert branch.dim == (m - r) + (r - m0) * d
            assert branch.codim == r + (m + m0 - r) * d
            assert (branch.generic_rank == branch.codim) == paper._morse_bott(r, l, m, m0)


def test_example_thresholds_are_those_of_d_2():
    result = paper.check_example()
    values = {}
    for c in result.evidence:            # the first check of each row: the codimensions
        values.setdefault(c.name.split("]")[0] + "]", c.value)
    # Q2 and Q3 of the paper are one branch up to swapping the neurons: the enumeration lists it once
    assert values["[Example (b)]"] == [5, 4] and values["[Finding 1]"] == [3, 3]


def test_krawczyk_refuses_a_point_that_is_not_a_zero():
    """Not vacuous: away from a zero no box passes (square or with fixed coordinates), and more samples than
    parameters are refused."""
    act, target = activation("exp"), parse_network('[[1, "1/2", "-1/3"]]')
    guess = parse_network(paper.FINDING_4["imperfect"])
    inputs = gaussian_inputs(6, 2, 5)      # Gaussian samples: the guess does not fit them
    assert not certify_zero(Problem(act, target, inputs), guess).verified
    assert not certify_zero(Problem(act, target, gaussian_inputs(5, 2, 5)), guess).verified
    with pytest.raises(InputError):
        certify_zero(Problem(act, target, gaussian_inputs(7, 2, 5)), guess)


def test_mismatch_is_not_certified_on_q_star():
    act, target = activation("exp"), parse_network('[[1, "1/2", "-1/3"]]')
    point = parse_network('[["1/2", "1/2", "-1/3"], ["1/2", "1/2", "-1/3"]]')   # on Q*: f = f*
    box = [Fraction(v) for v in point.flat()]
    assert certify_mismatch(act, box, 2, target, [(Fraction(1), Fraction(0)), (Fraction(0), Fraction(1))]) is None


PAPER_TEXT = Path(__file__).resolve().parent.parent.parent / "shared" / "papers" / "GLR-2309.00508v3.txt"


def test_every_numbered_item_of_the_paper_has_an_entry():
    """The items are read from the paper's text itself (shared/papers, beside the clone), not from our list."""
    import re

    from twolayer.claims.paper_map import PAPER_ITEMS
    if not PAPER_TEXT.exists():
        pytest.skip(f"the paper's text is not at {PAPER_TEXT} (it is shipped beside the repository, not in it)")
    text = PAPER_TEXT.read_text(errors="replace")
    found = []
    for match in re.finditer(r"^(Assumption|Definition|Lemma|Proposition|Theorem|Corollary|Remark|Table) "
                             r"(\d+(?:\.\d+)?)(?!\.?\d)", text, re.M):
        name = f"{match.group(1)} {match.group(2)}"
        if name not in found:
            found.append(name)
    listed = [item for item, _, _ in PAPER_ITEMS]
    assert len(found) >= 45
    missing = [name for name in found if not any(item == name or item.startswith(name + " ") for item in listed)]
    assert missing == []


def test_item_entries_point_at_rows_that_exist():
    from twolayer.claims.paper_map import PAPER_ITEMS, PAPER_MAP
    rows = {row for row, _, _ in PAPER_MAP}
    kinds = {kind for *_, (kind, _) in PAPER_ITEMS}
    assert kinds <= {"rows", "claim", "definition", "not checked"}
    assert all(set(what) <= rows for *_, (kind, what) in PAPER_ITEMS if kind == "rows")
    # every statement row is reached from an item (findings and the derived extension stand on their own)
    reached = {row for *_, (kind, what) in PAPER_ITEMS if kind == "rows" for row in what}
    assert {row for row in rows if not row.startswith(("Finding", "Derived", "ZBZ"))} <= reached


def test_the_intersection_inclusions_can_fail():
    """The exact inclusion test of the three-neuron example says no where no is right: the d-dimensional
    intersection of Q2_{0,2,3} and Q3 is not inside the 2-dimensional cl Q1_{0,3}, and Q1 is inside none of them."""
    from twolayer.claims.paper_lemma_3_5 import _intersection_inside, _three_neuron_closures
    closures = _three_neuron_closures(2)
    assert _intersection_inside(closures, "Q2_{0,2,3}", "Q3_{0,1,2,3}", "Q1_{0,3}") == (2, False)
    assert _intersection_inside(closures, "Q1_{0,3}", "Q1_{0,3}", "Q3_{0,1,2,3}") == (2, False)
    assert _intersection_inside(closures, "Q2_{0,2,3}", "Q2_{0,1,3}", "Q3_{0,1,2,3}") == (0, True)


def test_paper_map_checks_at_least_40_items(quick_results):
    rows = paper_map.paper_items(quick_results)
    checked = [item for item, _, how, verdict in rows if how.startswith("checked") and verdict == "PASS"]
    assert len(checked) >= 40, len(checked)


def test_window_rank_against_the_confluent_vandermonde_determinant():
    """Independent of the window code: the l = 1 window is a Vandermonde matrix (determinant prod (p_j - p_i)); for
    l = 2 the shift argument says the rank is the same for every start N."""
    import sympy as sp

    from twolayer.claims.paper_neurons import window_rank, window_rows
    ps = [Fraction(1, 2), Fraction(-3), Fraction(2)]
    vandermonde = sp.Matrix([[sp.Rational(p.numerator, p.denominator) ** j for p in ps] for j in range(3)])
    expected = sp.prod([sp.Rational(b - a) for i, a in enumerate(ps) for b in ps[i + 1:]])
    assert vandermonde.det() == expected != 0 and window_rank(ps, 1) == 3
    assert all(window_rank(ps, 2, start=N) == 6 for N in (0, 1, 5, 17))
    assert [list(map(Fraction, row)) for row in window_rows([2], 2, start=3)] == [[8, 24], [16, 64]]
    # one parity of j cannot tell p from -p; both parities can
    assert window_rank([2, -2], 2, parity=1) < 4 == window_rank([2, -2], 2)


def test_tail_constants_against_values_far_out():
    """The tail constants C_+- agree with sigma^(s)(x) e^(kappa |x|) evaluated at |x| = 40 (an independent
    evaluation), and the criterion says nothing for a tail of another shape."""
    import mpmath
    import sympy as sp

    from twolayer.claims.paper_neurons import assumption_3_1, tails, x
    f = sp.diff(sp.tanh(x - sp.log(2)), x)
    plus, minus = tails(f, 2)
    g = sp.lambdify(x, f * sp.exp(2 * sp.Abs(x)), "mpmath")
    with mpmath.workdps(80):   # 1 - tanh^2 at 40 cancels about 35 digits
        assert abs(g(mpmath.mpf(40)) - float(plus)) < 1e-20 and abs(g(mpmath.mpf(-40)) - float(minus)) < 1e-20
    assert assumption_3_1(x * sp.exp(-sp.Abs(x)), 1)["rapid decrease"] is None     # C_+- would be +-oo
    assert assumption_3_1(sp.exp(-x ** 2) * sp.cos(x) ** 2 + sp.exp(-x ** 2), 1, 2)["rapid decrease"] is None


def test_shooting_reaches_the_point_it_aims_at():
    """Prop. 5.1's shooting ends at a start whose flow's limit is theta*, checked by a separate flow from that start
    at higher precision (its last point projected on the branch)."""
    import mpmath

    from twolayer.claims import paper_flows
    from twolayer.claims.global_minima import find_branch, setup_case
    from twolayer.numeric.classify import branch_constraints
    case = paper_flows.CASE
    act, target, branches = setup_case(case["activation"], case["target"], case["m"])
    point = find_branch(branches, case["branch"]).point(target, 1)
    inputs = gaussian_inputs(case["n"], target.d, 3)
    steps = paper_flows.shoot(Problem(act, target, inputs, dps=30), point, branch_constraints(act, point, target),
                              iterations=4)
    residuals = [r for _, r, _, _ in steps]
    assert all(b < a / 100 for a, b in zip(residuals, residuals[1:])), residuals
    assert residuals[-1] < mpmath.mpf(10) ** -12 and steps[-1][0] > paper_flows.DELTA / 2


def test_closure_equations_are_the_printed_closures():
    """Independent of the equation builder: the paper's own parametrizations of the four three-neuron branches
    (d = 2) satisfy the equations, and the solution sets have the branch dimensions."""
    import sympy as sp

    from twolayer.numeric.rank import exact_rank
    act, target = activation("exp"), parse_network('[[1, "1/2", "-3/4"]]')
    printed = paper_lemma_3_5._three_neuron_closures(2)
    by_label = {"s=(3)": "Q1_{0,3}", "s=(2) null=1": "Q2_{0,2,3}", "s=(1) groups=(2)": "Q2_{0,1,3}",
                "s=(1) null=2": "Q3_{0,1,2,3}"}
    for branch in enumerate_branches(act, 1, 3, 2):
        rows, rhs, _ = paper_lemma_3_5._closure_equations(branch, target, [0, 1, 2])
        assert (3 * 3 - exact_rank(rows)) == branch.dim
        point = printed[by_label[branch.label]]("x")
        values = {t: sp.Rational(k + 2, 7) for k, t in enumerate(sorted(set().union(*[e.free_symbols for e in point]),
                                                                       key=str))}
        theta = [sp.nsimplify(e.subs(values)) for e in point]
        assert all(sum(Fraction(str(c)) * Fraction(str(t)) for c, t in zip(row, theta)) == b
                   for row, b in zip(rows, rhs)), branch.label


def test_lemma_3_5_needs_the_open_stratum():
    """With both closures the bound fails: target class {1, 2} with group {3, 4} against target class {1, 3} with
    group {2, 4} meet where all weights coincide (one distinct weight, while r - m' = 2 - 2 = 0)."""
    act, target = activation("exp"), parse_network('[[1, "1/2"]]')
    branch = next(b for b in enumerate_branches(act, 1, 4, 1) if b.splits == (2,) and b.groups == (2,))
    rows1, rhs1, classes1 = paper_lemma_3_5._closure_equations(branch, target, [0, 1, 2, 3])
    rows2, rhs2, classes2 = paper_lemma_3_5._closure_equations(branch, target, [0, 2, 1, 3])
    found = paper_lemma_3_5._generic_partition(rows1 + rows2, rhs1 + rhs2, 8, 1, seed=0)
    straddle = sum(1 for c in classes2 if not any(c <= b for b in classes1))
    assert found == {frozenset(range(4))} != set(classes2)     # not in the open stratum of the second
    assert straddle == 2 and len(found) > len(classes1) - straddle


def test_neurons_sections_run_alone_and_unknown_ones_are_refused():
    from twolayer.claims.paper_neurons import check_neurons
    alone = check_neurons(sections=["lemma 3.1"])
    assert alone.verdict == "PASS" and all(c.name.startswith("[Lemma 3.1]") for c in alone.evidence)
    with pytest.raises(InputError, match="unknown section"):
        check_neurons(sections=["lemma 9.9"])
