"""tools/glue_sentences.py counts the glued values that are whole sentences written in Python."""

import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("glue_sentences", ROOT / "tools" / "glue_sentences.py")
tool = importlib.util.module_from_spec(spec)
sys.modules["glue_sentences"] = tool
spec.loader.exec_module(tool)

PREFIX = "application/papermill.record/"


def _glue(name, value):
    return {
        "output_type": "display_data",
        "data": {PREFIX + "text/plain": repr(value)},
        "metadata": {"scrapbook": {"name": name, "mime_prefix": PREFIX}},
    }


def test_counts_sentences_not_phrases_or_numbers(tmp_path, capsys):
    outputs = [
        _glue("rate", 1.25),
        _glue("phrase", "the local authority where they grew up"),
        _glue("short", "None known."),
        _glue("sentence", "The true value is -1.050 and the fits are close."),
        _glue("figure", object.__new__(object).__class__.__name__),
    ]
    nb = {"cells": [{"cell_type": "code", "source": "", "outputs": outputs}, {"cell_type": "markdown", "source": "x"}]}
    path = tmp_path / "demo.ipynb"
    path.write_text(json.dumps(nb))
    values = tool.glued(path)
    assert values["rate"] == 1.25 and set(values) == {"rate", "phrase", "short", "sentence", "figure"}
    assert [k for k, v in values.items() if tool.is_sentence(v)] == ["sentence"]
    assert tool.main([str(path), "--list"]) == 0
    out = capsys.readouterr().out
    assert "demo                 5         1     10" in out and "sentence: The true value" in out
