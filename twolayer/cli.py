"""The ``twolayer`` command. Bad input: one line on stderr, exit code 2, never a traceback.

Subcommands (``twolayer SUBCOMMAND --help`` for the options; ``--json`` for machine-readable output):

* ``verify``: every claim (C1..C6, C8) on its built-in configurations; a table, a report, exit 1 on any FAIL;
* ``activation``: symmetry class (with sympy's proof) and exact Taylor coefficients of σ;
* ``derive``: closed-form σ', σ'', gradient and Hessian entries of R_n for one (σ, m, d), text or LaTeX;
* ``independence``: exact certificate that neurons σ(w_k·x) (and x_l σ'(w_k·x)) are independent, or a relation;
* ``branches``: the branches of Q* for a target and width, with dimension, codimension and rank;
* ``rank``: model rank at a parameter point, with certified bounds;
* ``separation``: certified radius / constructive non-separation over sample sizes at a point of Q*;
* ``flow``: gradient flow from a point, its limit, rate and verdict;
* ``experiment``: gradient descent from small initialization over sample sizes, scales and seeds (serial or
  Dask), recovery rates beside the predicted sample sizes, a resumable table of runs.
"""
import argparse
import json
import math
import re
import signal
import sys

import sympy as sp

from .base.errors import InputError
from .base.inputs import exact_number, sample_sizes
from .base.precision import DEFAULT_DPS, MAX_DPS, MIN_DPS, check_dps
from .report import json_text as _dumps

#: Limits that keep every command within seconds to minutes (stated in --help).
MAX_SAMPLES = 5000
MAX_PARAMETERS = 200
#: `rank` reaches the field's widths ([OE]/[LLR]: width 300, d = 5 with a bias): float64 tier and float64 estimate
MAX_RANK_PARAMETERS = 2100
MAX_WEIGHT_VECTORS = 60
MAX_STARTS = 200
MAX_STEPS = 10_000_000
MAX_RUNS = 100_000
MAX_WORKERS = 64
SETUP_KEYS = ("zbz_example1", "oe_width3_d5", "oe_width3_d5_bias")
TARGET_HELP = "target network, neurons [a, w_1, ..., w_d] (exact numbers, e.g. '[[1, \"1/2\"]]')"


class _OneLineParser(argparse.ArgumentParser):
    """argparse whose errors are one ``twolayer: error:`` line and exit code 2 (not a usage block)."""

    def error(self, message):
        raise InputError(f"{message} (see {self.prog} --help)")


#: the largest seed (numpy's generators take any non-negative int; one range for every subcommand)
MAX_SEED = 2**63 - 1


def _int(text):
    if not re.fullmatch(r"\s*[+-]?\d{1,19}\s*", text):   # 19 digits: every seed up to 2^63 - 1
        raise argparse.ArgumentTypeError(f"'{text[:40]}' is not an integer of at most 19 digits")
    return int(text)


def _real(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text[:40]}' is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"'{text[:40]}' is not a finite number")
    return value


def _check_size(network, what, limit=MAX_PARAMETERS):
    M = network.m * (network.d + 1)
    if M > limit:
        raise InputError(f"{what}: {M} parameters exceed the limit {limit} (m (d + 1))")


