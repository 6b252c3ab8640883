r"""Claim C5: separation of the generalizing global minima as n grows (docs/theory.md, separation).

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

from ..base.precision import working_precision
from ..base.tolerance import generalization_verdict, zero_residual
from ..numeric.classify import branch_constraints
from ..numeric.evaluate import as_arb_matrix, evaluate
from ..numeric.exclusion import exclusion_radius, reverify_exclusion
from ..numeric.krawczyk import certified_upper_bound, reverify_zero
from ..numeric.network import Network, gaussian_inputs, parse_network
from ..numeric.population import population_loss
from ..numeric.precision import (
    arb_to_mpf,
    decimal_string,
    distance,
    exact_fraction,
    lower_bound_string,
    to_mpf,
    upper_bound_string,
)
from ..numeric.problem import Problem
from ..numeric.projection import project
from ..numeric.reverify_second_order import reverify_second_order
from ..numeric.separation import ZeroSetSamples, certified_radius, known_minimum_family
from ..orchestration.separation_sweep import separation_sweep
from ..symbolic.activations import activation
from .global_minima import find_branch, setup_case
from .result import Check, Result

TITLE = "separation of generalizing global minima as n grows"


def _fmt(x):
    return "none found" if x is None else decimal_string(x, 3)


def _fmt_lower(x):
    return "none" if x is None else lower_bound_string(x, 3)


def separation_method(row):
    """How a sweep row's answer was reached: "interval lemma" (a certified radius), "second order" (the decision
    at a degenerate point), "constructive sequence" (n < r) or None (not decided)."""
    if row.radius.radius is not None:
        return "interval lemma, J enclosed on the box"
    if row.second is not None and row.second.separated is not None:
        return row.second.method      # "second order", or "third order" at a zero class
    return "constructive sequence" if row.separated is False else None


def certified_radius_of(row):
    """The radius that certifies a separated row: the lemma's, or at a degenerate point the second-order one."""
    if row.radius.radius is not None:
        return row.radius.radius
    return None if row.second is None else row.second.radius


def separation_answer(rows):
    """One line: which sample sizes are separated, which are not, which are undecided (runs of n collapsed).

    ``rows`` are SweepRows, or dicts with ``n`` and ``separated`` as ``twolayer separation --json`` prints them.

    >>> print(separation_answer([{"n": 1, "separated": False}, {"n": 2, "separated": False},
    ...                          {"n": 3, "separated": True}, {"n": 5, "separated": None}]))
    n = 1-2: not separated (non-generalizing global minima converge to the point);
    n = 3: separated (certified radius); n = 5: not decided
    """
    words = {True: "separated (certified radius)",
             False: "not separated (non-generalizing global minima converge to the point)", None: "not decided"}
    runs = []
    for row in rows:
        n, state = (row["n"], row["separated"]) if isinstance(row, dict) else (row.n, row.separated)
        if runs and runs[-1][2] is state and runs[-1][1] == n - 1:
            runs[-1][1] = n
        else:
            runs.append([n, n, state])
    return "; ".join(f"n = {a}" + (f"-{b}" if b > a else "") + f": {words[state]}" for a, b, state in runs)


def pooled_distances(problem: Problem, point, rows):
    """(n, min distance over minima found with m >= n samples) after checking each is in Q_n \\ Q*."""
    act, target, inputs, dps = problem.act, problem.target, problem.inputs, problem.dps
    base = [to_mpf(v) for v in point.flat()]
    tolerance = zero_residual(dps)
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


