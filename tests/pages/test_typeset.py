"""Tables laid out from their cells, standard errors under coefficients, and the checks of a built PDF (movers.pages.typeset)."""

from __future__ import annotations

import pytest
from docutils import nodes

from movers.book import build as book
from movers.pages import typeset
from movers.pages.typeset import Cell


def _table(header: list[str], rows: list[list[str]]) -> nodes.table:
    """A docutils table as myst-parser builds one from a pipe table."""
    group = nodes.tgroup(cols=len(header))
    group += [nodes.colspec(colwidth=1) for _ in header]
    head = nodes.thead()
    hrow = nodes.row()
    hrow += [nodes.entry("", nodes.paragraph("", h)) for h in header]
    head += hrow
    body = nodes.tbody()
    for r in rows:
        row = nodes.row()
        row += [nodes.entry("", nodes.paragraph("", c), classes=["text-right"]) for c in r]
        body += row
    group += [head, body]
    table = nodes.table()
    table += group
    return table


def test_numbers_get_the_width_of_their_text_and_headers_wrap_between_words():
    """Table 6 printed 217,633 as "217,63" over its neighbour: a numeric column is at least as wide as its
    widest number, whatever its header; a header of two words needs only its longer word."""
    header = [Cell(""), Cell("Affluent England"), Cell("N")]
    body = [[Cell("Hot spots"), Cell("217,633"), Cell("1")], [Cell("Cold spots"), Cell("-36,923"), Cell("22")]]
    plan = typeset.layout(header, body)
    assert plan.numeric == [False, True, True]
    assert plan.widths_em[1] >= typeset.text_em("217,633") and plan.widths_em[1] >= typeset.text_em("Affluent")
    assert plan.widths_em[1] < typeset.text_em("Affluent England")  # the header wraps on its space
    assert plan.widths_em[2] >= typeset.text_em("22")
    assert plan.size == "small" and not plan.landscape and plan.fits
    assert r">{\raggedleft\arraybackslash}p{" in plan.colspec() and plan.colspec().startswith(r">{\raggedright")


def test_a_wide_table_takes_a_smaller_type_then_a_landscape_page():
    header = [Cell("Row")] + [Cell(f"Model {i}") for i in range(8)]
    four = [[Cell("Sending: cold spot")] + [Cell("-0.502***")] * 4]
    assert typeset.layout(header[:5], four).size == "small"
    eight = [[Cell("Sending: cold spot")] + [Cell("-0.502***")] * 8]
    assert typeset.layout(header, eight).size == "footnotesize" and not typeset.layout(header, eight).landscape
    wider = [[Cell("Sending: cold spot")] + [Cell("-1,234,567.502*** (1,234.060)")] * 8]
    plan = typeset.layout(header, wider)
    assert plan.landscape and plan.size in ("footnotesize", "scriptsize")
    text = [[Cell("x " * 200)] + [Cell("word")] * 8]
    assert typeset.layout(header, text).widths_em[0] <= typeset.TEXT_MAX_EM + 1  # a long text column wraps


def test_standard_errors_go_under_their_coefficients():
    table = _table(
        ["", "Model 1", "Model 2"],
        [["Cold spot", "-0.502*** (0.060)", "0.038 (0.016)"], ["Distance and border", "NO", "YES"], ["Half", "-0.5 (0.1)", "–"]],
    )
    assert typeset.stack_standard_errors(table) == 2
    rows = [[e.astext() for e in r.children] for r in table.findall(nodes.row)]
    assert rows[1:] == [
        ["Cold spot", "-0.502***", "0.038"],
        ["", "(0.060)", "(0.016)"],
        ["Distance and border", "NO", "YES"],
        ["Half", "-0.5", "–"],
        ["", "(0.1)", ""],
    ]
    se_rows = [r for r in table.findall(nodes.row) if typeset.SE_ROW_CLASS in r["classes"]]
    assert len(se_rows) == 2 and se_rows[0].children[1]["classes"] == ["text-right"]