#: every subcommand: (one-line help, what it does, an example that runs as printed; the README's "Examples" lists the
#: same commands and tests/test_cli.py runs each)
SUBCOMMANDS = {
    "verify": ("run every claim on the built-in configurations",
               "Run the claims C1..C8 on their built-in configurations and print PASS / FAIL / INCONCLUSIVE per "
               "configuration; --report writes the report with its figures. Exit code 1 if any result FAILs. Each "
               "configuration runs at the precision and seeds registered with it (they are in its line and in "
               "results.json), so verify takes no --dps or --seed.",
               "twolayer verify --quick --claim C1"),
    "activation": ("symmetry class and exact Taylor coefficients of an activation",
                   "The symmetry class of sigma (odd, even, generic, or up to a polynomial) with its sympy proof, and "
                   "its exact Taylor coefficients at 0.",
                   "twolayer activation tanh --taylor 7"),
    "derive": ("closed-form sigma', sigma'', gradient and Hessian of R_n, for hand-checking",
               "Closed forms of sigma', sigma'' and of the gradient and Hessian blocks of the empirical loss R_n for a "
               "network of the given width and input dimension, with the independence conditions used in the proofs.",
               "twolayer derive --activation tanh --width 2 --dim 1 --taylor 4"),
    "independence": ("are the neurons sigma(w_k.x) (and x_l sigma'(w_k.x)) independent?",
                     "Decide whether the neuron functions sigma(w_k.x) (with --derivatives also x_l sigma'(w_k.x)) are "
                     "linearly independent: an exact certificate over Q, an exact relation, or a numerical rank.",
                     "twolayer independence --activation tanh --weights '[[1], [\"1/2\"]]' --derivatives"),
    "branches": ("the branches of Q*: pattern, dimension, codimension, rank",
                 "List the branches of the set Q* of global minima with zero generalization error for a target and a "
                 "student width: pattern, dimension, codimension, generic model rank and an exact example point.",
                 "twolayer branches --activation tanh --target '[[1, \"1/2\"]]' --width 3"),
    "rank": ("model rank at a parameter point: formula, numerical, certified bounds",
             "The model rank at a point (rank of the Jacobian of the network function): certified bounds, the "
             "formula where it is derived, the gap-rule rank, and with --samples or --inputs the rank of J_n.",
             "twolayer rank --activation tanh --theta '[[1, \"1/2\"], [0, \"9/8\"]]' --samples 3"),
    "separation": ("separation of generalizing global minima over sample sizes",
                   "Around an exact point of Q*, for each sample size: the certified radius within which every global "
                   "minimum of R_n generalizes, the branch-and-bound exclusion radius, and the nearest "
                   "non-generalizing global minimum found or constructed.",
                   "twolayer separation --activation tanh --target '[[1, \"1/2\"]]' --point "
                   "'[[1, \"1/2\"], [0, \"9/8\"]]' --samples 1-4 --starts 3"),
    "flow": ("gradient flow from an initial point: limit, rate, verdict",
             "Follow gradient flow of R_n (or of the population loss) from theta(0) at high precision: the limit, "
             "the decay type read from the data, the predicted local rate 2 lambda and the fitted one.",
             "twolayer flow --activation tanh --target '[[1, \"1/2\"]]' --init "
             "'[[\"1.05\", \"0.45\"], [\"0.05\", \"1.25\"]]' --samples 5 --t-max 1e40"),
    "experiment": ("gradient descent from small initialization: recovery over n, scale, seed",
                   "Gradient descent from small initialization, as the papers run it: for each sample size, scale and "
                   "seed, whether the run recovers the target, with the predicted optimistic and separation sizes.",
                   "twolayer experiment --activation tanh --target '[[1, \"1/2\"]]' --width 2 --samples 1-3 --seeds 2 "
                   "--steps 20000"),
    "study": ("the local picture of one configuration: branches (or branch types), certified ranks, separation "
              "around n = codim, predicted flow rates; report and JSON",
              "Everything at once for one configuration: the branches (or branch types), certified ranks, separation "
              "sweeps around each branch's codimension and predicted flow rates, with a one-line answer per branch.",
              "twolayer study --activation tanh --target '[[1, \"1/2\"]]' --width 2"),
}


def _subparser(sub, name):
    """The parser of one subcommand, with its description and example from SUBCOMMANDS."""
    short, long, example = SUBCOMMANDS[name]
    return sub.add_parser(name, help=short, description=long, epilog=f"example:\n  {example}",
                          formatter_class=argparse.RawDescriptionHelpFormatter)


def _add_common(parser):
    parser.add_argument("--dps", type=_int, default=DEFAULT_DPS,
                        help=f"working precision in digits, {MIN_DPS} .. {MAX_DPS} (default {DEFAULT_DPS})")
    parser.add_argument("--seed", type=_int, default=0, help="seed of the random samples, 0 .. 2^63 - 1 (default 0)")


