"""The data banner claims no disclosure check by itself (issue 16): on restricted data its words come from
the run's checker, through a display update of the banner the first cell showed."""

from __future__ import annotations

from movers.pages import report
from movers.sdc.record import banner_text


def test_the_default_restricted_banner_claims_no_check():
    text = report.banner_markdown("restricted")
    assert "suppressed" not in text and "passed" not in text
    assert "No output of this page was checked" in text


def test_update_banner_replaces_the_first_display(monkeypatch):
    shown = []
    monkeypatch.setattr(report, "display", lambda *a, **k: shown.append((a, k)))
    report.banner("restricted")
    record = {
        "active": True,
        "rules": {"threshold": 7},
        "outputs": [
            {
                "output": "Table 30",
                "kind": "shares",
                "rules_applied": ["at least 7 people behind every cell, share (counted on the smaller category) and group"],
                "cells": [{"outcome": "withheld"}],
            }
        ],
    }
    report.update_banner("restricted", banner_text(record))
    (first, k1), (second, k2) = shown
    assert k1["display_id"] == k2["display_id"] == report.BANNER_ID and k2.get("update") and not k1.get("update")
    assert "at least 7 people" in second[0].data and "1 cell was withheld" in second[0].data