def test_table_cells_reads_header_and_body():
    header, body = typeset.table_cells(_table(["", "A b"], [["x", "1"]]))
    assert [c.text for c in header] == ["", "A b"] and [[c.text for c in r] for r in body] == [["x", "1"]]


def test_overfull_boxes_are_counted_from_the_log():
    log = (
        "Overfull \\hbox (12.5pt too wide) in paragraph at lines 10--11\n"
        "Underfull \\hbox (badness 10000)\n"
        "Overfull \\vbox (3.0pt too high) has occurred while \\output is active\n"
        "Overfull \\hbox (0.2pt too wide) in alignment at lines 5--9\n"
    )
    assert typeset.overfull_boxes(log) == [12.5, 3.0, 0.2]


def test_numbers_keep_signs_separators_and_decimals():
    assert typeset.numbers("gained −15,239 (0.060), 217,633. and 1.5") == ["-15,239", "0.060", "217,633", "1.5"]
    assert typeset.numbers("Age 16-24 in 2011") == ["16", "24", "2011"]


def test_lost_numbers_finds_a_number_cut_split_or_overprinted():
    """The defects seen in the PDF: "217,63" over its neighbour, "-" on one line and "36,923" on the next."""
    csv = 'row,Hot,Cold\nMovers,"217,633","-36,923"\nRate,0.502,1.5\n'
    whole = "Table 6\nMovers 217,633 -36,923\nRate 0.502 1.5\n"
    assert typeset.lost_numbers(whole, {"t6": csv}) == {}
    broken = "Table 6\nMovers 217,63 -\n36,923\nRate 0.502 1.5\n"
    assert typeset.lost_numbers(broken, {"t6": csv}) == {"t6": ["-36,923", "217,633"]}


def test_the_build_prints_the_overfull_count_and_fails_above_the_budget(tmp_path, capsys):
    log = tmp_path / "book.log"
    log.write_text("Overfull \\hbox (12.5pt too wide) in paragraph\n" * 3)
    assert book.check_overfull(log, budget=5) == 3
    assert "3 overfull box(es) (budget 5, the worst 12.5 pt too wide" in capsys.readouterr().err
    with pytest.raises(book.BuildError, match="3 overfull boxes, more than the budget of 2"):
        book.check_overfull(log, budget=2)


def test_broken_words_finds_headers_hyphenated_inside_a_word():
    csv = "row,Affluent England,Urban Settlements\nMovers,1,2\n"
    assert typeset.broken_words("Affluent\nEngland Urban Settlements", {"t": csv}) == {}
    assert typeset.broken_words("Affl-\nuent Eng-\nland Urban Settlements", {"t": csv}) == {"t": ["Affluent", "England"]}


def test_long_words_break_after_separators_and_in_chunks():
    assert typeset.break_points("Local_Authority") == []  # short words never break
    url = "https://www.ons.gov.uk/peoplepopulationandcommunity/housing"
    cuts = typeset.break_points(url)
    pieces = [url[a:b] for a, b in zip([0, *cuts], [*cuts, len(url)])]
    assert "".join(pieces) == url and max(map(len, pieces)) <= typeset.CHUNK
    assert "https:" in pieces and "housing" in pieces
    sha = "cc51b393db6e4c40519b597bfb2cb12fbd9517488206ff392fb848ffaba8aeff"
    assert typeset.breakable_em(sha, mono=True) == typeset.MONO_EM * typeset.CHUNK


def test_in_html_the_label_spans_the_coefficient_and_its_standard_error():
    table = _table(["", "Model 1"], [["Sending: a label long enough to wrap", "-0.502*** (0.060)"]])
    assert typeset.stack_standard_errors(table, span_label=True) == 1
    label_row, se_row = list(table.findall(nodes.tbody))[0].children
    assert label_row.children[0]["morerows"] == 1 and [e.astext() for e in se_row.children] == ["(0.060)"]
