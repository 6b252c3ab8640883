"""Benchmark: one batched gradient-descent step of the [OE] Fig. 4a protocol per width (issue 41).

A batch is every run of one (width, n): 5 seeds x 4 learning rates = 20 runs, at the largest n = 63. Reported: the
time of one step (best of several), its cost per run and per R n m, and the batch's peak memory (tracemalloc: the
numpy arrays of one step). Targets (issue 41): at width 300 a step under 5 ms and the sweep's peak under 4 GB.
"""
import time
import tracemalloc

import numpy as np

from twolayer.claims.protocol_oe import INIT_VARIANCE, LEARNING_RATES, WIDTHS
from twolayer.numeric.protocol_oe import step

SEEDS, N = 5, 63


def batch(m, runs, n, seed=0):
    rng = np.random.default_rng(seed)
    scale = INIT_VARIANCE ** 0.5
    a, W, b = rng.normal(0, scale, (runs, m)), rng.normal(0, scale, (runs, m, 5)), rng.normal(0, scale, (runs, m))
    X = rng.normal(size=(runs, n, 5))
    y = np.tanh(X @ np.array([0.6, 0.8, 1, 0, 0])) + np.tanh(X @ np.array([0, 0.6, 0.8, 1, 0])) \
        + np.tanh(X @ np.array([0, 0, 0.6, 0.8, 1]))
    lr = np.tile(np.array(LEARNING_RATES), runs // len(LEARNING_RATES))
    return a, W, b, X, y, lr


def time_step(m, repeats=30):
    runs = SEEDS * len(LEARNING_RATES)
    a, W, b, X, y, lr = batch(m, runs, N)
    step(a, W, b, X, y, lr)                                    # warm up
    best = min(_once(a, W, b, X, y, lr) for _ in range(repeats))
    tracemalloc.start()
    step(a, W, b, X, y, lr)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return runs, best, peak


def _once(a, W, b, X, y, lr):
    t0 = time.perf_counter()
    step(a, W, b, X, y, lr)
    return time.perf_counter() - t0


def run():
    print(f"[OE] Fig. 4a: one batched gradient-descent step ({SEEDS} seeds x {len(LEARNING_RATES)} learning rates, "
          f"n = {N}), numpy float64")
    for m in WIDTHS:
        runs, best, peak = time_step(m)
        print(f"  width {m:3d} (M = {7 * m:4d}): {best * 1e3:7.3f} ms per step, {best / runs * 1e6:7.1f} us per run, "
              f"{best / (runs * N * m) * 1e9:5.2f} ns per (run, sample, neuron); peak {peak / 2 ** 20:6.1f} MiB "
              "(target at width 300: < 5 ms, < 4 GB)")


if __name__ == "__main__":
    run()
