"""The verified float64 tier: regularity of an enclosed matrix proven from float64 arithmetic (issue 26).

Most certificates need a gap, not 50 digits. For a square enclosure ``A`` (an arb_mat) this module proves that
every matrix in it is non-singular from numpy float64 arithmetic with rigorous error bounds, and says "not proven"
otherwise; the caller then falls back to arb. Nothing relies on rounding modes or on libm: the matrix entries
come from arb (their midpoints rounded to float64, the rounding and arb's radius folded into a float64 radius,
rounded up), and the only floating-point operations are additions and multiplications, whose errors are bounded a
priori (round to nearest, any order of summation, fused or not; Higham, *Accuracy and Stability of Numerical
Algorithms*, §3.1 and §3.5): for a dot product of length k, |fl(x.y) - x.y| <= gamma_k |x|.|y| + k eta, with
u = 2^-53, gamma_k = k u / (1 - k u) and eta for underflow (taken as 2^-1021, above the smallest normal number,
so that a BLAS that flushes subnormals to zero is covered too).

The test: with Y = inv(mid A) (any matrix will do), if ||I - Y A'||_inf < 1 for every A' in the enclosure, then
Y A' is non-singular, hence A'. Write A' = mid + E with |E| <= rad. Then |I - Y A'| <= |I - Y mid| + |Y| rad
entrywise, and |I - Y mid| <= |I - fl(Y mid)| + gamma_n |Y| |mid| + n eta. Every bound is itself computed in
float64 from non-negative terms; a sum of k non-negative float64 terms is at least (1 - gamma_k) times its true
value. The computed |Y| |mid| and |Y| rad are thus low by at most a factor 1 - gamma_n, |I - fl(Y mid)| by 1 - u,
the row sums of the three by 1 - gamma_{n+2}, the final division by 1 + u; gamma_{n+1} in place of gamma_n covers
the first, and dividing by 1 - gamma_{3n+8} at the end covers the rest (docs/theory.md §8).

>>> from flint import arb_mat
>>> certify_regular(arb_mat([[2, 1], [1, 3]]))
True
>>> certify_regular(arb_mat([[1, 2], [2, 4]]))
False
"""
import numpy as np

from .precision import float64_midpoints

U = 2.0 ** -53
ETA = 2.0 ** -1021


def gamma(k):
    """gamma_k = k u / (1 - k u), the a priori factor of a length-k float64 dot product."""
    if k * U >= 0.5:
        raise ValueError(f"a dot product of length {k} is beyond the a priori bound")
    return k * U / (1 - k * U)


def enclose(A):
    """(mid, rad): float64 arrays with every matrix of the arb_mat ``A`` inside mid +- rad, or None.

    The midpoint is arb's midpoint converted to float64, which is off by less than one ulp whatever rounding the
    conversion uses; the radius is arb's radius (converted, then moved up one ulp) plus that ulp (np.spacing) and
    eta, so the bound holds for every entry without trusting the conversion beyond faithfulness."""
    mid = float64_midpoints(A)
    rad = np.array([float(e.rad()) for e in A.entries()]).reshape(mid.shape)
    if not (np.all(np.isfinite(mid)) and np.all(np.isfinite(rad))):
        return None
    return mid, np.nextafter(rad, np.inf) + np.spacing(np.abs(mid)) + ETA


def rounding_bound(Y, mid):
    """A float64 bound of |fl(Y mid) - Y mid| for any summation order, fused or not (the a priori bound)."""
    return gamma(mid.shape[0] + 1) * (np.abs(Y) @ np.abs(mid)) + (mid.shape[0] + 1) * ETA


def entry_bounds(mid, rad, Y):
    """Float64 upper bounds, entry by entry, of |I - Y A'| over the enclosure mid +- rad (before the final factor
    1 / (1 - gamma_{3n+8}) of :func:`regularity_bound`)."""
    residual = np.abs(np.eye(mid.shape[0]) - Y @ mid)                # |I - fl(Y mid)|, rounded once more
    return residual + rounding_bound(Y, mid) + np.abs(Y) @ rad       # + the rounding, + the enclosure's width


def regularity_bound(mid, rad, Y=None):
    """An upper bound of max over the enclosure of ||I - Y A'||_inf (Y = inv(mid) by default), or inf."""
    n = mid.shape[0]
    if mid.shape != (n, n) or not np.all(np.isfinite(rad)):
        return np.inf
    if Y is None:
        try:
            Y = np.linalg.inv(mid)
        except np.linalg.LinAlgError:
            return np.inf
    if not np.all(np.isfinite(Y)):
        return np.inf
    rows = entry_bounds(mid, rad, Y).sum(axis=1)
    bound = rows.max() / (1 - gamma(3 * n + 8))                      # every non-negative sum above, at once
    return float(bound) if np.isfinite(bound) else np.inf


def certify_regular(A):
    """True when float64 arithmetic with rigorous error bounds proves every matrix of the square arb_mat ``A``
    non-singular; False means not proven (try arb), never "proven singular"."""
    if A.nrows() != A.ncols() or A.nrows() == 0:
        return False
    found = enclose(A)
    if found is None:
        return False
    return regularity_bound(*found) < 1
