"""Issue 16 hygiene: no secure path in the page or the notebook of a restricted run. The "Parameters of
this run" box shows ``<secure path>``, and papermill's injected-parameters cell and its metadata are
redacted in the executed notebook the book renders and offers for download."""

from __future__ import annotations

import json

import nbformat

from movers.sdc.redact import SECURE_PATH, redact_notebook, redact_params, scrub, scrub_notebook_file


def test_redact_params_hides_paths_on_restricted_runs_only():
    prm = {
        "source": "restricted",
        "data_path": "/secure/ukhls",
        "aux_path": "",
        "dictionary": "/secure/d.yml",
        "years": [2000, 2019],
    }
    out = redact_params(prm)
    assert out == {**prm, "data_path": SECURE_PATH, "dictionary": SECURE_PATH}
    assert prm["data_path"] == "/secure/ukhls"  # the caller's parameters are not changed
    assert redact_params({**prm, "source": "synthetic"})["data_path"] == "/secure/ukhls"


def test_redact_notebook_scrubs_the_injected_cell_and_papermill_metadata():
    prm = {"source": "restricted", "data_path": "/secure/ukhls"}
    cell = nbformat.v4.new_code_cell("source = 'restricted'\ndata_path = '/secure/ukhls'\n")
    cell.metadata["tags"] = ["injected-parameters"]
    nb = nbformat.v4.new_notebook(cells=[cell], metadata={"papermill": {"parameters": dict(prm)}})
    text = json.dumps(redact_notebook(nb, prm))
    assert "/secure/ukhls" not in text and SECURE_PATH in text
    plain = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("data_path = '/x'")])
    assert "/x" in json.dumps(redact_notebook(plain, {"source": "synthetic", "data_path": "/x"}))


def test_scrub_removes_paths_identifiers_and_raw_values(tmp_path):
    secure = tmp_path / "SecureLab" / "ukhls"
    msg = (
        f"InputError: {secure}/a_indresp.tab: bad value in row of pidp 68001367 (pidp=68001367); "
        f"file /mnt/other/xwavedat.dta; income 1234567"
    )
    out = scrub(msg, [secure])
    assert str(secure) not in out and str(tmp_path) not in out and "68001367" not in out and "1234567" not in out
    assert "xwavedat.dta" not in out and "<restricted data>" in out and "pidp <id>" in out
    assert "InputError" in out and "bad value" in out  # the variable and the rule stay
    assert scrub("Table 30: 0.45 of 2,824 people") == "Table 30: 0.45 of 2,824 people"  # ordinary numbers stay


def test_failed_notebooks_keep_only_the_scrubbed_error(tmp_path):
    secure = "/secure/ls_extract"
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "source": [f"data_path = '{secure}'"],
                "outputs": [
                    {"output_type": "stream", "name": "stdout", "text": ["lsnum 123456789 income 45210\n"]},
                    {"output_type": "display_data", "data": {"text/plain": ["0.13"]}, "metadata": {}},
                ],
            },
            {
                "cell_type": "code",
                "source": ["fit()"],
                "outputs": [
                    {
                        "output_type": "error",
                        "ename": "LinAlgError",
                        "evalue": f"singular in {secure}/ls.csv for lsnum 123456789",
                        "traceback": [f"File {secure}/ls.csv, pidp 77"],
                    }
                ],
            },
        ],
        "metadata": {"papermill": {"parameters": {"data_path": secure}}},
    }
    src = tmp_path / "failed_in.ipynb"
    src.write_text(json.dumps(nb))
    dst = scrub_notebook_file(src, tmp_path / "failed" / "ls_deprived.ipynb", [secure])
    text = dst.read_text()
    assert secure not in text and "123456789" not in text and "45210" not in text and "pidp 77" not in text
    cells = json.loads(text)["cells"]
    assert cells[0]["outputs"] == [] and cells[1]["outputs"][0]["ename"] == "LinAlgError"