def _with_activation(sub, name):
    """A subcommand about one activation: its parser with ``--activation``."""
    parser = _subparser(sub, name)
    parser.add_argument("--activation", required=True, help="library name (tanh, sigmoid, ...) or an expression in z")
    return parser


def _add_taylor(parser, default, text):
    parser.add_argument("--taylor", type=_int, default=default, metavar="S",
                        help=f"{text} (default {default}, at most 60)")


def _add_bias(parser):
    parser.add_argument("--bias", action="store_true", help="the last weight of every neuron is a bias: neurons are "
                        "[a, w_1, ..., w_d, b] and every input gets a constant 1 (not Gaussian)")


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


def _add_width(parser):
    parser.add_argument("--width", required=True, type=_int, metavar="M", help="width m of the network")


def _add_verify(sub):
    verify = _subparser(sub, "verify")
    verify.add_argument("--quick", action="store_true", help="a smaller set of configurations (under a minute)")
    verify.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    verify.add_argument("--report", metavar="DIR", help="write DIR/report.md (with figures) and DIR/results.json")
    verify.add_argument("--claim", action="append", metavar="ID", help="only this claim (repeatable)")
    verify.add_argument("--workers", type=_int, default=1, metavar="N",
                        help="run the jobs on N processes (default 1; make verify uses 2)")
    return verify


def _add_activation(sub):
    act = _subparser(sub, "activation")
    act.add_argument("name", help="library name (tanh, sigmoid, ...) or an expression in z")
    _add_taylor(act, 12, "highest Taylor degree")
    return act


def _add_derive(sub):
    der = _with_activation(sub, "derive")
    _add_width(der)
    der.add_argument("--dim", required=True, type=_int, metavar="D", help="input dimension d")
    _add_taylor(der, 8, "highest Taylor degree shown")
    der.add_argument("--latex", action="store_true", help="print LaTeX instead of plain text")
    der.add_argument("--abstract", action="store_true", help="write the gradient and Hessian with sigma and its "
                     "derivatives unevaluated (the form of the lemmas) instead of expanded for this activation")
    return der


def _add_independence(sub):
    ind = _with_activation(sub, "independence")
    ind.add_argument("--weights", required=True, metavar="JSON", help='input weights, e.g. \'[[1, 0], ["1/2", 1]]\'')
    ind.add_argument("--derivatives", action="store_true", help="include the features x_l sigma'(w_k.x)")
    ind.add_argument("--max-degree", type=_int, default=60, metavar="S",
                     help="largest Taylor degree (default and limit 60)")
    return ind


def _add_branches(sub):
    br = _with_activation(sub, "branches")
    br.add_argument("--target", required=True, metavar="JSON", help=TARGET_HELP)
    _add_width(br)
    _add_bias(br)
    return br


def _add_rank(sub):
    rk = _with_activation(sub, "rank")
    rk.add_argument("--theta", required=True, metavar="JSON", help="network, neurons [a, w_1, ..., w_d(, b)]")
    group = rk.add_mutually_exclusive_group()
    group.add_argument("--samples", type=_int, metavar="N", help="also the rank of J_n on N Gaussian samples")
    group.add_argument("--inputs", metavar="JSON", help="also the rank of J_n on these input vectors")
    _add_bias(rk)
    return rk


def _add_separation(sub):
    se = _with_activation(sub, "separation")
    se.add_argument("--target", required=True, metavar="JSON", help=TARGET_HELP)
    se.add_argument("--point", required=True, metavar="JSON", help="an exact point of a branch of Q*")
    se.add_argument("--samples", required=True, metavar="LIST", help="sample sizes, e.g. '1,2,3' or '1-6'")
    se.add_argument("--inputs", metavar="JSON", help="your own nested inputs (prefixes are taken)")
    se.add_argument("--starts", type=_int, default=20, metavar="K", help="search starts per n (default 20)")
    _add_bias(se)
    return se


