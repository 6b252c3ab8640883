"""[ZBZ] Example 1 by its own protocol (its Fig. 4 and App. B): tanh with a bias, target tanh(x + 1), width 2.

The paper sweeps the *initial imbalance ratio* at initialization scale 1e-20. With gamma = sum_i y_i (x_i, 1) and
C_k = a_k |gamma| + w_k . gamma for neuron k = (a_k, w_k) (w_k holding its bias), its Theorem 1 says that as the
scale goes to 0 the trajectory depends on the start only through C / |C|; for width 2 and an odd sigma, through
c~ = min(|C_1/C_2|, |C_2/C_1|) in [0, 1]. :func:`imbalanced_start` draws a Gaussian start from a seed and rescales
neuron 2 (as the paper does for its Fig. 2) so that C_1/C_2 = c~; for c~ = 0 it removes neuron 1's C-component
instead. Gradient descent then runs as the paper runs it: l = 1/2 sum (f - y)^2, learning rate 0.5 with no
halving, stopped at l <= 1e-15 or after 10^7 steps; success is a test error below 1e-8 at the end point. Runs
that overflow are *diverged*; runs that end where lr * lambda_max(Hess l) >= 2 (gradient descent cannot settle
there: the step overshoots along the top eigenvector) and above the loss threshold are *oscillating*.

Beside each run, the same start is followed with a step small enough for the flow (``FLOW_LR``) and then to its
limit (:func:`~twolayer.numeric.training.follow_to_limit`), decided there (:func:`~.training.decide`), so that a
reader sees which outcomes belong to gradient flow and which to the large step.

The descent loop is compiled (numba): at width 2, numpy's per-call overhead, not arithmetic, dominates 10^7
steps (171 us per step for 105 runs in numpy, measured; the compiled loop takes about 0.3 us per step and run).

>>> X = np.array([[0.3, 1.0], [-1.2, 1.0], [0.8, 1.0]]); y = np.tanh(X[:, 0] + 1)
>>> a, W = imbalanced_start(X, y, 0.25, seed=0)
>>> c = imbalance(a, W, X, y); round(float(c[0] / c[1]), 12)
0.25
"""
from __future__ import annotations

import math
import os

import numpy as np

from ..symbolic.activations import activation
from .training import FloatModel, decide, follow_to_limit, test_error

#: the protocol of [ZBZ] Fig. 4 (App. B): learning rate, scale, stopping rule, success threshold
PAPER_LR = 0.5
PAPER_SCALE = 1e-20
PAPER_LOSS_STOP = 1e-15
PAPER_MAX_STEPS = 10**7
PAPER_THRESHOLD = 1e-8
#: the step of the flow-following runs beside them (lr * lambda_max stays well below 2 at every limit seen here)
FLOW_LR = 0.05
FLOW_MAX_STEPS = 10**6
#: a loss above this (or not finite) is a diverged run
DIVERGED_ABOVE = 1e6


def gamma(X, y):
    """gamma = sum_i y_i x_i (x_i with its constant 1 last)."""
    return (np.asarray(y)[:, None] * np.asarray(X)).sum(0)


def imbalance(a, W, X, y):
    """C_k = a_k |gamma| + w_k . gamma for each neuron."""
    g = gamma(X, y)
    return a * np.linalg.norm(g) + W @ g


def imbalanced_start(X, y, ratio, seed, scale=PAPER_SCALE):
    """(a, W): a start of scale ``scale`` drawn from ``seed`` with C_1 / C_2 = ``ratio`` (0 <= ratio <= 1).

    The draw is N(0, scale^2) per parameter; neuron 2 is then rescaled so that C_1 / C_2 = ratio, or for ratio 0
    neuron 1 loses its component along (|gamma|, gamma), the one direction that grows at the origin."""
    rng = np.random.default_rng(seed)
    D = X.shape[1]
    a = rng.standard_normal(2) * scale
    W = rng.standard_normal((2, D)) * scale
    g = gamma(X, y)
    norm = float(np.linalg.norm(g))
    C = imbalance(a, W, X, y)
    if ratio == 0:
        direction = np.concatenate([[norm], g]) / math.sqrt(2) / norm
        neuron = np.concatenate([[a[0]], W[0]])
        neuron = neuron - (neuron @ direction) * direction
        a[0], W[0] = neuron[0], neuron[1:]
    else:
        factor = C[0] / (ratio * C[1])
        a[1] *= factor
        W[1] *= factor
    return a, W


def _descend_python(a, W, X, y, lr, max_steps, loss_stop, diverged_above):
    """Gradient descent on one run, in place on ``a`` (m) and ``W`` (m, D): (steps, loss), loss inf when it
    diverged. The reference loop; the compiled one is the same code."""
    n, D = X.shape
    m = a.shape[0]
    T = np.empty((n, m))
    E = np.empty(n)
    ga = np.empty(m)
    gW = np.empty((m, D))
    for step in range(max_steps + 1):
        loss = 0.0
        for i in range(n):
            f = 0.0
            for k in range(m):
                s = 0.0
                for j in range(D):
                    s += W[k, j] * X[i, j]
                T[i, k] = math.tanh(s)
                f += a[k] * T[i, k]
            E[i] = f - y[i]
            loss += 0.5 * E[i] * E[i]
        if not loss <= diverged_above:
            return step, math.inf
        if loss <= loss_stop or step == max_steps:
            return step, loss
        for k in range(m):
            ga[k] = 0.0
            for j in range(D):
                gW[k, j] = 0.0
            for i in range(n):
                ga[k] += E[i] * T[i, k]
                c = E[i] * a[k] * (1.0 - T[i, k] * T[i, k])
                for j in range(D):
                    gW[k, j] += c * X[i, j]
        for k in range(m):
            a[k] -= lr * ga[k]
            for j in range(D):
                W[k, j] -= lr * gW[k, j]
    return max_steps, math.inf