def reverify_radius(problem: Problem, point, certificate):
    """Re-check a radius certificate independently: the box built from its end points, both norms
    bounded two ways (Frobenius and sqrt(||.||_1 ||.||_inf), the smaller kept), U recomputed.

    Returns True (the inequality Delta(rho) < sigma_min holds again), False, or None without a radius.
    The smaller of two valid bounds is still valid, so a sound certificate always re-verifies.
    """
    act, target, inputs, dps = problem.act, problem.target, problem.inputs, problem.dps
    if certificate.radius is None:
        return None
    from flint import arb, arb_mat, fmpq

    rows = branch_constraints(act, point, target)
    if rows is None:
        return False
    rho = exact_fraction(certificate.radius)

    def norm_upper(matrix):
        entries = [[abs(matrix[i, j]).upper() for j in range(matrix.ncols())] for i in range(matrix.nrows())]
        if not all(e.is_finite() for row in entries for e in row):
            return None
        frobenius = sum((e * e for row in entries for e in row), arb(0)).sqrt().upper()
        one = max((sum((row[j] for row in entries), arb(0)) for j in range(matrix.ncols())), key=lambda b: b.upper())
        inf = max((sum(row, arb(0)) for row in entries), key=lambda b: b.upper())
        mixed = (one.upper() * inf.upper()).sqrt().upper()
        return frobenius if frobenius < mixed else mixed

    with working_precision(dps):
        X = as_arb_matrix(inputs)
        theta = [fmpq(f.numerator, f.denominator) for f in map(exact_fraction, point.flat())]
        box = [arb(t - fmpq(rho.numerator, rho.denominator)).union(arb(t + fmpq(rho.numerator, rho.denominator)))
               for t in theta]
        BN = arb_mat([[arb(fmpq(row[i].numerator, row[i].denominator)) for row in rows] for i in range(len(theta))])
        JB = evaluate(act, point, X, dps=dps).jacobian * BN
        mids = mpmath.matrix([[arb_to_mpf(JB[i, j]) for j in range(JB.ncols())] for i in range(JB.nrows())])
        Q, _ = mpmath.qr(mids)
        U = arb_mat([[arb(Q[i, j]) for i in range(JB.nrows())] for j in range(JB.ncols())])
        A0 = U * JB
        try:
            inverse_bound = norm_upper(A0.inv())
        except ZeroDivisionError:
            return False
        delta = norm_upper(U * evaluate(act, Network.from_flat(box, point.d), X, dps=dps).jacobian * BN - A0)
        if inverse_bound is None or delta is None:
            return False
        return bool(delta * inverse_bound < 1)


def _sequence_check(row):
    """(a) for n < r: the constructive sequence theta_eps -> theta° of non-generalizing minima."""
    seq = row.sequence
    name = f"(a) n = {row.n} < r = {row.model_rank}: theta_eps in Q_n \\ Q*, eps = 1e-2..1e-6"
    if not seq.epsilons or not all(seq.converged):
        return Check(name, None, "eps -> 0", None, None, "estimate", seq.reason or "a projection did not converge")
    ratios = [dist / eps for dist, eps in zip(seq.distances, seq.epsilons)]
    errors = seq.generalization_errors
    slope = (mpmath.log10(errors[-1]) - mpmath.log10(errors[0])) / \
        (mpmath.log10(seq.epsilons[-1]) - mpmath.log10(seq.epsilons[0])) if all(e > 0 for e in errors) else None
    ok = all(q <= 2 for q in ratios) and slope is not None and abs(slope - 2) <= mpmath.mpf("0.1")
    return Check(name, {"distance_over_eps": [decimal_string(q, 3) for q in ratios],
                        "generalization_error": [decimal_string(e, 2) for e in errors],
                        "slope": None if slope is None else decimal_string(slope, 4)},
                 {"distance_over_eps": "<= 2", "slope": "2"}, {"slope": "0.1"}, bool(ok), "estimate",
                 "error ~ eps^2: the generalization error of theta_eps against eps on a log-log scale")


def _transition_check(rows, codim):
    """(b) at a non-degenerate point: the n with a certified radius against the n >= codim whose gap-rule rank of
    J_n is codim. A disagreement at an n where the gap rule decided is a FAIL; an n where it is undecided (a
    singular value between the two thresholds: ill-conditioned samples) is compared with nothing, so the check is
    INCONCLUSIVE there, whatever the certificate says (a certified radius does prove rank J_n = codim, but the
    comparison is of the gap rule, and it gave no answer)."""
    decided = [row for row in rows if row.n < codim or row.rank is not None]
    undecided = [row.n for row in rows if row.n >= codim and row.rank is None]
    certified = [row.n for row in decided if row.radius.radius is not None]
    expected = [row.n for row in decided if row.n >= codim and row.rank == codim]
    passed = False if certified != expected else (None if undecided else True)
    detail = f"codim = {codim}"
    if undecided:
        proven = [n for n in undecided if next(r for r in rows if r.n == n).radius.radius is not None]
        detail += (f"; gap-rule rank undecided at n = {undecided} (ill-conditioned samples: a singular value of J_n "
                   f"between the two thresholds), not compared; the certified radius proves rank J_n = codim at "
                   f"n = {proven}")
    return Check("(b) transition: the n with a certified radius are the n >= codim with rank J_n = codim "
                 "(gap rule)", certified, expected, 0, passed, "estimate", detail)


