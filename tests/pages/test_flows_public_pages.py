"""The page layer of the 2011 Census chapter (``movers.pages.flows_public``): the sections carry the figures the
prose cites, a public run names its series, and the control rows of the comparison tables follow the one model
list (``models.BLOCKS`` less the controls without open figures)."""

from __future__ import annotations

import pandas as pd
import pytest

from movers.core.errors import InputError
from movers.pages import flows_public as pages
from movers.strands.flows import public as pf


@pytest.fixture(scope="module")
def small_world(flows_world):
    """A small synthetic world with geography, covariates and flows (scale 0.05: quick)."""
    return flows_world


def _rates(values):
    """A ``myeb3_rates``-like frame: two authorities, one year, out moves ``values`` over 1,000 people each."""
    return pd.DataFrame({"la_code": ["E06000001", "W06000001"], "year": 2012, "population": 1000.0, "out": values, "in": values})


def test_a_public_run_says_its_series_is_the_real_one():
    (note,) = pages.myeb3_beside("public", _rates([1.0, 1.0]), pd.Series(dtype=str))
    assert "**real** MYEB3" in note.data


def test_the_control_rows_are_the_book_s_blocks_less_the_omitted_controls():
    """The YES/NO rows were a typed copy of the blocks; derived, they keep the labels the tables printed."""
    assert pages.control_blocks() == {
        "Distance and border": ["border", "log_distance"],
        "Demographic structure of sending (without non-UK born)": ["log_young", "dependency", "tfr"],
        "Economic conditions (without unemployment)": ["log_gva_o", "log_gva_d", "log_house_o", "log_house_d"],
    }
    assert pages.control_flags()["Distance and border"] == [False, True, True, True]
    assert all(v in pf.MODELS["Model 4"] for vs in pages.control_blocks().values() for v in vs)


def test_chapter_sections_carry_the_figures_the_prose_cites(small_world):
    """The bundles flows_public shows: facts equal the frames they come from, tables in the chapter's order."""
    ci = pf.synthetic_census_inputs(small_world)
    facts = pages.input_facts(ci)
    assert facts["n_units"] == 348 and facts["census_year"] == "2011" and "unemployment" in facts["omitted"]
    rates = pf.out_rates(ci.od, ci.covariates["population"])
    top = pages.out_rate_facts(ci, rates)
    assert (
        top["rate_max"] == rates.max()
        and top["rate_max_la"] == ci.geography.las.set_index("la_code").loc[rates.idxmax(), "la_name"]
    )
    between = pages.rate_section(ci)
    iq = between.frames["imd"]
    assert between.facts == {
        "rate_hh": iq.loc["High deprivation", "High deprivation"],
        "rate_hl": iq.loc["High deprivation", "Low deprivation"],
    }
    assert [t.label for t in between.tables] == ["table-public-rates-sg", "table-public-rates-imd"]
    yearly = pages.yearly_section("synthetic", ci, str(small_world))
    rise = pf.country_rates(yearly.frames["rates"]).diff(axis=1).loc["Out-migration, England"]
    assert yearly.facts == {
        "jump_2017_word": "rose" if rise[2017] > 0 else "fell",  # the word from the sign, the size without it
        "jump_2017_size": abs(rise[2017]),
        "max_rise_year": str(rise.idxmax()),
    }
    assert [getattr(t, "label", None) for t in yearly.tables[1:4]] == [
        "table-public-myeb3-sg",
        "table-public-myeb3-imd",
        "table-public-myeb3-country",
    ]
    with pytest.raises(InputError, match="parameter 'exposure'"):
        pages.gravity_section(ci, "rate")
