"""The example notebooks run top to bottom without error (nbclient, Debian's python3 kernel)."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import hubspec

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path: Path):
    # The kernel imports the same hubspec as this test, whatever the working directory.
    package_parent = str(Path(hubspec.__file__).resolve().parents[1])
    os.environ["PYTHONPATH"] = os.pathsep.join([package_parent, os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
