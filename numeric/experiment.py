"""Gradient descent from small initialization on n samples of a target: does it recover it? (claim C7)

One run is (n, eps, seed): n inputs x_i ~ N(0, I_d) drawn from ``default_rng((seed, 1))`` (so the
samples of a smaller n are the first rows of a larger one), the student's parameters
eps * N(0, 1) from ``default_rng((seed, 2))`` (the same direction for every eps), gradient descent
on l = 1/2 sum (f - y)^2, then :func:`~twolayer.numeric.training.follow_to_limit` and
:func:`~twolayer.numeric.training.decide` on a held-out test set. With a bias every input gets a
constant 1 appended and every neuron is ``[a, w_1, ..., w_d, b]``.

>>> spec = ExperimentSpec("tanh", '[[1, "3/5", "4/5"]]', width=2, lr=0.2, max_steps=3000)
>>> rows = run_cell(spec, n=2, scale=1e-3, seeds=(0,))
>>> rows[0]["outcome"], rows[0]["gd_loss"] < 1e-15
('not recovered', True)
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from functools import lru_cache

import mpmath
import numpy as np

from ..base.errors import InputError
from ..symbolic.activations import activation
from ..symbolic.branches import check_target
from .classify import classify
from .network import Network, parse_network
from .training import FloatModel, decide, follow_to_limit, gradient_descent, test_error

TEST_SEED = 20240520

#: one row per run: (column, type, meaning); the sweep table's schema
COLUMNS = [
    ("n", "int", "number of training samples"),
    ("scale", "float", "initialization scale eps: every parameter starts as eps * N(0, 1)"),
    ("seed", "int", "seed of the samples and of the initial direction"),
    ("lr", "float", "learning rate used (spec.lr, halved while the step was unstable at the limit)"),
    ("gd_steps", "int", "gradient-descent iterations until the loss fell below loss_stop (max_steps if never)"),
    ("gd_loss", "float", "training loss 1/2 sum (f - y)^2 where gradient descent stopped"),
    ("gd_test_error", "float", "test error 1/2 mean (f - f*)^2 on the held-out set at that point"),
    ("limit_loss", "float", "training loss at the limit reached by following the flow from there"),
    ("limit_test_error", "float", "test error at that limit"),
    ("moved", "float", "Euclidean distance from the gradient-descent end point to the limit"),
    ("lr_lambda_max", "float", "learning rate times the largest Hessian eigenvalue at the limit (GD is stable there "
                               "when < 2)"),
    ("branch", "str", "branch pattern (splits, null, groups, zero) of Q* the limit lies on, read at tolerance 1e-5; "
                      "empty if none"),
    ("outcome", "str", "recovered | not recovered | undecided, decided at the limit (numeric.training.decide)"),
    ("paper_recovered", "bool", "the papers' criterion: test error at the gradient-descent end point below 1e-8"),
]
PAPER_THRESHOLD = 1e-8


@dataclass(frozen=True)
class ExperimentSpec:
    """Everything a run depends on besides (n, scale, seed); frozen and plain, so it travels to Dask workers."""
    activation: str
    target: str                 # JSON list of neurons [a, w_1, ..., w_d(, b)]
    width: int
    bias: bool = False
    lr: float = 0.1
    max_steps: int = 100_000
    loss_stop: float = 1e-15
    test_size: int = 1000

    def to_json(self):
        return json.dumps(asdict(self), sort_keys=True)


def validate(spec: ExperimentSpec):
    """(activation, target network), or InputError naming what is wrong with the spec."""
    act = activation(spec.activation)
    target = parse_network(spec.target, "target")
    check_target(act, target)
    if spec.bias and target.d < 2:
        raise InputError("with a bias every target neuron is [a, w_1, ..., w_d, b]: at least 3 entries")
    if isinstance(spec.width, bool) or not isinstance(spec.width, int) or spec.width < target.m:
        raise InputError(f"the student's width must be an integer >= the target's width {target.m}, "
                         f"got {spec.width!r}")
    for name in ("lr", "loss_stop"):
        value = getattr(spec, name)
        if not (isinstance(value, (int, float)) and np.isfinite(value) and value > 0):
            raise InputError(f"{name} must be a positive number, got {value!r}")
    return act, target


@lru_cache(maxsize=32)
def _setup(spec: ExperimentSpec):
    """(activation, FloatModel, target Network, target arrays, test set): parsed once per process."""
    act, target = validate(spec)
    model = FloatModel(act)
    a_star = np.array([float(v) for v in target.output_weights])
    W_star = np.array([[float(v) for v in w] for w in target.input_weights])
    X_test = _inputs(np.random.default_rng(TEST_SEED), spec.test_size, target.d, spec.bias)
    y_test = model.outputs(a_star[None], W_star[None], X_test[None])[0]
    return act, model, target, (a_star, W_star), (X_test, y_test)


def _inputs(rng, n, D, bias):
    d_in = D - 1 if bias else D
    X = rng.standard_normal((n, d_in))
    return np.hstack([X, np.ones((n, 1))]) if bias else X


def training_data(spec, n, seed):
    """The n training inputs (with the constant 1 if a bias) and targets of run ``seed``."""
    _, model, target, (a_star, W_star), _ = _setup(spec)
    X = _inputs(np.random.default_rng((seed, 1)), n, target.d, spec.bias)
    return X, model.outputs(a_star[None], W_star[None], X[None])[0]


def initial_point(spec, scale, seed):
    """(a, W) of run ``seed`` at initialization scale ``scale``."""
    _, _, target, _, _ = _setup(spec)
    theta = np.random.default_rng((seed, 2)).standard_normal((spec.width, target.d + 1)) * scale
    return theta[:, 0].copy(), theta[:, 1:].copy()


#: a run whose step is unstable at its limit (lr * lambda_max >= 2) or that diverged is run again with half the
#: learning rate, at most this many times; the row records the learning rate that was used
LR_HALVINGS = 4


def run_cell(spec: ExperimentSpec, n: int, scale: float, seeds) -> list[dict]:
    """The rows of the runs (n, scale, seed) for every seed: gradient descent batched over the seeds.

    The step is justified by the Hessian at the end: gradient descent can converge to a minimum only
    if lr * lambda_max(H) < 2 there, so a run that ends where this fails is repeated with lr / 2.
    """
    act, model, target, _, test_set = _setup(spec)
    rows, pending, lr = {}, list(seeds), spec.lr
    for halving in range(LR_HALVINGS + 1):
        data = [training_data(spec, n, s) for s in pending]
        X, y = np.stack([x for x, _ in data]), np.stack([t for _, t in data])
        starts = [initial_point(spec, scale, s) for s in pending]
        a0, W0 = np.stack([p[0] for p in starts]), np.stack([p[1] for p in starts])
        run = gradient_descent(model, a0, W0, X, y, lr=lr, max_steps=spec.max_steps, loss_stop=spec.loss_stop)
        retry = []
        for r, seed in enumerate(pending):
            row = _row(act, model, target, test_set, run, r, X[r], y[r], lr, retry_allowed=halving < LR_HALVINGS)
            if row is None:
                retry.append(seed)
            else:
                rows[seed] = {"n": n, "scale": scale, "seed": seed, **row}
        if not retry:
            break
        pending, lr = retry, lr / 2
    return [rows[s] for s in seeds]


def _row(act, model, target, test_set, run, r, X, y, lr, retry_allowed):
    """The row of run ``r`` of the batch, or None when its step is unstable at its limit and it may be retried."""
    X_test, y_test = test_set
    diverged = not np.isfinite(run.loss[r])
    if diverged and retry_allowed:
        return None
    if diverged:
        nan = float("nan")
        return {"lr": lr, "gd_steps": int(run.steps[r]), "gd_loss": float("inf"), "gd_test_error": nan,
                "limit_loss": float("inf"), "limit_test_error": nan, "moved": nan, "lr_lambda_max": nan,
                "branch": "", "outcome": "undecided", "paper_recovered": False}
    limit = follow_to_limit(model, run.a[r], run.W[r], X, y, test_set, h0=lr)
    _, _, H = model.jacobian_and_hessian(limit.a, limit.W, X, y)
    lr_lambda_max = lr * float(np.linalg.eigvalsh(H)[-1])
    if retry_allowed and not lr_lambda_max < 2:
        return None
    outcome, _ = decide(limit)
    gd_error = test_error(model, run.a[r], run.W[r], X_test, y_test)
    return {"lr": lr, "gd_steps": int(run.steps[r]), "gd_loss": float(run.loss[r]), "gd_test_error": gd_error,
            "limit_loss": limit.loss, "limit_test_error": limit.error,
            "moved": float(np.sqrt(np.sum((limit.a - run.a[r]) ** 2) + np.sum((limit.W - run.W[r]) ** 2))),
            "lr_lambda_max": lr_lambda_max,
            "branch": limit_branch(act, limit.a, limit.W, target), "outcome": outcome,
            "paper_recovered": bool(gd_error < PAPER_THRESHOLD)}


def limit_branch(act, a, W, target, tolerance="1e-5"):
    """The branch pattern of Q* at a float64 limit, as text ("" if on no branch)."""
    with mpmath.workdps(30):
        network = Network(tuple((mpmath.mpf(float(ak)), *(mpmath.mpf(float(v)) for v in wk)) for ak, wk in zip(a, W)))
        pattern = classify(act, network, target, tolerance=tolerance, dps=30)
    return "" if pattern is None else str(pattern)


def rerun_descent(spec, n, scale, seed, lr=None):
    """Gradient descent of one run again (at learning rate ``lr``: the one its row records), for a closer look:
    (descent, inputs, targets) as float arrays."""
    _, model, _, _, _ = _setup(spec)
    X, y = training_data(spec, n, seed)
    a0, W0 = initial_point(spec, scale, seed)
    run = gradient_descent(model, a0[None], W0[None], X[None], y[None], lr=spec.lr if lr is None else lr,
                           max_steps=spec.max_steps, loss_stop=spec.loss_stop)
    return run, X, y


def limit_network(spec, n, scale, seed, lr=None):
    """One run again, followed to its limit: (descent, limit, inputs, targets)."""
    _, model, _, _, test_set = _setup(spec)
    run, X, y = rerun_descent(spec, n, scale, seed, lr)
    limit = follow_to_limit(model, run.a[0], run.W[0], X, y, test_set, h0=spec.lr if lr is None else lr)
    return run, limit, X, y
