"""The handlers of the ``twolayer`` subcommands: each reads its parsed options, calls the claim functions and
prints their results (text or ``--json``). The command table in :mod:`twolayer.cli` names each handler; it is
imported only when its command is chosen.
"""
import json
import sys

import sympy as sp

from .base.errors import InputError
from .base.inputs import exact_number
from .command_checks import _check_workers, _sizes, _writable_folder, _writable_path
from .limits import (
    MAX_PARAMETERS,
    MAX_RANK_PARAMETERS,
    MAX_RUNS,
    MAX_SAMPLES,
    MAX_STARTS,
    MAX_STEPS,
    MAX_WEIGHT_VECTORS,
)
from .numeric.problem import Problem
from .protocol_commands import cmd_protocol, cmd_protocol_oe
from .report import json_text as _dumps


def _check_size(network, what, limit=MAX_PARAMETERS):
    M = network.m * (network.d + 1)
    if M > limit:
        raise InputError(f"{what}: {M} parameters exceed the limit {limit} (m (d + 1))")


def _biased_inputs(args, d, count):
    """The samples of a command: --inputs (the user's, d entries each) or ``count`` seeded Gaussian ones;
    with --bias, d counts the bias and each input gets the constant 1 appended."""
    from .numeric.model_rank import augment
    from .numeric.network import gaussian_inputs, parse_inputs
    d_in = d - 1 if args.bias else d
    if args.bias and d_in < 1:
        raise InputError("with --bias every neuron is [a, w_1, ..., w_d, b], so it needs at least 3 entries")
    inputs = parse_inputs(args.inputs, d_in) if args.inputs else gaussian_inputs(count, d_in, args.seed)
    return augment(inputs) if args.bias else inputs


def cmd_verify(args):
    from . import report
    from .claims import registry

    wanted = set(args.claim or [])
    unknown = wanted - {c.id for c in registry.CLAIMS}
    if unknown:
        raise InputError(f"unknown claim {', '.join(sorted(unknown))}; known: "
                         f"{', '.join(c.id for c in registry.CLAIMS)}")
    # the outputs are checked before hours of work, not after
    if args.results:
        _writable_path(args.results, "--results")
    if args.report:
        _writable_folder(args.report, "--report")
    jobs = [(cid, cfg) for cid, cfg in registry.jobs(args.quick) if not wanted or cid in wanted]
    progress = report.Progress([cid for cid, _ in jobs])
    results = []
    pool = None
    try:
        if args.workers > 1:
            import multiprocessing
            # spawned, so that no thread, cache or precision setting of this process is inherited
            pool = multiprocessing.get_context("spawn").Pool(args.workers)
            outcomes = pool.imap(registry.run_timed, jobs)
        else:
            outcomes = (registry.run_timed(job, portable=False) for job in jobs)
        for (cid, cfg), (result, seconds) in zip(jobs, outcomes):
            progress.start(f"{cid} {cfg.get('activation', '')}")
            results.append(result)
            progress.finished(cid, result.verdict, seconds)
        if pool is not None:
            pool.close()   # every job is done: let the workers exit on their own
    except KeyboardInterrupt:
        progress.close()
        _write_verify(args, results, progress.seconds, complete=False, total=len(jobs))
        raise
    finally:
        if pool is not None:
            pool.terminate()   # a no-op after close(); stops the workers on an interrupt or an error
            pool.join()
    progress.close()
    if args.json:
        print(_dumps(report.results_json(results, None, progress.seconds), indent=1))
    else:
        print(report.table(results))
        print(f"\n{report.summary(results)}")
    _write_verify(args, results, progress.seconds)
    return 1 if any(r.verdict == "FAIL" for r in results) else 0


def _write_verify(args, results, seconds, complete=True, total=None):
    """The JSON and the report of a verify run; an interrupted run writes what it has, marked incomplete."""
    from . import report
    note = None if complete else f"incomplete: interrupted after {len(results)} of {total} jobs"
    if args.results:
        with open(args.results, "w") as fh:
            fh.write(_dumps(report.results_json(results, note, seconds), indent=1))
    if args.report:
        report.write(results, args.report, note, seconds)
        print(f"report written to {args.report}/report.md" + (f" ({note})" if note else ""),
              file=sys.stdout if complete and not args.json else sys.stderr)


