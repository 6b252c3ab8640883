"""Exact truncated power series at 0 (Taylor mode over sympy coefficients).

``sympy.series`` is slow for compositions such as ``tanh(z + 1/2)`` at order 40;
propagating truncated series through the expression tree with the classical
recurrences is fast and exact. Coefficients are sympy numbers (rationals, or
expressions in constants such as ``log(2)``, ``sqrt(pi)``, ``tanh(1/2)``).

>>> import sympy as sp
>>> z = sp.Symbol('z')
>>> taylor_coefficients(sp.tanh(z), z, 7)
[0, 1, 0, -1/3, 0, 2/15, 0, -17/315]
"""
import sympy as sp

from ..base.errors import InputError
from .constants import as_expression, sign

#: Largest |integer exponent| accepted (repeated multiplication of truncated series).
MAX_INTEGER_POWER = 64


def _mul(u, v):
    n = len(u)
    return [sp.expand(sum((u[j] * v[k - j] for j in range(k + 1)), sp.S.Zero)) for k in range(n)]


def _div(u, v):
    if sign(v[0]) == 0:
        if sign(u[0]) == 0:
            raise InputError("0/0 at z = 0 (a removable singularity, as in sin(z)/z): sigma, sigma' and sigma'' "
                             "are evaluated from the formula, which is undefined at z = 0, so the suite refuses "
                             "it; write sigma without the division")
        raise InputError("division by a series vanishing at 0: the function is not analytic at z = 0")
    q = []
    for k in range(len(u)):
        acc = u[k] - sum((q[j] * v[k - j] for j in range(k)), sp.S.Zero)
        q.append(sp.expand(sp.cancel(acc / v[0])) if v[0] != 1 else sp.expand(acc))
    return q


def _derivative(u):
    return [k * u[k] for k in range(1, len(u))] + [sp.S.Zero]


def _integrate(du, c0):
    """Series with constant term ``c0`` whose derivative is ``du``."""
    return [c0] + [sp.expand(du[k - 1] / k) for k in range(1, len(du))]


def _exp(u):
    # e' = u' e  =>  k e_k = sum_{j=1..k} j u_j e_{k-j}
    e = [sp.exp(u[0])]
    for k in range(1, len(u)):
        e.append(sp.expand(sum((j * u[j] * e[k - j] for j in range(1, k + 1)), sp.S.Zero) / k))
    return e


def _log(u):
    at_zero = sign(u[0])
    if at_zero == 0:
        raise InputError("log of a series vanishing at 0: the function is not analytic at z = 0")
    if at_zero < 0:
        raise InputError(f"log of a negative number at z = 0 (log({sp.sstr(u[0])})): the function is not "
                         "real-valued there")
    return _integrate(_div(_derivative(u), u), sp.log(u[0]))


def _sin_cos(u):
    n = len(u)
    du = _derivative(u)
    s = [sp.sin(u[0])] + [sp.S.Zero] * (n - 1)
    c = [sp.cos(u[0])] + [sp.S.Zero] * (n - 1)
    for k in range(1, n):
        s[k] = sp.expand(sum((du[j] * c[k - 1 - j] for j in range(k)), sp.S.Zero) / k)
        c[k] = sp.expand(-sum((du[j] * s[k - 1 - j] for j in range(k)), sp.S.Zero) / k)
    return s, c


def _sinh_cosh(u):
    e, em = _exp(u), _exp([-t for t in u])
    return ([sp.expand((a - b) / 2) for a, b in zip(e, em)],
            [sp.expand((a + b) / 2) for a, b in zip(e, em)])


def _tanh(u):
    # t' = h u' with h = 1 - t^2; h_j needs only t_0..t_j, so one pass suffices
    du = _derivative(u)
    t, h = [sp.tanh(u[0])], []
    for k in range(1, len(u)):
        j = k - 1
        h.append(sp.expand((1 if j == 0 else 0) - sum((t[i] * t[j - i] for i in range(j + 1)), sp.S.Zero)))
        t.append(sp.expand(sum((h[i] * du[j - i] for i in range(j + 1)), sp.S.Zero) / k))
    return t


