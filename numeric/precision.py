"""Working precision as a local context, and conversions between number types.

mpmath and python-flint each keep a global precision; :func:`working_precision`
sets both for the duration of a ``with`` block and restores them, so no
function here leaves the caller's precision changed.

>>> import mpmath
>>> before = mpmath.mp.dps
>>> with working_precision(80):
...     mpmath.mp.dps
80
>>> mpmath.mp.dps == before
True
"""
from contextlib import contextmanager
from fractions import Fraction

import flint
import mpmath
from flint import arb, fmpq

from ..errors import InputError

DEFAULT_DPS = 50


def check_dps(dps):
    """The precision as a positive int, or InputError."""
    if isinstance(dps, bool) or not isinstance(dps, int) or dps <= 0:
        raise InputError(f"precision must be a positive number of digits, got {dps!r}")
    if dps < 15:
        raise InputError(f"precision {dps} is below 15 digits; the gap rule needs more (use >= 15)")
    return dps


@contextmanager
def working_precision(dps):
    """Set mpmath's and python-flint's precision to ``dps`` digits inside the block."""
    dps = check_dps(dps)
    with mpmath.workdps(dps), flint.ctx.workdps(dps):
        yield


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


def to_mpf(value):
    """An mpmath number at the current precision from a Fraction, int, str, arb (its midpoint) or mpf.

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


def arb_to_mpf(value):
    """The midpoint of an arb ball as an exact mpmath number."""
    man, exp = value.mid().man_exp()
    return mpmath.mpf((int(man), int(exp)))


def decimal_string(value, digits=20):
    """A real (arb, mpf, Fraction, int) as a decimal string with ``digits`` significant digits."""
    with mpmath.workdps(max(digits + 5, 20)):
        return mpmath.nstr(to_mpf(value), digits, strip_zeros=False)
