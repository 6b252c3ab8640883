"""The two unnumbered examples of [GLR] v3 that no other row covers, checked exactly (C8, part "examples").

* After Definition 4.1 the paper lists Morse–Bott functions: f(x, y) = x^n for n = 2, 3, 4, ...; (a) linear
  regression with the L2 loss; (b) sigma = exp with m = n = 1, whose critical set is R^-1(0) (codimension 1) with
  Hess R of constant rank 1 on it; Figure 6's f(x, y) = (x^2 - y)^2.
* Before Theorem 5.3 it splits R^(d+1)m at a point into V_s (where the Hessian's form is non-zero), V_p (along which
  R is locally constant) and V_c, on the example R = x^2 + y^4 + 0 z: Hess R = diag(2, 12 y^2, 0), and at the origin
  V_s, V_c, V_p are the x-, y- and z-axes.

Everything is decided by sympy (exact derivatives, solved critical sets, ranks over Q(x)) or exact rationals.
Morse–Bott is read as Definition 4.1 states it: the critical set M is a submanifold and the Hessian restricted to
its normal space is non-degenerate at every point of M. By that definition x^n is Morse–Bott at {x = 0} only for
n = 2 (Finding 9): for n >= 3 the normal Hessian n (n - 1) x^(n - 2) vanishes on M.

>>> [n for n in range(2, 7) if power_is_morse_bott(n)]
[2]
"""

import numpy as np
import sympy as sp

from .result import Check, Result

TITLE = "[GLR] v3, statement by statement"
#: the exponents of f = x^n tried (the paper: "n = 2, 3, 4, ...")
POWERS = range(2, 9)


def power_is_morse_bott(n: int) -> bool:
    """Is f(x, y) = x^n Morse–Bott (Definition 4.1) at its critical set? The critical set of n x^(n-1) is the
    y-axis; its normal space is the x-direction, where the Hessian is f_xx restricted to x = 0."""
    x = sp.Symbol("x", real=True)
    f = x ** n
    critical = sp.solve(sp.diff(f, x), x)
    assert critical == [0], critical     # the critical set {x = 0} (times the y-axis): a line, a submanifold
    return sp.diff(f, x, 2).subs(x, 0) != 0


def _linear_regression(n: int, d: int, seed: int) -> tuple:
    """(codimension of the critical set, rank of the Hessian on its normal space) for R(w) = sum |w.x_i - y_i|^2,
    exactly, on seeded integer data: the critical set solves X^T X w = X^T y (an affine space), its normal space
    is the row space of X, and Hess R = 2 X^T X is constant."""
    rng = np.random.default_rng(seed)
    X = sp.Matrix(rng.integers(-5, 6, size=(n, d)).tolist())
    H = 2 * X.T * X
    normal = X.T.columnspace()                   # the row space of X: orthogonal to the critical set's directions
    N = sp.Matrix.hstack(*normal) if normal else sp.zeros(d, 0)
    codim = N.shape[1]
    restricted = N.T * H * N
    return codim, restricted.rank() if codim else 0


def _exp_single_neuron(d: int) -> tuple:
    """sigma = exp, m = n = 1: (grad R = 0 exactly on a = y e^(-w.x), rank of Hess R on that set, the Hessian's
    form on the normal vector there is positive)."""
    a, y = sp.symbols("a y", real=True)
    w = sp.symbols(f"w1:{d + 1}", real=True)
    x = sp.symbols(f"x1:{d + 1}", real=True)
    wx = sum(wi * xi for wi, xi in zip(w, x))
    g = a * sp.exp(wx) - y
    R = g ** 2
    theta = (a, *w)
    grad = sp.Matrix([sp.diff(R, t) for t in theta])
    on_m = {a: y * sp.exp(-wx)}
    critical_on_m = all(sp.simplify(e.subs(on_m)) == 0 for e in grad)
    # off M (g != 0) the gradient is 2 g grad(g), and grad(g) has first entry e^(w.x) != 0: no critical point there
    only_on_m = sp.simplify(sp.diff(g, a) - sp.exp(wx)) == 0
    H = sp.hessian(R, theta).subs(on_m)
    H = H.applyfunc(sp.simplify)
    rank = H.rank(simplify=True)
    normal = sp.Matrix([sp.diff(g, t) for t in theta]).subs(on_m)
    form = sp.simplify((normal.T * H * normal)[0, 0])
    positive = sp.simplify(form - 2 * (normal.T * normal)[0, 0] ** 2) == 0   # 2 |grad g|^4 > 0
    return critical_on_m and only_on_m, rank, positive


def _figure_6() -> tuple:
    """f(x, y) = (x^2 - y)^2: (the critical set is exactly the parabola y = x^2, the normal Hessian there is
    2 (4 x^2 + 1)^2 > 0)."""
    x, y = sp.symbols("x y", real=True)
    g = x ** 2 - y
    f = g ** 2
    grad = [sp.diff(f, v) for v in (x, y)]
    solutions = sp.solve(grad, [x, y], dict=True)
    parabola = all(sp.simplify(s.get(y, y) - s.get(x, x) ** 2) == 0 for s in solutions) and bool(solutions)
    normal = sp.Matrix([sp.diff(g, x), sp.diff(g, y)])
    H = sp.hessian(f, (x, y)).subs(y, x ** 2)
    form = sp.factor(sp.simplify((normal.T * H * normal)[0, 0]))
    return parabola, form


