"""Mutation testing: inject a fault into the library, run the claims, and require that they notice.

A check that cannot fail is a defect. Each mutant below replaces one snippet of one module's
source (a wrong Hessian block, a box shrunk 1000-fold, a rate missing its factor 2, ...), is
applied in-process, and runs a few claim configurations; it is *killed* when at least one result
turns FAIL or INCONCLUSIVE (a crash counts as killed, and is reported as such). The same
configurations must PASS without the mutant, or the kill would mean nothing.

Run ``make mutate`` (or ``python tests/mutation.py``); ``tests/test_mutation.py`` runs it in
``make test`` and requires a score of 100 %.
"""
import contextlib
import importlib
import inspect
import sys
import time
from dataclasses import dataclass

from twolayer.claims import registry

TANH_1 = registry.TARGETS[1, 1]
TANH_22 = registry.TARGETS[2, 2]


@dataclass(frozen=True)
class Mutant:
    name: str
    claim: str        # the claim whose machinery the fault is in
    module: str
    old: str
    new: str
    runs: tuple       # (claim id, configuration) pairs


def c1(act="tanh"):
    return ("C1", {"activation": act, "m*": 1, "m": 2, "d": 1, "n": 8, "seed": 0, "dps": 40})


def c2_series(act="tanh"):
    return ("C2", {"activation": act, "part": "series"})


def c2_family(act, name):
    families = {**registry.independence.FAMILIES, **registry.independence.SPECIAL_FAMILIES.get(act, {})}
    weights, derivatives = families[name]
    return ("C2", {"activation": act, "family": name, "weights": weights, "derivatives": derivatives, "dps": 50})


def c3(branch, act="tanh", target=TANH_1, m=2):
    return ("C3", {"activation": act, "target": target, "m": m, "branch": branch, "seed": 0, "dps": 50})


def c4(act="tanh", target=TANH_1, m=2, bias=False):
    return ("C4", {"activation": act, "target": target, "m": m, "bias": bias, "seed": 0, "dps": 50})


C5_REVIEW = ("C5", {"activation": "tanh", "case": "review point", "starts": 2, "dps": 50})
# a split next to a null neuron: A = U J_n V is ill-conditioned there, so the remainder term sets the radius
# a zero class of tanh (two neurons at w = 0): every quadratic form vanishes, the cubic term decides
C5_ZERO_CLASS = ("C5", {"activation": "tanh", "target": TANH_1, "m": 3, "branch": "s=(1) zero=2", "starts": 3,
                        "seed": 0, "dps": 50, "boxes": 100})
# a split of one neuron into three in d = 1: every form is a multiple of one indefinite form, Lemma (g4) decides
C5_THREE_SPLIT = ("C5", {"activation": "tanh", "target": TANH_1, "m": 3, "branch": "s=(3)", "starts": 3,
                         "seed": 0, "dps": 50, "boxes": 100})
C5_NULL_SPLIT = ("C5", {"activation": "tanh", "target": TANH_1, "m": 3, "branch": "s=(2) null=1", "starts": 3,
                        "seed": 0, "dps": 50, "boxes": 100})


def c5(branch="s=(1) null=1"):
    return ("C5", {"activation": "tanh", "target": TANH_1, "m": 2, "branch": branch, "starts": 3, "seed": 0,
                   "dps": 50, "boxes": 300})


C5_KNOWN = ("C5", {"activation": "tanh", "case": "known minimum", "seed": 3, "dps": 50, "boxes": 300})


def c6(case="exponential", branch="s=(1) null=1", samples=5):
    return ("C6", {"activation": "tanh", "target": TANH_1, "m": 2, "branch": branch, "case": case,
                   "samples": samples, "seed": 0, "dps": 50})


def c8(part, **config):
    return ("C8", {"part": part, **config})


