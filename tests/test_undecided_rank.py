"""An undecided gap-rule rank is never a FAIL (docs/theory.md §8: a value between the two thresholds decides
nothing). Every claim check that reads a gap-rule rank is run with every such rank forced to "undecided"; none
may turn FAIL, at least one must turn INCONCLUSIVE (else the injection reached nothing), and a mutant that turns
the INCONCLUSIVE back into a FAIL is caught by the same walk.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from mutation import Mutant, applied, c2_family, c4, c5

from twolayer.claims import registry
from twolayer.numeric import rank as rank_module

#: every claim configuration whose checks read a gap-rule rank: C2 (d), C4's numerical rank, the bias coverage
#: table of C3, C5's transition (b)
READERS = [c2_family("tanh", "a +-w pair, d=2, with x sigma'"), c4(), ("C3", {"part": "bias coverage"}), c5()]

#: the same comparisons with "undecided" read as "disagrees"
FAIL_ON_UNDECIDED = [
    Mutant("C5 transition: an undecided rank compared as a disagreement", "C5", "twolayer.claims.separation",
           "passed = False if certified != expected else (None if undecided else True)",
           "passed = False if certified != expected or undecided else True", (c5(),)),
    Mutant("C4: an undecided numerical rank taken as outside the bracket", "C4", "twolayer.claims.global_minima",
           '    numerical_ok, note = None, ""\n    if r.numerical is None:\n',
           '    numerical_ok, note = False, ""\n    if r.numerical is None:\n', (c4(),)),
]


def undecided_everywhere(monkeypatch):
    """Replace gap_rank wherever it is imported by one that reports every rank undecided."""
    real = rank_module.gap_rank

    def undecided(values, dps):
        found = real(values, dps)
        return rank_module.GapRank(None, found.counted, max(1, found.undecided), found.upper, found.lower)
    patched = 0
    for name, module in list(sys.modules.items()):
        if name.startswith("twolayer") and getattr(module, "gap_rank", None) is real:
            monkeypatch.setattr(module, "gap_rank", undecided)
            patched += 1
    return patched


def _walk(runs):
    """(failed checks, inconclusive checks) over ``runs``, each as (claim, check name)."""
    failed, open_ = [], []
    for claim_id, config in runs:
        for check in registry.run(claim_id, config).evidence:
            if check.passed is False:
                failed.append((claim_id, check.name))
            elif check.passed is None:
                open_.append((claim_id, check.name))
    return failed, open_


def test_an_undecided_rank_gives_no_fail(monkeypatch):
    assert undecided_everywhere(monkeypatch) >= 3
    failed, open_ = _walk(READERS)
    assert failed == []
    assert {claim for claim, _ in open_} >= {"C2", "C4", "C5"}, open_


@pytest.mark.parametrize("mutant", FAIL_ON_UNDECIDED, ids=lambda m: m.name)
def test_the_walk_kills_a_fail_on_undecided_mutant(monkeypatch, mutant):
    with applied(mutant):
        undecided_everywhere(monkeypatch)
        failed, _ = _walk(mutant.runs)
        monkeypatch.undo()
    assert any(claim == mutant.claim for claim, _ in failed), mutant.name


def _separation(samples, inputs, *extra):
    """``twolayer separation`` at the issue's tanh point, with RuntimeWarnings turned into errors."""
    return subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-m", "twolayer", "separation",
                           "--activation", "tanh", "--target", "[[1,1,2]]", "--point", '[[1,1,2],[0,"9/8","3/8"]]',
                           "--samples", samples, "--inputs", inputs, "--starts", "2", *extra],
                          capture_output=True, text=True, cwd=Path(__file__).parent.parent, timeout=300)


def _tiny_inputs():
    """Six inputs of norm about 1e-9: J_n's small singular values fall between the gap rule's thresholds."""
    import numpy as np
    rng = np.random.default_rng(0)
    return [[str(v) for v in rng.standard_normal(2) * 1e-9] for _ in range(6)]


def test_ill_conditioned_samples_are_inconclusive_not_fail_and_not_called_degenerate():
    """The issue's case: a radius is certified at every n >= codim while the gap rule is undecided there."""
    out = _separation("3-6", json.dumps(_tiny_inputs()), "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert [row["rank"] for row in report["rows"] if row["n"] >= 4] == [None, None, None]
    assert all(row["certified_radius"] is not None for row in report["rows"] if row["n"] >= 4)
    transition = next(c for c in report["evidence"] if c["name"].startswith("(b) transition"))
    assert transition["passed"] is None and "ill-conditioned samples" in transition["detail"]
    assert report["verdict"] == "INCONCLUSIVE"
    stopped = [row["exclusion"]["stopped"] for row in report["rows"] if row["exclusion"]]
    assert stopped and all("ill-conditioned samples" in s and "degenerate" not in s for s in stopped)
    assert "RuntimeWarning" not in out.stderr


@pytest.mark.parametrize("inputs", ['[[1,0],[1,0],[1,0],[1,0],[1,0]]', '[[0,0],[0,0],[0,0],[0,0],[0,0]]'],
                         ids=["repeated", "zero"])
def test_repeated_or_zero_inputs_print_no_warning(inputs):
    out = _separation("3-5", inputs)
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    assert "a degenerate point (" not in out.stdout and "not certified of full rank" in out.stdout


def test_certified_full_column_rank_against_exact_rank():
    """Against exact rational rank on matrices built to be singular, nearly singular and regular."""
    from fractions import Fraction

    from flint import arb_mat
    cases = {"regular": ([[1, 0], [0, 1], [1, 1]], True), "rank one": ([[1, 2], [2, 4], [3, 6]], False),
             "zero column": ([[1, 0], [2, 0]], False),
             "nearly singular (1e-40)": ([[1, 1], [1, 1 + Fraction(1, 10 ** 40)]], True)}
    with rank_module.working_precision(60):
        for name, (rows, regular) in cases.items():
            A = arb_mat([[rank_module.to_arb(Fraction(v)) for v in row] for row in rows])
            assert rank_module.certified_full_column_rank(A) is regular, name
            assert (rank_module.exact_rank(rows) == len(rows[0])) is regular, name