def cmd_activation(args):
    from .numeric.independence import MAX_DEGREE
    from .symbolic.activations import activation

    if not 0 <= args.taylor <= MAX_DEGREE:
        raise InputError(f"--taylor must be between 0 and {MAX_DEGREE}, got {args.taylor}")
    act = activation(args.name)
    coefficients = act.taylor(args.taylor)
    sym = act.symmetry
    if args.json:
        print(_dumps({"activation": act.name, "expression": sp.sstr(act.expr), "symmetry": sym.kind,
                          "polynomial": sp.sstr(sym.polynomial), "proof": sym.proof,
                          "taylor": [sp.sstr(c) for c in coefficients]}, indent=1))
        return 0
    print(f"activation  {act.name} = {sp.sstr(act.expr)}")
    print(f"symmetry    {sym.describe()}")
    print(f"proof       {sym.proof}")
    print("Taylor coefficients c_s = sigma^(s)(0)/s! (exact):")
    for s, c in enumerate(coefficients):
        print(f"  c_{s} = {sp.sstr(c)}")
    return 0


def cmd_independence(args):
    from .numeric.independence import MAX_DEGREE, CrossCheck, certify_independence
    from .numeric.network import parse_weights
    from .numeric.precision import decimal_string
    from .symbolic.activations import activation

    act = activation(args.activation)
    weights = parse_weights(args.weights)
    size = len(weights) * ((len(weights[0]) + 1) if args.derivatives else 1)
    if len(weights) > MAX_WEIGHT_VECTORS or size > MAX_PARAMETERS:
        raise InputError(f"--weights: {len(weights)} vectors ({size} functions) exceed the limits "
                         f"{MAX_WEIGHT_VECTORS} vectors and {MAX_PARAMETERS} functions")
    if not 0 <= args.max_degree <= MAX_DEGREE:
        raise InputError(f"--max-degree must be between 0 and {MAX_DEGREE}, got {args.max_degree}")
    r = certify_independence(act, weights, args.derivatives, max_degree=args.max_degree,
                             cross_check=CrossCheck(args.seed, args.dps))
    relation = None
    if r.relations:
        relation = {name: str(c) for c, name in zip(r.relations[0], r.names) if c}
    if args.json:
        print(_dumps({"independent": r.independent, "evidence": r.evidence, "rank": r.rank, "size": r.size,
                          "degree": r.degree, "relation": relation, "relation_text": r.relation_text,
                          "numerical_rank": r.numerical_rank, "lemma_prediction": r.prediction,
                          "singular_values": [decimal_string(v, 20) for v in r.singular_values]}, indent=1))
        return 0
    verdict = {True: "independent", False: "dependent", None: "undecided"}[r.independent]
    print(f"family      {r.size} functions: {', '.join(r.names)}")
    print(f"verdict     {verdict}")
    if r.evidence == "exact-certificate":
        print(f"evidence    exact certificate: the rational coefficient matrix has rank {r.rank} = {r.size} "
              f"over Q at degree S = {r.degree} ({r.rows} rows)")
    elif r.evidence == "exact-relation":
        print(f"evidence    exact relation, verified by sympy as an identity in x: {r.relation_text}")
    else:
        print(f"evidence    {r.evidence or 'none'}: no exact decision up to degree {args.max_degree}")
    print(f"numerical   rank {r.numerical_rank} at {args.dps} digits (gap rule), "
          f"s_min/s_1 = {decimal_string(r.singular_values[-1] / r.singular_values[0], 3)}")
    return 0


def _activation_and_target(args):
    """--activation and an irreducible --target (with --bias, neurons of at least 3 entries)."""
    from .numeric.network import parse_network
    from .symbolic.activations import activation
    from .symbolic.branches import check_target
    act = activation(args.activation)
    target = parse_network(args.target, "target")
    check_target(act, target)
    if args.bias and target.d < 2:
        raise InputError("with --bias every neuron is [a, w_1, ..., w_d, b], so it needs at least 3 entries")
    return act, target