MUTANTS = [
    Mutant("Hessian: cross block a_k/w_k counted twice", "C1", "twolayer.numeric.evaluate",
           "H[base, base + 1 + p] += cross[p, 0]", "H[base, base + 1 + p] += 2 * cross[p, 0]", (c1(),)),
    Mutant("gradient without its factor 1/n", "C1", "twolayer.numeric.evaluate",
           "gradient = J.transpose() * we / (n if uniform else 1)", "gradient = J.transpose() * we", (c1(),)),
    Mutant("Hessian: sigma'' block with the wrong sign", "C1", "twolayer.numeric.evaluate",
           "v = [weighted[i] * sigma_z[i][k][2] for i in range(n)]",
           "v = [-weighted[i] * sigma_z[i][k][2] for i in range(n)]", (c1(),)),
    Mutant("a Taylor coefficient perturbed in the 30th digit", "C2", "twolayer.symbolic.activations",
           "self._coefficients[:] = [sp.S.Zero if sign(c) == 0 else c for c in raw]",
           "self._coefficients[:] = [sp.S.Zero if sign(c) == 0 else c for c in raw]\n"
           "            self._coefficients[3] += sp.Rational(1, 10**30)", (c2_series(),)),
    Mutant("symmetry classes odd and even mislabelled", "C2", "twolayer.symbolic.activations",
           'for kind, flip, parity in (("odd", 1, 0), ("even", -1, 1)):',
           'for kind, flip, parity in (("even", 1, 0), ("odd", -1, 1)):', (c2_series(),)),
    Mutant("a relation's sign flipped before its proof", "C2", "twolayer.numeric.independence",
           "    for vector in basis:\n", "    for vector in basis:\n        vector = [-vector[0]] + vector[1:]\n",
           (c2_family("tanh", "a +-w pair, d=2, with x sigma'"),)),
    Mutant("derivative features without their factor s", "C2", "twolayer.symbolic.independence",
           "row.append(s * _power_coefficient(w, lower))", "row.append(_power_coefficient(w, lower))",
           (c2_family("tanh", "a +-w pair, d=2, with x sigma'"),)),
    Mutant("branch dimension: free group counted with d + t", "C3", "twolayer.symbolic.branches",
           "sum(d + t - 1 for t in self.groups)", "sum(d + t for t in self.groups)",
           (c3("s=(1) groups=(2)", m=3),)),
    Mutant("branch points: split weights do not sum to a*", "C3", "twolayer.symbolic.branches",
           "parts = head + [total - sum(head, Fraction(0))]", "parts = head + [total + sum(head, Fraction(0))]",
           (c3("s=(2)"),)),
    Mutant("a w = 0 neuron adds 1 to the rank instead of d", "C4", "twolayer.symbolic.branches",
           "rank += d if self.slope_at_zero else 0", "rank += 1 if self.slope_at_zero else 0",
           (c4(target=TANH_22, m=3),)),
    Mutant("upper rank bound off by one (a relation missed)", "C4", "twolayer.numeric.model_rank",
           "upper = size - len(r.relations)\n", "upper = size - len(r.relations) + 1\n", (c4(),)),
    Mutant("a gap-rule rank that differs from closed certified bounds turned into a FAIL", "C4",
           "twolayer.claims.global_minima", "    elif r.estimate_is_wrong:\n        numerical_ok = True",
           "    elif r.estimate_is_wrong:\n        numerical_ok = False",
           (("C4", {"activation": "tanh", "theta": '[[1, 1], [1, "1.000000000001"]]', "seed": 0, "dps": 50}),)),
    Mutant("exact lower rank bound replaced by the family size", "C4", "twolayer.numeric.model_rank",
           "lower = size - len(r.relations) - r.unverified", "lower = size", (c4(),)),
    Mutant("certified radius: box shrunk 1000-fold", "C5", "twolayer.numeric.precision",
           "return [to_arb(v) + arb(0, rho) for v in center]",
           "return [to_arb(v) + arb(0, rho / 1000) for v in center]",
           (c5(), C5_KNOWN)),
    Mutant("certified radius: the variation Delta dropped", "C5", "twolayer.numeric.separation",
           'return arb("inf") if bound is None else bound', 'return arb("inf") if bound is None else 0 * bound',
           (c5(), C5_KNOWN)),
    Mutant("shift identities ignored: with a bias every odd sigma enumerated as tanh is (sin's relations lost)",
           "C3", "twolayer.symbolic.branches", "    if prove_zero(act.expr - sp.tanh(z)):\n",
           "    if act.symmetry.kind == 'odd':\n", (("C3", {"part": "bias coverage"}),)),
    Mutant("dimension count restored: r <= n < codim stated 'not separated' without a certificate", "C5",
           "twolayer.orchestration.separation_sweep",
           "        elif row.second is not None and row.second.separated is not None:\n"
           "            row.separated, row.why = row.second.separated, f\"second order: {row.second.reason}\"",
           "        elif r <= n < codim:\n            row.separated, row.why = False, \"dim Q_n >= M - n > dim B\"",
           (C5_REVIEW,)),
    Mutant("non-separation sequence started 10x too far", "C5", "twolayer.numeric.separation",
           "start = Network.from_flat([b + eps * a for b, a in zip(base, v)], point.d)",
           "start = Network.from_flat([b + 10 * eps * a for b, a in zip(base, v)], point.d)", (c5(),)),
    Mutant("rate missing its factor 2", "C6", "twolayer.numeric.flow",
           "None if lam is None else 2 * lam", "None if lam is None else lam", (c6(),)),
    Mutant("lambda: the second smallest positive eigenvalue", "C6", "twolayer.numeric.flow",
           "return +positive[0]", "return +positive[1]", (c6(),)),
    Mutant("decay read from why the run stopped", "C6", "twolayer.numeric.flow",
           "    reached = bool(losses) and losses[-1] < loss_target\n",
           "    reached = bool(losses) and losses[-1] < loss_target\n    if not reached:\n"
           "        return \"algebraic\", evidence\n", (c6(case="split", branch="s=(2)"), c6(case="truncated"))),
    Mutant("generalization thresholds swapped", "C6", "twolayer.base.tolerance",
           "if population_loss <= generalizes_below(dps):\n        return True",
           "if population_loss <= generalizes_below(dps):\n        return False", (c6(case="no-recovery", samples=2),
                                                                               c6())),
    Mutant("deficient number read as the number of free groups", "C8", "twolayer.claims.paper",
           "    return r, branch.null\n", "    return r, len(branch.groups)\n",
           (c8("strata", activation="exp", target=TANH_1, m=2),)),
    Mutant("Remark 4.1's scan compared with the codimension instead of Lemma 4.2's rank", "C8",
           "twolayer.claims.paper", "k is not None and k != paper_rank]", "k is not None and k != branch.codim]",
           (c8("strata", activation="exp", target=TANH_1, m=2),)),
    Mutant("Remark 4.1's scan drawn at the first point's seed again", "C8", "twolayer.claims.paper",
           "candidate = branch.point(target, seed + k)", "candidate = branch.point(target, seed)",
           (c8("strata", activation="exp", target=TANH_1, m=2),)),
    Mutant("exponential-sum zeros counted over all real t (negative t = e^x included)", "C8", "twolayer.claims.paper",
           "return int(poly.count_roots(0, None))", "return int(poly.count_roots())", (c8("exp exact"),)),
    Mutant("the exp d = 1 minimum's mismatch probed at its own samples", "C8", "twolayer.claims.paper",
           "[(Fraction(2),), (Fraction(-1),)]", "[(Fraction(0),), (Fraction(1),)]", (c8("exp exact"),)),
    Mutant("Prop. 4.1's radius sought two samples below (d + 1) m0 + 1", "C8", "twolayer.claims.paper",
           "        n = (d + 1) * m0 + 1\n", "        n = (d + 1) * m0 - 1\n", (c8("unique representation"),)),
    Mutant("Cor. 3.5's box taken around two equal weights", "C8", "twolayer.claims.paper",
           "rho = separating_box_radius(act, weights, inputs, dps)",
           "rho = separating_box_radius(act, [weights[0], weights[0]], inputs, dps)", (c8("separating inputs"),)),
    Mutant("Cor. 3.5 with one input fewer than (d + 1) r", "C8", "twolayer.claims.paper",
           "inputs = gaussian_inputs((d + 1) * r, d, seed)", "inputs = gaussian_inputs((d + 1) * r - 1, d, seed)",
           (c8("separating inputs"),)),
    Mutant("Example (c): the linear-rate flow started at Q1 instead of Q2", "C8", "twolayer.claims.paper",
           'run_case("exp", target, 2, "s=(1) null=1", "exponential", samples=4',
           'run_case("exp", target, 2, "s=(2)", "exponential", samples=4', (c8("example flows"),)),
    Mutant("Assumption 2.1 by boundedness: the value at 0 compared with the limit itself", "C8",
           "twolayer.claims.paper_neurons", "sign(part.subs(z, point) - limit) != 0", "sign(limit - limit) != 0",
           (c8("statements"),)),
    Mutant("Remark 5.1 (c = 0): the distance's rate compared with 2 lambda (the loss rate) instead of lambda", "C6",
           "twolayer.claims.flow", "expected = None if found.predicted_rate is None else found.predicted_rate / 2",
           "expected = None if found.predicted_rate is None else found.predicted_rate", (c6(),)),
    Mutant("Morse-Bott criterion with a strict r > (m + m0)/2", "C8", "twolayer.claims.paper",
           "return 2 * r >= m + m0 and", "return 2 * r > m + m0 and",
           (c8("strata", activation="exp", target=TANH_1, m=3),)),
    Mutant("[ZBZ] branches Q1 and Q2 read the wrong way round", "C8", "twolayer.claims.paper",
           'codim = {"Q1": branches["s=(2)"].codim, "Q2": branches["s=(1) null=1"].codim}',
           'codim = {"Q2": branches["s=(2)"].codim, "Q1": branches["s=(1) null=1"].codim}', (c8("ZBZ example 1"),)),
    Mutant("a null neuron's direction counted d - 1 times (the three-neuron example's 2d becomes 2d - 2)", "C8",
           "twolayer.symbolic.branches", "+ d * self.null +", "+ (d - 1) * self.null +", (c8("statements"),)),
    Mutant("Finding 5 with l <= 2r - m - m0 (the Morse-Bott strata counted as the empty clause)", "C8",
           "twolayer.claims.paper", "below += l < 2 * r - m - m0", "below += l <= 2 * r - m - m0",
           (c8("statements"),)),
    Mutant("the paper's flow equation read with its minus sign", "C8", "twolayer.claims.paper",
           "printed = 2 * (a * sigma(w * x) - y) * sigma(w * x)",
           "printed = -2 * (a * sigma(w * x) - y) * sigma(w * x)",
           (c8("statements"),)),
    Mutant("Krawczyk inclusion test inverted", "C8", "twolayer.numeric.krawczyk",
           "            if widest < rho:", "            if not widest < rho:", (c8("finding 4"),)),
    Mutant("Krawczyk without the residual term Y F(c)", "C8", "twolayer.numeric.krawczyk",
           "offset = -(Y * F) + (identity", "offset = (identity", (c8("finding 4"),)),
]


