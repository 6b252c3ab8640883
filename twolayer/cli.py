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
import math
import re
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass

from .base.errors import InputError
from .base.precision import DEFAULT_DPS, MAX_DPS, MIN_DPS, check_dps
from .limits import MAX_PARAMETERS, MAX_RANK_PARAMETERS, MAX_SAMPLES, MAX_SEED, MAX_STARTS, MAX_STEPS, MAX_WORKERS

SETUP_KEYS = ("zbz_example1", "oe_width3_d5", "oe_width3_d5_bias")
TARGET_HELP = "target network, neurons [a, w_1, ..., w_d] (exact numbers, e.g. '[[1, \"1/2\"]]')"


class _OneLineParser(argparse.ArgumentParser):
    """argparse whose errors are one ``twolayer: error:`` line and exit code 2 (not a usage block)."""

    def error(self, message):
        raise InputError(f"{message} (see {self.prog} --help)")


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


def _bounded(low, high):
    """An argparse type: an integer in low .. high (one range rule per option, checked as it is parsed)."""
    def parse(text):
        value = _int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}, got {value}")
        return value
    return parse


def _add_workers(parser, what):
    parser.add_argument("--workers", type=_bounded(0, MAX_WORKERS), default=0, metavar="N",
                        help=f"{what} on N processes, 0 .. {MAX_WORKERS} (default 0: in this process)")


def _add_dask(parser, what):
    _add_workers(parser, f"{what} on a local Dask cluster:")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="run on an existing Dask scheduler (tcp://host:8786)")


def _add_common(parser):
    parser.add_argument("--dps", type=_int, default=DEFAULT_DPS,
                        help=f"working precision in digits, {MIN_DPS} .. {MAX_DPS} (default {DEFAULT_DPS})")
    parser.add_argument("--seed", type=_int, default=0, help="seed of the random samples, 0 .. 2^63 - 1 (default 0)")


def _add_activation_option(parser):
    parser.add_argument("--activation", required=True, help="library name (tanh, sigmoid, ...) or an expression in z")


def _add_target(parser, required=True, bias=False):
    parser.add_argument("--target", required=required, metavar="JSON",
                        help=TARGET_HELP + ("; with --bias the last entry is b" if bias else ""))


def _add_taylor(parser, default, text):
    parser.add_argument("--taylor", type=_int, default=default, metavar="S",
                        help=f"{text} (default {default}, at most 60)")


def _add_bias(parser):
    parser.add_argument("--bias", action="store_true", help="the last weight of every neuron is a bias: neurons are "
                        "[a, w_1, ..., w_d, b] and every input gets a constant 1 (not Gaussian)")


def _add_width(parser):
    parser.add_argument("--width", required=True, type=_int, metavar="M", help="width m of the network")


def _verify_options(verify):
    verify.add_argument("--quick", action="store_true", help="a smaller set of configurations (under a minute)")
    verify.add_argument("--results", metavar="FILE", help="also write the results as JSON to FILE")
    verify.add_argument("--report", metavar="DIR", help="write DIR/report.md (with figures) and DIR/results.json")
    verify.add_argument("--claim", action="append", metavar="ID", help="only this claim (repeatable)")
    _add_workers(verify, "run the claims' jobs on N processes (make verify uses 2)")


def _activation_options(act):
    act.add_argument("name", help="library name (tanh, sigmoid, ...) or an expression in z")
    _add_taylor(act, 12, "highest Taylor degree")


def _derive_options(der):
    _add_activation_option(der)
    _add_width(der)
    der.add_argument("--dim", required=True, type=_int, metavar="D", help="input dimension d")
    _add_taylor(der, 8, "highest Taylor degree shown")
    der.add_argument("--latex", action="store_true", help="print LaTeX instead of plain text")
    der.add_argument("--abstract", action="store_true", help="write the gradient and Hessian with sigma and its "
                     "derivatives unevaluated (the form of the lemmas) instead of expanded for this activation")


def _independence_options(ind):
    _add_activation_option(ind)
    ind.add_argument("--weights", required=True, metavar="JSON", help='input weights, e.g. \'[[1, 0], ["1/2", 1]]\'')
    ind.add_argument("--derivatives", action="store_true", help="include the features x_l sigma'(w_k.x)")
    ind.add_argument("--max-degree", type=_int, default=60, metavar="S",
                     help="largest Taylor degree (default and limit 60)")


def _branches_options(br):
    _add_activation_option(br)
    _add_target(br)
    _add_width(br)
    _add_bias(br)


