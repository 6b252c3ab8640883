r"""Claim C5: separation of the generalizing global minima as n grows (THEORY.md §6).

For a point theta° of a branch B and nested sample sets x_1..x_n:
(a) for n < r(theta°) the constructive sequence theta_eps has distance <= 2 eps to theta° and
    generalization error > 0 with log-log slope 2 in eps (error ~ eps^2);
(b) at non-degenerate points the certified radius exists exactly from n = codim on
    (the transition), and not before;
(c) every certified radius is at most the distance to the nearest non-generalizing global
    minimum found by the search (rho_n <= delta_n);
(d) nesting: every non-generalizing global minimum found with m samples is verified to lie in
    Q_n \ Q* for every n <= m (residual on x_1..x_n below tolerance, generalization error > 0), so
    the pooled estimate delta_n = min over m >= n of the distances found is non-decreasing in n.
Degenerate branches: (a), (c), (d) as above; the threshold observed is reported in the notes.
"""
import mpmath

from ..numeric.evaluate import evaluate
from ..numeric.network import gaussian_inputs
from ..numeric.precision import arb_to_mpf, decimal_string, distance, to_mpf
from ..numeric.separation import separation_sweep
from .global_minima import setup_case
from .result import Check, Result

TITLE = "separation of generalizing global minima as n grows"


def _fmt(x):
    return "none found" if x is None else decimal_string(x, 3)


def sweep_table(rows):
    """Markdown table of a sweep."""
    lines = ["| n | rank J_n | codim | separated | certified radius | nearest non-generalizing found | why |",
             "|---|---|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| {row.n} | {row.rank} | {row.codim} | {row.separated} | "
                     f"{_fmt(row.radius.radius)} | {_fmt(row.search.nearest)} | {row.why} |")
    return "\n".join(lines)


def pooled_distances(act, point, target, inputs, rows, dps):
    """(n, min distance over minima found with m >= n samples) after checking each is in Q_n \\ Q*."""
    base = [to_mpf(v) for v in point.flat()]
    tolerance = mpmath.mpf(10) ** -(dps - 10)
    bad, pooled = 0, []
    found = [(row.n, p) for row in rows for p in row.search.points]
    for row in rows:
        best = None
        for m, p in found:
            if m < row.n:
                continue
            residual = max(abs(arb_to_mpf(e)) for e in
                           evaluate(act, p, inputs[:row.n], target=target, dps=dps).residuals)
            if residual > tolerance:
                bad += 1
                continue
            gap = distance(p.flat(), base)
            best = gap if best is None else min(best, gap)
        pooled.append((row.n, best))
    return pooled, bad


def check_sweep(activation_name, target_json, width, branch_label, extra=2, starts=12, seed=0, dps=50):
    act, target, branches = setup_case(activation_name, target_json, width)
    branch = next(b for b in branches if b.label == branch_label)
    point = branch.point(target, seed)
    sizes = list(range(1, branch.codim + extra + 1))
    inputs = gaussian_inputs(sizes[-1], target.d, seed + 11)
    rows = separation_sweep(act, point, target, inputs, sizes, starts=starts, seed=seed, dps=dps)
    config = {"activation": activation_name, "target": target_json, "m": width, "branch": branch.label,
              "codim": branch.codim, "rank": branch.generic_rank, "n": f"1..{sizes[-1]}", "starts": starts,
              "seed": seed, "dps": dps}
    checks = []
    for row in rows:
        seq = row.sequence
        if seq is None:
            continue
        if not seq.epsilons or not all(seq.converged):
            checks.append(Check(f"(a) n = {row.n} < r = {row.model_rank}: constructive sequence theta_eps",
                                seq.reason or "a projection did not converge", "eps -> 0", "", None, "estimate"))
            continue
        ratios = [dist / eps for dist, eps in zip(seq.distances, seq.epsilons)]
        errors = seq.generalization_errors
        slope = (mpmath.log10(errors[-1]) - mpmath.log10(errors[0])) / \
            (mpmath.log10(seq.epsilons[-1]) - mpmath.log10(seq.epsilons[0])) if all(e > 0 for e in errors) else None
        ok = all(q <= 2 for q in ratios) and slope is not None and abs(slope - 2) <= mpmath.mpf("0.1")
        checks.append(Check(f"(a) n = {row.n} < r = {row.model_rank}: theta_eps in Q_n \\ Q*, eps = 1e-2..1e-6",
                            f"|theta_eps - theta°|/eps = {', '.join(decimal_string(q, 3) for q in ratios)}; "
                            f"generalization error {', '.join(decimal_string(e, 2) for e in errors)}; "
                            f"slope {decimal_string(slope, 4) if slope is not None else 'undefined'}",
                            "distance <= 2 eps, error > 0 ~ eps^2", "slope 2 +- 0.1", ok, "estimate"))
    certified = [row.n for row in rows if row.radius.radius is not None]
    if not branch.degenerate:
        expected = [row.n for row in rows if row.n >= branch.codim and row.rank == branch.codim]
        checks.append(Check("(b) transition: n with a certified radius", str(certified),
                            f"n >= codim = {branch.codim}: {expected}", "equal", certified == expected,
                            "certificate"))
    else:
        checks.append(Check("(b) degenerate branch: no radius is certifiable (rank J_n <= r < codim)",
                            str(certified), "[]", "equal", certified == [], "certificate"))
    pairs = [(row.n, row.radius.radius, row.search.nearest) for row in rows if row.radius.radius is not None]
    violations = [n for n, rho, delta in pairs if delta is not None and rho > delta]
    checks.append(Check("(c) rho_n <= nearest non-generalizing minimum found",
                        "; ".join(f"n={n}: {_fmt(rho)} <= {_fmt(delta)}" for n, rho, delta in pairs) or "no radius",
                        "rho_n <= delta_n", "", not violations, "certificate"))
    pooled, bad = pooled_distances(act, point, target, inputs, rows, dps)
    checks.append(Check("(d) nesting: minima found with m samples are in Q_n \\ Q* for all n <= m; pooled "
                        "delta_n = min over m >= n",
                        "; ".join(f"n={n}: {_fmt(dist)}" for n, dist in pooled) + f"; {bad} failed verification",
                        "every found minimum verified", f"residual <= 1e-{dps - 10}", bad == 0, "estimate"))
    free_from = next((row.n for row in rows if all(r.search.nearest is None for r in rows if r.n >= row.n)), None)
    notes = (f"Observed: no non-generalizing global minimum found within distance 1 of theta° from n = {free_from} "
             f"onward ({starts} starts per n); codim = {branch.codim}, r = {branch.generic_rank}.")
    result = Result("C5", TITLE, config, checks, notes)
    result.rows = rows
    return result