@contextlib.contextmanager
def applied(mutant):
    """Exec the mutated source of ``mutant.module`` in place and rebind its names wherever imported."""
    module = importlib.import_module(mutant.module)
    source = inspect.getsource(module)
    if source.count(mutant.old) != 1:
        raise RuntimeError(f"mutant '{mutant.name}': the snippet occurs {source.count(mutant.old)} times in "
                           f"{mutant.module} (the library changed: update the mutant)")
    saved = dict(module.__dict__)
    exec(compile(source.replace(mutant.old, mutant.new), f"{module.__file__} (mutant)", "exec"), module.__dict__)
    fresh = {id(value): (value, module.__dict__[name]) for name, value in saved.items()
             if name in module.__dict__ and module.__dict__[name] is not value and callable(value)}
    rebound = []
    for other in [m for name, m in list(sys.modules.items()) if name.startswith("twolayer") and m is not module]:
        for attr, value in list(vars(other).items()):
            if id(value) in fresh and fresh[id(value)][0] is value:
                setattr(other, attr, fresh[id(value)][1])
                rebound.append((other, attr, value))
    _clear_caches()   # a cached object built by the unmutated code (e.g. a compiled model) would hide the fault
    try:
        yield
    finally:
        module.__dict__.clear()
        module.__dict__.update(saved)
        for other, attr, value in rebound:
            setattr(other, attr, value)
        _clear_caches()