def sweep_checks(problem: Problem, point, rows, degenerate):
    """The C5 comparisons for one sweep (built-in or the user's point): (checks, notes, pooled), with pooled the
    [(n, pooled nearest distance or None)] of (d)."""
    act, target, inputs, dps = problem.act, problem.target, problem.inputs, problem.dps
    codim = rows[0].codim
    checks = [_sequence_check(row) for row in rows if row.sequence is not None]
    between = [row for row in rows if row.model_rank <= row.n < codim and row.radius.radius is None]
    if between:
        # over the reals a count of equations decides nothing here (x^2 + y^2 = 0): a statement needs a certificate,
        # and the only one that reaches this range is the second-order decision
        checks.append(Check("(a) r <= n < codim: separation stated only where the second-order test certified it "
                            "(no dimension count)", {str(row.n): row.separated for row in between},
                            {str(row.n): _second_verdict(row) for row in between}, 0,
                            all(row.separated is _second_verdict(row) for row in between), "exact",
                            f"r = {rows[0].model_rank}, codim = {codim}"))
    certified = [row.n for row in rows if row.radius.radius is not None]
    if not degenerate:
        checks.append(_transition_check(rows, codim))
    else:
        checks.append(Check("(b) degenerate point: no radius is certified (rank J_n <= r < codim)", certified, [], 0,
                            certified == [], "estimate", f"codim = {codim}, r = {rows[0].model_rank}"))
    if certified:
        again = [reverify_radius(problem.with_inputs(inputs[:row.n]), point, row.radius)
                 for row in rows if row.radius.radius is not None]
        checks.append(Check("(b) every certified radius re-verified independently (box from its end points, "
                            "two norm bounds)", [lower_bound_string(row.radius.radius, 6) for row in rows
                                                 if row.radius.radius is not None],
                            "Delta(rho) ||A^-1|| < 1", 0, all(again), "certificate",
                            f"re-verified: {again}"))
    pairs = [(row.n, row.radius.radius, row.search.nearest) for row in rows
             if row.radius.radius is not None and row.search.nearest is not None]
    notes = []
    if pairs:
        checks.append(Check("(c) rho_n <= distance of the nearest non-generalizing minimum found",
                            [lower_bound_string(rho, 6) for _, rho, _ in pairs],
                            [decimal_string(delta, 6) for _, _, delta in pairs], 0,
                            all(rho <= delta for _, rho, delta in pairs), "estimate",
                            f"n = {[n for n, _, _ in pairs]}"))
    else:
        notes.append("(c) not exercised: at no n with a certified radius did the search find a non-generalizing "
                     "minimum within its range (see the known-minimum family for a comparison that is exercised).")
    uppers = [row for row in rows if row.upper is not None]
    if uppers:
        # each box re-verified by the independent Krawczyk computation and its distance in rational arithmetic;
        # a certified non-generalizing minimum must lie beyond every certified radius at the same n
        again = [reverify_zero(act, row.upper.zero, point.d, target, inputs[:row.n], dps)
                 and _exact_farthest(row.upper, point) for row in uppers]
        both = [(row.radius.radius, row.upper.distance) for row in uppers if row.radius.radius is not None]
        checks.append(Check("(e) certified upper bounds delta-bar_n (Krawczyk box of a non-generalizing global "
                            "minimum, f_theta != f* on it), each re-verified independently; rho_n <= delta-bar_n "
                            "where both exist", {str(row.n): upper_bound_string(row.upper.distance, 6)
                                                 for row in uppers}, "re-verified; rho_n <= delta-bar_n", 0,
                            all(again) and all(rho <= u for rho, u in both), "certificate",
                            f"re-verified: {again}; {len(both)} sample sizes with both ends certified"))
    checks += _exclusion_checks(problem, point, rows, notes)
    checks += second_order_checks(problem, point, rows)
    pooled, bad = pooled_distances(problem, point, rows)
    if any(dist is not None for _, dist in pooled):
        checks.append(Check("(d) nesting: minima found with m samples are in Q_n \\ Q* for all n <= m",
                            bad, 0, decimal_string(zero_residual(dps), 3), bad == 0, "estimate",
                            "pooled delta_n = min over m >= n: " +
                            "; ".join(f"n={n}: {_fmt(dist)}" for n, dist in pooled)))
    free_from = next((row.n for row in rows if all(r.search.nearest is None for r in rows if r.n >= row.n)), None)
    seen = (f"no non-generalizing global minimum found within the search range from n = {free_from} onward"
            if free_from is not None else
            f"non-generalizing global minima found within the search range up to the largest n = {rows[-1].n}")
    notes.append(f"Observed: {seen}; codim = {codim}, r = {rows[0].model_rank}.")
    return checks, " ".join(notes), pooled


