"""``-p sdc_rules=path.yml``, documented in ``data/sdc_rules.yml``, exists (issue 25, case 13): the restricted
chapters take it, the runner checks and hashes the file, a restricted page hides its path, and the
checker applies its rules."""

import re

import pytest
import yaml

from movers.book import params, runner
from movers.core import paths
from movers.pages import ls_deprived as LS, micro as micro_pages, movers_stayers as MS
from movers.sdc.redact import SECURE_PATH, redact_params


def test_the_documented_sdc_rules_parameter_is_accepted_by_the_restricted_chapters(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "BUILD", tmp_path / "_build")  # the runner's hash cache, never the project's _build/
    doc = (paths.DATA / "sdc_rules.yml").read_text()
    assert "-p sdc_rules=" in doc
    lab = tmp_path / "lab rules.yml"
    lab.write_text(yaml.safe_dump({"threshold": 20}))
    todo = runner.plan(["movers_stayers", "ls_deprived"], {"sdc_rules": str(lab)}, None)
    assert all(prm["sdc_rules"] == str(lab) for prm in todo.values())
    assert any(k.endswith("sdc_rules") or "lab rules" in k for k in runner.inputs("ls_deprived", todo["ls_deprived"]))
    shown = redact_params({**todo["ls_deprived"], "source": "restricted"})
    assert shown["sdc_rules"] == SECURE_PATH
    with pytest.raises(Exception, match="names no file"):
        runner.plan(["ls_deprived"], {"sdc_rules": str(tmp_path / "missing.yml")}, None)


def test_the_study_opens_its_source_with_the_rules_file(monkeypatch, tmp_path):
    seen = {}

    def fake_open(kind, data_path=None, truth_of=None, rules=None):
        seen["rules"] = rules
        raise RuntimeError("stop here")

    monkeypatch.setattr(micro_pages.data_source, "open", fake_open)
    for study, kind in ((LS.ls_study, LS.LsParams), (MS.bhps_study, MS.BhpsParams)):
        prm = params.resolve(kind.chapter, {"source": "restricted", "data_path": str(tmp_path), "sdc_rules": "lab.yml"})
        with pytest.raises(RuntimeError, match="stop here"):
            study(params=kind(**prm))
        assert seen.pop("rules") == "lab.yml"
    assert re.search(r"sdc_rules = \"\"", (paths.CHAPTERS / "ls_deprived.md").read_text())
