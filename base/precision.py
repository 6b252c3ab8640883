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


def check_dps(dps):
    """The precision as a positive int, or InputError."""
    if isinstance(dps, bool) or not isinstance(dps, int) or dps <= 0:
        raise InputError(f"precision must be a positive number of digits, got {dps!r}")
    if dps < 15:
        raise InputError(f"precision {dps} is below 15 digits; the gap rule needs more (use >= 15)")
    if dps > 10000:
        raise InputError(f"precision {dps} is above 10000 digits")
    return dps


@contextmanager
def working_precision(dps):
    """Set mpmath's and python-flint's precision to ``dps`` digits inside the block."""
    dps = check_dps(dps)
    with mpmath.workdps(dps), flint.ctx.workdps(dps):
        yield
