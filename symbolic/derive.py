"""Closed forms for one configuration, for checking a lemma by hand (``twolayer derive``; docs/theory.md §2-§3).

For an activation σ, a width m and an input dimension d, sympy differentiates the empirical loss
``R_n = (1/2n) Σ_i (f(x_i) − y_i)²`` written with the actual σ and returns σ', σ'', every gradient entry and
every non-zero Hessian entry of R_n (upper triangle), the symmetry class with its proof, exact Taylor
coefficients and the neuron-independence condition for σ. In the printed entries ``e[i]`` is the residual
``f(x_i) − y_i`` and ``z[i, k]`` the pre-activation ``w_k · x_i``.

>>> from twolayer.symbolic.activations import activation
>>> found = derive(activation("tanh"), width=1, dim=1)
>>> found.derivatives[1]
1 - tanh(z)**2
>>> for name, entry in found.gradient:
...     print(name, entry)
a1 Sum(tanh(z[i, 1])*e[i], (i, 1, n))/n
w1_1 Sum(a1*(1 - tanh(z[i, 1])**2)*e[i]*x[i, 1], (i, 1, n))/n
"""
from dataclasses import dataclass

import sympy as sp

from ..base.errors import InputError
from .activations import Activation, z
from .independence import independence_condition
from .model import parameters

#: Largest m (d + 1) whose Hessian is printed entry by entry (M (M + 1) / 2 entries).
MAX_DERIVE_PARAMETERS = 24

i, n = sp.symbols("i n", integer=True, positive=True)
x, y, e, pre = sp.IndexedBase("x"), sp.IndexedBase("y"), sp.IndexedBase("e"), sp.IndexedBase("z")


@dataclass(frozen=True)
class Derivation:
    """What :func:`derive` found; every expression is a sympy object."""
    activation: Activation
    width: int
    dim: int
    derivatives: tuple          # (σ, σ', σ'') in z
    loss: sp.Expr               # R_n with the residuals written e[i]
    gradient: list              # [(parameter name, ∂R_n/∂θ_p)]
    hessian: list               # [(name p, name q, ∂²R_n/∂θ_p∂θ_q)] for p <= q, non-zero entries only
    taylor: list                # exact c_0 .. c_degree
    symmetry: str               # class and the identity sympy proved
    symmetry_proof: str
    independence: str           # the lemma's condition for this class


def _readable(expr, residual, preactivations):
    """Write the residual of sample i as e[i] and the pre-activation of neuron k as z[i, k]."""
    expr = expr.subs(residual, e[i])
    for k, zk in enumerate(preactivations, start=1):
        expr = expr.subs(zk, pre[i, k])
    return expr


def _abstract_sigma():
    """sigma and its derivatives as undefined sympy functions whose derivatives are each other, so that an
    abstract-sigma derivation prints sigma'(z[i, 1]) instead of Subs(Derivative(...))."""
    names = ("sigma", "sigma'", "sigma''", "sigma'''")
    classes = {}
    for order, name in reversed(list(enumerate(names))):
        following = classes.get(order + 1)

        def fdiff(self, argindex=1, following=following):
            if following is None:
                return sp.Derivative(self, self.args[0])
            return following(self.args[0])
        def latex(self, printer, exp=None, order=order):
            tex = r"\sigma" + "'" * order + r"\left(" + printer._print(self.args[0]) + r"\right)"
            return tex if exp is None else rf"\left({tex}\right)^{{{exp}}}"
        classes[order] = type(name, (sp.Function,), {"fdiff": fdiff, "nargs": 1, "_latex": latex})
    return classes[0]


