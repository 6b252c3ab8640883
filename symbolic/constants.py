"""Deciding the sign of a real constant: exactly where sympy can, by ball enclosure where it cannot.

Taylor coefficients ``c_s``, the value at 0 of a denominator or of a log argument, ``sigma(0)``:
every such constant that a decision rests on goes through :func:`sign`. A structural test such
as ``c == 0`` is no proof: ``atan(1/2) + atan(1/3) - pi/4`` is exactly 0 (Machin), yet sympy
keeps it as a non-zero-looking sum. The rules, in order:

1. a rational number is decided exactly;
2. an enclosure in python-flint ``arb`` balls (rigorous error bounds) that excludes 0 decides
   the sign; it is tried at 128, 1024 and 4096 bits;
3. a sympy proof that the constant vanishes (``simplify`` to 0, or a minimal polynomial ``x``
   for algebraic numbers) decides 0;
4. otherwise the constant is undecided and :class:`InputError` is raised: refusing is the only
   honest answer (an enclosure containing 0 proves nothing).

A constant that is not real (it contains ``I``, or takes the log or a fractional power of a
negative number) raises :class:`InputError` too: activations must be real-valued.

This module sits with the symbolic layer because the activation library needs it to validate
its input; the balls only serve as a proof device for sympy's constants.

>>> import sympy as sp
>>> sign(sp.atan(sp.Rational(1, 2)) + sp.atan(sp.Rational(1, 3)) - sp.pi / 4)
Traceback (most recent call last):
...
twolayer.base.errors.InputError: cannot decide whether the constant -pi/4 + atan(1/3) + atan(1/2) is zero: its ball
enclosure contains 0 at 4096 bits and sympy finds no proof that it vanishes
>>> sign(sp.log(2) - sp.Rational(69, 100)), sign(sp.sqrt(2) ** 2 - 2), sign(sp.tanh(1) - sp.Rational(3, 4))
(1, 0, 1)
"""
from functools import lru_cache

import flint
import sympy as sp
from flint import arb, fmpq

from ..base.errors import InputError

PRECISIONS = (128, 1024, 4096)


class NotReal(ValueError):
    """The constant is not a real number (or not finite)."""


class Unenclosable(ValueError):
    """The enclosure cannot be formed (an unsupported function, or a ball containing a singularity)."""


def _positive(ball, what):
    if ball > 0:
        return ball
    if ball < 0:
        raise NotReal(f"{what} of a negative number")
    raise Unenclosable(f"{what} of a ball containing 0")


_UNARY = {sp.exp: arb.exp, sp.sin: arb.sin, sp.cos: arb.cos, sp.tanh: arb.tanh, sp.atan: arb.atan,
          sp.sinh: arb.sinh, sp.cosh: arb.cosh, sp.erf: arb.erf}


def enclose(expr):
    """An arb ball containing the real constant ``expr``, at the current python-flint precision."""
    if expr.is_Rational:
        return arb(fmpq(int(expr.p), int(expr.q)))
    if expr is sp.pi:
        return arb.pi()
    if expr is sp.E:
        return arb.const_e()
    if expr.has(sp.I) or expr.is_real is False:
        raise NotReal(f"{expr} is not real")
    if expr.is_Add:
        return sum((enclose(t) for t in expr.args), arb(0))
    if expr.is_Mul:
        out = arb(1)
        for t in expr.args:
            out *= enclose(t)
        return out
    if expr.is_Pow:
        base, exponent = expr.args
        b = enclose(base)
        if exponent.is_Integer:
            e = int(exponent)
            if abs(e) > 4096:
                raise Unenclosable(f"integer power {e} is too large")
            out = arb(1)
            for _ in range(abs(e)):
                out *= b
            if e < 0:
                if out.contains(0):
                    raise Unenclosable("division by a ball containing 0")
                out = 1 / out
            return out
        return (enclose(exponent) * _positive(b, "fractional power").log()).exp()
    if expr.func is sp.log and len(expr.args) == 1:
        return _positive(enclose(expr.args[0]), "log").log()
    if expr.func in _UNARY and len(expr.args) == 1:
        return _UNARY[expr.func](enclose(expr.args[0]))
    raise Unenclosable(f"'{expr.func.__name__}' has no ball enclosure here")


def _proven_zero(expr):
    try:
        if sp.simplify(expr) == 0:
            return True
        if expr.is_algebraic:
            t = sp.Dummy("t")
            return sp.minimal_polynomial(expr, t) == t
    except (NotImplementedError, ValueError, TypeError):
        pass
    return False


def as_expression(value):
    """``sympify`` for values the suite built itself (sympy objects, numbers). A string is refused: sympify
    would evaluate it as code, and user text is read only by symbolic/expression.py.

    >>> as_expression(3) + 1
    4
    """
    if isinstance(value, str):
        raise TypeError("a string is never sympified: read user text with symbolic.expression.parse_activation")
    return sp.sympify(value)


@lru_cache(maxsize=4096)
def sign(expr):
    """-1, 0 or 1: the sign of the real constant ``expr``, proven; InputError when undecidable or not real."""
    expr = as_expression(expr)
    if expr.free_symbols:
        raise InputError(f"{expr} is not a constant")
    if expr.is_Rational:
        return (expr.p > 0) - (expr.p < 0)
    tried_proof = False
    ball = None
    for bits in PRECISIONS:
        try:
            with flint.ctx.workprec(bits):
                ball = enclose(expr)
        except NotReal as exc:
            raise InputError(f"the constant {sp.sstr(expr)} is not real ({exc}); activations must be "
                             "real-valued") from None
        except Unenclosable as exc:
            if not _proven_zero(expr):
                raise InputError(f"cannot decide the sign of the constant {sp.sstr(expr)} ({exc})") from None
            return 0
        if not ball.is_finite():
            raise InputError(f"the constant {sp.sstr(expr)} is not finite")
        if ball > 0:
            return 1
        if ball < 0:
            return -1
        if not tried_proof:
            tried_proof = True
            if _proven_zero(expr):
                return 0
    raise InputError(f"cannot decide whether the constant {sp.sstr(expr)} is zero: its ball enclosure contains 0 "
                     f"at {PRECISIONS[-1]} bits and sympy finds no proof that it vanishes")