def _add_flow(sub):
    fl = _with_activation(sub, "flow")
    fl.add_argument("--target", required=True, metavar="JSON", help=TARGET_HELP)
    fl.add_argument("--init", required=True, metavar="JSON", help="initial network theta(0)")
    source = fl.add_mutually_exclusive_group()
    source.add_argument("--samples", type=_int, metavar="N", help="empirical loss on N Gaussian samples")
    source.add_argument("--inputs", metavar="JSON", help="empirical loss on these input vectors")
    source.add_argument("--population", action="store_true", help="the population loss (default without samples)")
    fl.add_argument("--t-max", required=True, metavar="T", help="time budget. The flow near a limit decays like "
                    "exp(-2 lambda t) (predicted_rate = 2 lambda is printed): give at least 10 / lambda; the run stops "
                    "earlier once R falls below 10^(-2 dps/3), and steps adapt, so a huge budget such as 1e40 costs "
                    "nothing extra on a converging run")
    fl.add_argument("--expect", choices=("recovery", "no-recovery"), default="recovery",
                    help="what the verdict checks the limit against: it generalizes (default) or it does not")
    fl.add_argument("--plot", metavar="FILE", help="write a log-scale plot of R(t) to FILE (PNG)")
    _add_bias(fl)
    return fl


def _add_experiment(sub):
    ex = _subparser(sub, "experiment")
    ex.add_argument("--protocol", choices=["zbz-fig4"], help="a paper's own protocol: zbz-fig4 is [ZBZ] Example 1 "
                    "swept over the initial imbalance ratio (lr 0.5, no halving, 10^7 steps), beside the flow; with "
                    "--quick its subset; --out, --workers, --scheduler and --json apply")
    ex.add_argument("--setup", help="a built-in setup of claim C7 (" + ", ".join(SETUP_KEYS) + "); or give "
                    "--activation, --target, --width")
    ex.add_argument("--activation", help="library name (tanh, sigmoid, ...) or an expression in z")
    ex.add_argument("--target", metavar="JSON", help=TARGET_HELP + "; with --bias the last entry is b")
    ex.add_argument("--width", type=_int, metavar="M", help="width m of the student")
    _add_bias(ex)
    ex.add_argument("--samples", metavar="LIST", help="sample sizes, e.g. '2,4,6' or '2-6'")
    ex.add_argument("--scales", metavar="LIST", help="initialization scales, e.g. '1e-20,1e-3' (default 1e-20)")
    ex.add_argument("--seeds", type=_int, metavar="K", help="seeds 0..K-1 per (n, scale) (default 8)")
    ex.add_argument("--lr", type=_real, help="learning rate on 1/2 sum (f - y)^2 (default 0.1; halved where "
                    "unstable at the limit)")
    ex.add_argument("--steps", type=_int, help=f"gradient-descent step budget (default 100000, at most {MAX_STEPS})")
    ex.add_argument("--quick", action="store_true", help="with --setup: its quick subset (as in twolayer verify)")
    ex.add_argument("--workers", type=_int, default=0, metavar="N", help="run on a local Dask cluster of N processes")
    ex.add_argument("--scheduler", metavar="ADDRESS", help="run on an existing Dask scheduler (tcp://host:8786)")
    ex.add_argument("--out", metavar="FILE", help="append the runs to this CSV table (schema in FILE.meta.json); "
                    "an interrupted sweep resumes from it")
    ex.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    ex.add_argument("--plot", metavar="FILE", help="write the recovery map (rate per n and scale, the predicted "
                    "sizes marked) to FILE (PNG)")
    return ex


def _add_study(sub):
    st = _subparser(sub, "study")
    st.add_argument("--activation", required=True, help="library name (tanh, sigmoid, ...) or an expression in z")
    st.add_argument("--target", required=True, metavar="JSON", help=TARGET_HELP + "; with --bias the last entry is b")
    st.add_argument("--width", required=True, type=_int, metavar="M", help="width m of the student")
    _add_bias(st)
    st.add_argument("--branch", action="append", metavar="LABEL", help="study this branch (or branch type) "
                    "(repeatable; default: every branch up to 60 of them, else three types)")
    st.add_argument("--samples", metavar="LIST", help="sample sizes of each separation sweep (default: codim - 1, "
                    "codim, codim + 1 of each branch)")
    st.add_argument("--starts", type=_int, default=0, help="search starts per sample size for the nearest "
                    "non-generalizing minimum (default 0: none; the sweep still constructs them below n = r)")
    st.add_argument("--boxes", type=_int, default=200, help="branch-and-bound budget per sample size (default 200; "
                    "0: no exclusion radius)")
    st.add_argument("--report", metavar="DIR", help="write DIR/study.md (with figures) and DIR/study.json")
    st.add_argument("--workers", type=_int, default=0, metavar="N", help="study the branches on a local Dask cluster "
                    "of N processes")
    st.add_argument("--scheduler", metavar="ADDRESS", help="run on an existing Dask scheduler (tcp://host:8786)")
    st.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    return st


