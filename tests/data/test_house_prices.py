"""One house-price definition for every flows chapter (``movers.data.public.house_prices``): it picks the rolling
year it states, nothing else in the library filters the HPSSA file itself, and the census and yearly pipelines
both follow it when it changes (real files, skipped without ../shared)."""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd
import pytest

from movers.core.errors import InputError
from movers.data import manifest as manifests, nomis, open_yearly, public
from movers.strands.flows import public as census

LIB = Path(public.__file__).resolve().parents[1]


def _hpssa(path: Path, months=("Jun", "Dec")) -> Path:
    """A two-authority HPSSA dataset 9 file in the tidy layout ``read_hpssa`` reads: a price per month and year."""
    rows = [
        {
            "lad_code": code,
            "house_type": "all",
            "year_ending_month": m,
            "year_ending_year": y,
            "median_price_paid": 1000 * (i + 1) + 10 * j + (y - 2010),
        }
        for i, code in enumerate(["E06000001", "W06000001"])
        for j, m in enumerate(months)
        for y in (2010, 2011)
    ]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_house_prices_are_the_stated_rolling_year(tmp_path, monkeypatch):
    hp = public.house_prices(_hpssa(tmp_path / "hpssa.csv"))
    assert list(hp.columns) == ["la_code", "year", "house_price"]
    assert hp.set_index(["la_code", "year"]).loc[("E06000001", 2011), "house_price"] == 1011  # December, 2011
    assert "year ending December" in public.house_price_text()
    monkeypatch.setattr(public, "HOUSE_PRICE_MONTH", "Jun")
    assert public.house_prices(tmp_path / "hpssa.csv").set_index(["la_code", "year"]).loc[("E06000001", 2011)].item() == 1001
    assert "year ending June" in public.house_price_text()
    with pytest.raises(InputError, match="no rolling year ending Dec"):
        monkeypatch.setattr(public, "HOUSE_PRICE_MONTH", "Dec")
        public.house_prices(_hpssa(tmp_path / "june.csv", months=("Jun",)))


def test_no_module_reads_the_house_price_file_but_the_one_definition():
    """Before: the census chapter took the year to June (``strands/flows/public.py``) and the yearly folder
    the year to December (``data/open_yearly.py``), each calling ``read_hpssa`` and filtering the month itself."""
    callers = []
    for path in sorted(LIB.rglob("*.py")):
        text = path.read_text()
        if "read_hpssa" not in text:
            continue
        tree = ast.parse(text)
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef):
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "read_hpssa":
                    callers.append(f"{path.relative_to(LIB)}:{fn.name}")
    assert callers == ["data/public.py:house_prices"]


@pytest.mark.public
@pytest.mark.slow
def test_both_pipelines_follow_the_one_definition(shared_public, tmp_path, monkeypatch):
    """With the definition moved to the year ending September, the census chapter's controls and the yearly
    chapters' folder both carry Hartlepool's September medians (of 2010, the census lag year, and of 2015)."""
    monkeypatch.setattr(public, "HOUSE_PRICE_MONTH", "Sep")
    raw = public.read_hpssa(manifests.local_path(shared_public, "hpssa9", manifests.load()))
    sep = raw[(raw["la_code"] == "E06000001") & (raw["month"] == "Sep")].set_index("year")["price"]
    ci = census.census_inputs(shared_public, tmp_path / "geo")
    assert ci.covariates.loc["E06000001", "house_price"] == pytest.approx(sep[2010])
    written = open_yearly.write_controls(shared_public, tmp_path / "controls")
    assert any("year ending September" in n for n in written.notes)
    omit = sorted({*(c for c in written.omitted if c in nomis.OMITTABLE), "prop_professional"})
    cov = nomis.covariates(tmp_path / "controls" / "nomis", omit=omit).set_index(["la_code", "year"])
    dec = raw[(raw["la_code"] == "E06000001") & (raw["month"] == "Dec")].set_index("year")["price"]
    assert cov.loc[("E06000001", 2015), "house_price"] == pytest.approx(sep[2015]) != dec[2015]
