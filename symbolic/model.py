"""The two-layer model, its loss, and closed-form derivatives (docs/theory.md §2, claim C1).

``f(x) = sum_k a_k sigma(w_k . x)``; parameters neuron by neuron,
``theta = (a_1, w_1, ..., a_m, w_m)``.

:func:`derive_neuron_blocks` lets sympy differentiate the model for *symbolic*
``m`` and ``d`` (indexed sums) and returns the non-zero blocks;
:func:`expanded_loss` and :func:`closed_form_loss_derivatives` build, for small
concrete ``(m, d, n)``, the fully expanded loss and the gradient/Hessian assembled
from those blocks, so the two can be compared exactly.

>>> blocks = derive_neuron_blocks()
>>> blocks["df/da_j"]
sigma(z_j)
>>> blocks["d2f/dw_jp dw_jq"]
Derivative(sigma(z_j), (z_j, 2))*a[j]*x[p]*x[q]
>>> blocks["d2f/da_i dw_jp (i != j)"]
0
"""
import sympy as sp
from sympy.printing.pycode import MpmathPrinter

from .expression import FUNCTIONS

sigma = sp.Function("sigma")
m, d, n = sp.symbols("m d n", integer=True, positive=True)
i, j, k, l, p, q = sp.symbols("i j k l p q", integer=True, positive=True)
a, w, x = sp.IndexedBase("a"), sp.IndexedBase("w"), sp.IndexedBase("x")
z_j = sp.Symbol("z_j")


def symbolic_network():
    """``f = Sum_k a[k] sigma(Sum_l w[k,l] x[l])`` for symbolic ``m, d``."""
    return sp.Sum(a[k] * sigma(sp.Sum(w[k, l] * x[l], (l, 1, d))), (k, 1, m))


def _in_range(expr):
    """Drop the Piecewise guards sympy adds for index ranges (1 <= j <= m, p, q <= d hold)."""
    return expr.replace(lambda e: isinstance(e, sp.Piecewise), lambda e: e.args[0][0])


def _readable(expr, neuron):
    """Write the pre-activation ``Sum_l w[neuron,l] x[l]`` as z_j and sigma^(r) as derivatives in z_j."""
    pre = sp.Sum(w[neuron, l] * x[l], (l, 1, d))
    expr = expr.replace(lambda e: isinstance(e, sp.Subs),
                        lambda e: e.args[0].subs(e.args[1][0], z_j) if e.args[2][0] == pre else e)
    return expr.subs(pre, z_j)


def derive_neuron_blocks():
    """Differentiate the model for symbolic ``m, d``; the non-zero per-neuron blocks by name."""
    f = symbolic_network()

    def derive(*variables):
        e = f
        for v in variables:
            e = sp.diff(e, v)
        for _ in range(2):  # doit collapses the Kronecker sums, which exposes more range guards
            e = _in_range(e.doit())
        return _readable(e.subs(sp.KroneckerDelta(i, j), 0), j)

    return {
        "df/da_j": derive(a[j]),
        "df/dw_jp": derive(w[j, p]),
        "d2f/da_j^2": derive(a[j], a[j]),
        "d2f/da_j dw_jp": derive(a[j], w[j, p]),
        "d2f/dw_jp dw_jq": derive(w[j, p], w[j, q]),
        # off-diagonal neuron blocks: i is another neuron
        "d2f/da_i dw_jp (i != j)": derive(a[i], w[j, p]),
        "d2f/dw_ip dw_jq (i != j)": derive(w[i, p], w[j, q]),
    }


def loss_chain_rule():
    """``R = 1/(2n) Sum_i (F_i(theta) - y_i)^2`` differentiated twice by sympy, for generic F.

    Returns (gradient, Hessian) entries in theta_p, theta_q as sympy expressions.
    """
    tp, tq = sp.symbols("theta_p theta_q")
    F, y = sp.Function("F"), sp.IndexedBase("y")
    R = sp.Sum((F(i, tp, tq) - y[i])**2, (i, 1, n)) / (2 * n)
    return sp.diff(R, tp), sp.diff(R, tp, tq)


def parameters(m_, d_):
    """Concrete parameter symbols a1, w1_1, ..., neuron by neuron."""
    theta = []
    for kk in range(1, m_ + 1):
        theta.append(sp.Symbol(f"a{kk}"))
        theta.extend(sp.Symbol(f"w{kk}_{ll}") for ll in range(1, d_ + 1))
    return theta


def _concrete_inputs(n_, d_):
    return [[sp.Symbol(f"x{ii}_{ll}") for ll in range(1, d_ + 1)] for ii in range(1, n_ + 1)], \
        [sp.Symbol(f"y{ii}") for ii in range(1, n_ + 1)]


def expanded_loss(m_, d_, n_, act=sigma):
    """The empirical loss written out in full for concrete sizes (symbolic samples)."""
    theta = parameters(m_, d_)
    xs, ys = _concrete_inputs(n_, d_)
    f = [sum(theta[kk * (d_ + 1)] * act(sum(theta[kk * (d_ + 1) + 1 + ll] * xi[ll] for ll in range(d_)))
             for kk in range(m_)) for xi in xs]
    return sum((fi - yi)**2 for fi, yi in zip(f, ys)) / (2 * n_), theta