def _parser():
    parser = _OneLineParser(prog="twolayer", description=(
        "Verify the geometry and local recovery of global minima of two-layer networks "
        "(Zhang, Zhang, Luo, arXiv:2309.00508)."), epilog=(
        f"Limits (bad input gets one error line and exit code 2): Taylor degree <= 60; samples <= {MAX_SAMPLES}; "
        f"parameters m(d+1) <= {MAX_PARAMETERS} ({MAX_RANK_PARAMETERS} for rank); search starts <= {MAX_STARTS}; "
        "at most 5000 branches; activation expressions of at most 1000 characters and 120 operations, exponents p/q "
        "with |p|, q <= 64, real-analytic on the whole real line (proven); numbers of at most 200 characters, "
        "decimal exponents <= 400, "
        f"|value| <= 1e8; precision {MIN_DPS} .. {MAX_DPS} digits; seeds 0 .. 2^63 - 1."))
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_OneLineParser)
    for add in (_add_verify, _add_activation, _add_derive, _add_independence, _add_branches, _add_rank,
                _add_separation, _add_flow, _add_experiment, _add_study):
        command = add(sub)
        if command.prog.split()[-1] != "verify":
            # verify runs each claim at the precision and seeds registered with it (recorded in results.json), so it
            # takes neither option rather than accept and ignore them; its --json names a file
            _add_common(command)
            command.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def cmd_verify(args):
    from . import report
    from .claims import registry

    wanted = set(args.claim or [])
    unknown = wanted - {c.id for c in registry.CLAIMS}
    if unknown:
        raise InputError(f"unknown claim {', '.join(sorted(unknown))}; known: "
                         f"{', '.join(c.id for c in registry.CLAIMS)}")
    # the outputs are checked before hours of work, not after
    if args.json:
        _writable_path(args.json, "--json")
    if args.report:
        _writable_folder(args.report, "--report")
    if not 1 <= args.workers <= MAX_WORKERS:
        raise InputError(f"--workers must be between 1 and {MAX_WORKERS}, got {args.workers}")
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
    print(report.table(results))
    print(f"\n{report.summary(results)}")
    _write_verify(args, results, progress.seconds)
    return 1 if any(r.verdict == "FAIL" for r in results) else 0


def _write_verify(args, results, seconds, complete=True, total=None):
    """The JSON and the report of a verify run; an interrupted run writes what it has, marked incomplete."""
    from . import report
    note = None if complete else f"incomplete: interrupted after {len(results)} of {total} jobs"
    if args.json:
        with open(args.json, "w") as fh:
            fh.write(_dumps(report.results_json(results, note, seconds), indent=1))
    if args.report:
        report.write(results, args.report, note, seconds)
        print(f"report written to {args.report}/report.md" + (f" ({note})" if note else ""),
              file=sys.stdout if complete else sys.stderr)


def _writable_folder(path, option):
    """Create the folder ``path`` (refusing a file or an unwritable place) before any work is done."""
    import os
    if os.path.exists(path) and not os.path.isdir(path):
        raise InputError(f"{option}: {path} is a file, not a folder")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{option}: cannot create the folder {path} ({exc.strerror})") from None
    if not os.access(path, os.W_OK):
        raise InputError(f"{option}: the folder {path} is not writable")
    return path


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
    from .numeric.independence import MAX_DEGREE, certify_independence
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
    r = certify_independence(act, weights, args.derivatives, max_degree=args.max_degree, dps=args.dps,
                             seed=args.seed)
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


