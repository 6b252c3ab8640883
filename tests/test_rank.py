"""The refined eigenvalue path of numeric.rank (float64 eigh + Ogita-Aishima refinement + eigsy on clusters)
against mpmath's eigsy on the whole matrix, on matrices chosen to be hard for it."""
import mpmath
import numpy as np
import pytest
from flint import arb_mat

from twolayer.base.precision import working_precision
from twolayer.numeric.precision import arb_to_mpf
from twolayer.numeric.rank import REFINE_FROM, gap_rank, gram_eigen, refined_eigenvalues, singular_values


def _cases():
    rng = np.random.default_rng(7)
    n = REFINE_FROM + 10
    integer = rng.integers(-3, 4, (n + 5, n // 2)) @ rng.integers(-3, 4, (n // 2, n))   # exact rank n/2
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    repeated = (Q * np.repeat([1.0, 2.0, 3.0, 4.0], n // 4)) @ Q.T                       # four 10-fold eigenvalues
    graded = rng.standard_normal((n, n)) * np.logspace(0, -12, n)                        # singular values 1 .. 1e-12
    return {"exact rank n/2": integer, "repeated eigenvalues": repeated, "graded": graded}


@pytest.mark.parametrize("name", list(_cases()))
def test_refined_eigenvalues_agree_with_eigsy(name):
    A = _cases()[name]
    with working_precision(110):
        M = arb_mat(A.tolist())
        gram = M.transpose() * M
        ours = sorted(refined_eigenvalues(gram))
        G = mpmath.matrix([[arb_to_mpf(gram[i, j]) for j in range(gram.ncols())] for i in range(gram.nrows())])
        reference = sorted(mpmath.eigsy(G, eigvals_only=True))
        scale = max(abs(v) for v in reference)
        assert max(abs(a - b) for a, b in zip(ours, reference)) / scale < mpmath.mpf(10) ** -90


@pytest.mark.parametrize("name", list(_cases()))
def test_the_gap_rank_is_the_true_rank(name):
    A = _cases()[name]
    rank = gap_rank(singular_values(arb_mat(A.tolist()), 50), 50).rank
    assert rank == {"exact rank n/2": A.shape[1] // 2}.get(name, A.shape[1])


def test_refined_eigenvalues_fall_back_outside_float64_range():
    with working_precision(60):
        huge = arb_mat([[mpmath.mpf(10) ** 400 * (i == j) + (i + j) for j in range(REFINE_FROM)]
                        for i in range(REFINE_FROM)])
        values = sorted(refined_eigenvalues(huge))
        assert abs(values[-1] / mpmath.mpf(10) ** 400 - 1) < mpmath.mpf(10) ** -50
        zero = arb_mat([[0] * REFINE_FROM for _ in range(REFINE_FROM)])
        assert refined_eigenvalues(zero) == [0] * REFINE_FROM


def test_a_wide_matrix_goes_through_its_smaller_gram():
    rng = np.random.default_rng(3)
    A = rng.standard_normal((12, REFINE_FROM + 8))
    values = singular_values(arb_mat(A.tolist()), 50)
    assert len(values) == A.shape[1] and values[12:] == [0] * (A.shape[1] - 12)
    assert np.allclose([float(v) for v in values[:12]], np.linalg.svd(A, compute_uv=False), rtol=1e-12)
    assert gap_rank(values, 50).rank == 12


@pytest.mark.parametrize("name", list(_cases()))
def test_refined_eigenvectors_diagonalise(name):
    """Vectors too (used by Gauss-Newton steps and kernel bases, at dps = 50): G X = X diag(lambda) and
    X^T X = I to 1e-60, also inside the clusters of repeated and zero eigenvalues (measured: 1e-73 or better;
    the vectors of a cluster inherit the coupling to the rest, so they stop short of the values' 1e-90)."""
    A = _cases()[name]
    with working_precision(110):          # gram_eigen's results are meant at 2 dps + 10 digits
        values, X, _ = gram_eigen(arb_mat(A.tolist()), 50)
        M = arb_mat(A.tolist())
        gram = M.transpose() * M
        n = gram.nrows()
        residual = gram * X - X * arb_mat([[values[j] if i == j else 0 for j in range(n)] for i in range(n)])
        defect = X.transpose() * X - arb_mat([[int(i == j) for j in range(n)] for i in range(n)])
        scale = max(abs(v) for v in values)
        assert max(abs(arb_to_mpf(e)) for e in residual.entries()) / scale < mpmath.mpf(10) ** -60
        assert max(abs(arb_to_mpf(e)) for e in defect.entries()) < mpmath.mpf(10) ** -60
        assert values == sorted(values)


def test_small_matrices_get_vectors_too():
    with working_precision(110):
        values, X, projected = gram_eigen(arb_mat([[1, 2], [2, 4], [0, 1]]), 50, rhs=[1, 0, 0])
    assert len(values) == 2 and X.nrows() == X.ncols() == 2
    assert [float(p.mid()) for p in projected.entries()] == [1.0, 2.0]


def test_the_wide_gauss_newton_step_is_the_step():
    """n < M: the step through J J^T (n x n) equals the one through J^T J (M x M, the wide matrix padded with
    zero rows), with and without the trust limit cutting directions, on a matrix with a tiny singular value."""
    from twolayer.numeric import projection
    rng = np.random.default_rng(5)
    A = rng.standard_normal((6, 15))
    A[5] = A[4] + 1e-20 * rng.standard_normal(15)          # a singular value near 1e-20
    r = [mpmath.mpf(float(v)) for v in rng.standard_normal(6)]
    U, S, _ = np.linalg.svd(A, full_matrices=False)
    components = np.abs(U.T @ np.array([float(v) for v in r]))[:5] / S[:5]   # each direction's step length
    middle = mpmath.mpf(float(np.median(components)))        # a trust limit that cuts some directions, not all
    with working_precision(50):
        J = arb_mat(A.tolist())
        for limit, drop in ((mpmath.mpf(10) ** 30, 0), (1, 0), (1, 2), (middle, 0)):
            wide = projection._min_norm_step(J, r, 50, limit, drop)
            with working_precision(110):
                tall = projection._min_norm_step(arb_mat(A.tolist() + [[0.0] * 15] * 10), r + [0] * 10, 50, limit,
                                                 drop)
            scale = max(abs(v) for v in tall)
            assert max(abs(a - b) for a, b in zip(wide, tall)) <= mpmath.mpf(10) ** -40 * scale


def test_the_field_widths_path_agrees_with_the_50_digit_one(monkeypatch):
    """Above FLOAT64_FROM parameters the numerical rank is read from float64 first and the no-bias upper bound
    from the exact identities: same certified rank, same numerical rank as the 50-digit path, on a full-rank
    network with a bias (M = 203) and on a network without one where two neurons share a weight (M = 216)."""
    from twolayer.numeric import model_rank as mr
    from twolayer.numeric.network import Network, random_network
    from twolayer.symbolic.activations import activation
    act = activation("tanh")
    full = random_network(29, 6, seed=0)
    fast = mr.model_rank(act, full, bias=True)
    assert fast.how_numerical.startswith("float64")
    monkeypatch.setattr(mr, "FLOAT64_FROM", 10 ** 6)
    slow = mr.model_rank(act, full, bias=True)
    assert (fast.certified, fast.numerical) == (slow.certified, slow.numerical) == (203, 203)
    monkeypatch.undo()
    neurons = list(random_network(36, 5, seed=4).neurons)
    neurons[1] = (neurons[1][0],) + tuple(neurons[0][1:])      # the same input weight as neuron 0
    shared = mr.model_rank(act, Network(tuple(neurons)))
    assert shared.certified == shared.numerical == 216 - (1 + 5)   # sigma(w.x) and the five x_l sigma'(w.x)
    assert "grouped count" in shared.how_upper and "float64 tier" in shared.how_lower


def test_a_float64_estimate_that_disagrees_goes_to_50_digits(monkeypatch):
    """If the float64 gap rule misreads J (forced here: every float64 singular value but the first set to 0), the
    50-digit estimate decides, and the certified rank is unchanged."""
    from twolayer.numeric import model_rank as mr
    from twolayer.numeric.network import random_network
    from twolayer.symbolic.activations import activation

    real = mr.float64_singular_values

    def misread(J):
        values = real(J)
        return values[:1] + [mpmath.mpf(0)] * (len(values) - 1)
    monkeypatch.setattr(mr, "float64_singular_values", misread)
    found = mr.model_rank(activation("tanh"), random_network(29, 6, seed=0), bias=True)
    assert found.certified == found.numerical == 203
    assert found.how_numerical.startswith("50 digits") and "float64 read 1" in found.how_numerical


def test_a_certificate_is_not_overruled_by_a_disagreeing_estimate():
    """Two weights 1e-12 apart (tanh): the exact coefficient matrix has full rank over Q, so the model rank is 4;
    the 50-digit gap rule reads a singular value near 1e-36 as zero and says 3. The certificate is the answer."""
    from twolayer.claims.global_minima import check_point_rank
    result = check_point_rank("tanh", '[[1, 1], [1, "1.000000000001"]]')
    r = result.rank
    assert (r.lower, r.upper, r.numerical) == (4, 4, 3)
    assert r.estimate_is_wrong and r.verdict == "PASS" and result.verdict == "PASS"
    estimate = next(c for c in result.evidence if c.name.startswith("gap-rule rank"))
    assert estimate.passed is True and "is wrong" in estimate.detail
    # with the bounds 1e-3 apart the estimate agrees and nothing is said against it
    agreeing = check_point_rank("tanh", '[[1, 1], [1, "1.001"]]').rank
    assert (agreeing.certified, agreeing.numerical, agreeing.estimate_is_wrong) == (4, 4, False)


@pytest.mark.parametrize("lower, upper, formula, numerical, verdict", [
    (4, 4, 4, 3, "PASS"),            # closed bounds: the estimate's error is reported, not a FAIL
    (4, 4, 5, 4, "FAIL"),            # the formula outside proven bounds is a finding
    (3, 5, None, 6, "FAIL"),         # bounds apart: an estimate outside them contradicts a proof
    (3, 5, 4, 4, "INCONCLUSIVE"),    # bounds apart, nothing against them
    (4, 4, None, None, "PASS"),
])
def test_the_model_rank_verdict(lower, upper, formula, numerical, verdict):
    from twolayer.numeric.model_rank import ModelRank
    assert ModelRank(lower, upper, formula, numerical, None).verdict == verdict
