"""Execute notebooks in place with the current environment's kernel (`make notebooks`)."""
import sys

import nbformat
from nbclient import NotebookClient

for path in sys.argv[1:]:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": "notebooks"}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    if errors:  # errors raised while rendering (e.g. a figure) do not stop the client; they must stop us
        sys.exit(f"{path}: {errors[0].ename}: {errors[0].evalue}")
    for cell in nb.cells:  # no volatile metadata: a re-run must not rewrite the diff
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)
    print(f"executed {path}")
