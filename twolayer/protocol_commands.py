"""The handlers of ``twolayer experiment --protocol``: a paper's own protocol, run as it was stated (imported only
when such a command is chosen; each imports its claims when it runs)."""
import sys

from .base.errors import InputError
from .command_checks import _check_workers, _sizes, _writable_path
from .limits import MAX_STEPS
from .report import json_text as _dumps


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


def cmd_protocol_oe(args):
    """``twolayer experiment --protocol oe-fig4a``: the sweep, then per width the transition against the registered
    predictions (docs/theory.md)."""
    from .claims.protocol_oe import (
        LEARNING_RATES,
        MAX_WIDTH,
        QUICK,
        SIZES,
        WIDTHS,
        best_per_n,
        prediction_checks,
        transition,
    )
    from .orchestration.protocol_oe import run_protocol
    _check_workers(args)
    out = _writable_path(args.out, "--out") if args.out else None
    plan = dict(QUICK) if args.quick else {"widths": WIDTHS, "sizes": SIZES, "seeds": range(5), "max_steps": 200_000}
    if args.widths:
        plan["widths"] = _sizes(args.widths)
        if max(plan["widths"]) > MAX_WIDTH:
            raise InputError(f"--widths: at most {MAX_WIDTH} (the papers' widest is 300), got {max(plan['widths'])}")
    if args.samples:
        plan["sizes"] = _sizes(args.samples)
        if max(plan["sizes"]) > max(SIZES):
            raise InputError(f"--samples: the protocol's training sets are nested in one draw of {max(SIZES)} "
                             f"inputs per seed (n = 1 .. {max(SIZES)}), got {max(plan['sizes'])}")
    if args.seeds is not None:
        if not 1 <= args.seeds <= 100:
            raise InputError(f"--seeds must be between 1 and 100, got {args.seeds}")
        plan["seeds"] = range(args.seeds)
    if args.steps is not None:
        if not 1 <= args.steps <= MAX_STEPS:
            raise InputError(f"--steps must be between 1 and {MAX_STEPS}, got {args.steps}")
        plan["max_steps"] = args.steps
    # the estimate before the work: a step costs about 60 ns per (run, sample, neuron) here (make bench)
    runs = len(plan["seeds"]) * len(LEARNING_RATES)
    seconds = sum(60e-9 * runs * n * m * plan["max_steps"] for m in plan["widths"] for n in plan["sizes"])
    print(f"oe-fig4a: {len(plan['widths']) * len(plan['sizes'])} cells of {runs} runs, at most {plan['max_steps']} "
          f"steps each: at most about {seconds / 60:.1f} min of one core (runs stop once converged)", file=sys.stderr)
    rows = run_protocol(out, rates=LEARNING_RATES, workers=args.workers, scheduler=args.scheduler,
                        progress=not args.no_progress and not args.json, **plan)
    checks = prediction_checks(rows)
    widths = sorted({r["width"] for r in rows})
    if args.json:
        print(_dumps({"protocol": args.protocol, "rows": rows, "table": out,
                      "transitions": {str(m): transition(rows, m) for m in widths},
                      "predictions": [{"name": c.name, "value": c.value, "reference": c.reference, "holds": c.passed}
                                      for c in checks]}, indent=1, default=str))
        return 0
    print("[OE] Fig. 4a by its own protocol: tanh with a bias, target sum_s tanh(0.6 x_s + 0.8 x_s+1 + x_s+2), "
          "start N(0, 1e-20)")
    for m in widths:
        best = best_per_n(rows, m)
        print(f"width {m} (M = {7 * m}): transition {transition(rows, m)}; best lr, median and mean test error per n:")
        for n, (lr, med, avg) in best.items():
            outcomes = [r["outcome"] for r in rows if r["width"] == m and r["n"] == n and r["lr"] == lr]
            print(f"  n = {n:2d}: lr {lr:<4} median {med:.1e} mean {avg:.1e}  recovered {outcomes.count('recovered')}"
                  f"/{len(outcomes)} (undecided {outcomes.count('undecided')})")
    for c in checks:
        print(f"{'holds' if c.passed else 'FAILS':>6}  {c.name}: measured {c.value}, predicted {c.reference}")
    return 0
