import json
import types

import pytest

import movers.synth as synth


def test_world_manifest_and_determinism(tmp_path):
    a = synth.generate_world(tmp_path / "a", seed=3, only=["geography"], log=lambda *_: None)
    b = synth.generate_world(tmp_path / "b", seed=3, only=["geography"], log=lambda *_: None)
    c = synth.generate_world(tmp_path / "c", seed=4, only=["geography"], log=lambda *_: None)
    fa, fb, fc = (m["datasets"]["geography"]["fingerprint"] for m in (a, b, c))
    assert fa == fb != fc
    assert json.loads((tmp_path / "a" / "world.json").read_text())["seed"] == 3
    assert synth.read_truth(tmp_path / "a" / "geography")["n_las"] == 348


def test_failed_generation_leaves_the_previous_world_untouched(tmp_path, monkeypatch):
    out = tmp_path / "w"
    synth.generate_world(out, seed=1, only=["geography"], log=lambda *_: None)
    before = (out / "world.json").read_text()

    def boom(root, seed, scale):
        (root / "broken" / "half.csv").write_text("OutLA,InLA\n")
        raise RuntimeError("generator crashed")

    fake = types.SimpleNamespace(NAME="broken", REQUIRES=("geography",), generate=boom)
    real = synth.generators()
    monkeypatch.setattr(synth, "generators", lambda: {**real, "broken": fake})
    with pytest.raises(RuntimeError, match="generator crashed"):
        synth.generate_world(out, seed=2, only=["broken"], log=lambda *_: None)
    assert (out / "world.json").read_text() == before
    assert not (out / "broken").exists()
    assert not (tmp_path / "w.tmp").exists()


def test_unknown_dataset_and_cycles():
    with pytest.raises(KeyError, match="unknown synthetic dataset 'nope'"):
        synth._order(synth.generators(), ["nope"])
    a = types.SimpleNamespace(NAME="a", REQUIRES=("b",), generate=None)
    b = types.SimpleNamespace(NAME="b", REQUIRES=("a",), generate=None)
    with pytest.raises(RuntimeError, match="circular"):
        synth._order({"a": a, "b": b}, ["a"])
