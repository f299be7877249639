"""Issue 16 hygiene: no secure path in the page or the notebook of a restricted run. The "Parameters of
this run" box shows ``<secure path>``, and papermill's injected-parameters cell and its metadata are
redacted in the executed notebook the book renders and offers for download."""

from __future__ import annotations

import json

import nbformat

from movers import sdc


def test_redact_params_hides_paths_on_restricted_runs_only():
    prm = {
        "source": "restricted",
        "data_path": "/secure/ukhls",
        "aux_path": "",
        "dictionary": "/secure/d.yml",
        "years": [2000, 2019],
    }
    out = sdc.redact_params(prm)
    assert out == {**prm, "data_path": sdc.SECURE_PATH, "dictionary": sdc.SECURE_PATH}
    assert prm["data_path"] == "/secure/ukhls"  # the caller's parameters are not changed
    assert sdc.redact_params({**prm, "source": "synthetic"})["data_path"] == "/secure/ukhls"


def test_redact_notebook_scrubs_the_injected_cell_and_papermill_metadata():
    prm = {"source": "restricted", "data_path": "/secure/ukhls"}
    cell = nbformat.v4.new_code_cell("source = 'restricted'\ndata_path = '/secure/ukhls'\n")
    cell.metadata["tags"] = ["injected-parameters"]
    nb = nbformat.v4.new_notebook(cells=[cell], metadata={"papermill": {"parameters": dict(prm)}})
    text = json.dumps(sdc.redact_notebook(nb, prm))
    assert "/secure/ukhls" not in text and sdc.SECURE_PATH in text
    plain = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("data_path = '/x'")])
    assert "/x" in json.dumps(sdc.redact_notebook(plain, {"source": "synthetic", "data_path": "/x"}))
