"""Benchmark: the Jacobian J at 50 digits for tanh, m = 10, d = 5, n = 200.

Compared in one run against (i) numpy float64 on the same input and (ii) a
straightforward per-scalar mpmath loop. Targets (issue 2): within 100x of
float64 numpy; at least 5x faster than the per-scalar loop.
"""
import time

import mpmath
import numpy as np

from twolayer.numeric.evaluate import as_arb_matrix, evaluate
from twolayer.numeric.network import gaussian_inputs, random_network
from twolayer.numeric.precision import to_mpf
from twolayer.symbolic.activations import activation

M, D, N, DPS = 10, 5, 200, 50


def best_of(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def run():
    act = activation("tanh")
    net, inputs = random_network(M, D, seed=0), gaussian_inputs(N, D, seed=1)
    X = np.array([[float(v) for v in x] for x in inputs])
    W = np.array([[float(v) for v in nrn[1:]] for nrn in net.neurons])
    a = np.array([float(nrn[0]) for nrn in net.neurons])

    def numpy_float64():
        s = np.tanh(X @ W.T)
        J = np.empty((N, M, D + 1))
        J[:, :, 0] = s
        J[:, :, 1:] = ((1 - s * s) * a)[:, :, None] * X[:, None, :]
        return J.reshape(N, M * (D + 1))

    with mpmath.workdps(DPS):
        import flint
        with flint.ctx.workdps(DPS):
            X_arb = as_arb_matrix(inputs)  # samples converted once, as in every sweep over theta

    def ours():
        return evaluate(act, net, X_arb, dps=DPS).jacobian

    def per_scalar_mpmath():
        with mpmath.workdps(DPS):
            xs = [[to_mpf(v) for v in x] for x in inputs]
            ws = [[to_mpf(v) for v in nrn[1:]] for nrn in net.neurons]
            am = [to_mpf(nrn[0]) for nrn in net.neurons]
            J = mpmath.matrix(N, M * (D + 1))
            for i in range(N):
                for k in range(M):
                    zk = mpmath.fsum(ws[k][l] * xs[i][l] for l in range(D))
                    J[i, k * (D + 1)] = mpmath.tanh(zk)
                    for l in range(D):
                        J[i, k * (D + 1) + 1 + l] = am[k] * mpmath.sech(zk) ** 2 * xs[i][l]
            return J

    reference = numpy_float64()
    ours_J = ours()
    agreement = max(abs(float(ours_J[i, j].mid()) - reference[i, j]) for i in range(N) for j in range(M * (D + 1)))
    t_numpy, t_ours, t_loop = best_of(numpy_float64, 50), best_of(ours, 5), best_of(per_scalar_mpmath, 1)
    print(f"Jacobian, tanh, m={M}, d={D}, n={N}, {DPS} digits (best of repeated runs)")
    print(f"  numpy float64          {t_numpy * 1e3:9.3f} ms")
    print(f"  twolayer (arb, C)      {t_ours * 1e3:9.3f} ms   {t_ours / t_numpy:7.1f}x float64 numpy "
          f"(target <= 100x)")
    print(f"  per-scalar mpmath loop {t_loop * 1e3:9.3f} ms   {t_loop / t_ours:7.1f}x slower than twolayer "
          f"(target >= 5x)")
    print(f"  max |J_arb - J_float64| = {agreement:.2e} (float64 rounding)")
    return {"numpy_ms": t_numpy * 1e3, "ours_ms": t_ours * 1e3, "loop_ms": t_loop * 1e3}


if __name__ == "__main__":
    run()
