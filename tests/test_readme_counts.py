"""Counts the README prints are the counts of the code, not numbers typed once and left behind."""
import re
from pathlib import Path

import mutation  # tests/mutation.py, importable here as the other tests import it (pytest puts tests/ first)

ROOT = Path(__file__).resolve().parent.parent


def test_the_mutant_count_in_the_readme_is_the_mutation_table():
    text = (ROOT / "README.md").read_text()
    said = {int(k) for k in re.findall(r"injects (\d+) curated faults", text)}
    scores = set(re.findall(r"score (\d+)/(\d+)", text))
    assert said == {len(mutation.MUTANTS)}, f"README says {said}, tests/mutation.py has {len(mutation.MUTANTS)}"
    assert scores == {(str(len(mutation.MUTANTS)),) * 2}


def test_the_paper_map_counts_in_the_readme_are_computed_from_the_map():
    from twolayer.claims.paper_map import PAPER_MAP, item_counts, scope_counts
    text = " ".join((ROOT / "README.md").read_text().split())
    items, scopes = item_counts(), scope_counts()
    said = re.search(r"a row for each of its (\d+) numbered items and (\d+) rows for its unnumbered examples \(the "
                     r"worked example in two\); (\d+) of these (\d+) are checked, (\d+) are definitions, (\d+) are "
                     r"not checked with the reason\. The (\d+) statement rows behind them each carry a scope: (\d+) "
                     r"check the statement as stated, (\d+) on a named family \(one activation, one point, some sample "
                     r"sizes\), (\d+) (?:is|are) not checkable \(an? hypothes[ie]s\), (\d+) cannot fail as written "
                     r"and (\d+) tests? another statement", text)
    assert said, "the README's sentence on the paper map changed: update this test with it"
    computed = (items["numbered"], items["examples"], items["checked"], items["numbered"] + items["examples"],
                items["definitions"], items["not checked"], len(PAPER_MAP), scopes["as stated"],
                scopes["on a family"], scopes["not checkable"], scopes["cannot fail"],
                scopes["tests another statement"])
    assert tuple(int(g) for g in said.groups()) == computed


def test_the_item_counts_in_the_theory_are_computed_from_the_map():
    from twolayer.claims.paper_map import item_counts
    text = " ".join((ROOT / "docs" / "theory.md").read_text().split())
    items = item_counts()
    said = re.search(r"\((\d+) entries in the paper's order: .*?\) is listed by `claims/paper_map.py` "
                     r"\(`PAPER_ITEMS`\) and shown in notebook 00 and the report's C8 section: (\d+) are checked, "
                     r"(\d+) are definitions, and (\d+) are not checked", text)
    assert said, "docs/theory.md's sentence on the paper's items changed: update this test with it"
    assert tuple(int(g) for g in said.groups()) == (items["numbered"] + items["examples"], items["checked"],
                                                     items["definitions"], items["not checked"])