def _clear_caches():
    for name, module in list(sys.modules.items()):
        if name.startswith("twolayer"):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


def c7():
    return ("C7", {"setup": "zbz_example1", "sizes": [2, 4, 6], "seeds": 6, "max_steps": 15000})


C7_STORED = ("C7", {"setup": "zbz_example1", "stored": True})
C7_PROTOCOL = ("C7", {"protocol": "zbz-fig4"})
C7_MUTANTS = [
    Mutant("[ZBZ] protocol: success read at a test error below 1e-2 instead of 1e-8", "C7",
           "twolayer.numeric.protocol_zbz", '"paper_recovered": bool(error < PAPER_THRESHOLD)',
           '"paper_recovered": bool(error < 1e-2)', (C7_PROTOCOL,)),
    Mutant("[ZBZ] protocol: the compiled descent's output-weight gradient uses sigma' instead of sigma", "C7",
           "twolayer.numeric.protocol_zbz", "ga[k] += E[i] * T[i, k]", "ga[k] += E[i] * (1.0 - T[i, k] * T[i, k])",
           (C7_PROTOCOL,)),
    Mutant("[ZBZ] protocol: Z3 read with c~ = 1 inside the open interval", "C7", "twolayer.claims.protocol_zbz",
           'inner = [r for r in mine if 0 < r["ratio"] < 1]', 'inner = [r for r in mine if 0 < r["ratio"] <= 1]',
           (C7_PROTOCOL,)),
    Mutant("a global minimum with a small non-zero test error read as recovered (a loose threshold)", "C7",
           "twolayer.numeric.training", "if error <= RECOVERED_BELOW:", "if error <= 1e-8:", (C7_STORED,)),
    Mutant("a run that is not yet a global minimum read as not recovered", "C7", "twolayer.numeric.training",
           "if error >= NOT_RECOVERED_ABOVE and loss <= GLOBAL_MINIMUM_BELOW:", "if error >= NOT_RECOVERED_ABOVE:",
           (C7_STORED,)),
    Mutant("recovery threshold raised 1e19-fold (a fixed loose test-error threshold)", "C7",
           "twolayer.numeric.training",
           "if error <= RECOVERED_BELOW:", "if error <= RECOVERED_BELOW * 1e19:", (c7(),)),
    Mutant("gradient of the output weights uses sigma' instead of sigma", "C7", "twolayer.numeric.training",
           "grad_a = (e[:, :, None] * S).sum(1)", "grad_a = (e[:, :, None] * S1).sum(1)", (c7(),)),
    Mutant("optimistic sample size from the largest rank instead of the least", "C7",
           "twolayer.claims.experiments", '"optimistic": min(ranks)', '"optimistic": max(ranks)', (c7(),)),
    Mutant("an unstable step is kept instead of halved", "C7", "twolayer.numeric.experiment",
           "    if retry_allowed and not lr_lambda_max < 2:", "    if False:", (c7(),)),
    Mutant("diverged runs are not retried with a halved step", "C7", "twolayer.numeric.experiment",
           "    if diverged and retry_allowed:", "    if False:", (c7(),)),
    Mutant("the bias input dropped from the training samples", "C7", "twolayer.numeric.experiment",
           "return np.hstack([X, np.ones((n, 1))]) if bias else X",
           "return np.hstack([X, np.zeros((n, 1))]) if bias else X", (c7(),)),
]
C5_UPPER_MUTANTS = [
    Mutant("Krawczyk inclusion test inverted (C5's certified upper bound)", "C5", "twolayer.numeric.krawczyk",
           "            if widest < rho:", "            if not widest < rho:", (C5_KNOWN,)),
    Mutant("upper bound without the box's half-width (delta-bar from the center only)", "C5",
           "twolayer.numeric.krawczyk", "+ (rho if i in zero.free else 0)", "+ 0", (C5_KNOWN,)),
]
# The branch-and-bound exclusion radius (numeric/exclusion.py): each fault makes it claim boxes it has not proven
# empty of non-generalizing minima; C5's box-by-box re-verification (separate code) or the bracket
# r_n <= delta-bar_n must notice.
C5_EXCLUSION_MUTANTS = [
    Mutant("exclusion box shrunk (parameters enclosed on half the box)", "C5", "twolayer.numeric.exclusion",
           "        s = arb_mat([[arb(_q(lo)).union(arb(_q(hi)))] for lo, hi in box])",
           "        s = arb_mat([[arb(_q((3 * lo + hi) / 4)).union(arb(_q((lo + 3 * hi) / 4)))] for lo, hi in box])",
           (c5(), C5_KNOWN)),
    Mutant("Jacobian enclosure on the box dropped (J at the box's midpoint only, the lemma's variation lost)", "C5",
           "twolayer.numeric.exclusion",
           "        JN = self._evaluate(self._hull(box)).jacobian * self.QN",
           "        JN = self._evaluate([((lo + hi) / 2,) * 2 for lo, hi in self._hull(box)]).jacobian * self.QN",
           (c5(), C5_KNOWN)),
    Mutant("Krawczyk exclusion test inverted (a box excluded when K(X) meets it)", "C5", "twolayer.numeric.exclusion",
           "K[j, 0] < arb(_q(lo)) or K[j, 0] > arb(_q(hi))", "K[j, 0].overlaps(arb(_q(lo)).union(arb(_q(hi))))",
           (c5(), C5_KNOWN)),
    Mutant("exclusion heap ordered by the farthest corner (boxes skipped as if beyond the radius)", "C5",
           "twolayer.numeric.exclusion",
           "            heapq.heappush(heap, (_distance2(box, lengths2), count, box))",
           "            heapq.heappush(heap, (_farthest2(box, lengths2), count, box))", (c5(), C5_KNOWN)),
    Mutant("second-derivative enclosure dropped (the second-order lemma keeps J_n N at the box's foot only)", "C5",
           "twolayer.numeric.exclusion",
           "        for (G, rows), delta in zip(self.curvature(network), deltas):",
           "        for (G, rows), delta in zip(self.curvature(network), []):", (c5(), C5_KNOWN)),
    Mutant("centred Krawczyk operator on half the box (the Jacobian's variation taken over half the c-range)", "C5",
           "twolayer.numeric.exclusion",
           "        deltas = [arb(_q(lo - c)).union(arb(_q(hi - c))) for (lo, hi), c in zip(box, middle)]",
           "        deltas = [arb(_q((lo - c) / 2)).union(arb(_q((hi - c) / 2))) for (lo, hi), c in zip(box, middle)]",
           (c5(), C5_KNOWN)),
    Mutant("segment mean of s c taken as c / 4 (the second-order lemma's factor 1/2 halved)", "C5",
           "twolayer.numeric.exclusion",
           "[arb(_q(Fraction(lo, 2))).union(arb(_q(Fraction(hi, 2)))) for lo, hi in hull[self.k:]]",
           "[arb(_q(Fraction(lo, 4))).union(arb(_q(Fraction(hi, 4)))) for lo, hi in hull[self.k:]]", (c5(), C5_KNOWN)),
    Mutant("sign of the sigma'' term flipped in the curvature D_k", "C5", "twolayer.numeric.exclusion",
           "                    c = first[i][k] * self.Q[k * (d + 1), j] + second[i][k] * z",
           "                    c = first[i][k] * self.Q[k * (d + 1), j] - second[i][k] * z", (c5(), C5_KNOWN)),
    Mutant("exclusion radius inherited from a larger sample set (nesting reversed)", "C5",
           "twolayer.numeric.exclusion", "    known = Fraction(0) if inside is None else exact_fraction(inside) ** 2",
           "    known = Fraction(0) if inside is None else 4 * exact_fraction(inside) ** 2", (c5(),)),
]
# The second-order decision at degenerate points (numeric/second_order.py): each fault either stops it from
# deciding (C5's "every n >= r decided" turns INCONCLUSIVE) or makes it certify a radius that the separate
# re-verification refuses.
C5_SECOND_ORDER_MUTANTS = [
    Mutant("second order: the sign of lambda flipped on the boxes (the combination's form negated)", "C5",
           "twolayer.numeric.second_order", "G = hessian_combination(act, box, X, (c * L).entries())",
           "G = hessian_combination(act, box, X, (c * L * -1).entries())", (c5("s=(2)"), C5_REVIEW)),
    Mutant("second order: the remainder bound beta halved", "C5", "twolayer.numeric.second_order",
           "        delta = to_arb(delta)\n        beta = ainv * u * H / 2",
           "        delta = to_arb(delta)\n        beta = ainv * u * H / 4",
           (c5("s=(2)"), C5_REVIEW, C5_NULL_SPLIT)),
    Mutant("second order: a kernel direction dropped", "C5", "twolayer.numeric.second_order",
           "normal, lengths2)\n    q = len(chosen)", "normal, lengths2)\n    chosen = chosen[:-1]\n    q = len(chosen)",
           (c5("s=(2)"), C5_REVIEW)),
    Mutant("third order: the cubic term counted twice (mu / 3 for mu / 6 in the lemma's inequality)", "C5",
           "twolayer.numeric.third_order", "            if not bound / 6 * kappa * kappa * kappa - _cubic_rest(",
           "            if not bound / 3 * kappa * kappa * kappa - _cubic_rest(", (C5_ZERO_CLASS, C5_THREE_SPLIT)),
    Mutant("third order: the term l^T D^2 F_n[Ku, Vv] left out of the cubic remainder", "C5",
           "twolayer.numeric.third_order", "    return ell_norm * (delta * (h2 * k * v * w * beta + h2",
           "    return ell_norm * (delta * (0 * h2 * k * v * w * beta + h2", (C5_ZERO_CLASS, C5_THREE_SPLIT)),
    Mutant("third order: the remainder of v dropped (|v| <= beta |s|^3 with beta = 0)", "C5",
           "twolayer.numeric.third_order", "        beta = alpha * h3 / 6 / denominator                   # |v|",
           "        beta = 0 * alpha * h3 / 6 / denominator                   # |v|", (C5_ZERO_CLASS,)),
    Mutant("second order: the branch tangent not removed (kernel taken in all of R^M, not in N)", "C5",
           "twolayer.numeric.second_order", "    tangent, normal = basis[:k], basis[k:]",
           "    tangent, normal = basis[:k], basis", (c5("s=(2)"), C5_REVIEW)),
]
# Flows near a split point (claims/flow.py, numeric/flow.py): the kernel / range split and the Lojasiewicz exponent.
C6_SPLIT = ("C6", {"activation": "tanh", "target": TANH_1, "m": 2, "branch": "s=(2)", "case": "split", "samples": 5,
                   "seed": 0, "dps": 50})
