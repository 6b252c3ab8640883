"""The verify report (sections per claim, figures, full evidence of failures) and the rendered book."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from twolayer import report
from twolayer.claims import registry
from twolayer.claims.result import Check, Result
from twolayer.figures import FIGURES, rank_codim

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def c4_result():
    config = registry.claim("C4").configurations(True)[0]
    return registry.run("C4", config)


def _failing():
    return Result("C5", "separation", {"activation": "tanh", "case": "planted"},
                  [Check("a radius that does not hold", "1e-3", "1e-4", "", False, "certificate", "planted detail")])


def test_report_has_a_section_per_claim_with_figure_and_failures_in_full(tmp_path, c4_result):
    report.write([c4_result, _failing()], tmp_path)
    text = (tmp_path / "report.md").read_text()
    assert "## C4: model rank and optimistic sample size" in text and "## C5:" in text
    assert registry.claim("C4").statement in text and "docs/theory.md §5" in text
    assert "![C4:" in text and (tmp_path / "figures" / "C4_rank_codim.png").stat().st_size > 1000
    assert "### FAIL: activation=tanh, case=planted" in text and "planted detail" in text
    assert "| C4 | 1 | 0 | 0 |" in text and "| C5 | 0 | 1 | 0 |" in text
    assert json.loads((tmp_path / "results.json").read_text())["results"][1]["verdict"] == "FAIL"


def test_figures_come_from_the_evidence(tmp_path, c4_result):
    """The rank/codim figure is drawn from results.json alone, and not from results without its checks."""
    data = report.results_json([c4_result])["results"]
    assert rank_codim(data, tmp_path / "a.png")
    assert not rank_codim([_failing()], tmp_path / "b.png")
    assert set(FIGURES) >= {"C4", "C5", "C6"}


def test_book_builds_with_every_notebook_and_figure(tmp_path, c4_result):
    source = tmp_path / "source"
    for folder in ("book", "docs"):
        shutil.copytree(ROOT / folder, source / folder)
    (source / "notebooks").mkdir()
    for notebook in NOTEBOOKS:
        shutil.copy(notebook, source / "notebooks")
    report.write([c4_result], source / "report")
    out = tmp_path / "html"
    run = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "html", "-c", str(source / "book"),
                          str(source), str(out)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "ERROR" not in run.stderr, run.stderr
    assert (out / "docs" / "theory.html").exists() and (out / "book" / "index.html").exists()
    for notebook in NOTEBOOKS:
        page = out / "notebooks" / f"{notebook.stem}.html"
        assert page.exists(), page
        stored = notebook.read_text().count('"image/png"')
        assert page.read_text().count("<img") >= stored, f"{page.name}: figures missing"
    page = (out / "report" / "report.html").read_text()
    assert "C4: model rank" in page and "<img" in page
    assert all((out / "_images" / Path(src).name).exists()
               for src in [p.split('"')[0] for p in page.split('src="')[1:]] if "_images" in src)
