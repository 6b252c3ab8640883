"""Conversions between number types, rounded to the working precision that the caller set
(:func:`twolayer.base.precision.working_precision`); nothing here changes it."""
from fractions import Fraction

import mpmath
from flint import arb, arb_mat, fmpq


def to_arb(value):
    """An arb ball holding ``value`` (Fraction, int, float, str 'p/q', mpf or arb), rounded to the current precision."""
    if isinstance(value, arb):
        return value
    if isinstance(value, Fraction):
        return arb(fmpq(value.numerator, value.denominator))
    if isinstance(value, str):
        value = Fraction(value)
        return arb(fmpq(value.numerator, value.denominator))
    return arb(value)


def identity(n):
    """The n x n identity as an arb_mat (exact)."""
    return arb_mat(n, n, [arb(int(i == j)) for i in range(n) for j in range(n)])


def ball_box(center, rho):
    """Balls containing [c_i - rho, c_i + rho] for each coordinate (the ball sum keeps the rounding of c_i)."""
    rho = to_arb(rho)
    return [to_arb(v) + arb(0, rho) for v in center]


def to_mpf(value):
    """An mpmath number at the current precision from a Fraction, int, str, arb (its midpoint) or mpf.

    >>> from twolayer.base.precision import working_precision
    >>> with working_precision(20):
    ...     to_mpf(Fraction(1, 3))
    mpf('0.33333333333333333333347')
    """
    if isinstance(value, mpmath.mpf):
        return value
    if isinstance(value, arb):
        return arb_to_mpf(value)
    value = Fraction(value)
    return mpmath.mpf(value.numerator) / value.denominator


def norm(values):
    """Euclidean norm of a sequence of mpf numbers."""
    return mpmath.sqrt(mpmath.fsum(v * v for v in values))


def distance(u, v):
    """Euclidean distance between two parameter vectors (sequences of mpf)."""
    return norm([a - b for a, b in zip(u, v)])


def float64_midpoints(A):
    """The midpoints of an arb_mat as a float64 numpy array (inf or nan where a midpoint does not fit)."""
    import numpy as np
    return np.array([float(e.mid()) for e in A.entries()]).reshape(A.nrows(), A.ncols())


def arb_to_mpf(value):
    """The midpoint of an arb ball as an exact mpmath number."""
    man, exp = value.mid().man_exp()
    return mpmath.mpf((int(man), int(exp)))


def exact_fraction(value):
    """The exact rational value of an mpf, an exact arb, an int or a Fraction.

    >>> exact_fraction(mpmath.mpf(-0.75)), exact_fraction(arb(-0.75)), lower_bound_string(mpmath.mpf("-1.5"), 3)
    (Fraction(-3, 4), Fraction(-3, 4), '-1.50')
    """
    if isinstance(value, arb):
        if not value.is_exact():
            raise ValueError("an arb ball with a radius has no single exact value; take .lower() or .upper()")
        man, exp = value.mid().man_exp()
        man, exp = int(man), int(exp)
    elif isinstance(value, mpmath.mpf):
        if not mpmath.isfinite(value):
            raise ValueError(f"{value} is not finite")
        sign, man, exp, _ = value._mpf_   # mpf.man_exp drops the sign: -0.75 would come back as 3/4
        man, exp = (-int(man) if sign else int(man)), int(exp)
    else:
        return Fraction(value)
    return Fraction(man * 2**exp) if exp >= 0 else Fraction(man, 2**-exp)


def _directed_decimal(q, digits, up):
    """q rounded to ``digits`` significant decimal digits, toward +inf if ``up`` else toward -inf."""
    if q == 0:
        return "0"
    exponent = len(str(abs(q.numerator) // abs(q.denominator))) - 1 if abs(q) >= 1 else \
        -len(str(abs(q.denominator) // abs(q.numerator)))
    while True:  # fix the estimate so that 10^exponent <= |q| < 10^(exponent + 1)
        if abs(q) >= Fraction(10) ** (exponent + 1):
            exponent += 1
        elif abs(q) < Fraction(10) ** exponent:
            exponent -= 1
        else:
            break
    scaled = q * Fraction(10) ** (digits - 1 - exponent)
    integer = -((-scaled.numerator) // scaled.denominator) if up else scaled.numerator // scaled.denominator
    if abs(integer) >= 10 ** digits:   # rounding carried into a new digit
        exponent += 1
        integer = integer // 10 if integer > 0 else -((-integer) // 10)
    sign, text = ("-" if integer < 0 else ""), str(abs(integer))
    mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
    return f"{sign}{mantissa}e{exponent}" if exponent else f"{sign}{mantissa}"


def lower_bound_string(value, digits=6):
    """A decimal string <= ``value`` (the lower end of an arb ball, or an exact number): safe for lower bounds.

    >>> lower_bound_string(Fraction(217114575, 10**16), 6), upper_bound_string(Fraction(217114575, 10**16), 6)
    ('2.17114e-8', '2.17115e-8')
    """
    if isinstance(value, arb):
        value = value.lower()
    return _directed_decimal(exact_fraction(value), digits, up=False)


def upper_bound_string(value, digits=6):
    """A decimal string >= ``value`` (the upper end of an arb ball, or an exact number): safe for upper bounds."""
    if isinstance(value, arb):
        value = value.upper()
    return _directed_decimal(exact_fraction(value), digits, up=True)


def decimal_string(value, digits=20):
    """A real (arb, mpf, Fraction, int) as a decimal string with ``digits`` significant digits."""
    with mpmath.workdps(max(digits + 5, 20)):
        return mpmath.nstr(to_mpf(value), digits, strip_zeros=False)
