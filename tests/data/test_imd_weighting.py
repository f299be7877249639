"""The IMD 2010 authority summary weighted by small-area population where the open files allow."""

from __future__ import annotations

import pandas as pd
import pytest

from movers.data import public


def _approx(scores):
    return public.add_quintiles(pd.DataFrame({"la_code": list(scores), "imd_score": list(scores.values())}))


def test_weighted_scores_replace_the_unweighted_ones_where_a_2021_authority_is_one_of_2011(tmp_path):
    codes = [f"E0700000{i}" for i in range(1, 10)] + ["E07000010"]
    approx = _approx({c: float(s) for c, s in zip(codes, range(10, 0, -1))})  # E07000001 most deprived
    # 2021 file: E07000001 has a lower weighted score; E07000003 has a new code (crosswalk);
    # E07000004 and E07000005 were merged into E06000099 (kept unweighted)
    pd.DataFrame(
        {
            "ltla21_code": ["E07000001", "E07000099", "E06000099", "E07000002"],
            "Score": [1.5, 20.0, 99.0, 9.0],
        }
    ).to_csv(tmp_path / "r.csv", index=False)
    crosswalk = {"E07000003": "E07000099", "E07000004": "E06000099", "E07000005": "E06000099"}
    w = public.imd_la_weighted(approx, tmp_path / "r.csv", crosswalk).set_index("la_code")
    assert w.loc["E07000001", "imd_score"] == 1.5 and w.loc["E07000003", "imd_score"] == 20.0
    assert w.loc["E07000004", "imd_score"] == 7.0 and not w.loc["E07000004", "weighted"]  # merged by 2021: unweighted
    assert w["weighted"].sum() == 3 and w.loc["E07000003", "imd_rank"] == 1
    changes = public.quintile_changes(approx, w.reset_index())
    # ranks after: E3 (20), E2, E4, E5, E6, E7, E8, E9, E1 (1.5), E10; two authorities a quintile
    assert set(changes["la_code"]) == {"E07000001", "E07000003", "E07000005", "E07000007", "E07000009"}
    assert changes.set_index("la_code").loc["E07000001", ["before", "after"]].tolist() == [1, 5]


@pytest.mark.public
def test_twenty_authorities_change_quintile_when_weighted(shared_public):
    approx = public.read_imd_la_approx(shared_public / "imd2010_la_approx/imd2010_lad11_summary_DERIVED_unweighted.csv")
    cw = public.read_crosswalk(shared_public / "lad_code_harmonisation/lad_nmcd_changes.csv")
    w = public.imd_la_weighted(approx, shared_public / "imd/imd2010_england_ltla21_reaggregated.csv", cw)
    assert (int(w["weighted"].sum()), len(w)) == (301, 326)
    changed = set(public.quintile_changes(approx, w)["la_code"])
    assert len(changed) == 20 and {"E06000031", "E06000030", "E06000023"} <= changed  # Peterborough, Swindon, Bristol
