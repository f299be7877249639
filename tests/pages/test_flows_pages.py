"""The pages of the gravity chapters (movers.pages.flows): the selection in words, table numbers that a cell run
again keeps, the published column withdrawn where the selection is not the report's, and the facts of the prose."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from movers.book import params
from movers.pages import flows as pages
from movers.strands.flows import models as flows


@pytest.fixture(scope="module")
def world(make_world):
    return make_world("flows", seed=11, scale=0.1)


def test_selection_text_and_withdrawn_published_column():
    base = flows.Selection("smi", (2017, 2018))
    assert pages.withdrawn(base) is None
    assert "England, 2017-2018, men and women" in pages.selection_text(base)
    assert "2011-2018" in pages.withdrawn(flows.Selection("smi", tuple(range(2011, 2019))))
    assert "men and women" in pages.withdrawn(flows.Selection("smi", (2017, 2018), sex="F"))
    assert "women" in pages.selection_text(flows.Selection("smi", (2017, 2018), sex="F"))
    assert "non-zero" in pages.withdrawn(flows.Selection("smi", (2017, 2018), include_zero=True))
    assert pages.withdrawn(flows.Selection("imd", tuple(range(2011, 2019)))) is None
    assert "per 1,000 residents" in pages.selection_text(flows.Selection("smi", (2017, 2018), exposure="rate"))
    assert "raw counts" in pages.withdrawn(flows.Selection("smi", (2017, 2018), exposure="none"))


def test_chapter_sections_number_tables_and_withdraw_published(world):
    """Another typology than the report's gets the book's numbers; other years withdraw the published column."""
    ctx = pages.chapter_setup(
        params=pages.HotColdParams(
            **params.resolve(
                "flows_hotcold",
                {
                    "source": "synthetic",
                    "data_path": str(world),
                    "years": "2018",
                    "typology": "imd",
                    "models": ["Model 1", "Model 4"],
                },
            )
        )
    )
    assert pages.withdrawn(ctx.selection).startswith("the report covers 2011-2018")
    send = pages.sending(ctx)
    # its place among the chapter's own tables (after the two rates tables), whatever ran before it
    assert send.tables[0].caption.startswith("Table 2.C: ") and "England, 2018" in send.tables[0].caption
    assert pages.sending(ctx).tables[0].caption == send.tables[0].caption  # a cell run again keeps its number
    assert "– published" not in send.tables[0].frame.index and send.facts["send_published"] == 0
    rec = pages.receiving(ctx)
    assert [t.caption.split(":")[0] for t in rec.tables] == [f"Table {n}" for n in range(16, 21)]
    assert "– published" not in rec.tables[0].frame.index and rec.facts["rec_published"] == 0
    assert "Published figures withdrawn: the report covers 2011-2018, this selection 2018." in rec.tables[0].notes
    assert "deprived" in send.facts["send_first_text"] and "5 %" in send.facts["send_first_text"]


def test_bias_facts_one_set_per_fit():
    """``bias_facts`` names each of the three fits' facts (the zero-truncated one included) and counts a row
    within 3 SE only when it is; rows without a truth (year effects) are left out of the share."""
    dist = flows.LABELS["log_distance"]
    rows = []
    for smp, est, z in (
        ("Non-zero flows only", -1.9, 8.0),
        ("Non-zero flows, zero-truncated NB2", -1.5, 1.0),
        ("Full matrix", -1.45, -0.5),
    ):
        rows += [
            {"row": dist, "sample": smp, "estimate": est, "se": 0.05, "nobs": 10, "truth": -1.5, "z": z},
            {"row": "other", "sample": smp, "estimate": 0.1, "se": 0.1, "nobs": 10, "truth": np.nan, "z": np.nan},
        ]
    f = pages.bias_facts(pd.DataFrame(rows))
    assert f["dist_ztnb"] == -1.5 and f["dist_true"] == -1.5 and f["max_z_nonzero"] == 8.0
    assert (f["within3_nonzero"], f["within3_ztnb"], f["within3_full"]) == (0.0, 1.0, 1.0)
    # the elasticities' sentence is the chapter's prose: Python words only the comparison with the truth
    assert f["bias_text"].startswith("The true value is -1.500.") and "-1.900" not in f["bias_text"]


def test_london_gva_readings_in_words(tmp_path):
    """The two readings in a sentence with the years in words; no files, or no year in common, a sentence that says why."""
    (tmp_path / "gva.csv").write_text(
        "Region,GEOGRAPHY_CODE,LAD name,2011,2012\nLondon,E09000001,City of London,90,100\nLondon,E09000007,Camden,18,20\n"
    )
    (tmp_path / "myeb3.csv").write_text(
        "ladcode18,laname18,country,population_2011,internal_in_2012,internal_out_2012,population_2012\n"
        "E09000001,City of London,E,900,1,1,1000\nE09000007,Camden,E,390,1,1,400\n"
    )
    (tmp_path / "class.csv").write_text(
        "lad_code,lad_name,supergroup_name\nE09000001,City of London,London Cosmopolitan\nE09000007,Camden,London Cosmopolitan\n"
    )
    files = {"gva_la": tmp_path / "gva.csv", "myeb3": tmp_path / "myeb3.csv", "la_classification_2011": tmp_path / "class.csv"}
    table, f = pages.london_gva_readings(files, [2012, 2013])
    assert f["lc_gva_years"] == "2012" and "£100,000" in f["lc_gva_text"] and len(table) == 5
    assert "lc_gva_file_years" not in f
    table, f = pages.london_gva_readings(None, [2017])
    assert table is None and "not present" in f["lc_gva_text"] and f["lc_published"] == 726_621
    table, f = pages.london_gva_readings(files, [2017])
    assert table is None and "covers 2011-2012, none of the years 2017" in f["lc_gva_text"]


def test_observation_counts_in_words():
    """The report's N of Tables 2 and 7 as shares of their pair-years, and the census's non-zero share when known."""
    plain = pages.observation_counts()
    assert plain["n_table2"] == 94863 and "Table 7's" in plain["text"] and "census" not in plain["text"].lower()
    both = pages.observation_counts({"nonzero_share": 0.4, "nonzero_share_london": 0.9})
    assert both["census_nonzero"] == 40.0 and "40 per cent of ordered pairs" in both["text"]