def _second_verdict(row):
    return None if row.second is None else row.second.separated


def second_order_checks(problem: Problem, point, rows):
    """(g) the second-order decisions at a degenerate point (docs/theory.md §6c): every n >= r decided, each
    certificate re-verified by separate code, and no decision contradicted by nesting (Q_n ⊆ Q_m for m <= n, so a
    radius at m holds at every n >= m) or by a non-generalizing minimum found or certified at as many samples."""
    inputs = problem.inputs
    decided = [row for row in rows if row.second is not None]
    if not decided:
        return []
    verdicts = {str(row.n): row.second.verdict for row in decided}
    undecided = [row.n for row in decided if row.second.separated is None]
    checks = [Check("(g) degenerate point: every n >= r decided to second order (separated: a definite combination "
                    "of the forms lambda^T D^2 F_n on K plus a remainder bound; not separated: zeros of F_n off Q* "
                    "certified along a common real zero of the forms)", verdicts, "separated or not separated",
                    0, None if undecided else True, "certificate",
                    "; ".join(f"n = {row.n}: {row.second.reason}" for row in decided))]
    again = [reverify_second_order(problem.with_inputs(inputs[:row.n]), point, row.second)
             for row in decided if row.second.separated is not None]
    if again:
        checks.append(Check("(g) every second-order certificate re-verified by separate code (radius: Neumann "
                            "inverse, interval Cholesky, entrywise Hessians; zeros: Krawczyk again)",
                            [ok for ok, _ in again], "all true", 0, all(ok for ok, _ in again), "certificate",
                            "; ".join(why for _, why in again)))
    clashes = []
    for row in decided:
        if row.second.separated is not True:
            continue
        radius = row.second.radius
        for later in rows:
            if later.n < row.n:
                continue
            near = [z.distance for z in (later.second.zeros if later.second is not None else [])]
            near += [later.upper.distance] if later.upper is not None else []
            near += [later.search.nearest] if later.search.nearest is not None else []
            clashes += [(row.n, later.n, float(u)) for u in near if u <= radius]
    checks.append(Check("(g) no second-order radius at n contains a non-generalizing minimum of Q_m, m >= n "
                        "(certified zero boxes, certified upper bounds, the search)", clashes, [], 0,
                        clashes == [], "certificate",
                        "radii: " + ", ".join(f"n = {row.n}: {lower_bound_string(row.second.radius, 4)}"
                                              for row in decided if row.second.radius is not None)))
    return checks