def cmd_branches(args):
    from .claims.global_minima import branch_table

    act, target = _activation_and_target(args)
    table = branch_table(act, target, args.width, args.bias, args.seed)
    rows = [{"pattern": row["branch"].label, "dim": row["branch"].dim, "codim": row["branch"].codim,
             "generic_rank": row["rank"], "degenerate": row["degenerate"], "example_point": row["point"].to_json()}
            for row in table]
    ranks = [r["generic_rank"] for r in rows if r["generic_rank"] is not None]
    osz = min(ranks) if ranks else None
    if args.json:
        print(_dumps({"activation": act.name, "symmetry": act.symmetry.kind, "bias": args.bias, "branches": rows,
                      "optimistic_sample_size": osz}, indent=1))
        return 0
    print(f"Q* for {act.name} ({act.symmetry.kind}), m* = {target.m}, m = {args.width}, d = {target.d}"
          f"{' (the last weight is the bias)' if args.bias else ''}: {len(rows)} branches, "
          f"M = {args.width * (target.d + 1)}")
    print(f"{'pattern':32s} {'dim':>4s} {'codim':>6s} {'rank':>5s}  {'degenerate':10s}  example point")
    for r in rows:
        print(f"{r['pattern']:32s} {r['dim']:4d} {r['codim']:6d} {str(r['generic_rank']):>5s}  "
              f"{str(r['degenerate']):10s}  {_compact(r['example_point'])}")
    print(f"optimistic sample size (smallest {'certified' if args.bias else 'generic'} rank): {osz}")
    print(PATTERN_KEY)
    return 0


#: how to read a branch pattern (docs/theory.md §4), printed under every table of branches
PATTERN_KEY = ("key: s=(s_1,...): target neuron j is carried by s_j student neurons with w = w*_j (or -w*_j where "
               "sigma's symmetry allows; a split when s_j > 1); null=k: k neurons with a = 0, w free; groups=(t,...): "
               "free groups of t neurons sharing one new direction, signed output weights summing to 0; zero=k: k "
               "neurons with w = 0, a free (sigma(0) = 0 only); degenerate: generic rank < codim; example point: an "
               "exact point of the branch, neurons [a, w_1, ..., w_d] (with --bias the last entry is b)")


def _compact(network_json):
    """A network's JSON on one line without spaces: [[1,"1/2"],[0,"9/8"]]."""
    return json.dumps(network_json, separators=(",", ":"))


def cmd_rank(args):
    from .claims.global_minima import check_point_rank
    from .numeric.network import parse_inputs, parse_network
    from .numeric.precision import decimal_string
    from .symbolic.activations import activation

    act = activation(args.activation)
    theta = parse_network(args.theta, "theta")
    _check_size(theta, "theta", MAX_RANK_PARAMETERS)
    inputs = parse_inputs(args.inputs, theta.d - (1 if args.bias else 0)) if args.inputs else None
    if inputs is not None:
        _sample_count(len(inputs), "--inputs (number of vectors)")
    result = check_point_rank(act, theta, bias=args.bias, inputs=inputs, samples=_sample_count(args.samples),
                              seed=args.seed, dps=args.dps)
    r = result.rank
    if args.json:
        print(_dumps({"model_rank": r.certified, "certified_lower": r.lower, "certified_upper": r.upper,
                          "formula": r.formula, "numerical_rank": r.numerical, "empirical_rank": r.empirical,
                          "singular_values": [decimal_string(v, 20) for v in r.singular_values],
                          "samples_for_numerical_rank": r.samples,
                          "numerical_rank_wrong": r.estimate_is_wrong, "verdict": result.verdict,
                          "how_lower": r.how_lower, "how_upper": r.how_upper, "how_numerical": r.how_numerical},
                         indent=1))
        return 0
    if r.certified is not None:
        print(f"model rank: {r.certified} (certified: lower and upper bounds meet)")
    else:
        print(f"model rank: not certified; {r.lower} <= r <= {r.upper}")
    print(f"certified lower bound: {r.lower} ({r.how_lower})")
    print(f"certified upper bound: {r.upper} ({r.how_upper})")
    print(f"formula ([LLR] Cor. 7 count, derived here beyond tanh): "
          f"{r.formula if r.formula is not None else 'not derived for this activation class'}")
    wrong = " (wrong: the certified bounds meet at a different rank, and the certificate is the answer)" \
        if r.estimate_is_wrong else ""
    print(f"numerical rank of J at {r.samples} samples ({r.how_numerical}): {r.numerical}{wrong}")
    if r.empirical is not None:
        print(f"rank of J_n on the given samples: {r.empirical}")
    print(f"verdict: {result.verdict}")
    return 0