def _sizes(text):
    return sample_sizes(text, MAX_SAMPLES)


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
    result = check_point_sweep(act, point, target, inputs, sizes, starts=args.starts, seed=args.seed, dps=args.dps,
                               config={"activation": act.name, "bias": args.bias}, bias=args.bias)
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


def _writable_path(path, option, extensions=None):
    import os
    if os.path.isdir(path):
        raise InputError(f"{option}: {path} is a folder; give a file name")
    if extensions and os.path.splitext(path)[1].lower() not in extensions:
        raise InputError(f"{option}: {path} must end in {' or '.join(extensions)}")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise InputError(f"{option}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise InputError(f"{option}: the folder {folder} is not writable")
    return path


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


def _check_workers(args):
    if args.workers < 0 or args.workers > 64:
        raise InputError(f"--workers must be between 0 and {MAX_WORKERS}, got {args.workers}")
    if args.workers and args.scheduler:
        raise InputError("--workers starts a local cluster and --scheduler names an existing one: give one of them")
    if args.scheduler:
        from .orchestration.sweep import check_scheduler_address
        check_scheduler_address(args.scheduler)


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


def cmd_protocol(args):
    """``twolayer experiment --protocol zbz-fig4``: the sweep, then per n the paper's statement beside ours."""
    from .claims.protocol_zbz import QUICK, statement_checks
    from .orchestration.protocol_zbz import run_protocol
    _check_workers(args)
    out = _writable_path(args.out, "--out") if args.out else None
    rows = run_protocol(out, workers=args.workers, scheduler=args.scheduler,
                        progress=not args.no_progress and not args.json, **(QUICK if args.quick else {}))
    checks = statement_checks(rows, "lr 0.5") + statement_checks(rows, "flow")
    if args.json:
        print(_dumps({"protocol": args.protocol, "rows": rows, "table": out,
                      "statements": [{"name": c.name, "value": c.value, "agrees": c.passed, "detail": c.detail}
                                     for c in checks]}, indent=1, default=str))
        return 0
    print("[ZBZ] Example 1 by its own protocol: tanh with a bias, target tanh(x + 1), width 2, scale 1e-20")
    print(f"{'n':>3} {'runs':>5} {'lr 0.5: recovered':>18} {'oscillating':>12} {'diverged':>9} {'flow: recovered':>16}")
    for n in sorted({r["n"] for r in rows}):
        mine = [r for r in rows if r["n"] == n]
        status = {s: sum(r["status"] == s for r in mine) for s in ("oscillating", "diverged")}
        print(f"{n:>3} {len(mine):>5} {sum(r['paper_recovered'] for r in mine):>18} "
              f"{status['oscillating']:>12} {status['diverged']:>9} "
              f"{sum(r['flow_outcome'] == 'recovered' for r in mine):>16}")
    for c in checks:
        print(f"{'agree' if c.passed else 'DISAGREE':>8}  {c.name}: {c.detail}")
    return 0


def cmd_experiment(args):
    from .claims.experiments import predictions, rates
    from .orchestration.sweep import run_sweep

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


COMMANDS = {"verify": cmd_verify, "activation": cmd_activation, "derive": cmd_derive,
            "independence": cmd_independence,
            "branches": cmd_branches, "rank": cmd_rank, "separation": cmd_separation, "flow": cmd_flow,
            "experiment": cmd_experiment, "study": cmd_study}


def _check_common(args):
    """The shared options, checked once before any work, in the user's own terms."""
    if hasattr(args, "dps"):
        check_dps(args.dps)
    if hasattr(args, "seed") and not 0 <= args.seed <= MAX_SEED:
        raise InputError(f"--seed must be between 0 and 2^63 - 1 = {MAX_SEED}, got {args.seed}")


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        _check_common(args)
        return COMMANDS[args.command](args)
    except InputError as exc:
        print(f"twolayer: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:   # Ctrl-C: one line, the shell's code for SIGINT; finished output was written
        print("twolayer: interrupted", file=sys.stderr)
        return 128 + signal.SIGINT
    except BrokenPipeError:  # the reader closed the pipe (e.g. `| head`): not an error of ours
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
