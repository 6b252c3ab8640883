"""The curated mutants of tests/mutation.py: every one must be killed by some claim (score 100 %)."""
import io

from mutation import MUTANTS, run_mutants


def test_every_claim_has_at_least_two_mutants():
    for claim in ("C1", "C2", "C3", "C4", "C5", "C6"):
        assert sum(m.claim == claim for m in MUTANTS) >= 2, claim
    assert len(MUTANTS) >= 15


def test_mutation_score_is_100_percent():
    out = io.StringIO()
    killed, total, rows = run_mutants(stream=out)
    survivors = [m.name for m, dead, _ in rows if not dead]
    assert killed == total, f"surviving mutants: {survivors}\n{out.getvalue()}"