def cmd_separation(args):
    from .claims.separation import certified_radius_of, check_point_sweep, separation_answer, separation_method
    from .numeric.network import parse_network
    from .numeric.precision import decimal_string, lower_bound_string, upper_bound_string
    from .symbolic.activations import activation
    from .symbolic.branches import check_target

    act = activation(args.activation)
    target = parse_network(args.target, "target")
    check_target(act, target)
    point = parse_network(args.point, "point")
    _check_size(point, "point")
    if point.d != target.d:
        raise InputError(f"dimension mismatch: the point has d = {point.d}, the target d = {target.d}")
    if point.m < target.m:
        raise InputError(f"width m = {point.m} of the point is below the target width m* = {target.m}")
    sizes = _sizes(args.samples)
    _sample_count(sizes[-1], "--samples (largest size)")
    if not 1 <= args.starts <= MAX_STARTS:
        raise InputError(f"--starts must be between 1 and {MAX_STARTS}, got {args.starts}")
    inputs = _biased_inputs(args, target.d, sizes[-1])
    if len(inputs) < sizes[-1]:
        raise InputError(f"--inputs has {len(inputs)} vectors, --samples asks for {sizes[-1]}")
    result = check_point_sweep(Problem(act, target, inputs, dps=args.dps, bias=args.bias), point, sizes=sizes,
                               starts=args.starts, seed=args.seed, config={"activation": act.name, "bias": args.bias})
    out = [{"n": r.n, "rank": r.rank, "codim": r.codim, "model_rank": r.model_rank, "separated": r.separated,
            "certified_radius": _optional_lower(certified_radius_of(r)),
            "method": separation_method(r),
            "second_order": _second_order_json(r.second),
            "estimated_distance": None if r.search.nearest is None else decimal_string(r.search.nearest, 6),
            "certified_upper": None if r.upper is None else upper_bound_string(r.upper.distance, 6),
            "upper_point": None if r.upper is None else {
                "center": [decimal_string(v, 25) for v in r.upper.zero.center],
                "radius": decimal_string(r.upper.zero.radius, 3), "free": list(r.upper.zero.free),
                "probe": [str(v) for v in r.upper.probe]},
            "exclusion_radius": None if r.exclusion is None or r.exclusion.radius is None else
            lower_bound_string(r.exclusion.radius, 6),
            "exclusion": None if r.exclusion is None else {
                "method": "branch and bound: tube lemma (first and second order) near the branch, residuals / "
                          "Krawczyk (Jacobian on the box, or centred) elsewhere",
                "boxes": r.exclusion.boxes, "excluded_by": r.exclusion.counts(),
                "reach": str(r.exclusion.reach), "seconds": round(r.exclusion.seconds, 3),
                "stopped": r.exclusion.reason},
            "why": r.why} for r in result.rows]
    if args.json:
        print(_dumps({"rows": out, "answer": separation_answer(out), "verdict": result.verdict,
                      "notes": result.notes, "evidence": result.to_json()["evidence"]}, indent=1))
        return 0
    print(f"{'n':>3s} {'rank':>5s} {'codim':>6s} {'separated':>10s} {'certified radius':>17s} "
          f"{'exclusion radius':>17s} {'nearest found':>14s} {'certified upper':>16s}  why")
    for r in out:
        print(f"{r['n']:3d} {str(r['rank']):>5s} {r['codim']:6d} {str(r['separated']):>10s} "
              f"{str(r['certified_radius']):>17s} {str(r['exclusion_radius']):>17s} "
              f"{str(r['estimated_distance']):>14s} {str(r['certified_upper']):>16s}  {r['why']}")
    print("(certified and exclusion radii are rounded down: the lemma on one box (or, at a degenerate point, the "
          "second-order lemma), and branch and bound over many; "
          "a certified upper bound is the distance to the farthest point of a box holding a non-generalizing "
          "global minimum (Krawczyk), rounded up)")
    print(f"answer: {separation_answer(out)}")
    print(f"verdict: {result.verdict}")
    if result.notes:
        print(result.notes)
    return 0


