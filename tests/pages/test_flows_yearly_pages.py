"""The page layer of the yearly sending chapter (``movers.pages.flows_yearly``): a public page without open files
names each missing input with its fetch command and shows no number."""

from __future__ import annotations

from movers.pages import flows_yearly as pages


def test_a_public_page_without_open_files_names_them_and_fetches_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("MOVERS_PUBLIC", str(tmp_path / "cache"))
    empty = tmp_path / "nothing"
    empty.mkdir()
    page = pages.setup("public", str(empty), "2011-2018")
    assert page.inputs is None and any("myeb3" in m and "python -m movers fetch myeb3" in m for m in page.missing)
    text = pages.inputs_section(page).facts["inputs_text"]
    assert text.startswith("**Not computed") and "gva_la" in text
    assert pages.sending_section(page, "supergroup").tables == []
    assert "Not computed" in pages.agreement_section(page, []).facts["headline_text"]
