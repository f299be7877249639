"""The declared layouts of movers.data.schema: what check() accepts, converts and rejects, and how it words it."""

from __future__ import annotations

import pandas as pd
import pytest

from movers.core.errors import InputError
from movers.data import schema

LAYOUT = schema.Layout(
    "demo",
    (
        schema.Field("la", "code"),
        schema.Field("year", "int", 2000, 2020),
        schema.Field("sex", "str", allowed=("M", "F")),
        schema.Field("n", "float", 0),
    ),
    key=("la", "year", "sex"),
    complete=("la", "year", "sex"),
)


def _table(**edits):
    df = pd.DataFrame(
        {
            "la": ["E06000001", "E06000001", "W06000001", "W06000001"],
            "year": ["2010"] * 4,
            "sex": ["M", "F", "M", "F"],
            "n": ["1.5", "2", "0", "3"],
        }
    )
    for col, (row, value) in edits.items():
        df.loc[row, col] = value
    return df


def test_a_good_table_is_converted():
    out = schema.check(_table(), LAYOUT, "demo.csv")
    assert out["year"].tolist() == [2010] * 4 and out["n"].sum() == pytest.approx(6.5)


@pytest.mark.parametrize(
    "edits, message",
    [
        ({"year": (0, "2031")}, r"year must be 2000-2020: 1 row\(s\) out of range, found 2031$"),
        ({"year": (0, "2010.5")}, r"year must hold whole numbers"),
        ({"n": (1, "-1")}, r"negative n in 1 row\(s\), found -1$"),
        ({"n": (1, "two")}, r"n is not numeric in 1 row\(s\) 'two' \(first in row 3\)"),
        ({"sex": (1, "X")}, r"sex must be one of M, F: 1 row\(s\) outside them, found X$"),
        (
            {"sex": (1, "M")},
            r"duplicated key: la x year x sex is not unique, 2 row\(s\) share a value; e\.g\. la=E06000001, year=2010, sex=M",
        ),
        ({"la": (0, "e06000001")}, r"la code\(s\) in lower case: e06000001"),
    ],
)
def test_each_rule_has_its_message_naming_the_file(edits, message):
    with pytest.raises(InputError, match=message) as exc:
        schema.check(_table(**edits), LAYOUT, "demo.csv")
    assert str(exc.value).startswith("demo.csv: ")


def test_a_private_layout_names_no_values():
    private = schema.Layout("micro", LAYOUT.fields, key=LAYOUT.key, private=True)
    for edits in ({"year": (0, "2031")}, {"sex": (1, "M")}, {"n": (1, "-7")}):
        with pytest.raises(InputError) as exc:
            schema.check(_table(**edits), private, "micro.tab")
        text = str(exc.value)
        assert "2031" not in text and "E06000001" not in text and "-7" not in text, text


def test_complete_tables_and_missing_combinations():
    with pytest.raises(
        InputError,
        match=r"incomplete file: 1 of 4 combinations of la x year x sex have no row \(e\.g\. la=W06000001, year=2010, sex=F\)",
    ):
        schema.check(_table().iloc[:3], LAYOUT, "demo.csv")
    with pytest.raises(InputError, match=r"incomplete file: 4 of 8"):  # an authority of the geography with no row at all
        schema.check(_table(), LAYOUT, "demo.csv", known={"E06000001", "E06000002", "W06000001"} | {"W06000002"})


def test_describe_is_the_declaration():
    d = schema.describe(schema.DETAILED_ESTIMATES).set_index("column")
    assert d.loc["Age", "rule"] == "0-90" and d.loc["Sex", "rule"] == "one of M, F" and d.loc["Moves", "rule"] == "0-1000000"
    assert d["key"].tolist() == [True, True, True, True, False]