def closed_form_loss_derivatives(m_, d_, n_, act=sigma):
    """Gradient and Hessian of the loss assembled from :func:`derive_neuron_blocks`.

    ``grad = (1/n) J^T e``, ``Hess = (1/n)(J^T J + sum_i e_i Hf_i)``, with every
    entry of J and Hf_i taken from the derived blocks with indices made concrete.
    """
    blocks = derive_neuron_blocks()
    theta = parameters(m_, d_)
    xs, ys = _concrete_inputs(n_, d_)
    M = m_ * (d_ + 1)

    def at(block, jj, pp=1, qq=1, xi=None):
        zz = sum(theta[(jj - 1) * (d_ + 1) + ll] * xi[ll - 1] for ll in range(1, d_ + 1))
        e = block.subs({j: jj, p: pp, q: qq}).subs({x[ll]: xi[ll - 1] for ll in range(1, d_ + 1)})
        e = e.subs({a[jj]: theta[(jj - 1) * (d_ + 1)]})
        e = e.replace(lambda t: isinstance(t, sp.Derivative), lambda t: sp.diff(act(z_j), z_j, t.derivative_count))
        return e.subs(z_j, zz).replace(lambda t: t == sigma(zz), lambda t: act(zz)).doit()

    J, Hf, e = [], [], []
    for xi, yi in zip(xs, ys):
        row, H = [], sp.zeros(M, M)
        for jj in range(1, m_ + 1):
            base = (jj - 1) * (d_ + 1)
            row.append(at(blocks["df/da_j"], jj, xi=xi))
            row.extend(at(blocks["df/dw_jp"], jj, pp, xi=xi) for pp in range(1, d_ + 1))
            for pp in range(1, d_ + 1):
                H[base, base + pp] = H[base + pp, base] = at(blocks["d2f/da_j dw_jp"], jj, pp, xi=xi)
                for qq in range(1, d_ + 1):
                    H[base + pp, base + qq] = at(blocks["d2f/dw_jp dw_jq"], jj, pp, qq, xi=xi)
        f = sum(theta[kk * (d_ + 1)] * act(sum(theta[kk * (d_ + 1) + 1 + ll] * xi[ll] for ll in range(d_)))
                for kk in range(m_))
        J.append(row)
        Hf.append(H)
        e.append(f - yi)
    J = sp.Matrix(J)
    E = sp.Matrix(e)
    grad = J.T * E / n_
    hess = (J.T * J + sum((ei * Hi for ei, Hi in zip(e, Hf)), sp.zeros(M, M))) / n_
    return grad, hess, theta


class _Printer(MpmathPrinter):
    """sympy's mpmath printer, with integer powers written ``ipow(base, n)``.

    Ball arithmetic needs this: python-flint evaluates ``x**2`` through a real power,
    which is NaN for a ball containing 0, while ``ipow`` multiplies.
    """

    def _print_Pow(self, expr, rational=False):
        if expr.exp.is_Integer:
            return f"ipow({self._print(expr.base)}, {int(expr.exp)})"
        return super()._print_Pow(expr, rational=rational)


def _check_printable(exprs, var):
    """The generated source is executed, so it is made only from trees of the activation grammar
    (symbolic/expression.py): numbers, ``var``, pi, E, + * ** and the grammar's functions."""
    functions = {f for f in FUNCTIONS.values() if isinstance(f, type)}   # sqrt is written as a power
    for expr in exprs:
        for node in sp.preorder_traversal(expr):
            if isinstance(node, (sp.Add, sp.Mul, sp.Pow, sp.Number, sp.NumberSymbol)) or node == var or \
                    (isinstance(node, sp.Function) and node.func in functions):
                continue
            raise ValueError(f"no code is generated for {type(node).__name__} ({sp.sstr(node)[:60]}): not part of "
                             "the activation grammar")


def mpmath_source(exprs, var, name="sigma_derivatives"):
    """Python source of a function ``name(var)`` returning the tuple ``exprs``.

    Printed by sympy's mpmath printer (rationals stay exact: ``mpf(p)/mpf(q)``),
    with common subexpressions shared, so tanh(z) is computed once for sigma,
    sigma' and sigma''.

    >>> zz = sp.Symbol("z")
    >>> print(mpmath_source([sp.tanh(zz), 1 - sp.tanh(zz)**2], zz))
    def sigma_derivatives(z):
        x0 = tanh(z)
        return (x0, 1 - ipow(x0, 2))
    """
    _check_printable(exprs, var)
    printer = _Printer({"fully_qualified_modules": False, "allow_unknown_functions": False})
    replacements, reduced = sp.cse(list(exprs), symbols=sp.numbered_symbols("x"))
    lines = [f"def {name}({var}):"]
    lines += [f"    {printer.doprint(sym)} = {printer.doprint(e)}" for sym, e in replacements]
    lines.append(f"    return ({', '.join(printer.doprint(e) for e in reduced)}{',' if len(reduced) == 1 else ''})")
    return "\n".join(lines)
