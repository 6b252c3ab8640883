from fractions import Fraction

import pytest
import sympy as sp

from twolayer.base.errors import InputError
from twolayer.claims.independence import check_family, check_series
from twolayer.numeric.independence import certify_independence
from twolayer.numeric.rank import exact_null_space, exact_rank, gap_rank
from twolayer.symbolic.activations import activation
from twolayer.symbolic.independence import degree_block, lemma_prediction, monomials


def test_degree_block_by_hand():
    # (w.x)^2 for w = (1, 2): x1^2 + 4 x1 x2 + 4 x2^2; x1 sigma' part: 2 x1 (w.x) = 2 x1^2 + 4 x1 x2
    rows = degree_block([[1, 2]], 2, derivatives=True)
    assert monomials(2, 2) == [(2, 0), (1, 1), (0, 2)]
    assert rows == [[1, 2, 0], [4, 4, 2], [4, 0, 4]]


def test_exact_rank_and_null_space():
    rows = [[1, 2, 3], [2, 4, 6], [0, 1, 1]]
    assert exact_rank(rows) == 2
    (v,) = exact_null_space(rows)
    assert all(sum(Fraction(r) * c for r, c in zip(row, v)) == 0 for row in rows)


@pytest.mark.parametrize("name, weights, derivatives, independent, rank", [
    ("tanh", [[1, 0], [0, 1], [1, 1]], True, True, 9),
    ("tanh", [[1, 2], [-1, -2]], False, False, 1),
    ("cos", [[1], [-1], [3]], True, False, 4),
    ("exp", [[1], [-1]], True, True, 4),
    ("sigmoid", [[0], [1], [-1]], False, False, 2),
    ("softplus", [[1], [-1], [2], [-2]], False, False, 3),
    ("gelu", [["1/2"], ["-1/2"], [3], [-3]], False, False, 3),
    ("tanh_shift", [[1], [-1]], False, True, 2),
])
def test_certificates_relations_and_numerics_agree(name, weights, derivatives, independent, rank):
    r = certify_independence(activation(name), weights, derivatives)
    assert (r.independent, r.rank, r.numerical_rank) == (independent, rank, rank)
    assert r.evidence == ("exact-certificate" if independent else "exact-relation")


def test_relation_is_a_true_identity():
    r = certify_independence(activation("softplus"), [[1], [-1], [2], [-2]])
    x = sp.Symbol("x", real=True)
    def sp_(t):
        return sp.log(1 + sp.exp(t))

    combo = sum(c * sp_(w * x) for c, w in zip(r.relations[0], (1, -1, 2, -2)))
    assert sp.simplify(combo) == 0


def test_spurious_null_vector_is_not_a_relation():
    """At a degree too low to separate the family, the truncated null vector must not be accepted."""
    r = certify_independence(activation("tanh"), [[1], [2], [3]], max_degree=3)
    assert r.independent is not False and r.unverified >= 1


def test_gap_rule_undecided():
    import mpmath
    assert gap_rank([mpmath.mpf(1), mpmath.mpf("1e-25")], 50).rank is None
    assert gap_rank([mpmath.mpf(1), mpmath.mpf("1e-10")], 50).rank == 2
    assert gap_rank([mpmath.mpf(1), mpmath.mpf("1e-40")], 50).rank == 1


def test_lemma_prediction():
    assert lemma_prediction("odd", [[1], [-1]]) is False
    assert lemma_prediction("generic", [[1], [-1]]) is True
    assert lemma_prediction("odd up to a polynomial", [[1], [2]]) is True
    assert lemma_prediction("even up to a polynomial", [[1], [-1]]) is None
    assert lemma_prediction("odd", [[0], [1]]) is None


def test_claim_c2_passes_and_can_fail(monkeypatch):
    assert check_series("tanh").verdict == "PASS"
    assert check_family("tanh", [[1], [-1], [2]], True).verdict == "PASS"
    # if the lemma predicted the opposite of what exact arithmetic finds, C2 must say FAIL
    import twolayer.numeric.independence as module
    monkeypatch.setattr(module, "lemma_prediction", lambda kind, weights: True)
    assert check_family("cos", [[1], [-1]], False).verdict == "FAIL"


@pytest.mark.parametrize("weights, message", [
    ([[1, 2], [1]], "one length"), ([], "non-empty"),
])
def test_bad_weights(weights, message):
    with pytest.raises(InputError, match=message):
        certify_independence(activation("tanh"), weights)


def test_bad_max_degree():
    for bad in (0, 61, 100000, True):
        with pytest.raises(InputError, match="integer from 1 to 60"):
            certify_independence(activation("tanh"), [[1]], max_degree=bad)