def _rank_options(rk):
    _add_activation_option(rk)
    rk.add_argument("--theta", required=True, metavar="JSON", help="network, neurons [a, w_1, ..., w_d(, b)]")
    group = rk.add_mutually_exclusive_group()
    group.add_argument("--samples", type=_int, metavar="N", help="also the rank of J_n on N Gaussian samples")
    group.add_argument("--inputs", metavar="JSON", help="also the rank of J_n on these input vectors")
    _add_bias(rk)


def _separation_options(se):
    _add_activation_option(se)
    _add_target(se)
    se.add_argument("--point", required=True, metavar="JSON", help="an exact point of a branch of Q*")
    se.add_argument("--samples", required=True, metavar="LIST", help="sample sizes, e.g. '1,2,3' or '1-6'")
    se.add_argument("--inputs", metavar="JSON", help="your own nested inputs (prefixes are taken)")
    se.add_argument("--starts", type=_int, default=20, metavar="K", help="search starts per n (default 20)")
    _add_bias(se)


def _flow_options(fl):
    _add_activation_option(fl)
    _add_target(fl)
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


def _experiment_options(ex):
    ex.add_argument("--protocol", choices=["zbz-fig4", "oe-fig4a"], help="a paper's own protocol: zbz-fig4 is "
                    "[ZBZ] Example 1 swept over the initial imbalance ratio (lr 0.5, no halving, 10^7 steps), beside "
                    "the flow; oe-fig4a is [OE] Fig. 4a (tanh with a bias, widths 3 .. 300, n = 1 .. 63, lr 0.05 .. "
                    "0.5, --widths, --samples, --seeds and --steps apply); with --quick a subset; --out, --workers, "
                    "--scheduler and --json apply")
    ex.add_argument("--widths", metavar="LIST", help="oe-fig4a: widths, e.g. '3,9' (default 3,9,30,102,300)")
    ex.add_argument("--setup", help="a built-in setup of claim C7 (" + ", ".join(SETUP_KEYS) + "); or give "
                    "--activation, --target, --width")
    ex.add_argument("--activation", help="library name (tanh, sigmoid, ...) or an expression in z")
    _add_target(ex, required=False, bias=True)
    ex.add_argument("--width", type=_int, metavar="M", help="width m of the student")
    _add_bias(ex)
    ex.add_argument("--samples", metavar="LIST", help="sample sizes, e.g. '2,4,6' or '2-6'")
    ex.add_argument("--scales", metavar="LIST", help="initialization scales, e.g. '1e-20,1e-3' (default 1e-20)")
    ex.add_argument("--seeds", type=_int, metavar="K", help="seeds 0..K-1 per (n, scale) (default 8)")
    ex.add_argument("--lr", type=_real, help="learning rate on 1/2 sum (f - y)^2 (default 0.1; halved where "
                    "unstable at the limit)")
    ex.add_argument("--steps", type=_int, help=f"gradient-descent step budget (default 100000, at most {MAX_STEPS})")
    ex.add_argument("--quick", action="store_true", help="with --setup: its quick subset (as in twolayer verify)")
    _add_dask(ex, "run")
    ex.add_argument("--out", metavar="FILE", help="append the runs to this CSV table (schema in FILE.meta.json); "
                    "an interrupted sweep resumes from it")
    ex.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    ex.add_argument("--plot", metavar="FILE", help="write the recovery map (rate per n and scale, the predicted "
                    "sizes marked) to FILE (PNG)")


def _study_options(st):
    _add_activation_option(st)
    _add_target(st, bias=True)
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
    _add_dask(st, "study the branches")
    st.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


@dataclass(frozen=True)
class Command:
    """One subcommand, declared once: its name, one-line summary, description, an example that runs as printed
    (the README's "Examples" lists the same lines and tests/test_cli.py runs each), the function that declares its
    own options, the name of its handler in :mod:`twolayer.commands` (imported when the command is chosen), and
    whether it takes the shared --dps and --seed (every command takes --json: machine-readable output on stdout)."""
    name: str
    summary: str
    description: str
    example: str
    options: Callable[[argparse.ArgumentParser], None]
    handler: str
    shared: bool = True


