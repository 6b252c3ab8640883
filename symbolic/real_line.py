"""A proof that an activation is real-analytic on the whole real line (docs/theory.md §3).

An expression built from +, *, rational powers and exp, log, tanh, atan, erf, sin, cos, sinh, cosh is analytic
at every real z where each denominator is non-zero and each log argument and each base of a fractional power is
positive. :func:`certify_real_analytic` proves these conditions for *all* real z at once by a range enclosure:
every sub-expression u gets an interval [lo, hi] (endpoints exact rationals or +-oo) containing u(z) for every
real z, computed bottom-up from z in (-oo, oo) with python-flint's ball arithmetic rounded outward, together
with a flag "never zero" proven structurally (exp never vanishes; tanh, sinh, atan, erf vanish only where their
argument does; a sum of terms of one sign with one never zero is never zero). A condition is proven when the
interval excludes 0 (or lies above it), or the flag holds.

This is a sufficient test: ``1/(z**2 - z + 1)`` is analytic but its enclosure [-oo, oo] proves nothing, and it is
refused with the advice to write the denominator in a manifestly positive form, ``1/((z - 1/2)**2 + 3/4)``.

>>> import sympy as sp
>>> from .expression import z
>>> certify_real_analytic(sp.log(1 + sp.exp(z)))
>>> certify_real_analytic(1 / (z - sp.Rational(1, 3)))
'cannot prove that the denominator z - 1/3 is non-zero for every real z (it ranges over [-oo, oo])'
"""
from fractions import Fraction

import sympy as sp
from flint import arb, fmpq

from .constants import enclose, sign
from .expression import z

INF = float("inf")


def _exact(a: arb, upper: bool) -> object:
    """An exact rational bound of a ball (its upper or lower end), or +-oo when the ball is not finite."""
    if not a.is_finite():
        return INF if upper else -INF
    end = a.upper() if upper else a.lower()
    man, exp = end.man_exp()   # the end of a ball is an exact binary number
    return Fraction(int(man)) * (Fraction(2) ** int(exp))


def _ball(v) -> arb:
    return arb(fmpq(v.numerator, v.denominator))


def _monotone(f, limits, lo, hi):
    """Increasing f on [lo, hi]; limits = (f(-oo), f(oo))."""
    low = limits[0] if lo == -INF else _exact(f(_ball(lo)), False)
    high = limits[1] if hi == INF else _exact(f(_ball(hi)), True)
    return low, high


def _mul(a, b):
    products = []
    for x in a:
        for y in b:
            if (x == 0 and abs(y) == INF) or (y == 0 and abs(x) == INF):
                return -INF, INF
            products.append(x * y)
    return min(products), max(products)


def _power(base, n):
    lo, hi = base
    if n % 2 == 1:
        return lo ** n if lo != -INF else -INF, hi ** n if hi != INF else INF
    big = max(abs(lo), abs(hi))
    top = INF if big == INF else big ** n
    return (0 if lo <= 0 <= hi else min(abs(lo), abs(hi)) ** n), top


class _Unproven(Exception):
    pass


