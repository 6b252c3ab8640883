"""The verified float64 tier (numeric/verified64.py) against exact rational arithmetic.

Its error bounds are checked where they are tight: a dot product whose two products and sum all round the same
way (found once by search, kept as exact binary floats), ill-conditioned matrices whose computed residual
understates the true one, and singular rational matrices that float64 rounding makes look regular."""
from fractions import Fraction as F

import numpy as np
from flint import arb, arb_mat, fmpq

from twolayer.numeric.rank import certified_full_column_rank
from twolayer.numeric.verified64 import certify_regular, entry_bounds, regularity_bound, rounding_bound

# y1 m11 = 1/2 + 2^-53 + e1 and y2 m21 = 1/2 + e2 with e1, e2 just below 2^-54: the products round down to
# 1/2 + 2^-53 and 1/2, their sum ties and rounds to 1.0, while the exact sum is 1 + 2^-52 (almost): an error of
# 2u for |y||m| = 1, two thirds of gamma_3
Y1, M11 = float.fromhex("0x1.0000000000002p+0"), float.fromhex("0x1.fffffffffffffp-2")
Y2, M21 = float.fromhex("0x1.0000000000003p+0"), float.fromhex("0x1.ffffffffffffbp-2")


def _exact_entries(mid, rad, Y):
    n = mid.shape[0]
    q = [[F(v) for v in row] for row in Y]
    a = [[F(v) for v in row] for row in mid]
    r = [[F(v) for v in row] for row in rad]
    return [[abs((1 if i == j else 0) - sum(q[i][k] * a[k][j] for k in range(n)))
             + sum(abs(q[i][k]) * r[k][j] for k in range(n)) for j in range(n)] for i in range(n)]


def test_the_worst_dot_product_is_inside_the_bound():
    """Evaluated without fusing (Python floats), the dot product rounds to 1.0; the a priori bound must cover that
    evaluation as well as whatever the BLAS does (it may fuse, and then errs less)."""
    Y = np.array([[Y1, Y2], [0.0, 1.0]])
    mid = np.array([[M11, 0.0], [M21, 1.0]])
    unfused = (Y1 * M11) + (Y2 * M21)
    exact = F(Y1) * F(M11) + F(Y2) * F(M21)
    assert unfused == 1.0 and F(2 ** -52) * F(99, 100) < exact - 1 < F(2 ** -52)
    bound = rounding_bound(Y, mid)[0, 0]
    assert F(bound) >= exact - F(unfused)
    assert F(bound) / (exact - F(unfused)) < F(8, 5)       # tight: about three halves of the worst error
    assert F(entry_bounds(mid, np.zeros((2, 2)), Y)[0, 0]) >= abs(1 - exact)


def test_ill_conditioned_residuals_are_bounded():
    rng = np.random.default_rng(2)
    for _ in range(40):
        n = int(rng.integers(3, 7))
        Uq, _ = np.linalg.qr(rng.standard_normal((n, n)))
        Vq, _ = np.linalg.qr(rng.standard_normal((n, n)))
        A = (Uq * np.logspace(0, -float(rng.integers(8, 15)), n)) @ Vq.T
        rad = np.abs(A) * float(rng.choice([0.0, 2.0 ** -52, 1e-13]))
        Y = np.linalg.inv(A)
        exact = max(sum(row) for row in _exact_entries(A, rad, Y))
        assert F(regularity_bound(A, rad)) >= exact


def _rational_matrix(rows):
    return arb_mat([[arb(fmpq(v.numerator, v.denominator)) for v in row] for row in rows])


def test_singular_rational_matrices_are_never_certified_and_regular_ones_agree_with_arb():
    rng = np.random.default_rng(1)
    for _ in range(200):
        n = int(rng.integers(2, 8))
        r = int(rng.integers(1, n))
        B = [[F(int(rng.integers(-9, 10)), int(rng.integers(1, 8))) for _ in range(r)] for _ in range(n)]
        C = [[F(int(rng.integers(-9, 10)), int(rng.integers(1, 8))) for _ in range(n)] for _ in range(r)]
        singular = [[sum(B[i][k] * C[k][j] for k in range(r)) for j in range(n)] for i in range(n)]
        assert not certify_regular(_rational_matrix(singular))
        regular = [[F(int(rng.integers(-9, 10)), int(rng.integers(1, 8))) for _ in range(n)] for _ in range(n)]
        exact_det = _rational_matrix(regular).det()
        if certify_regular(_rational_matrix(regular)):
            assert not exact_det.contains(0)
        assert certify_regular(_rational_matrix(regular)) == certified_full_column_rank(_rational_matrix(regular))


def test_wide_balls_and_non_finite_entries_are_not_certified():
    wide = arb_mat([[arb(1, 0.6), 0], [0, 1]])          # 1 +- 0.6 keeps away from 0: regular throughout
    assert not certify_regular(arb_mat([[arb(0, 1), 0], [0, 1]]))    # contains a singular matrix
    assert not certify_regular(arb_mat([[arb("inf"), 0], [0, 1]]))
    assert certify_regular(wide) == (regularity_bound(np.array([[1.0, 0], [0, 1]]),
                                                      np.array([[0.6, 0], [0, 0]])) < 1)


def test_the_float64_enclosure_contains_every_ball():
    """At 200 bits the balls of 1/3, -2/7, 10^-30 / 3 and 10^20 / 7 have midpoints no float64 holds; the float64
    box must still contain each whole ball (exact comparison of the binary numbers)."""
    import flint

    from twolayer.numeric.verified64 import enclose
    old = flint.ctx.prec
    flint.ctx.prec = 200
    try:
        A = arb_mat([[arb(1) / 3, arb(-2) / 7], [arb(10) ** -30 / 3, arb(10) ** 20 / 7]])
        mid, rad = enclose(A)
        for i, j in ((0, 0), (0, 1), (1, 0), (1, 1)):
            ball = A[i, j]
            man, exp = ball.mid().man_exp()
            centre = F(int(man)) * F(2) ** int(exp)
            rman, rexp = arb(ball.rad()).man_exp()
            width = F(int(rman)) * F(2) ** int(rexp)
            assert abs(F(mid[i, j]) - centre) + width <= F(rad[i, j]), (i, j)
    finally:
        flint.ctx.prec = old


def test_row_sums_that_round_down_are_covered():
    """Two widths of 1.9 * 2^-55 added to 1 - 2^-30 vanish in float64 row sums; only the final factor of the bound
    covers them (Y = 2^-30 I keeps every product exact, so nothing else does)."""
    n = 3
    Y, mid = 2.0 ** -30 * np.eye(n), np.eye(n)
    rad = np.zeros((n, n))
    rad[0, 1] = rad[0, 2] = 1.9 * 2.0 ** -25
    exact = max(sum(row) for row in _exact_entries(mid, rad, Y))
    assert float(np.sum(np.abs(np.eye(n) - Y @ mid)[0] + (np.abs(Y) @ rad)[0])) < exact
    assert F(regularity_bound(mid, rad, Y)) >= exact