try:
    import numba
    # cached on disk only when compiled from the module's file (the mutation run compiles an exec'd copy)
    _descend = numba.njit(cache=os.path.exists(_descend_python.__code__.co_filename))(_descend_python)
except ImportError:  # pragma: no cover - numba is a dependency; without it the loop is slow but the same
    _descend = _descend_python


def descend(a, W, X, y, lr, max_steps, loss_stop=PAPER_LOSS_STOP):
    """(a, W, steps, loss) after gradient descent from (a, W) on one run (copies; loss inf: diverged)."""
    a, W = np.array(a, dtype=float), np.array(W, dtype=float)
    steps, loss = _descend(a, W, np.ascontiguousarray(X, dtype=float), np.ascontiguousarray(y, dtype=float),
                           float(lr), int(max_steps), float(loss_stop), DIVERGED_ABOVE)
    return a, W, int(steps), float(loss)


#: the held-out inputs of the test error (the same for every run; C7's experiments use their own)
TEST_SEED, TEST_SIZE = 12345, 1000
#: the sample sizes, ratio grid and sample seeds of the full protocol ([ZBZ] Fig. 4: 5 sample seeds, c~ in [0, 1])
SIZES = (2, 3, 4, 5, 6, 7)
RATIOS = tuple(k / 20 for k in range(21))
SEEDS = (0, 1, 2, 3, 4)

COLUMNS = [
    ("n", "int", "number of training samples x ~ N(0, 1), each with the constant input 1 of the bias"),
    ("seed", "int", "seed of the samples and of the initial draw"),
    ("ratio", "float", "initial imbalance ratio c~ = C_1 / C_2 of the start"),
    ("status", "str", "stopped (loss <= 1e-15) | budget (10^7 steps) | oscillating (lr lambda_max >= 2 at the end) "
                      "| diverged (loss overflowed), gradient descent at lr 0.5 with no halving"),
    ("steps", "int", "gradient-descent steps taken at lr 0.5"),
    ("loss", "float", "training loss 1/2 sum (f - y)^2 at the end (inf: diverged)"),
    ("test_error", "float", "test error 1/2 mean (f - f*)^2 on 1000 held-out inputs at the end"),
    ("lr_lambda_max", "float", "0.5 times the largest Hessian eigenvalue at the end"),
    ("paper_recovered", "bool", "the paper's success: test error below 1e-8 at the end"),
    ("flow_outcome", "str", "the same start at lr 0.05, followed to its limit and decided there "
                            "(numeric.training.decide): recovered | not recovered | undecided"),
    ("flow_test_error", "float", "test error at that limit"),
]


def _with_target(x):
    """(X, y): the inputs x with the constant 1 of the bias, and f*(x) = tanh(x + 1) there."""
    return np.c_[x, np.ones(len(x))], np.tanh(x + 1)


def test_set():
    """(X_test, y_test): the held-out inputs and the target's values there."""
    return _with_target(np.random.default_rng(TEST_SEED).standard_normal(TEST_SIZE))


def samples(n, seed):
    """(X, y): n Gaussian training inputs of sample set ``seed``, and the target's values there."""
    return _with_target(np.random.default_rng((seed, 7)).standard_normal(n))


def run_cell(n: int, seed: int, ratios=RATIOS, max_steps=PAPER_MAX_STEPS, flow_steps=FLOW_MAX_STEPS) -> list[dict]:
    """One row per ratio: the paper's run at lr 0.5 and the flow-following run beside it (see the module)."""
    model = FloatModel(activation("tanh"))
    X, y = samples(n, seed)
    held_out = test_set()
    rows = []
    for ratio in ratios:
        a0, W0 = imbalanced_start(X, y, ratio, seed)
        a, W, steps, loss = descend(a0, W0, X, y, PAPER_LR, max_steps)
        if math.isinf(loss):
            status, error, lam = "diverged", math.nan, math.nan
        else:
            error = test_error(model, a, W, *held_out)
            lam = PAPER_LR * float(np.linalg.eigvalsh(model.jacobian_and_hessian(a, W, X, y)[2])[-1])
            status = "stopped" if loss <= PAPER_LOSS_STOP else "oscillating" if lam >= 2 else "budget"
        fa, fW, _, floss = descend(a0, W0, X, y, FLOW_LR, flow_steps)
        limit = None if math.isinf(floss) else follow_to_limit(model, fa, fW, X, y, held_out, h0=FLOW_LR)
        outcome, _ = decide(limit)
        rows.append({"n": n, "seed": seed, "ratio": ratio, "status": status, "steps": steps, "loss": loss,
                     "test_error": error, "lr_lambda_max": lam,
                     "paper_recovered": bool(error < PAPER_THRESHOLD), "flow_outcome": outcome,
                     "flow_test_error": math.nan if limit is None else limit.error})
    return rows