def derive(act: Activation, width: int, dim: int, degree: int = 8, abstract: bool = False) -> Derivation:
    """Differentiate R_n for this σ, width and dimension; see the module docstring. With ``abstract`` the gradient
    and Hessian are written with sigma, sigma', sigma'' left unevaluated (the form of the lemmas); the rest
    (σ's closed forms, Taylor coefficients, symmetry) is still that of ``act``.

    >>> from twolayer.symbolic.activations import activation
    >>> dict(derive(activation("tanh"), 1, 1, abstract=True).gradient)["w1_1"]
    Sum(a1*sigma'(z[i, 1])*e[i]*x[i, 1], (i, 1, n))/n
    """
    if width < 1 or dim < 1:
        raise InputError(f"width and dimension must be positive, not m = {width}, d = {dim}")
    M = width * (dim + 1)
    if M > MAX_DERIVE_PARAMETERS:
        raise InputError(f"m (d + 1) = {M} parameters: the Hessian would have {M * (M + 1) // 2} entries; "
                         f"derive prints at most {MAX_DERIVE_PARAMETERS} parameters")
    theta = parameters(width, dim)
    sigma = _abstract_sigma() if abstract else sp.Lambda(z, act.expr)
    preactivations = [sum(theta[k * (dim + 1) + 1 + l] * x[i, l + 1] for l in range(dim)) for k in range(width)]
    output = sum(theta[k * (dim + 1)] * sigma(zk) for k, zk in enumerate(preactivations))
    residual = output - y[i]
    # differentiate the summand, then sum: the derivative of the sum over samples is the sum of derivatives,
    # and sympy cannot rename expressions containing the summation index inside a Sum
    term = residual**2 / 2

    def summed(expr):
        return sp.Sum(_readable(expr, residual, preactivations), (i, 1, n)) / n

    gradient, hessian = [], []
    for p, tp in enumerate(theta):
        first = sp.diff(term, tp)
        gradient.append((str(tp), summed(first)))
        for tq in theta[p:]:
            second = sp.diff(first, tq)
            if second != 0:
                hessian.append((str(tp), str(tq), summed(second)))
    return Derivation(
        activation=act, width=width, dim=dim,
        derivatives=tuple(act.derivative(order) if order else act.expr for order in range(3)),
        loss=sp.Sum(e[i]**2, (i, 1, n)) / (2 * n), gradient=gradient, hessian=hessian,
        taylor=act.taylor(degree), symmetry=act.symmetry.describe(), symmetry_proof=act.symmetry.proof,
        independence=independence_condition(act.symmetry.kind))


def as_text(found: Derivation, printer=sp.sstr) -> str:
    """The derivation as lines of text; ``printer=sp.latex`` gives LaTeX."""
    tex = printer is sp.latex
    def line(name, expr):
        return f"{name} = {printer(expr)}"

    def head(title):
        return f"% {title}" if tex else f"## {title}"

    names = ("sigma(z)", "sigma'(z)", "sigma''(z)") if not tex else (r"\sigma(z)", r"\sigma'(z)", r"\sigma''(z)")
    grad = (lambda p: f"dR_n/d{p}") if not tex else (lambda p: rf"\partial R_n / \partial {_tex_name(p)}")
    hess = ((lambda p, q: f"d2R_n/d{p} d{q}") if not tex
            else (lambda p, q: rf"\partial^2 R_n / \partial {_tex_name(p)} \partial {_tex_name(q)}"))
    out = [head(f"activation {found.activation.name}, width m = {found.width}, input dimension d = {found.dim}"),
           *(line(name, expr) for name, expr in zip(names, found.derivatives)),
           head("loss (e[i] = f(x_i) - y_i, z[i, k] = w_k . x_i)"), line("R_n", found.loss),
           head("gradient"), *(line(grad(p), g) for p, g in found.gradient),
           head("Hessian, non-zero entries with p <= q"), *(line(hess(p, q), h) for p, q, h in found.hessian),
           head("Taylor coefficients c_s = sigma^(s)(0) / s!"),
           *(line(f"c_{s}", c) for s, c in enumerate(found.taylor)),
           head("symmetry class (docs/theory.md §3)"), f"{found.symmetry} (proof: {found.symmetry_proof or '-'})",
           head("independence condition (docs/theory.md §3)"), found.independence]
    return "\n".join(out)


def _tex_name(name):
    """a1 -> a_{1}, w2_3 -> w_{2,3}."""
    head, _, rest = name.partition("_")
    return f"{head[0]}_{{{head[1:]}{',' + rest if rest else ''}}}"


def as_json(found: Derivation) -> dict:
    """The derivation with every expression as sympy ``srepr`` (re-readable by ``sympy.parse_expr``) and ``str``."""
    def both(expr):
        return {"srepr": sp.srepr(expr), "str": sp.sstr(expr)}

    return {"activation": found.activation.name, "width": found.width, "dim": found.dim,
            "sigma": [both(expr) for expr in found.derivatives], "loss": both(found.loss),
            "gradient": [{"parameter": p, **both(g)} for p, g in found.gradient],
            "hessian": [{"row": p, "column": q, **both(h)} for p, q, h in found.hessian],
            "taylor": [both(c) for c in found.taylor],
            "symmetry": found.symmetry, "symmetry_proof": found.symmetry_proof,
            "independence_condition": found.independence}