def _exclusion_checks(problem: Problem, point, rows, notes):
    """(f) the branch-and-bound exclusion radii: each re-verified, and below every certified or found
    non-generalizing minimum of as many or more samples (those lie in Q_n \\ Q* too)."""
    done = [row for row in rows if row.exclusion is not None and row.exclusion.radius is not None]
    for row in rows:
        if row.exclusion is not None and row.exclusion.radius is None:
            notes.append(f"(f) n = {row.n}: no exclusion radius ({row.exclusion.reason}).")
            break
    if not done:
        return []
    again = [reverify_exclusion(problem.with_inputs(problem.inputs[:row.n]).at(30), point,
                                row.exclusion) for row in done]
    checks = [Check("(f) exclusion radius r_n by branch and bound (tube lemma near the branch, residuals and Krawczyk "
                    "elsewhere), every excluded box re-verified by separate code and the ball's coverage sampled",
                    {str(row.n): lower_bound_string(row.exclusion.radius, 6) for row in done},
                    "re-verified", 0, all(ok for ok, _ in again), "certificate",
                    "; ".join(f"n = {row.n}: {row.exclusion.boxes} boxes, "
                              f"{why}" for row, (_, why) in zip(done, again)))]
    gains = [(row.n, row.exclusion.radius / row.radius.radius) for row in done if row.radius.radius is not None]
    if gains:
        notes.append("(f) exclusion radius / lemma radius: " + ", ".join(f"n = {n}: {float(g):.3g}" for n, g in gains)
                     + ".")
    above = []
    for row in done:
        certified = [r.upper.distance for r in rows if r.n >= row.n and r.upper is not None]
        found = [r.search.nearest for r in rows if r.n >= row.n and r.search.nearest is not None]
        if certified or found:
            above.append((row.n, row.exclusion.radius, min(certified + found), bool(found)))
    if above:
        checks.append(Check("(f) r_n <= every non-generalizing minimum certified or found with m >= n samples",
                            [lower_bound_string(r, 6) for _, r, _, _ in above],
                            [decimal_string(u, 6) for _, _, u, _ in above], 0, all(r <= u for _, r, u, _ in above),
                            "estimate" if any(f for *_, f in above) else "certificate",
                            f"n = {[n for n, *_ in above]}: a minimum of Q_m \\ Q* (m >= n) is in Q_n \\ Q*"))
    return checks


def check_point_sweep(problem: Problem, point, sizes, starts=12, seed=0, config=None, exclusion_boxes=1000) -> Result:
    """C5 on one exact point of Q* (``twolayer separation`` and ``twolayer study`` go through here); ``bias``:
    inputs end in 1; ``exclusion_boxes``: the branch-and-bound budget per sample size."""
    dps = problem.dps
    rows = separation_sweep(problem, point, sizes=sizes, starts=starts, seed=seed, exclusion_boxes=exclusion_boxes)
    degenerate = rows[0].model_rank < rows[0].codim
    checks, notes, pooled = sweep_checks(problem, point, rows, degenerate)
    result = Result("C5", TITLE, dict(config or {}, starts=starts, seed=seed, dps=dps), checks, notes)
    result.rows, result.pooled = rows, pooled
    return result


def check_sweep(activation_name, target_json, width, branch_label, extra=2, starts=12, seed=0, dps=50,
                boxes=1000) -> Result:
    """C5 on a built-in branch: a random exact point of it, n = 1 .. codim + extra nested Gaussian samples;
    ``boxes``: the branch-and-bound budget per sample size."""
    act, target, branches = setup_case(activation_name, target_json, width)
    branch = find_branch(branches, branch_label)
    point = branch.point(target, seed)
    sizes = list(range(1, branch.codim + extra + 1))
    inputs = gaussian_inputs(sizes[-1], target.d, seed + 11)
    config = {"activation": activation_name, "target": target_json, "m": width, "branch": branch.label,
              "codim": branch.codim, "rank": branch.generic_rank, "n": f"1..{sizes[-1]}"}
    return check_point_sweep(Problem(act, target, inputs, dps=dps), point, sizes=sizes, starts=starts, seed=seed,
                             config=config, exclusion_boxes=boxes)


# The known-minimum family: tanh, d = 2, a null-branch point, v moves the null neuron's output
# weight and the target neuron's input weight (outside the tangent space of the branch).
KNOWN_MINIMUM_CASE = {"activation": "tanh", "target": '[[1, "1/2", "-3/4"]]',
                      "point": '[[1, "1/2", "-3/4"], [0, "5/4", "3/8"]]', "direction": [0, "1/2", "1/2", 1, 0, 0],
                      "etas": ["1e-1", "1e-2", "1e-3"], "samples": 6,
                      "boxes": 4000}


def _exact_farthest(upper, point):
    """True when delta-bar^2 >= sum (|c_i - theta°_i| + rho_i)^2 in exact rationals (rho_i = 0 on fixed ones)."""
    rho = exact_fraction(upper.zero.radius)
    total = sum((abs(exact_fraction(c) - exact_fraction(p)) + (rho if i in upper.zero.free else 0)) ** 2
                for i, (c, p) in enumerate(zip(upper.zero.center, point.flat())))
    return exact_fraction(upper.distance) ** 2 >= total


