"""Claim C7: gradient descent from small initialization, against the suite's predictions (docs/theory.md §10).

The predictions are exact (branch enumeration, certified model ranks): the optimistic sample size
(the least model rank over Q*) and the separation sample size of each branch (its codimension,
Lemma 4.2(b) of [GLR]). What gradient descent does is measured (numeric.experiment). C7 checks:

* [theory] no run recovers the target below the optimistic sample size (there Q* is a null set of a
  larger set of global minima around it, so recovery needs a null set of starts);
* [measured] some run recovers it at every sample size from the least codimension on;
* [theory vs measured] every recovered run whose limit lies on a branch lies on one whose
  codimension is at most n (recovery onto a branch that is not yet separated would contradict it);
* every decided run had a stable step at its limit (lr lambda_max < 2), so its limit is the descent's;
* the undecided runs are few enough for the rates to mean something (at most a quarter);
* the measured transition beside the number the paper reports;
* a 50-digit check at the limit of one recovered run (C6 machinery: the limit is in Q*, the local
  rate is 2 lambda).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

from ..numeric.classify import pattern_of
from ..numeric.experiment import LR_HALVINGS, ExperimentSpec, rerun_descent
from ..numeric.network import Network, parse_network
from ..numeric.training import decide_at
from ..orchestration.sweep import read_table, run_sweep
from ..symbolic.activations import activation
from . import protocol_oe
from .flow import check_flow
from .global_minima import branch_table
from .protocol_zbz import check_protocol
from .result import Check, Result

TITLE = "gradient descent from small initialization recovers the target from the predicted sample size on"
UNDECIDED_LIMIT = 0.25
#: where the stored full sweeps live (written by `make experiments`, read by notebook 07 and C7's full mode)
TABLES = Path(__file__).resolve().parent.parent / "data" / "experiments"

OE_TARGET = '[[1, "3/5", "4/5", 1, 0, 0], [1, 0, "3/5", "4/5", 1, 0], [1, 0, 0, "3/5", "4/5", 1]]'
OE_TARGET_BIAS = '[[1, "3/5", "4/5", 1, 0, 0, 0], [1, 0, "3/5", "4/5", 1, 0, 0], [1, 0, 0, "3/5", "4/5", 1, 0]]'


@dataclass(frozen=True)
class Setup:
    """A built-in experiment: the spec, the full sweep, its quick subset, and what the paper reports."""
    key: str
    spec: ExperimentSpec
    sizes: tuple
    scales: tuple
    seeds: int
    quick_sizes: tuple
    quick_scales: tuple
    quick_seeds: int
    paper: str
    paper_transition: int | None

    @property
    def table(self):
        return TABLES / f"{self.key}.csv"


SETUPS = {s.key: s for s in (
    Setup("zbz_example1", ExperimentSpec("tanh", "[[1, 1, 1]]", width=2, bias=True, lr=0.5, max_steps=100_000),
          sizes=(2, 3, 4, 5, 6, 7, 8), scales=(1e-20, 1e-8, 1e-3, 0.1, 0.5), seeds=40,
          quick_sizes=(2, 4, 6), quick_scales=(1e-20,), quick_seeds=24,
          paper="[ZBZ] Example 1, Fig. 4 (Gaussian samples, initialization scale 1e-20, recovery = test error "
                "< 1e-8): no recovery at n = 2; at n = 3 only for the initial imbalance ratios 0 and 1 (a null "
                "set); recovery with positive probability at n = 4; at n = 5 some samples recover from every small "
                "initialization; at n = 6 all do. (The failures at ratios near 0 that its Appendix B reports "
                "are of another experiment: d = 3, n = 6, 7, 8, its Figs. 9-10.)",
          paper_transition=4),
    Setup("oe_width3_d5", ExperimentSpec("tanh", OE_TARGET, width=4, lr=0.02, max_steps=100_000),
          sizes=(12, 17, 18, 19, 20, 21, 24, 30), scales=(1e-20, 1e-6, 1e-2, 0.1, 0.5), seeds=24,
          quick_sizes=(), quick_scales=(), quick_seeds=0,
          paper="[OE] Sec. 5.3 and [LLR] Sec. 6 train width-3N tanh networks with a bias on this target; without "
                "a bias neither reports a transition; the theory puts it at k(d+1) = 18",
          paper_transition=None),
    Setup("oe_width3_d5_bias", ExperimentSpec("tanh", OE_TARGET_BIAS, width=4, bias=True, lr=0.02,
                                              max_steps=100_000),
          sizes=(15, 20, 21, 22, 24, 28, 35), scales=(1e-20, 1e-6, 1e-2, 0.1, 0.5), seeds=24,
          quick_sizes=(), quick_scales=(), quick_seeds=0,
          paper="[OE] Fig. 4(a) and [LLR] Fig. 3(a, d): the model rank is 21 = k(d+2) for every width; at width 3 "
                "(21 parameters) the test error drops to ~0 near 21; for wider networks the drop comes later "
                "than 21 but much closer to 21 than to the parameter count",
          paper_transition=21),
)}


@lru_cache(maxsize=16)
def predictions(spec: ExperimentSpec, seed: int = 0) -> dict:
    """Branches of Q* with codim and (certified) model rank; the optimistic and least separation sample sizes.

    Cached per spec (the certified ranks with a bias take seconds): treat the result as read-only.
    """
    target = parse_network(spec.target, "target")
    table = branch_table(activation(spec.activation), target, spec.width, spec.bias, seed)
    branches = [{"label": row["branch"].label, "pattern": str(pattern_of(row["branch"])), "dim": row["branch"].dim,
                 "codim": row["branch"].codim, "rank": row["rank"], "degenerate": row["degenerate"]} for row in table]
    ranks = [b["rank"] for b in branches if b["rank"] is not None]
    return {"branches": branches, "optimistic": min(ranks) if ranks else None,
            "separation": min(b["codim"] for b in branches)}


def rates(rows) -> dict:
    """Per n (all scales together) and per (n, scale): recovered, not recovered, undecided counts."""
    out = defaultdict(Counter)
    for r in rows:
        out[r["n"]][r["outcome"]] += 1
        out[(r["n"], r["scale"])][r["outcome"]] += 1
    return out


def _rate_text(counts):
    decided = counts["recovered"] + counts["not recovered"]
    return f"{counts['recovered']}/{decided}" + (f" (+{counts['undecided']} undecided)" if counts["undecided"] else "")


def check_rows(setup: Setup, rows, pred, local=None) -> list[Check]:
    """The C7 checks on a table of runs (see the module docstring)."""
    by_n = rates(rows)
    sizes = sorted({r["n"] for r in rows})
    optimistic, separation = pred["optimistic"], pred["separation"]
    below = [n for n in sizes if n < optimistic]
    recovered_below = {n: by_n[n]["recovered"] for n in below}
    checks = [Check(f"[theory] no recovery below the optimistic sample size {optimistic}",
                    {str(n): _rate_text(by_n[n]) for n in below}, "0 recovered", "",
                    (not any(recovered_below.values())) if below else None, "estimate",
                    "recovered / decided runs per n" + ("" if below else "; no sample size below it was run"))]
    above = [n for n in sizes if n >= separation]
    # a positive rate is confirmed by one recovered run; none in k runs only bounds the rate (by 3/k at 95 %):
    # undecided, not refuted
    missing = [n for n in above if by_n[n]["recovered"] == 0]
    checks.append(Check(f"[measured] recovery from the least separation sample size {separation} on",
                        {str(n): _rate_text(by_n[n]) for n in above}, "> 0 recovered at every n", "",
                        (not missing or None) if above else None, "estimate",
                        "separation of a branch at n = codim makes a positive-measure set of starts possible; "
                        "whether small-initialization descent finds it is measured"
                        + "".join(f"; n = {n}: none of {sum(by_n[n].values())} runs, so the rate is below "
                                  f"{3 / max(sum(by_n[n].values()), 1):.2f} (95 %)" for n in missing)))
    codim = {b["pattern"]: b["codim"] for b in pred["branches"]}
    name = {b["pattern"]: b.get("label", b["pattern"]) for b in pred["branches"]}   # readers get labels
    landed = [(r["n"], r["branch"]) for r in rows if r["outcome"] == "recovered" and r["branch"]]
    early = [(n, b) for n, b in landed if b in codim and codim[b] > n]
    checks.append(Check("[theory vs measured] recovered limits lie on branches already separated (codim <= n)",
                        len(early), 0, "", not early, "estimate",
                        f"{len(landed)} recovered limits on a branch; " + (
                            "early ones: " + ", ".join(f"n = {n} on {name.get(b, b)}"
                                                       for n, b in sorted(set(early))[:5]) if early else
                            "by branch: " + ", ".join(f"{name.get(b, b)} (codim {codim.get(b, '?')}) x{k}" for b, k in
                                                      sorted(Counter(b for _, b in landed).items())))))
    # gradient descent can only settle where lr * lambda_max(H) < 2: a decided run outside that is the flow's
    # limit, not the descent's, and may not count; an unstable or diverged run must have been retried down to
    # the smallest step
    smallest = setup.spec.lr / 2 ** LR_HALVINGS
    unstable = [r for r in rows if not r["lr_lambda_max"] < 2 and (r["outcome"] != "undecided" or r["lr"] > smallest)]
    checks.append(Check("every decided run's step is stable at its limit (lr * lambda_max(H) < 2); unstable ones were "
                        "retried with halved steps", len(unstable), 0, "", not unstable, "estimate",
                        f"{sum(r['lr'] < setup.spec.lr for r in rows)} runs repeated with a halved step"
                        + (f"; unstable: {[(r['n'], r['scale'], r['seed']) for r in unstable][:5]}" if unstable
                           else "")))
    undecided = sum(by_n[n]["undecided"] for n in sizes)
    share = undecided / max(len(rows), 1)
    checks.append(Check("share of undecided runs", f"{share:.3f}", f"<= {UNDECIDED_LIMIT}", "",
                        True if share <= UNDECIDED_LIMIT else None, "estimate",
                        f"{undecided} of {len(rows)} runs undecided (numeric.training.decide)"))
    checks.append(_comparison(setup, by_n, sizes, optimistic, separation))
    if local is not None:
        checks += local
    return checks


def transition(by_n, sizes):
    """The least n from which every sample size tried has a recovered run (None if there is none)."""
    found = None
    for n in sorted(sizes, reverse=True):
        if by_n[n]["recovered"] == 0:
            break
        found = n
    return found


def _comparison(setup, by_n, sizes, optimistic, separation):
    measured = transition(by_n, sizes)
    reported = setup.paper_transition
    consistent = measured is not None and measured >= optimistic
    if reported is None:
        verdict = "the paper reports no number for this setting"
    elif measured == reported:
        verdict = f"agrees with the paper's {reported}"
    else:
        verdict = (f"differs from the paper's {reported} by {measured - reported:+d}" if measured is not None
                   else f"the paper reports {reported}; no recovery was measured")
    return Check("measured transition (least n from which every n tried recovers) vs the papers", measured,
                 f">= {optimistic} (theory); paper: {reported if reported is not None else '-'}", "",
                 consistent if measured is not None else None, "estimate",
                 f"{verdict}. Predicted: optimistic {optimistic}, least separation {separation}. {setup.paper}")


def local_check(setup: Setup, rows, dps: int = 50, count: int = 1) -> list[Check]:
    """Follow recovered runs (whose limit lies on a branch) at ``dps`` digits with C6's machinery:
    the first such run at each of the ``count`` smallest sample sizes that have one."""
    pick = sorted((r for r in rows if r["outcome"] == "recovered" and r["branch"]),
                  key=lambda r: (r["n"], r["scale"], r["seed"]))
    chosen = [next(r for r in pick if r["n"] == n) for n in sorted({r["n"] for r in pick})[:count]]
    if not chosen:
        return [Check("[50 digits] limit of a recovered run", None, "a recovered run", "", None, "estimate",
                      "no run was recovered with its limit on a branch")]
    act = activation(setup.spec.activation)
    target = parse_network(setup.spec.target, "target")
    checks = []
    for row in chosen:
        run, X, _ = rerun_descent(setup.spec, row["n"], row["scale"], row["seed"], lr=row["lr"])
        start = Network(tuple((Fraction(float(a)), *(Fraction(float(v)) for v in w))
                              for a, w in zip(run.a[0], run.W[0])))
        inputs = [[Fraction(float(v)) for v in x] for x in X]
        result = check_flow(act, target, start, inputs, weights=[1] * len(inputs), how=f"n = {row['n']}",
                            dps=dps, expected_decay="exponential", bias=setup.spec.bias)
        where = f"run n = {row['n']}, scale {row['scale']:g}, seed {row['seed']} from its gradient-descent end point"
        checks += [Check(f"[50 digits] {c.name}", c.value, c.reference, c.tolerance, c.passed, c.kind,
                         f"{where}: {c.detail}") for c in result.evidence]
    return checks


def _stored_decisions(rows) -> Check:
    """Every stored outcome is the one the limit decision gives for that row's limit (a table decided by another
    rule, such as the withdrawn trend of test error against loss, fails here)."""
    stale = [r for r in rows if decide_at(r["limit_loss"], r["limit_test_error"])[0] != r["outcome"]]
    return Check("every stored outcome is decided at its run's limit (numeric.training.decide_at)", len(stale), 0,
                 "", not stale, "estimate", f"{len(rows)} rows re-decided from their limit loss and test error"
                 + (f"; differing: {[(r['n'], r['scale'], r['seed'], r['outcome']) for r in stale][:5]}" if stale
                    else ""))


def check_setup(key: str, stored: bool = False, dps: int = 50, sizes=None, seeds=None, max_steps=None) -> Result:
    """C7 on one built-in setup: its quick subset computed now (``sizes``, ``seeds``, ``max_steps`` narrow it
    further), or the stored full sweep (``stored``)."""
    setup = SETUPS[key]
    if max_steps:
        setup = replace(setup, spec=replace(setup.spec, max_steps=max_steps))
    pred = predictions(setup.spec)
    config = {"setup": key, "activation": setup.spec.activation, "target": setup.spec.target,
              "m": setup.spec.width, "bias": setup.spec.bias}
    if stored and not setup.table.exists():
        return Result("C7", TITLE, dict(config, source="stored sweep"), [Check(
            "stored sweep present", None, str(setup.table.name), "", None, "estimate",
            "the full sweep has not been run here: `make experiments` writes it")])
    if stored:
        spec, rows = read_table(setup.table)
        if spec != setup.spec:
            return Result("C7", TITLE, dict(config, source="stored sweep"), [Check(
                "stored sweep made with this setup's spec", spec.to_json(), setup.spec.to_json(), "", None,
                "estimate", "the table is out of date: `make experiments` (after removing it) recomputes it")])
        source = f"stored sweep {setup.table.name} ({len(rows)} runs)"
        local = [_stored_decisions(rows)]
    else:
        rows = run_sweep(setup.spec, sizes or setup.quick_sizes, setup.quick_scales, range(seeds or setup.quick_seeds),
                         progress=False)
        source = f"computed now ({len(rows)} runs)"
    if not stored:
        local = local_check(setup, rows, dps)
    result = Result("C7", TITLE, dict(config, source=source), check_rows(setup, rows, pred, local))
    result.rows, result.predictions = rows, pred
    return result


def run(config: dict) -> Result:
    if config.get("protocol") == "zbz-fig4":
        return check_protocol(stored=config.get("stored", False), table=TABLES / "zbz_fig4.csv")
    if config.get("protocol") == "oe-fig4a":
        return protocol_oe.check_protocol(TABLES / "oe_fig4a.csv")
    return check_setup(config["setup"], stored=config.get("stored", False), sizes=config.get("sizes"),
                       seeds=config.get("seeds"), max_steps=config.get("max_steps"))


def configurations(quick: bool) -> list:
    """Quick: the [ZBZ] subset computed now; full: also every stored full sweep (`make experiments`)."""
    configs = [{"setup": "zbz_example1"}, {"protocol": "zbz-fig4"}]
    if not quick:
        configs += [{"setup": key, "stored": True} for key in SETUPS]
        configs.append({"protocol": "zbz-fig4", "stored": True})
        if (TABLES / "oe_fig4a.csv").exists():
            configs.append({"protocol": "oe-fig4a", "stored": True})
    return configs