def _atan(u):
    one_plus_u2 = _mul(u, u)
    one_plus_u2[0] += 1
    return _integrate(_div(_derivative(u), one_plus_u2), sp.atan(u[0]))


def _erf(u):
    g = _exp([-c for c in _mul(u, u)])
    scale = 2 / sp.sqrt(sp.pi)
    return _integrate([sp.expand(scale * c) for c in _mul(g, _derivative(u))], sp.erf(u[0]))


def _pow(u, alpha):
    if alpha.is_Integer and abs(alpha) > MAX_INTEGER_POWER:
        raise InputError(f"integer exponent {alpha} exceeds the limit {MAX_INTEGER_POWER}")
    if alpha.is_Integer and alpha >= 0:
        r = [sp.S.One] + [sp.S.Zero] * (len(u) - 1)
        for _ in range(int(alpha)):
            r = _mul(r, u)
        return r
    if alpha.is_Integer:
        one = [sp.S.One] + [sp.S.Zero] * (len(u) - 1)
        return _div(one, _pow(u, -alpha))
    at_zero = sign(u[0])
    if at_zero == 0:
        raise InputError(f"power {alpha} of a series vanishing at 0: not analytic at z = 0")
    if at_zero < 0:
        raise InputError(f"power {alpha} of a negative number at z = 0: the function is not real-valued there")
    return _exp(_mul([alpha] + [sp.S.Zero] * (len(u) - 1), _log(u)))


_UNARY = {
    sp.exp: _exp, sp.log: _log, sp.tanh: _tanh, sp.atan: _atan, sp.erf: _erf,
    sp.sin: lambda u: _sin_cos(u)[0], sp.cos: lambda u: _sin_cos(u)[1],
    sp.sinh: lambda u: _sinh_cosh(u)[0], sp.cosh: lambda u: _sinh_cosh(u)[1],
}

#: The functions an activation may be built from (all analytic on the real line
#: where finite); anything else (Abs, Max, Heaviside, ...) is refused.
SUPPORTED_FUNCTIONS = tuple(f.__name__ for f in _UNARY)


def _series(expr, z, n):
    if not expr.has(z):
        return [expr] + [sp.S.Zero] * (n - 1)
    if expr == z:
        return [sp.S.Zero, sp.S.One] + [sp.S.Zero] * (n - 2)
    if expr.is_Add:
        parts = [_series(a, z, n) for a in expr.args]
        return [sp.expand(sum(col, sp.S.Zero)) for col in zip(*parts)]
    if expr.is_Mul:
        # numerator and denominator apart, so that a 0/0 at z = 0 is recognised as such
        numerator, denominator = sp.S.One, sp.S.One
        for a in expr.args:
            if a.is_Pow and a.args[1].is_Integer and a.args[1] < 0 and a.has(z):
                denominator *= a.args[0] ** -a.args[1]
            else:
                numerator *= a
        if denominator is not sp.S.One:
            return _div(_series(numerator, z, n), _series(denominator, z, n))
        r = None
        for a in expr.args:
            s = _series(a, z, n)
            r = s if r is None else _mul(r, s)
        return r
    if expr.is_Pow:
        base, alpha = expr.args
        if alpha.has(z):
            return _exp(_series(alpha * sp.log(base), z, n))
        if not alpha.is_Rational:
            raise InputError(f"exponent {alpha} is not rational")
        return _pow(_series(base, z, n), alpha)
    if expr.func in _UNARY and len(expr.args) == 1:
        return _UNARY[expr.func](_series(expr.args[0], z, n))
    raise InputError(
        f"'{expr.func.__name__}' is not supported: an activation is built from +, *, /, rational powers "
        f"and {', '.join(SUPPORTED_FUNCTIONS)} (analytic functions)")


def taylor_coefficients(expr, z, degree):
    """Exact Taylor coefficients ``[c_0, ..., c_degree]`` of ``expr`` at ``z = 0``."""
    return _series(as_expression(expr), z, degree + 1)
