"""The ``twolayer`` command. Bad input: one line on stderr, exit code 2.

Subcommands: ``verify`` (the main job) and ``activation``; later claims add theirs.
"""
import argparse
import json
import sys

import sympy as sp

from .errors import InputError
from .numeric.precision import DEFAULT_DPS, check_dps


def _add_common(parser):
    parser.add_argument("--dps", type=int, default=DEFAULT_DPS, help="working precision in digits (default 50)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random samples (default 0)")


def _parser():
    parser = argparse.ArgumentParser(prog="twolayer", description=(
        "Verify the geometry and local recovery of global minima of two-layer networks "
        "(Zhang, Zhang, Luo, arXiv:2309.00508)."))
    sub = parser.add_subparsers(dest="command", required=True)

    verify = sub.add_parser("verify", help="run every claim on the built-in configurations")
    verify.add_argument("--quick", action="store_true", help="a smaller set of configurations (under a minute)")
    verify.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    verify.add_argument("--report", metavar="DIR", help="write DIR/report.md and DIR/results.json")
    verify.add_argument("--claim", action="append", metavar="ID", help="only this claim (repeatable)")

    act = sub.add_parser("activation", help="symmetry class and exact Taylor coefficients of an activation")
    act.add_argument("name", help="library name (tanh, sigmoid, ...) or an expression in z")
    act.add_argument("--taylor", type=int, default=12, metavar="S", help="highest Taylor degree (default 12)")
    act.add_argument("--json", action="store_true", help="machine-readable output")
    ind = sub.add_parser("independence", help="are the neurons sigma(w_k.x) (and x_l sigma'(w_k.x)) independent?")
    ind.add_argument("--activation", required=True, help="library name or an expression in z")
    ind.add_argument("--weights", required=True, metavar="JSON", help='input weights, e.g. \'[[1, 0], ["1/2", 1]]\'')
    ind.add_argument("--derivatives", action="store_true", help="include the features x_l sigma'(w_k.x)")
    ind.add_argument("--max-degree", type=int, default=60, metavar="S", help="largest Taylor degree (default 60)")
    ind.add_argument("--json", action="store_true", help="machine-readable output")
    br = sub.add_parser("branches", help="the branches of Q*: pattern, dimension, codimension, rank")
    br.add_argument("--activation", required=True, help="library name or an expression in z")
    br.add_argument("--target", required=True, metavar="JSON", help="target network, neurons [a, w_1, ..., w_d]")
    br.add_argument("--width", required=True, type=int, metavar="M", help="width m of the network")
    br.add_argument("--json", action="store_true", help="machine-readable output")

    rk = sub.add_parser("rank", help="model rank at a parameter point: formula, numerical, certified bounds")
    rk.add_argument("--activation", required=True, help="library name or an expression in z")
    rk.add_argument("--theta", required=True, metavar="JSON", help="network, neurons [a, w_1, ..., w_d(, b)]")
    group = rk.add_mutually_exclusive_group()
    group.add_argument("--samples", type=int, metavar="N", help="also the rank of J_n on N Gaussian samples")
    group.add_argument("--inputs", metavar="JSON", help="also the rank of J_n on these input vectors")
    rk.add_argument("--bias", action="store_true", help="the last input weight of each neuron is a bias")
    rk.add_argument("--json", action="store_true", help="machine-readable output")
    se = sub.add_parser("separation", help="separation of generalizing global minima over sample sizes")
    se.add_argument("--activation", required=True, help="library name or an expression in z")
    se.add_argument("--target", required=True, metavar="JSON", help="target network")
    se.add_argument("--point", required=True, metavar="JSON", help="an exact point of a branch of Q*")
    se.add_argument("--samples", required=True, metavar="LIST", help="sample sizes, e.g. '1,2,3' or '1-6'")
    se.add_argument("--inputs", metavar="JSON", help="your own nested inputs (prefixes are taken)")
    se.add_argument("--starts", type=int, default=20, metavar="K", help="search starts per n (default 20)")
    se.add_argument("--json", action="store_true", help="machine-readable output")
    fl = sub.add_parser("flow", help="gradient flow from an initial point: limit, rate, verdict")
    fl.add_argument("--activation", required=True, help="library name or an expression in z")
    fl.add_argument("--target", required=True, metavar="JSON", help="target network")
    fl.add_argument("--init", required=True, metavar="JSON", help="initial network theta(0)")
    source = fl.add_mutually_exclusive_group()
    source.add_argument("--samples", type=int, metavar="N", help="empirical loss on N Gaussian samples")
    source.add_argument("--inputs", metavar="JSON", help="empirical loss on these input vectors")
    source.add_argument("--population", action="store_true", help="the population loss (default without samples)")
    fl.add_argument("--t-max", required=True, metavar="T", help="time budget")
    fl.add_argument("--json", action="store_true", help="machine-readable output")
    fl.add_argument("--plot", metavar="FILE", help="write a log-scale plot of R(t) to FILE (PNG)")
    for p in (verify, act, ind, br, rk, se, fl):
        _add_common(p)
    return parser


