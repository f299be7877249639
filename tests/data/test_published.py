import pytest

from movers.core.errors import InputError
from movers.data import published as reference


def test_published_table_2_has_the_report_figures():
    pub = reference.published(2)
    row = pub[(pub["row"] == "Sending: medium spot") & (pub["column"] == "Model 4")].iloc[0]
    assert (row["estimate"], row["se"], row["stars"], row["n_obs"]) == (0.038, 0.016, "**", 94863)


def test_unknown_table_is_a_clear_error():
    with pytest.raises(InputError, match="no published coefficients for table 99"):
        reference.published(99)


def test_published_figures_keep_the_decimals_they_were_printed_with():
    """Issue 23: "415.3 (124.4)" was padded to "415.300 (124.400)"; the digits travel with each figure."""
    pub = reference.published(24)
    income = pub[(pub["row"] == "Male versus female") & (pub["column"] == "Income")].iloc[0]
    assert (income["estimate"], income["se"], income["digits"], income["se_digits"]) == (415.3, 124.4, 1, 1)
    assert [reference.decimals(t) for t in ("415.3", "-0.028", "94863", "nan")] == [1, 3, 0, 0]


def test_published_descriptives_as_numbers_and_as_printed():
    t6 = reference.published_descriptives(6)
    assert t6.loc["London Cosmopolitan", "Average GVA per capita (£)"] == 726621
    assert reference.published_printed(6).loc["Affluent England", "Average unemployment rate"] == "3.8"
    assert reference.published_decimals(6)["Average unemployment rate"] == 1
    assert reference.published_title(6)