COMMANDS = (
    Command("verify", "run every claim on the built-in configurations",
            "Run the claims C1..C8 on their built-in configurations and print PASS / FAIL / INCONCLUSIVE per "
            "configuration; --report writes the report with its figures. Exit code 1 if any result FAILs. Each "
            "configuration runs at the precision and seeds registered with it (they are in its line and in "
            "results.json), so verify takes no --dps or --seed.",
            "twolayer verify --quick --claim C1",
            _verify_options, "cmd_verify", shared=False),
    Command("activation", "symmetry class and exact Taylor coefficients of an activation",
            "The symmetry class of sigma (odd, even, generic, or up to a polynomial) with its sympy proof, and "
            "its exact Taylor coefficients at 0.",
            "twolayer activation tanh --taylor 7",
            _activation_options, "cmd_activation"),
    Command("derive", "closed-form sigma', sigma'', gradient and Hessian of R_n, for hand-checking",
            "Closed forms of sigma', sigma'' and of the gradient and Hessian blocks of the empirical loss R_n for a "
            "network of the given width and input dimension, with the independence conditions used in the proofs.",
            "twolayer derive --activation tanh --width 2 --dim 1 --taylor 4",
            _derive_options, "cmd_derive"),
    Command("independence", "are the neurons sigma(w_k.x) (and x_l sigma'(w_k.x)) independent?",
            "Decide whether the neuron functions sigma(w_k.x) (with --derivatives also x_l sigma'(w_k.x)) are "
            "linearly independent: an exact certificate over Q, an exact relation, or a numerical rank.",
            "twolayer independence --activation tanh --weights '[[1], [\"1/2\"]]' --derivatives",
            _independence_options, "cmd_independence"),
    Command("branches", "the branches of Q*: pattern, dimension, codimension, rank",
            "List the branches of the set Q* of global minima with zero generalization error for a target and a "
            "student width: pattern, dimension, codimension, generic model rank and an exact example point.",
            "twolayer branches --activation tanh --target '[[1, \"1/2\"]]' --width 3",
            _branches_options, "cmd_branches"),
    Command("rank", "model rank at a parameter point: formula, numerical, certified bounds",
            "The model rank at a point (rank of the Jacobian of the network function): certified bounds, the "
            "formula where it is derived, the gap-rule rank, and with --samples or --inputs the rank of J_n.",
            "twolayer rank --activation tanh --theta '[[1, \"1/2\"], [0, \"9/8\"]]' --samples 3",
            _rank_options, "cmd_rank"),
    Command("separation", "separation of generalizing global minima over sample sizes",
            "Around an exact point of Q*, for each sample size: the certified radius within which every global "
            "minimum of R_n generalizes, the branch-and-bound exclusion radius, and the nearest "
            "non-generalizing global minimum found or constructed.",
            "twolayer separation --activation tanh --target '[[1, \"1/2\"]]' --point "
            "'[[1, \"1/2\"], [0, \"9/8\"]]' --samples 1-4 --starts 3",
            _separation_options, "cmd_separation"),
    Command("flow", "gradient flow from an initial point: limit, rate, verdict",
            "Follow gradient flow of R_n (or of the population loss) from theta(0) at high precision: the limit, "
            "the decay type read from the data, the predicted local rate 2 lambda and the fitted one.",
            "twolayer flow --activation tanh --target '[[1, \"1/2\"]]' --init "
            "'[[\"1.05\", \"0.45\"], [\"0.05\", \"1.25\"]]' --samples 5 --t-max 1e40",
            _flow_options, "cmd_flow"),
    Command("experiment", "gradient descent from small initialization: recovery over n, scale, seed",
            "Gradient descent from small initialization, as the papers run it: for each sample size, scale and "
            "seed, whether the run recovers the target, with the predicted optimistic and separation sizes.",
            "twolayer experiment --activation tanh --target '[[1, \"1/2\"]]' --width 2 --samples 1-3 --seeds 2 "
            "--steps 20000",
            _experiment_options, "cmd_experiment"),
    Command("study", "the local picture of one configuration: branches (or branch types), certified ranks, separation "
            "around n = codim, predicted flow rates; report and JSON",
            "Everything at once for one configuration: the branches (or branch types), certified ranks, separation "
            "sweeps around each branch's codimension and predicted flow rates, with a one-line answer per branch.",
            "twolayer study --activation tanh --target '[[1, \"1/2\"]]' --width 2",
            _study_options, "cmd_study"),
)
#: by name
BY_NAME = {c.name: c for c in COMMANDS}


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
    for command in COMMANDS:
        parser_of = sub.add_parser(command.name, help=command.summary, description=command.description,
                                   epilog=f"example:\n  {command.example}",
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
        command.options(parser_of)
        if command.shared:
            # verify runs each claim at the precision and seeds registered with it (recorded in results.json), so it
            # takes neither option rather than accept and ignore them
            _add_common(parser_of)
        parser_of.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    return parser


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
        from . import commands
        return getattr(commands, BY_NAME[args.command].handler)(args)
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