def check_known_minimum(case=None, seed=3, dps=50) -> Result:
    """C5, exercised: samples on the zero set of f_{theta_eta} - f* put a non-generalizing global minimum at
    distance eta |v| from theta° for every n; the search must find it, rho_n must stay below it, rho_n -> 0."""
    from fractions import Fraction

    case = dict(KNOWN_MINIMUM_CASE, **(case or {}))
    act, target = activation(case["activation"]), parse_network(case["target"], "target")
    point = parse_network(case["point"], "point")
    direction = [Fraction(v) for v in case["direction"]]
    with working_precision(dps):
        samples = ZeroSetSamples(case["samples"], seed)
        family = known_minimum_family(act, point, target, direction, case["etas"], samples)
    base = [to_mpf(v) for v in point.flat()]
    radii, found, verified, uppers, exclusions = [], [], [], [], []
    for member in family:
        radii.append(certified_radius(Problem(act, target, member.inputs, dps=dps), point).radius)
        exclusions.append(exclusion_radius(Problem(act, target, member.inputs, dps=30), point, max_boxes=case["boxes"]))
        p = project(Problem(act, target, member.inputs, dps=dps), member.theta_eta, step_limit=member.eta)
        gen = arb_to_mpf(abs(population_loss(act, p.network, target, dps)[0]).upper())
        found.append(distance(p.network.flat(), base) if p.converged else None)
        verified.append(bool(p.converged and generalization_verdict(gen, dps) is False))
        upper = certified_upper_bound(Problem(act, target, member.inputs, dps=dps), point,
                                      p.network) if p.converged else None
        again = upper is not None and reverify_zero(act, upper.zero, point.d, target, member.inputs, dps)
        uppers.append(upper if again else None)
    config = {k: case[k] for k in ("activation", "target", "point", "samples", "boxes")}
    config.update(etas=case["etas"], seed=seed, dps=dps)
    checks = [Check("a non-generalizing global minimum is found near theta_eta (projection onto Q_n converges, "
                    "population loss above the threshold)", verified, [True] * len(family), 0, all(verified),
                    "estimate", "distances to theta°: " + ", ".join(_fmt(f) for f in found)),
              Check("rho_n <= distance of that minimum, for every eta",
                    [None if r is None else lower_bound_string(r, 6) for r in radii],
                    [None if f is None else decimal_string(f, 6) for f in found], 0,
                    None if any(r is None or f is None for r, f in zip(radii, found)) else
                    all(r <= f for r, f in zip(radii, found)), "estimate",
                    "a radius above the distance of a known non-generalizing minimum would be a false certificate")]
    bracket = [(r, u.distance) for r, u in zip(radii, uppers) if r is not None and u is not None]
    checks.append(Check("delta-bar_n certified for every eta: a box (Krawczyk, re-verified independently) with exactly "
                        "one zero of the residuals and f_theta != f* at a probe input on all of it",
                        [None if u is None else upper_bound_string(u.distance, 6) for u in uppers],
                        "certified for every eta", "", all(u is not None for u in uppers), "certificate",
                        "delta-bar = max |theta - theta°| over the box, rounded up; box radii "
                        + ", ".join("-" if u is None else f"{float(u.zero.radius):.1e}" for u in uppers)))
    exact = [None if u is None else _exact_farthest(u, point) for u in uppers]
    shown = [None if u is None else upper_bound_string(u.distance, 6) for u in uppers]
    checks.append(Check("delta-bar_n re-verified in rational arithmetic: delta-bar^2 >= sum (|c_i - theta°_i| + "
                        "rho_i)^2, the farthest corner of the box", shown, "exact farthest-corner distance",
                        0, all(e is not None for e in exact) and all(exact), "exact",
                        "center and radius of each box are exact dyadic numbers; the comparison is over Q"))
    checks.append(Check("rho_n <= delta_n <= delta-bar_n: the certified bracket is consistent",
                        [[lower_bound_string(r, 6), upper_bound_string(u, 6)] for r, u in bracket],
                        "rho <= delta-bar", 0, all(r <= u for r, u in bracket) if bracket else None, "certificate",
                        "ratio delta-bar / rho: " + ", ".join(f"{float(u / r):.3g}" for r, u in bracket)
                        + " (the lemma is first order: rho ~ sigma_min(A) / Lipschitz(A))"))
    excluded = [e.radius for e in exclusions]
    again = [reverify_exclusion(Problem(act, target, m.inputs, dps=30), point, e) for m, e in zip(family, exclusions)]
    checks.append(Check("exclusion radius r_n (branch and bound), re-verified box by box, and r_n <= delta-bar_n",
                        [None if r is None else lower_bound_string(r, 6) for r in excluded],
                        "re-verified; r_n <= delta-bar_n", 0,
                        all(ok for ok, _ in again) and all(r is not None and (u is None or r <= u.distance)
                                                           for r, u in zip(excluded, uppers)), "certificate",
                        "; ".join(f"eta = {m.eta}: {e.boxes} boxes, r/rho = "
                                  + ("-" if e.radius is None or rho is None else f"{float(e.radius / rho):.3g}")
                                  + ", delta-bar/r = " + ("-" if e.radius is None or u is None else
                                                           f"{float(u.distance / e.radius):.3g}")
                                  for m, e, rho, u in zip(family, exclusions, radii, uppers))
                        + f"; re-verification: {[why for _, why in again]}"))
    if all(r is not None for r in radii):
        shrink = [radii[k + 1] / radii[k] for k in range(len(radii) - 1)]
        eta_ratio = [mpmath.mpf(case["etas"][k + 1]) / mpmath.mpf(case["etas"][k]) for k in range(len(radii) - 1)]
        checks.append(Check("rho_n -> 0 with eta (each step: rho ratio <= 2 x eta ratio)",
                            [decimal_string(q, 3) for q in shrink], [decimal_string(q, 3) for q in eta_ratio], 0,
                            all(q <= 2 * e for q, e in zip(shrink, eta_ratio)), "estimate"))
    result = Result("C5", TITLE + " (known non-generalizing minimum)", config, checks)
    result.family, result.radii, result.found, result.uppers = family, radii, found, uppers
    result.exclusions = exclusions
    return result