def _second_order_json(found):
    """The evidence of the second-order decision at a degenerate point (docs/theory.md §6 (g)), or None."""
    from .numeric.precision import decimal_string, lower_bound_string, upper_bound_string
    if found is None:
        return None
    return {"verdict": found.verdict, "reason": found.reason, "kernel_dim": found.kernel, "rank": found.rank,
            "multipliers": found.multipliers,
            "form_lower_bound": None if found.form_lower is None else lower_bound_string(found.form_lower, 4),
            "radius": None if found.radius is None else lower_bound_string(found.radius, 6),
            "direction": found.direction,
            "zeros": [{"distance_upper": upper_bound_string(z.distance, 6),
                       "center": [decimal_string(v, 25) for v in z.zero.center],
                       "radius": decimal_string(z.zero.radius, 3), "free": list(z.zero.free),
                       "probe": [str(v) for v in z.probe]} for z in found.zeros],
            "seconds": round(found.seconds, 3)}


def _optional_lower(value, digits=6):
    from .numeric.precision import lower_bound_string
    return None if value is None else lower_bound_string(value, digits)


def _optional_decimal(value, digits):
    from .numeric.precision import decimal_string
    return None if value is None else decimal_string(value, digits)


def _sample_count(n, option="--samples"):
    if n is not None and not 1 <= n <= MAX_SAMPLES:
        raise InputError(f"{option} must be between 1 and {MAX_SAMPLES}, got {n}")
    return n


def cmd_flow(args):
    import mpmath

    from .claims.flow import check_flow
    from .numeric.network import parse_network
    from .numeric.population import population_points
    from .numeric.precision import decimal_string
    from .symbolic.activations import activation

    act = activation(args.activation)
    target = parse_network(args.target, "target")
    start = parse_network(args.init, "init")
    _check_size(start, "init")
    t_max = exact_number(args.t_max, "--t-max", magnitude=10**100)
    if not t_max > 0:
        raise InputError(f"--t-max must be a positive time, got {args.t_max}")
    t_max = mpmath.mpf(t_max.numerator) / t_max.denominator
    plot = _writable_path(args.plot, "--plot", (".png", ".pdf", ".svg")) if args.plot else None
    weights = None
    if args.inputs or args.samples is not None:
        inputs = _biased_inputs(args, target.d, _sample_count(args.samples))
        _sample_count(len(inputs), "--inputs (number of vectors)")
        how = f"{len(inputs)} given inputs" if args.inputs else f"n = {args.samples} samples, seed {args.seed}"
    else:
        inputs, weights, how = population_points(target.d, args.dps, args.bias)
    result = check_flow(act, target, start, inputs, weights=weights, how=how, t_max=t_max, dps=args.dps,
                        expect=args.expect, config={"activation": act.name, "samples": how, "bias": args.bias},
                        bias=args.bias)
    run, found = result.run, result.analysis

    out = {"limit_point": [[decimal_string(v, 25) for v in n] for n in run.limit.neurons],
           "final_time": decimal_string(run.final_time, 6), "final_loss": decimal_string(run.final_loss, 6),
           "generalization_error": decimal_string(found.generalization_error, 6),
           "predicted_rate": _optional_decimal(found.predicted_rate, 10),
            "fitted_rate": _optional_decimal(found.fitted_rate, 10),
           "fitted_slope": _optional_decimal(found.fitted_slope, 6), "decay": found.decay, "expect": args.expect,
           "steps": run.steps, "stopped": run.stopped, "verdict": result.verdict,
           "evidence": result.to_json()["evidence"]}
    if plot:
        _plot_flow(run, found.predicted_rate, plot)
    if args.json:
        print(_dumps(out, indent=1))
        return 0
    for key, value in out.items():
        if key != "evidence":
            print(f"{key:22s} {value}")
    for c in result.evidence:
        print(_check_line(c))
    return 0


def _check_line(c):
    """One check as a line of text: [pass|FAIL|undecided] name: value vs reference (detail)."""
    return (f"  [{ {True: 'pass', False: 'FAIL', None: 'undecided'}[c.passed]}] {c.name}: {c.value} vs "
            f"{c.reference} ({c.detail})")


