"""The rules come from ``data/sdc_rules.yml`` (ACRO's defaults); a missing key keeps its default, a bad one is refused."""

import pandas as pd
import pytest
import yaml

from movers.core import source
from movers.core.errors import InputError
from movers.sdc import rules as sdc_rules
from movers.sdc.checker import Checker
from movers.sdc.record import start_run
from movers.sdc.rules import SUPPRESSED, Rules


def test_a_checker_without_rules_reads_the_yaml(monkeypatch, tmp_path):
    monkeypatch.setattr(sdc_rules, "load_rules", lambda: {"threshold": 20, "safe_dof": 30})
    assert Rules.of(None).threshold == 20
    assert start_run("t", "restricted", build=tmp_path).rules.safe_dof == 30
    out = Checker("t").table("T", pd.DataFrame({"n": [15]}), pd.DataFrame({"n": [15]}))
    assert out.loc[0, "n"] == SUPPRESSED


def test_rules_file_holds_acro_defaults_and_bad_rules_are_refused(tmp_path):
    assert Rules.of(source.load_rules()) == Rules() == Rules(10, 10, 2, 0.9, 0.1, True, True)
    assert Rules.of(None) == Rules()  # no rules given: the YAML
    stricter = tmp_path / "lab.yml"
    stricter.write_text(yaml.safe_dump({"threshold": 20}))
    src = source.DataSource("restricted", tmp_path, rules=source.load_rules(stricter))
    assert Rules.of(src).threshold == 20 and Rules.of(src).safe_dof == 10  # a missing key keeps ACRO's default
    assert start_run("t", src, build=tmp_path).rules.threshold == 20
    with pytest.raises(InputError, match="unknown rule"):
        Rules.of({"treshold": 5})
    with pytest.raises(InputError, match="threshold must be a non-negative number"):
        Rules.of({"threshold": "ten"})
    with pytest.raises(InputError, match="zeros_are_disclosive must be true or false"):
        Rules.of({"zeros_are_disclosive": 1})
