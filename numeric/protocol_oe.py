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
