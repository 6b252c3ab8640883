"""Each notebook has a MyST-Markdown source, and the stored notebook is that source, executed."""
import importlib.util
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

_spec = importlib.util.spec_from_file_location("execute_notebooks", ROOT / "tests" / "execute_notebooks.py")
builder = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(builder)


def _cells(nb):
    return [(cell.cell_type, cell.source.strip(), cell.get("id")) for cell in nb.cells]


def test_every_notebook_has_a_source():
    assert NOTEBOOKS, "no notebooks found"
    missing = [p.name for p in NOTEBOOKS if not builder.source_of(p).exists()]
    assert not missing, f"notebooks without a Markdown source: {missing}"
    orphans = [p.name for p in (ROOT / "notebooks").glob("*.md") if not p.with_suffix(".ipynb").exists()]
    assert not orphans, f"sources never built (run `make notebooks`): {orphans}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_agrees_with_its_source(notebook):
    stored = nbformat.read(notebook, as_version=4)
    built = builder.read_source(builder.source_of(notebook))
    assert _cells(stored) == _cells(built), f"{notebook.name} differs from its source: run `make notebooks`"
    assert stored.metadata.get("jupytext", {}).get("formats") == builder.PAIRING


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_notebook_has_no_volatile_metadata(notebook):
    stored = nbformat.read(notebook, as_version=4)
    assert not [c.get("id") for c in stored.cells if "execution" in c.metadata]


def test_agreement_check_notices_an_edited_source(tmp_path):
    """The check is not vacuous: editing one line of a source makes the cells differ."""
    notebook = NOTEBOOKS[0]
    edited = tmp_path / notebook.with_suffix(".md").name
    text = builder.source_of(notebook).read_text()
    edited.write_text(text.replace("import", "import  ", 1))
    assert _cells(nbformat.read(notebook, as_version=4)) != _cells(builder.read_source(edited))