def _plot_flow(run, predicted_rate, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import mpmath

    times = [float(t) for t in run.record.times]
    losses = [float(mpmath.log10(r)) if r > 0 else None for r in run.record.losses]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(times, losses, label="log10 R(t)")
    t_end, r_end = times[-1], losses[-1]
    if predicted_rate is not None:
        ax.plot([t_end / 2, t_end], [r_end + float(predicted_rate) * (t_end / 2) / 2.302585, r_end], "--",
                label="slope of rate 2 lambda")
    ax.set_xlabel("t")
    ax.set_ylabel("log10 R")
    ax.legend()
    fig.savefig(path, dpi=100, bbox_inches="tight")


def cmd_derive(args):
    from .numeric.independence import MAX_DEGREE
    from .symbolic.activations import activation
    from .symbolic.derive import as_json, as_text, derive

    if not 0 <= args.taylor <= MAX_DEGREE:
        raise InputError(f"--taylor must be between 0 and {MAX_DEGREE}, got {args.taylor}")
    found = derive(activation(args.activation), args.width, args.dim, degree=args.taylor, abstract=args.abstract)
    if args.json:
        print(_dumps(as_json(found), indent=1))
    else:
        print(as_text(found, sp.latex if args.latex else sp.sstr))
    return 0


def _experiment_spec(args):
    """(spec, sizes, scales, seeds) from --setup or from the user's own configuration."""
    from dataclasses import replace

    from .claims.experiments import SETUPS
    from .numeric.experiment import ExperimentSpec, validate

    if args.setup:
        if args.setup not in SETUPS:
            raise InputError(f"unknown --setup {args.setup!r}; known: {', '.join(SETUPS)}")
        own = [o for o in ("activation", "target", "width") if getattr(args, o) is not None]
        if own or args.bias:
            raise InputError(f"--setup fixes the configuration; drop --{(own or ['bias'])[0]}")
        setup = SETUPS[args.setup]
        spec = setup.spec
        sizes, scales, seeds = ((setup.quick_sizes, setup.quick_scales, setup.quick_seeds) if args.quick else
                                (setup.sizes, setup.scales, setup.seeds))
    else:
        missing = [o for o in ("activation", "target", "width", "samples") if getattr(args, o) is None]
        if missing:
            raise InputError(f"give --setup, or --{missing[0]} (with --activation, --target, --width, --samples)")
        spec = ExperimentSpec(args.activation, args.target, args.width, args.bias)
        sizes, scales, seeds = (), (1e-20,), 8
    changes = {k: v for k, v in (("lr", args.lr), ("max_steps", args.steps)) if v is not None}
    spec = replace(spec, **changes)
    sizes = _sizes(args.samples) if args.samples else list(sizes)
    scales = _scales(args.scales) if args.scales is not None else list(scales)
    seeds = args.seeds if args.seeds is not None else seeds
    if not 1 <= seeds <= 10_000:
        raise InputError(f"--seeds must be between 1 and 10000, got {seeds}")
    if max(sizes) > MAX_SAMPLES:
        raise InputError(f"--samples: at most {MAX_SAMPLES} samples, got {max(sizes)}")
    if not 1 <= spec.max_steps <= MAX_STEPS:
        raise InputError(f"--steps must be between 1 and {MAX_STEPS}, got {spec.max_steps}")
    if len(sizes) * len(scales) * seeds > MAX_RUNS:
        raise InputError(f"{len(sizes) * len(scales) * seeds} runs exceed the limit {MAX_RUNS}")
    _, target = validate(spec)
    M = spec.width * (target.d + 1)
    if M > MAX_PARAMETERS:
        raise InputError(f"the student has {M} parameters, above the limit {MAX_PARAMETERS} (m (d + 1))")
    return spec, sizes, scales, seeds


def _scales(text):
    if len(text) > 10_000:
        raise InputError("--scales: the list is longer than 10000 characters")
    try:
        scales = sorted({float(v) for v in text.split(",")}, reverse=True)
    except ValueError:
        raise InputError(f"--scales: '{text}' is not a list of numbers such as '1e-20,1e-3'") from None
    if not scales or not all(0 < v < 1e3 for v in scales):
        raise InputError("--scales: every scale must be positive and below 1000")
    return scales


def cmd_experiment(args):
    from .claims.experiments import predictions, rates
    from .orchestration.sweep import run_sweep

    if args.protocol == "oe-fig4a":
        return cmd_protocol_oe(args)
    if args.protocol:
        return cmd_protocol(args)

    spec, sizes, scales, seeds = _experiment_spec(args)
    _check_workers(args)
    out = _writable_path(args.out, "--out") if args.out else None
    if args.plot:
        _writable_path(args.plot, "--plot", (".png", ".pdf", ".svg"))
    try:
        pred, unavailable = predictions(spec, args.seed), None
    except InputError as exc:   # e.g. too many branches to enumerate: the runs themselves are still well defined
        pred, unavailable = None, str(exc)
    rows = run_sweep(spec, sizes, scales, range(seeds), path=out, workers=args.workers, scheduler=args.scheduler,
                     progress=not args.no_progress and not args.json)
    by = rates(rows)
    cells = [{"n": n, "scale": sc, "recovered": by[(n, sc)]["recovered"],
              "not_recovered": by[(n, sc)]["not recovered"], "undecided": by[(n, sc)]["undecided"]}
             for n in sizes for sc in scales]
    if args.json:
        print(_dumps({"spec": json.loads(spec.to_json()), "predictions": pred,
                          "predictions_unavailable": unavailable, "rates": cells, "rows": rows, "table": out},
                         indent=1, default=str))
        return 0
    print(f"{spec.activation}, width {spec.width}{' with bias' if spec.bias else ''}, target {spec.target}")
    if pred is None:
        print(f"predicted: not available ({unavailable})")
    else:
        print(f"predicted: optimistic sample size {pred['optimistic']}, least separation sample size "
              f"{pred['separation']} (branch codims: "
              + ", ".join(f"{b['label']} {b['codim']}" for b in pred["branches"]) + ")")
    print(f"{'n':>5s} {'scale':>8s} {'recovered':>10s} {'not':>5s} {'undecided':>10s}")
    for c in cells:
        print(f"{c['n']:5d} {c['scale']:8.0e} {c['recovered']:10d} {c['not_recovered']:5d} {c['undecided']:10d}")
    if pred is not None:
        result = _experiment_result(spec, sizes, scales, seeds, rows, pred)
        for c in result.evidence:
            print(_check_line(c))
        print(f"verdict against the predictions: {result.verdict}")
    if args.plot:
        _plot_experiment(rows, pred, spec, args.plot)
    if out:
        print(f"runs in {out} (schema {out}.meta.json)")
    return 0


def _experiment_result(spec, sizes, scales, seeds, rows, pred):
    """C7's checks of a sweep against its predictions (no paper number for a sweep of the user's)."""
    from .claims.experiments import Setup, check_rows
    from .claims.result import Result
    setup = Setup("custom", spec, tuple(sizes), tuple(scales), seeds, tuple(sizes), tuple(scales), seeds,
                  paper="", paper_transition=None)
    return Result("C7", "gradient descent from small initialization", {"setup": "custom"},
                  check_rows(setup, rows, pred))


def _plot_experiment(rows, pred, spec, path):
    """The recovery map of a sweep (C7's figure) as a PNG."""
    from .figures import plt, recovery_map  # figures chose the file-only backend
    fig, ax = plt.subplots(figsize=(5.2, 3.8))
    if pred is None:
        pred = {"optimistic": None, "separation": None}
    image = recovery_map(ax, rows, pred, f"{spec.activation}, width {spec.width}, target {spec.target}")
    fig.colorbar(image, ax=ax, label="recovered / decided")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"plot written to {path}")


