"""Build each notebook from its MyST-Markdown source and execute it (`make notebooks`).

The text source ``notebooks/NN_name.md`` is what people edit and review; the ``.ipynb`` beside it is generated
here, executed with the current environment's kernel, and stored with its outputs because nbval compares them.
Nothing volatile is stored, so that building twice gives the same bytes: execution timestamps are dropped and
cell ids are derived from the cell's position and text.

Usage: ``python tests/execute_notebooks.py notebooks/01_model_and_derivatives.md ...`` (sources or notebooks).
"""
import hashlib
import sys
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

PAIRING = "ipynb,md:myst"


def source_of(path: Path) -> Path:
    """The Markdown source paired with a notebook (or the source itself)."""
    return path.with_suffix(".md")


def read_source(source: Path) -> nbformat.NotebookNode:
    """The notebook described by a MyST source, with stable ids and the pairing recorded."""
    nb = jupytext.read(source)
    nb.metadata["jupytext"] = {"formats": PAIRING}
    for index, cell in enumerate(nb.cells):
        digest = hashlib.sha1(f"{index}:{cell.cell_type}:{cell.source}".encode()).hexdigest()
        cell["id"] = digest[:8]
        cell.metadata.pop("execution", None)
    return nb


def build(source: Path) -> Path:
    """Execute the notebook of ``source`` and write it next to it; raise SystemExit on any error output."""
    nb = read_source(source)
    NotebookClient(nb, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(source.parent)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    if errors:  # errors raised while rendering (e.g. a figure) do not stop the client; they must stop us
        sys.exit(f"{source}: {errors[0].ename}: {errors[0].evalue}")
    for cell in nb.cells:  # the client adds timestamps; a re-run must not rewrite the diff
        cell.metadata.pop("execution", None)
    target = source.with_suffix(".ipynb")
    nbformat.write(nb, target)
    return target


if __name__ == "__main__":
    for argument in sys.argv[1:]:
        print(f"executed {build(source_of(Path(argument)))}")