def _decomposition() -> tuple:
    """R = x^2 + y^4 + 0 z at the origin: (Hess R, V_s, V_p, V_c) with V_s the largest subspace on which the
    Hessian's form is non-zero (its range: the Hessian is semi-definite), V_p the coordinate axes of (V_s)^perp
    along which R is constant near 0, V_c the rest."""
    x, y, z, t = sp.symbols("x y z t", real=True)
    R = x ** 2 + y ** 4 + 0 * z
    H = sp.hessian(R, (x, y, z))
    H0 = H.subs({x: 0, y: 0, z: 0})
    axes = {"x": (1, 0, 0), "y": (0, 1, 0), "z": (0, 0, 1)}
    vs = [name for name, e in axes.items() if (sp.Matrix(e).T * H0 * sp.Matrix(e))[0, 0] != 0]
    rest = [name for name in axes if name not in vs]
    vp = [name for name in rest if sp.simplify(sp.diff(R.subs(dict(zip((x, y, z), [t * c for c in axes[name]]))),
                                                       t)) == 0]
    vc = [name for name in rest if name not in vp]
    return H, vs, vp, vc


def check_examples() -> Result:
    """C8 for the example after Definition 4.1 and the one before Theorem 5.3 (module doc)."""
    morse_bott = [n for n in POWERS if power_is_morse_bott(n)]
    checks = [Check("[Finding 9] f(x, y) = x^n is Morse-Bott at its critical set {x = 0} only for n = 2: for "
                    "n >= 3 the normal Hessian n (n - 1) x^(n - 2) is 0 there (Definition 4.1 fails), although the "
                    "paper lists x^n, n = 2, 3, 4, ... as examples", morse_bott, [2], 0, morse_bott == [2], "exact",
                    f"n = {POWERS.start} .. {POWERS.stop - 1}: the critical set solved by sympy, f_xx at x = 0")]
    cases = [(2, 3, 0), (3, 3, 1), (4, 2, 2), (5, 4, 3)]
    found = [_linear_regression(n, d, seed) for n, d, seed in cases]
    checks.append(Check("[Examples after Def. 4.1 (a)] linear regression: Hess R = 2 X^T X is non-degenerate on the "
                        "normal space of the (affine) critical set", [list(f) for f in found],
                        [[c, c] for c, _ in found], 0, all(c == r for c, r in found), "exact",
                        "(codim, rank of Hess R on the normal space) for (n, d) = " +
                        ", ".join(f"({n}, {d})" for n, d, _ in cases) + ", seeded integer inputs"))
    exp_cases = {d: _exp_single_neuron(d) for d in (1, 2, 3)}
    checks.append(Check("[Examples after Def. 4.1 (b)] exp, m = n = 1: grad R = 0 exactly on R^-1(0) = {a = y "
                        "e^(-w.x)} (codimension 1), Hess R has rank 1 there and is positive on the normal vector",
                        [[ok, rank, pos] for ok, rank, pos in exp_cases.values()], [[True, 1, True]] * 3, 0,
                        all(v == (True, 1, True) for v in exp_cases.values()), "exact",
                        "d = 1, 2, 3, x and y symbolic: the Hessian on the set and n^T H n = 2 |grad g|^4 by sympy"))
    parabola, form = _figure_6()
    x = sp.Symbol("x", real=True)
    checks.append(Check("[Examples after Def. 4.1 (Figure 6)] f = (x^2 - y)^2: the critical set is the parabola "
                        "y = x^2 and the normal Hessian there is positive", [parabola, sp.sstr(form)],
                        [True, "2*(4*x**2 + 1)**2"], 0,
                        parabola and sp.simplify(form - 2 * (4 * x ** 2 + 1) ** 2) == 0, "exact",
                        "n^T Hess f n with n = grad(x^2 - y), on y = x^2"))
    H, vs, vp, vc = _decomposition()
    stated = sp.diag(2, 12 * sp.Symbol("y", real=True) ** 2, 0)
    checks.append(Check("[Example before Thm 5.3] R = x^2 + y^4 + 0 z: Hess R = diag(2, 12 y^2, 0) and at the origin "
                        "V_s, V_c, V_p are the x-, y- and z-axes", [sp.sstr(H.tolist()), vs, vc, vp],
                        [sp.sstr(stated.tolist()), ["x"], ["y"], ["z"]], 0,
                        H == stated and (vs, vc, vp) == (["x"], ["y"], ["z"]), "exact",
                        "sympy's Hessian; V_s from the form at 0 (semi-definite: its range), V_p from R constant "
                        "along the axis"))
    return Result("C8", TITLE, {"part": "examples", "powers": [POWERS.start, POWERS.stop - 1],
                                "regression": [list(c[:2]) for c in cases], "d": [1, 2, 3]}, checks)