def cmd_verify(args):
    from .claims import registry
    from . import report

    wanted = set(args.claim or [])
    unknown = wanted - {c.id for c in registry.CLAIMS}
    if unknown:
        raise InputError(f"unknown claim {', '.join(sorted(unknown))}; known: "
                         f"{', '.join(c.id for c in registry.CLAIMS)}")
    jobs = [(cid, cfg) for cid, cfg in registry.jobs(args.quick) if not wanted or cid in wanted]
    progress = report.Progress(len(jobs))
    results = []
    for cid, cfg in jobs:
        progress.step(f"{cid} {cfg.get('activation', '')}")
        results.append(registry.run(cid, cfg))
    progress.close()
    print(report.table(results))
    print(f"\n{report.summary(results)}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report.results_json(results), fh, indent=1)
    if args.report:
        report.write(results, args.report)
        print(f"report written to {args.report}/report.md")
    return 1 if any(r.verdict == "FAIL" for r in results) else 0


def cmd_activation(args):
    from .symbolic.activations import activation

    if args.taylor < 0 or args.taylor > 200:
        raise InputError(f"--taylor must be between 0 and 200, got {args.taylor}")
    act = activation(args.name)
    coefficients = act.taylor(args.taylor)
    sym = act.symmetry
    if args.json:
        print(json.dumps({"activation": act.name, "expression": sp.sstr(act.expr), "symmetry": sym.kind,
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
    from .numeric.independence import certify_independence
    from .numeric.network import parse_weights
    from .numeric.precision import decimal_string
    from .symbolic.activations import activation

    act = activation(args.activation)
    weights = parse_weights(args.weights)
    r = certify_independence(act, weights, args.derivatives, max_degree=args.max_degree, dps=args.dps,
                             seed=args.seed)
    relation = None
    if r.relations:
        relation = {name: str(c) for c, name in zip(r.relations[0], r.names) if c}
    if args.json:
        print(json.dumps({"independent": r.independent, "evidence": r.evidence, "rank": r.rank, "size": r.size,
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


def cmd_branches(args):
    from .numeric.network import parse_network
    from .symbolic.activations import activation
    from .symbolic.branches import check_target, enumerate_branches, optimistic_sample_size

    act = activation(args.activation)
    target = parse_network(args.target, "target")
    check_target(act, target)
    branches = enumerate_branches(act, target.m, args.width, target.d)
    rows = [{"pattern": b.label, "dim": b.dim, "codim": b.codim, "generic_rank": b.generic_rank,
             "degenerate": b.degenerate, "example_point": b.point(target, args.seed).to_json()} for b in branches]
    osz = optimistic_sample_size(branches)
    if args.json:
        print(json.dumps({"activation": act.name, "symmetry": act.symmetry.kind, "branches": rows,
                          "optimistic_sample_size": osz}, indent=1))
        return 0
    print(f"Q* for {act.name} ({act.symmetry.kind}), m* = {target.m}, m = {args.width}, d = {target.d}: "
          f"{len(rows)} branches, M = {args.width * (target.d + 1)}")
    print(f"{'pattern':32s} {'dim':>4s} {'codim':>6s} {'rank':>5s}  degenerate")
    for r in rows:
        print(f"{r['pattern']:32s} {r['dim']:4d} {r['codim']:6d} {r['generic_rank']:5d}  {r['degenerate']}")
    print(f"optimistic sample size (smallest generic rank): {osz}")
    return 0


def cmd_rank(args):
    from .numeric.model_rank import model_rank
    from .numeric.network import parse_inputs, parse_network
    from .numeric.precision import decimal_string
    from .symbolic.activations import activation

    act = activation(args.activation)
    theta = parse_network(args.theta, "theta")
    inputs = parse_inputs(args.inputs, theta.d - (1 if args.bias else 0)) if args.inputs else None
    if args.samples is not None and args.samples <= 0:
        raise InputError(f"--samples must be a positive integer, got {args.samples}")
    r = model_rank(act, theta, bias=args.bias, inputs=inputs, samples=args.samples, seed=args.seed, dps=args.dps)
    if args.json:
        print(json.dumps({"model_rank": r.structural, "numerical_rank": r.numerical, "empirical_rank": r.empirical,
                          "singular_values": [decimal_string(v, 20) for v in r.singular_values],
                          "certified_lower": r.certified_lower,
                          "certified_upper": r.structural if r.upper_certified else None,
                          "samples_for_numerical_rank": r.samples, "verdict": r.verdict}, indent=1))
        return 0
    print(f"model rank (exact relations among neurons, [LLR] Cor. 7 form): {r.structural}"
          f"{' (certified upper bound)' if r.upper_certified else ''}")
    print(f"numerical rank of J at {r.samples} samples ({args.dps} digits, gap rule): {r.numerical}")
    print(f"certified lower bound (non-singular minor, arb determinant): {r.certified_lower}")
    if r.empirical is not None:
        print(f"rank of J_n on the given samples: {r.empirical}")
    print(f"verdict: {r.verdict}")
    return 0


def _sizes(text):
    sizes = set()
    try:
        for part in text.split(","):
            low, _, high = part.strip().partition("-")
            sizes.update(range(int(low), int(high or low) + 1))
    except ValueError:
        raise InputError(f"--samples: '{text}' is not a list of sizes such as '1,2,3' or '1-6'") from None
    if not sizes or min(sizes) < 1:
        raise InputError("--samples: sizes must be positive integers")
    return sorted(sizes)


def cmd_separation(args):
    from .numeric.network import gaussian_inputs, parse_inputs, parse_network
    from .numeric.precision import decimal_string
    from .numeric.separation import separation_sweep
    from .symbolic.activations import activation
    from .symbolic.branches import check_target

    act = activation(args.activation)
    target = parse_network(args.target, "target")
    check_target(act, target)
    point = parse_network(args.point, "point")
    if point.d != target.d:
        raise InputError(f"dimension mismatch: the point has d = {point.d}, the target d = {target.d}")
    if point.m < target.m:
        raise InputError(f"width m = {point.m} of the point is below the target width m* = {target.m}")
    sizes = _sizes(args.samples)
    if args.starts < 1:
        raise InputError("--starts must be at least 1")
    if args.inputs:
        inputs = parse_inputs(args.inputs, target.d)
        if len(inputs) < sizes[-1]:
            raise InputError(f"--inputs has {len(inputs)} vectors, --samples asks for {sizes[-1]}")
    else:
        inputs = gaussian_inputs(sizes[-1], target.d, args.seed)
    rows = separation_sweep(act, point, target, inputs, sizes, starts=args.starts, seed=args.seed, dps=args.dps)
    out = [{"n": r.n, "rank": r.rank, "codim": r.codim, "model_rank": r.model_rank, "separated": r.separated,
            "certified_radius": None if r.radius.radius is None else decimal_string(r.radius.radius, 6),
            "estimated_distance": None if r.search.nearest is None else decimal_string(r.search.nearest, 6),
            "why": r.why} for r in rows]
    if args.json:
        print(json.dumps({"rows": out}, indent=1))
        return 0
    print(f"{'n':>3s} {'rank':>5s} {'codim':>6s} {'separated':>10s} {'certified radius':>17s} "
          f"{'nearest found':>14s}  why")
    for r in out:
        print(f"{r['n']:3d} {str(r['rank']):>5s} {r['codim']:6d} {str(r['separated']):>10s} "
              f"{str(r['certified_radius']):>17s} {str(r['estimated_distance']):>14s}  {r['why']}")
    return 0


def cmd_flow(args):
    import mpmath

    from .claims.flow import RATE_TOLERANCE, SLOPE_TOLERANCE
    from .numeric.flow import analyse, gradient_flow
    from .numeric.network import gaussian_inputs, parse_inputs, parse_network
    from .numeric.population import population_points
    from .numeric.precision import decimal_string
    from .symbolic.activations import activation

    act = activation(args.activation)
    target = parse_network(args.target, "target")
    start = parse_network(args.init, "init")
    if start.d != target.d:
        raise InputError(f"dimension mismatch: the initial point has d = {start.d}, the target d = {target.d}")
    try:
        t_max = mpmath.mpf(args.t_max)
    except (ValueError, TypeError):
        raise InputError(f"--t-max: '{args.t_max}' is not a number") from None
    if not t_max > 0 or not mpmath.isfinite(t_max):
        raise InputError(f"--t-max must be a positive time, got {args.t_max}")
    weights = None
    if args.inputs:
        inputs = parse_inputs(args.inputs, target.d)
    elif args.samples is not None:
        if args.samples <= 0:
            raise InputError(f"--samples must be a positive integer, got {args.samples}")
        inputs = gaussian_inputs(args.samples, target.d, args.seed)
    else:
        inputs, weights, _ = population_points(target.d, args.dps)
    run = gradient_flow(act, start, target, inputs, weights=weights, t_max=t_max, dps=args.dps)
    found = analyse(act, run, target, inputs, weights, args.dps)
    rate, slope = found.fitted_rate, found.fitted_slope
    # the same comparisons as claim C6
    decay = "exponential" if run.final_loss < found.loss_target else "algebraic"
    if decay == "exponential":
        verdict = "PASS" if rate is not None and found.rate_error <= RATE_TOLERANCE else "FAIL"
    else:
        verdict = "PASS" if slope is not None and abs(slope + 2) <= SLOPE_TOLERANCE else "INCONCLUSIVE"
    out = {"limit_point": [[decimal_string(v, 25) for v in n] for n in run.limit.neurons],
           "final_time": decimal_string(run.final_time, 6), "final_loss": decimal_string(run.final_loss, 6),
           "generalization_error": decimal_string(found.generalization_error, 6),
           "predicted_rate": decimal_string(found.predicted_rate, 10),
           "fitted_rate": None if rate is None else decimal_string(rate, 10),
           "fitted_slope": None if slope is None else decimal_string(slope, 6), "decay": decay,
           "steps": run.steps, "stopped": run.stopped, "verdict": verdict}
    if args.plot:
        _plot_flow(run, found.predicted_rate, args.plot)
    if args.json:
        print(json.dumps(out, indent=1))
        return 0
    for key, value in out.items():
        print(f"{key:22s} {value}")
    return 0


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
    ax.plot([t_end / 2, t_end], [r_end + float(predicted_rate) * (t_end / 2) / 2.302585, r_end], "--",
            label="slope of rate 2 lambda")
    ax.set_xlabel("t"); ax.set_ylabel("log10 R"); ax.legend()
    fig.savefig(path, dpi=100, bbox_inches="tight")


COMMANDS = {"verify": cmd_verify, "activation": cmd_activation, "independence": cmd_independence,
            "branches": cmd_branches, "rank": cmd_rank, "separation": cmd_separation, "flow": cmd_flow}


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        check_dps(args.dps)
        return COMMANDS[args.command](args)
    except InputError as exc:
        print(f"twolayer: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