#: The split point of the review (docs/theory.md §6 (a), (g)) and the sample sets of ``twolayer study`` with the
#: default seed and with --seed 3 (seed + 11): at n = 7 one has an indefinite form, the other a definite one.
REVIEW_CASE = {"activation": "tanh", "target": '[[1, 1, "1/2"], ["-1/2", "1/3", -1]]',
               "point": '[["9/8", 1, "1/2"], ["-1/8", 1, "1/2"], ["-1/2", "1/3", -1]]', "seeds": (0, 3), "n": 7}


def check_review_point(starts=4, dps=50) -> Result:
    """C5 at the review's split point: the sweep n = 6..8 on both sample sets (second order between r = 6 and
    codim = 8, where no first-order statement exists), and the two answers at n = 7, which must be opposite and
    both certified."""
    case = REVIEW_CASE
    act, target, point = activation(case["activation"]), parse_network(case["target"]), parse_network(case["point"])
    checks, notes, answers = [], [], {}
    for seed in case["seeds"]:
        inputs = gaussian_inputs(8, target.d, seed + 11)
        rows = separation_sweep(Problem(act, target, inputs, dps=dps), point, sizes=[6, 7, 8], starts=starts,
                                seed=seed, exclusion_boxes=0)
        found, more, _ = sweep_checks(Problem(act, target, inputs, dps=dps), point, rows, True)
        checks += [Check(f"seed {seed}: {c.name}", c.value, c.reference, c.tolerance, c.passed, c.kind, c.detail)
                   for c in found]
        notes.append(f"seed {seed}: {more}")
        answers[seed] = next(row for row in rows if row.n == case["n"])
    states = {seed: row.separated for seed, row in answers.items()}
    checks.append(Check(f"n = {case['n']}: the two sample sets get opposite certified answers (one definite form, "
                        "one with a real zero)", {str(s): v for s, v in states.items()}, "one True, one False", 0,
                        sorted(states.values(), key=str) == [False, True], "certificate",
                        "; ".join(f"seed {s}: {answers[s].why}" for s in states)))
    config = {"activation": case["activation"], "target": case["target"], "point": case["point"],
              "case": "review point", "n": "6..8"}
    return Result("C5", TITLE, config, checks, " ".join(notes))