def _enclose(e):
    """(lo, hi, never_zero) for every real z; raises _Unproven naming the first condition it cannot prove."""
    if e == z:
        return -INF, INF, False
    if e.is_number:
        ball = enclose(e)
        lo, hi = _exact(ball, False), _exact(ball, True)
        return lo, hi, lo > 0 or hi < 0
    if e.is_Add:
        parts = [_enclose(a) for a in e.args]
        lo, hi = sum(p[0] for p in parts), sum(p[1] for p in parts)
        one_sign = all(p[0] >= 0 for p in parts) or all(p[1] <= 0 for p in parts)
        return lo, hi, lo > 0 or hi < 0 or (one_sign and any(p[2] for p in parts))
    if e.is_Mul:
        lo, hi, nz = 1, 1, True
        for a in e.args:
            alo, ahi, anz = _enclose(a)
            lo, hi = _mul((lo, hi), (alo, ahi))
            nz = nz and anz
        return lo, hi, nz
    if e.is_Pow:
        base, exponent = e.args
        blo, bhi, bnz = _enclose(base)
        if not exponent.is_Rational:
            raise _Unproven(f"the exponent {sp.sstr(exponent)} is not a rational number")
        if exponent.is_Integer:
            n = int(exponent)
            if n < 0:
                if not (bnz or blo > 0 or bhi < 0):
                    raise _Unproven(f"the denominator {sp.sstr(base)} is non-zero for every real z (it ranges over "
                                    f"{_show(blo, bhi)})")
                # u is continuous on R (its own conditions are proven) and never 0, so of one sign (IVT)
                negative = bhi <= 0 or (blo < 0 and sign(base.subs(z, 0)) < 0)
                low, high = (-min(bhi, 0), -blo) if negative else (max(blo, 0), bhi)
                k = -n
                small = INF if low == 0 else 1 / Fraction(low) ** k
                large = 0 if high == INF else 1 / Fraction(high) ** k
                if negative and k % 2:
                    return -small, -large, True
                return large, small, True
            lo, hi = _power((blo, bhi), n)
            return lo, hi, bnz
        if not (blo > 0 or (blo >= 0 and bnz)):
            raise _Unproven(f"the base {sp.sstr(base)} of the power {sp.sstr(exponent)} is positive for every real z "
                            f"(it ranges over {_show(blo, bhi)})")
        p, q = int(exponent.p), int(exponent.q)
        lo = 0 if blo <= 0 else blo
        return _fractional(lo, bhi, Fraction(p, q)) + (True,)
    if len(e.args) == 1:
        lo, hi, nz = _enclose(e.args[0])
        name = type(e).__name__
        if name == "exp":
            return _monotone(arb.exp, (0, INF), lo, hi) + (True,)
        if name == "log":
            if not (lo > 0 or (lo >= 0 and nz)):
                raise _Unproven(f"the argument {sp.sstr(e.args[0])} of log is positive for every real z (it ranges "
                                f"over {_show(lo, hi)})")
            low = -INF if lo <= 0 else _exact(_ball(lo).log(), False)
            high = INF if hi == INF else _exact(_ball(hi).log(), True)
            return low, high, low > 0 or high < 0
        bounded = {"tanh": (arb.tanh, (-1, 1)), "erf": (arb.erf, (-1, 1)), "sinh": (arb.sinh, (-INF, INF)),
                   "atan": (arb.atan, (_exact(arb.pi() / -2, False), _exact(arb.pi() / 2, True)))}
        if name in bounded:
            f, limits = bounded[name]
            return _monotone(f, limits, lo, hi) + (nz,)
        if name == "cosh":
            big = max(abs(lo), abs(hi))
            top = INF if big == INF else _exact(_ball(Fraction(big)).cosh(), True)
            bottom = 1 if lo <= 0 <= hi else _exact(_ball(Fraction(min(abs(lo), abs(hi)))).cosh(), False)
            return bottom, top, True
        if name in ("sin", "cos"):
            return -1, 1, False
    raise _Unproven(f"'{sp.sstr(e)}' is analytic: the proof knows no rule for it")


def _fractional(lo, hi, power):
    def root(v, upper):
        return _exact(_ball(Fraction(v)) ** _ball(power), upper)
    if power > 0:
        return (0 if lo == 0 else root(lo, False)), (INF if hi == INF else root(hi, True))
    return (0 if hi == INF else root(hi, False)), (INF if lo == 0 else root(lo, True))


def _show(lo, hi):
    def end(v):
        return "oo" if v == INF else "-oo" if v == -INF else sp.sstr(sp.Rational(v.numerator, v.denominator)
                                                                    if isinstance(v, Fraction) else v)
    return f"[{end(lo)}, {end(hi)}]"


def certify_real_analytic(expr):
    """None when ``expr(z)`` is proven real-analytic on all of R; otherwise why the proof does not go through."""
    try:
        _enclose(expr)
    except _Unproven as why:
        return f"cannot prove that {why}"
    return None
