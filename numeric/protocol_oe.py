"""Batched gradient descent for the [OE] Fig. 4a protocol: many runs of one width in one array computation.

A batch holds R runs of one width m (seeds and learning rates) on training sets of one size n: the parameters are
``a`` (R, m), ``W`` (R, m, 5) and ``b`` (R, m), the inputs ``X`` (R, n, 5) and targets ``y`` (R, n). One step of
gradient descent on the mean loss (1/n) sum_i (f(x_i) - y_i)^2 is a handful of einsums over (R, n, m) arrays, so
its cost grows with R n m and no M x M matrix is ever formed (M = 7m up to 2100).

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> a, W, b = rng.normal(size=(2, 4)), rng.normal(size=(2, 4, 5)), rng.normal(size=(2, 4))
>>> X, y = rng.normal(size=(2, 6, 5)), rng.normal(size=(2, 6))
>>> loss, (ga, gW, gb) = loss_and_gradient(a, W, b, X, y)
>>> eps = 1e-6; a2 = a.copy(); a2[1, 2] += eps
>>> numeric = (loss_and_gradient(a2, W, b, X, y)[0][1] - loss[1]) / eps
>>> bool(abs(numeric - ga[1, 2]) < 1e-4)
True
"""
import numpy as np

from ..base.errors import InputError
from .training import decide_at


def _activations(W, b, X):
    """tanh(w_k.x_i + b_k) for every run: (R, n, m), by batched matrix products (BLAS)."""
    Z = X @ W.transpose(0, 2, 1)
    Z += b[:, None, :]
    return np.tanh(Z, out=Z)


def outputs(a, W, b, X):
    """f(x) for every run and input: (R, n)."""
    return (_activations(W, b, X) @ a[:, :, None])[:, :, 0]


def loss_and_gradient(a, W, b, X, y):
    """The mean loss (1/n) sum (f - y)^2 per run (R,) and its gradient (grad a, grad W, grad b)."""
    n = X.shape[1]
    T = _activations(W, b, X)                                              # (R, n, m)
    e = (T @ a[:, :, None])[:, :, 0] - y                                   # (R, n)
    loss = np.einsum("rn,rn->r", e, e) / n
    e *= 2 / n
    grad_a = (e[:, None, :] @ T)[:, 0, :]
    # d loss / d (w.x + b) = (2/n) e_i a_k (1 - T^2), computed in place over T's memory
    T *= T
    np.subtract(1, T, out=T)
    T *= a[:, None, :]
    T *= e[:, :, None]
    grad_W = T.transpose(0, 2, 1) @ X
    grad_b = T.sum(axis=1)
    return loss, (grad_a, grad_W, grad_b)


def step(a, W, b, X, y, lr):
    """One gradient-descent step for every run (``lr``: one learning rate per run, shape (R,)); returns the loss
    before the step."""
    loss, (ga, gW, gb) = loss_and_gradient(a, W, b, X, y)
    a -= lr[:, None] * ga
    W -= lr[:, None, None] * gW
    b -= lr[:, None] * gb
    return loss


#: the target's input weights (rows) of [OE] eq. (15): tanh(0.6 x_s + 0.8 x_{s+1} + x_{s+2}), s = 1, 2, 3
TARGET_WEIGHTS = np.array([[0.6, 0.8, 1, 0, 0], [0, 0.6, 0.8, 1, 0], [0, 0, 0.6, 0.8, 1]])
#: a run stops once its loss 1/2 sum (f - y)^2 is below this (under the global-minimum threshold of the decision)
STOP_BELOW = 1e-25


def target(X):
    """f*(x) = sum_s tanh(v_s.x) on the last axis of X."""
    return np.tanh(X @ TARGET_WEIGHTS.T).sum(axis=-1)


def draw(seed, m, largest_n=63, test_size=1000, variance=1e-20):
    """One seed's data and start, always drawn in the same order so that training sets are nested in n and the start
    is the same for every n and learning rate: (training inputs (largest_n, 5), test inputs, a, W, b)."""
    rng = np.random.default_rng(seed)
    X, X_test = rng.normal(size=(largest_n, 5)), rng.normal(size=(test_size, 5))
    scale = variance ** 0.5
    return X, X_test, rng.normal(0, scale, m), rng.normal(0, scale, (m, 5)), rng.normal(0, scale, m)


def run_batch(m, n, seeds, rates, max_steps, check_every=200):
    """Gradient descent for every (seed, learning rate) of one width and n at once, each run frozen once its loss
    1/2 sum (f - y)^2 falls below STOP_BELOW or turns non-finite; per run (seed, lr, steps, loss, test error)."""
    draws = [draw(s, m) for s in seeds]
    if n > len(draws[0][0]):
        raise InputError(f"n = {n}: the training sets are nested in one draw of {len(draws[0][0])} inputs per seed")
    runs = [(s, lr, d) for s, d in zip(seeds, draws) for lr in rates]
    X = np.stack([d[0][:n] for _, _, d in runs])
    y = target(X)
    a = np.stack([d[2] for _, _, d in runs])
    W = np.stack([d[3] for _, _, d in runs])
    b = np.stack([d[4] for _, _, d in runs])
    lr = np.array([r for _, r, _ in runs], dtype=float)
    active = lr.copy()
    steps = np.zeros(len(runs), dtype=int)
    half_sum = n / 2 * loss_and_gradient(a, W, b, X, y)[0]   # kept current: updated after every block of steps
    for k in range(0, max_steps, check_every):
        for _ in range(min(check_every, max_steps - k)):
            step(a, W, b, X, y, active)
        steps += active > 0
        half_sum = n / 2 * loss_and_gradient(a, W, b, X, y)[0]
        done = ~np.isfinite(half_sum) | (half_sum <= STOP_BELOW)
        active[done] = 0
        if not active.any():
            break
    steps *= check_every
    rows = []
    for i, (seed, rate, d) in enumerate(runs):
        X_test = d[1]
        error = float(np.mean((outputs(a[i:i + 1], W[i:i + 1], b[i:i + 1], X_test[None])[0] - target(X_test)) ** 2))
        rows.append({"width": m, "n": n, "seed": seed, "lr": rate, "steps": int(steps[i]),
                     "loss": float(half_sum[i]), "test_error": error})
    return rows


#: the table's columns: (name, type, meaning)
COLUMNS = [
    ("width", "int", "width m of the student (tanh with a bias; M = 7m parameters)"),
    ("n", "int", "number of training inputs x ~ N(0, I_5) (nested in n for one seed)"),
    ("seed", "int", "seed of the inputs, the 1000 test inputs and the N(0, 1e-20) start"),
    ("lr", "float", "learning rate of gradient descent on the mean loss (1/n) sum (f - f*)^2"),
    ("steps", "int", "steps taken (in blocks of 200): stopped at 1/2 sum (f - y)^2 <= 1e-25, or the budget"),
    ("loss", "float", "training loss 1/2 sum (f - y)^2 at the end (nan: diverged)"),
    ("test_error", "float", "test error mean (f - f*)^2 on the 1000 test inputs at the end (the papers' measure)"),
    ("outcome", "str", "recovered | not recovered | undecided, decided at the end point (numeric.training.decide_at)"),
]


def run_cell(width, n, seeds, rates, max_steps):
    """One (width, n): every seed and learning rate, one row each, decided at its end point."""
    rows = run_batch(width, n, seeds, rates, max_steps)
    for row in rows:
        row["outcome"] = decide_at(row["loss"], row["test_error"])[0]
    return rows
