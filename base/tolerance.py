"""Every numerical threshold of the suite, derived from the working precision ``dps``.

One policy, in one place, so that lowering ``--dps`` lowers every threshold with it
(a fixed 1e-30 cut-off is meaningless at 15 digits and too loose at 200):

==========================  ======================  =========================================
quantity                    rule                    at dps = 50
==========================  ======================  =========================================
singular value counts       s/s_1 > 10^(-dps/3)     > 2.2e-17
singular value is zero      s/s_1 < 10^(-2dps/3)    < 4.6e-34 (between the two: undecided)
residual norm is zero       <= 10^(-4dps/5)         <= 1e-40 (a projection has converged)
population loss: in Q*      <= 10^(-dps/2)          <= 1e-25
population loss: not in Q*  >= 10^(-dps/3)          >= 2.2e-17 (between the two: undecided)
flow loss target            R < 10^(-2dps/3)        < 4.6e-34
roles of neurons read at    10^(-dps/4)             3.2e-13
float64 SVD (M columns)     counts > 1000 M 2^-52   (zero < 10 M 2^-52; large M only, an estimate)
==========================  ======================  =========================================

Why these: the Gram matrix is formed at 2 dps + 10 digits, so singular values carry about
``dps`` correct digits relative to ``s_1``; a third of them is the margin either side of the
gap. A residual that has converged to 4/5 of the digits leaves a point whose population loss
(quadratic in the distance) is far below 10^(-dps/2), while a point that does not generalize
sits at a population loss of the order of the squared distance it keeps from Q*.

>>> mpmath.nstr(gap_thresholds(30)[0], 3), mpmath.nstr(zero_residual(15), 3)
('1.0e-10', '1.0e-12')
>>> generalization_verdict(mpmath.mpf("1e-30"), 50), generalization_verdict(mpmath.mpf("1e-20"), 50)
(True, None)
"""
import mpmath


def _power(exponent):
    with mpmath.workdps(30):
        return mpmath.mpf(10) ** exponent


def gap_thresholds(dps):
    """(upper, lower): s/s_1 above ``upper`` counts, below ``lower`` does not, between is undecided."""
    return _power(-mpmath.mpf(dps) / 3), _power(-2 * mpmath.mpf(dps) / 3)


def float64_gap_thresholds(size):
    """(upper, lower) of the gap rule for float64 singular values of a matrix with ``size`` columns: a backward
    stable SVD errs by about size * 2^-52 * s_1, so values above 1000 times that count, below 10 times it do not.

    >>> [f"{float(t):.2g}" for t in float64_gap_thresholds(600)]
    ['1.3e-10', '1.3e-12']
    """
    noise = _power(-52 * mpmath.log10(2)) * size
    return 1000 * noise, 10 * noise


def zero_residual(dps):
    """A residual norm at or below this is zero to working precision."""
    return _power(-(4 * dps) // 5)


def generalizes_below(dps):
    """Population loss at or below this: the point is in Q* to working precision."""
    return _power(-mpmath.mpf(dps) / 2)


def fails_to_generalize_above(dps):
    """Population loss at or above this: the point is not in Q*."""
    return _power(-mpmath.mpf(dps) / 3)


def generalization_verdict(population_loss, dps):
    """True (in Q*), False (not in Q*) or None (between the two thresholds: undecided)."""
    if population_loss <= generalizes_below(dps):
        return True
    if population_loss >= fails_to_generalize_above(dps):
        return False
    return None


def flow_loss_target(dps):
    """The flow stops once R < this."""
    return _power(-(2 * mpmath.mpf(dps)) / 3)


def role_tolerance(dps):
    """Tolerance at which the role of a numerically found neuron (null, on a direction, ...) is read."""
    return _power(-mpmath.mpf(dps) / 4)


def exponent_label(value):
    """'1e-16.7' for 10^-16.67: how a threshold is printed in evidence."""
    with mpmath.workdps(20):
        return f"1e{float(mpmath.log10(value)):.1f}".replace(".0", "")