C6_SPLIT_MUTANTS = [
    Mutant("Lojasiewicz exponent read from the whole gradient instead of its kernel part", "C6",
           "twolayer.numeric.flow", "            out.kernel_gradients.append(parts(gradient)[0])",
           "            out.kernel_gradients.append(mpmath.sqrt(sum(p * p for p in parts(gradient))))", (C6_SPLIT,)),
    Mutant("gamma taken as the run's last point instead of its foot on the branch", "C6", "twolayer.numeric.flow",
           "        gamma = [foot[i] for i in range(foot.rows)]", "        gamma = [last[i] for i in range(last.rows)]",
           (C6_SPLIT,)),
]
# the paper's §3.1 (claims/paper_neurons.py), Lemma 4.1 (symbolic/real_line.py), Prop. 5.1 and Remark 5.1
def neurons(*sections):
    return c8("neurons", sections=list(sections))
PAPER_MUTANTS = [
    Mutant("Lemma 3.1's window without the polynomial factor j^t", "C8", "twolayer.claims.paper_neurons",
           "[[Fraction(j) ** t * Fraction(p) ** j for p", "[[Fraction(p) ** j for p", (neurons("lemma 3.1"),)),
    Mutant("Lemma 3.1's window one row short", "C8", "twolayer.claims.paper_neurons",
           "][:len(ps) * l]", "][:len(ps) * l - 1]", (neurons("lemma 3.1"),)),
    Mutant("Finding 8's window started at j = 0, where p = 0 still shows", "C8", "twolayer.claims.paper_neurons",
           "all(window_rank([0, 3], l, start=1) < 2 * l", "all(window_rank([0, 3], l) < 2 * l",
           (neurons("finding 8"),)),
    Mutant("independence decisions all read as 'independent'", "C8", "twolayer.claims.paper_neurons",
           "return found.independent if found.evidence", "return True if found.evidence", (neurons("cor 3.1"),)),
    Mutant("tail constants read without kappa", "C8", "twolayer.claims.paper_neurons",
           "sp.exp(kappa * absx ** q)", "sp.exp(absx ** q)", (neurons("assumption 3.1"),)),
    Mutant("asymmetry decided on the tail constants' signs, not their sizes", "C8", "twolayer.claims.paper_neurons",
           "sign(abs(plus) - abs(minus)) != 0", "sign(plus - minus) != 0", (neurons("remark 3.3"),)),
    Mutant("Remark 3.2's evenness tested as oddness", "C8", "twolayer.claims.paper_neurons",
           "prove_zero((f - f.subs(x, -x)).subs(x, z))", "prove_zero((f + f.subs(x, -x)).subs(x, z))",
           (neurons("remark 3.2"),)),
    Mutant("Prop. 3.1's activations left unshifted", "C8", "twolayer.claims.paper_neurons",
           "expr = sigma.subs(x, z - SHIFT)", "expr = sigma.subs(x, z)", (neurons("prop 3.1"),)),
    Mutant("real line: a sum with one never-zero term taken as never zero", "C8", "twolayer.symbolic.real_line",
           "(one_sign and any(p[2] for p in parts))", "any(p[2] for p in parts)", (c8("statements"),)),
    Mutant("real line: denominators not checked", "C8", "twolayer.symbolic.real_line",
           "if not (bnz or blo > 0 or bhi < 0):", "if not (True or blo > 0 or bhi < 0):", (c8("statements"),)),
    Mutant("Prop. 5.1's shooting step with the wrong sign", "C8", "twolayer.claims.paper_flows",
           "tau = tau - residual", "tau = tau + residual", (c8("converse flow"),)),
    Mutant("Lemma 3.5: a meeting of the closures taken as a meeting of the stratum", "C8",
           "twolayer.claims.paper_lemma_3_5",
           "if found is None or found != set(classes2):", "if found is None:", (c8("statements"),)),
    Mutant("partitions' deficient number counting classes of size 2 as well", "C8", "twolayer.claims.paper",
           "for s in sizes[m0:] if s == 1", "for s in sizes[m0:] if s <= 2", (c8("statements"),)),
    Mutant("Morse-Bott criterion with l >= 2r - m - m0", "C8", "twolayer.claims.paper",
           "and l == 2 * r - m - m0", "and l >= 2 * r - m - m0", (c8("findings 2-3"),)),
    Mutant("Theorem 2.1's threshold read as the parameter count", "C8", "twolayer.claims.paper",
           "if b.codim > m * (d + 1) or (m > m0 and b.codim ==", "if b.dim + b.codim > m * (d + 1) or (m > m0 and "
           "b.dim + b.codim ==", (c8("example"),)),
    # (the same swap for N2 survives, rightly: at this point Q1 is also separated from n = 4, to second order)
    Mutant("the worked example's Q1 sweep run on the null branch", "C8", "twolayer.claims.paper",
           'split = check_sweep("exp", FINDING_4["target"], 2, "s=(2)"',
           'split = check_sweep("exp", FINDING_4["target"], 2, "s=(1) null=1"', (c8("example"),)),
    Mutant("branch equations: a null neuron's a = 0 left out", "C8", "twolayer.numeric.classify",
           "        if a == 0:  # null neuron: only a = 0 is fixed\n            rows.append(_unit(base, M))",
           "        if a == 0:  # null neuron: only a = 0 is fixed\n            pass",
           (c8("strata", activation="exp", target='[[1, "1/2"]]', m=2),)),
    Mutant("Thm 5.1: the Lojasiewicz slope measured on |grad R|^2", "C8", "twolayer.claims.flow",
           "pts = [(mpmath.log(r), mpmath.log(g))", "pts = [(mpmath.log(r), mpmath.log(g * g))", (c8("dynamics"),)),
    Mutant("Lemma 4.1: the loss written with |f - y| (not a polynomial in sigma)", "C8", "twolayer.symbolic.model",
           "return sum((fi - yi)**2 for fi, yi in zip(f, ys))",
           "return sum(sp.Abs(fi - yi)**2 for fi, yi in zip(f, ys))", (c8("statements"),)),
    Mutant("Finding 9: x^n's Hessian read off its critical set (at x = 1)", "C8", "twolayer.claims.paper_examples",
           "return sp.diff(f, x, 2).subs(x, 0) != 0", "return sp.diff(f, x, 2).subs(x, 1) != 0", (c8("examples"),)),
    Mutant("linear regression: the tangent space taken for the normal space", "C8", "twolayer.claims.paper_examples",
           "normal = X.T.columnspace()", "normal = X.nullspace()", (c8("examples"),)),
    Mutant("exp, m = n = 1: the critical set written a = y e^(w.x)", "C8", "twolayer.claims.paper_examples",
           "on_m = {a: y * sp.exp(-wx)}", "on_m = {a: y * sp.exp(wx)}", (c8("examples"),)),
    Mutant("Figure 6: the Hessian's form taken off the parabola", "C8", "twolayer.claims.paper_examples",
           "H = sp.hessian(f, (x, y)).subs(y, x ** 2)", "H = sp.hessian(f, (x, y))", (c8("examples"),)),
    Mutant("Thm 5.3's example: V_s read as where the form is >= 0", "C8", "twolayer.claims.paper_examples",
           "* H0 * sp.Matrix(e))[0, 0] != 0]", "* H0 * sp.Matrix(e))[0, 0] >= 0]", (c8("examples"),)),
    Mutant("Remark 5.1's decay read from the range part", "C6", "twolayer.claims.flow",
           "tail_slope(near.times, near.kernel_parts, near.times)",
           "tail_slope(near.times, near.range_parts, near.times)", (C6_SPLIT,)),
]
MUTANTS = (MUTANTS + C7_MUTANTS + C5_UPPER_MUTANTS + C5_EXCLUSION_MUTANTS + C5_SECOND_ORDER_MUTANTS + C6_SPLIT_MUTANTS
           + PAPER_MUTANTS)


