"""The precision policy: callers set the working precision once, inner code reads the context.

mpmath and python-flint each keep a global precision; :func:`working_precision`
sets both for the duration of a ``with`` block and restores them, so no
function leaves the caller's precision changed. Code below the command line and the
claims does not take a ``dps`` of its own where it can read ``mpmath.mp.dps``.

>>> import mpmath
>>> before = mpmath.mp.dps
>>> with working_precision(80):
...     mpmath.mp.dps
80
>>> mpmath.mp.dps == before
True
"""
from contextlib import contextmanager

import flint
import mpmath

from .errors import InputError

DEFAULT_DPS = 50
#: below 15 digits the gap rule has no room between its two thresholds
MIN_DPS = 15
#: the user's precision at most: inner code works at up to 4 dps + 10 digits (a Gram matrix at twice the digits, a
#: degenerate branch's tangent at twice again); at 1000 digits `twolayer rank` on two neurons takes 1.5 s (0.9 s at 50)
MAX_DPS = 1000


def check_dps(dps):
    """The user's precision as an int in MIN_DPS .. MAX_DPS, or InputError (checked once, before any work).

    >>> check_dps(5000)
    Traceback (most recent call last):
    ...
    twolayer.base.errors.InputError: precision (--dps) must be between 15 and 1000 digits, got 5000
    """
    if isinstance(dps, bool) or not isinstance(dps, int) or not MIN_DPS <= dps <= MAX_DPS:
        raise InputError(f"precision (--dps) must be between {MIN_DPS} and {MAX_DPS} digits, got {dps!r}")
    return dps


@contextmanager
def working_precision(dps):
    """Set mpmath's and python-flint's precision to ``dps`` digits inside the block.

    The user's precision was checked where it came in (:func:`check_dps`); inner code raises it (to 2 dps + 10
    for a Gram matrix, say) without a second check against the user's range."""
    if isinstance(dps, bool) or not isinstance(dps, int) or dps <= 0:
        raise InputError(f"working precision must be a positive number of digits, got {dps!r}")
    with mpmath.workdps(dps), flint.ctx.workdps(dps):
        yield