def cmd_study(args):
    from .claims.study import run_study

    act, target = _activation_and_target(args)
    if args.width < target.m:
        raise InputError(f"--width {args.width} is below the target width m* = {target.m}")
    M = args.width * (target.d + 1)
    if M > MAX_PARAMETERS:
        raise InputError(f"the student has {M} parameters, above the limit {MAX_PARAMETERS} (m (d + 1))")
    if not 0 <= args.starts <= MAX_STARTS:
        raise InputError(f"--starts must be between 0 and {MAX_STARTS}, got {args.starts}")
    if not 0 <= args.boxes <= 100_000:
        raise InputError(f"--boxes must be between 0 and 100000, got {args.boxes}")
    _check_workers(args)
    sizes = _sizes(args.samples) if args.samples else None
    if sizes:
        _sample_count(sizes[-1], "--samples (largest size)")
    if args.report:
        _writable_folder(args.report, "--report")
    study = run_study(args.activation, args.target, args.width,
                      labels=args.branch, bias=args.bias, sizes=sizes, starts=args.starts, boxes=args.boxes,
                      seed=args.seed, dps=args.dps, workers=args.workers, scheduler=args.scheduler,
                      progress=not args.no_progress and not args.json)
    if args.report:
        from .report import write_study
        write_study(study, args.report)
    if args.json:
        print(_dumps(study, indent=1, default=str))
        return 0
    from .report import study_markdown
    print(study_markdown(study, figures=None))
    return 0