def _verdicts(runs):
    out = []
    for claim_id, config in runs:
        try:
            result = registry.run(claim_id, config)
            out.append(result.verdict)
        except Exception as exc:  # a crash under a mutant is a kill, reported as such
            out.append(f"crash: {type(exc).__name__}: {str(exc)[:80]}")
    return out


def _baseline_verdict(key):
    """Worker: the unmutated verdict of one (claim id, configuration)."""
    claim_id, config = key
    return _verdicts([(claim_id, config)])[0]


def _mutant_verdicts(index):
    """Worker: the verdicts under mutant ``index`` of MUTANTS, and the seconds they took."""
    mutant = MUTANTS[index]
    start = time.time()
    with applied(mutant):
        verdicts = _verdicts(mutant.runs)
    return verdicts, time.time() - start


def run_mutants(mutants=MUTANTS, stream=sys.stdout, processes=2):
    """Baseline, then every mutant; returns (killed, total, rows).

    The work is spread over ``processes`` fresh interpreters (spawned, so no thread or cache of the caller is
    inherited); each applies one mutant at a time in its own memory, so mutants never see each other. With
    ``processes=1`` everything runs here, in order.
    """
    import multiprocessing
    indices = [MUTANTS.index(m) for m in mutants]
    keys = list({(cid, repr(sorted(cfg.items()))): (cid, cfg) for m in mutants for cid, cfg in m.runs}.items())
    if processes > 1:
        pool = multiprocessing.get_context("spawn").Pool(processes)
        mapper = pool.imap
    else:
        pool, mapper = None, map
    try:
        baseline = dict(zip((k for k, _ in keys), mapper(_baseline_verdict, [v for _, v in keys])))
        broken = [k for k, v in baseline.items() if v != "PASS"]
        if broken:
            raise RuntimeError(f"the unmutated claims do not all PASS on the mutants' configurations: {broken}")
        rows, killed = [], 0
        for mutant, (verdicts, seconds) in zip(mutants, mapper(_mutant_verdicts, indices)):
            dead = [(cfg[0], v) for cfg, v in zip(mutant.runs, verdicts) if v != "PASS"]
            killed += bool(dead)
            rows.append((mutant, dead, seconds))
            status = "killed by " + ", ".join(f"{c} ({v})" for c, v in dead) if dead else "SURVIVED"
            print(f"[{mutant.claim}] {mutant.name}: {status}  ({seconds:.1f} s)", file=stream, flush=True)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    print(f"mutation score: {killed}/{len(mutants)} killed", file=stream)
    return killed, len(mutants), rows


if __name__ == "__main__":
    done, total, _ = run_mutants()
    sys.exit(0 if done == total else 1)
