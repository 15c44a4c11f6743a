"""gradwork.variants: the variants and files of `gradwork variants`."""

import json
import subprocess
from fractions import Fraction

import pytest

import gradwork


def test_variants_are_distinct_solved_and_reproducible(seed):
    vs = gradwork.variants(seed / "task2.gw", n=4, seed=1, arrays="list")
    assert len(vs) == 4 and [v.number for v in vs] == [1, 2, 3, 4]
    assert list(vs.marked) == ["b", "x_p1", "x_p2"]
    assert vs.marked["b"] == "-0.1"
    assert vs.key_answers["L"] == "16"
    drawn = [tuple(v.drawn.values()) for v in vs]
    assert len(set(drawn)) == 4
    assert vs.tries >= 4 and vs.tries == vs.repeats + sum(n for _, n in vs.rejected) + 4
    again = gradwork.variants(seed / "task2.gw", n=4, seed=1)
    assert [v.source for v in again] == [v.source for v in vs]
    other = gradwork.variants(seed / "task2.gw", n=4, seed=2)
    assert [v.source for v in other] != [v.source for v in vs]
    for v in vs:
        assert "vary(" not in v.source
        assert isinstance(v.answers["L"], Fraction)
        sol = v.solve()
        assert sol.ok and sol.name == f"task2-{v.number:02d}.gw"
        assert sol.answers == v.answers
        assert v.answer_texts["L"] == sol.answer_details[2].text
    assert vs.summary_files is None and vs[0].files is None
    assert "4 variant(s) of" in vs._repr_html_() and "<table class=\"summary\">" in vs._repr_html_()
    assert repr(vs[0]).startswith("<gradwork.Variant 1: b=")


def test_out_writes_the_commands_files(seed, tmp_path):
    vs = gradwork.variants(seed / "task2.gw", n=3, seed=5, out=tmp_path, format="html")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "task2-01-key.html",
        "task2-01-question.html",
        "task2-01.gw",
        "task2-02-key.html",
        "task2-02-question.html",
        "task2-02.gw",
        "task2-03-key.html",
        "task2-03-question.html",
        "task2-03.gw",
        "task2-summary.json",
        "task2-summary.md",
    ]
    assert (tmp_path / "task2-02.gw").read_text() == vs[1].source
    assert vs[0].files[0] == tmp_path / "task2-01.gw"
    summary = json.loads((tmp_path / "task2-summary.json").read_text())
    assert [v["number"] for v in summary["variants"]] == [1, 2, 3]
    assert summary["seed"] == 5 and summary["tries"] == vs.tries
    assert vs.summary_files == (tmp_path / "task2-summary.md", tmp_path / "task2-summary.json")
    assert "<math" in (tmp_path / "task2-01-key.html").read_text()


def test_a_key_given_as_source_is_named_key(tmp_path):
    src = "a = vary(2, ints=(1, 9))\nshow y = a * 3"
    vs = gradwork.variants(src, n=3, seed=1, out=tmp_path)
    assert (tmp_path / "key-01.gw").exists() and (tmp_path / "key-summary.md").exists()
    assert all(v.answers["y"] % 3 == 0 for v in vs)


def test_refusals_and_running_out_of_tries(seed):
    with pytest.raises(gradwork.GradworkError, match="marks no number to vary"):
        gradwork.variants("show x = 1", n=2)
    with pytest.raises(gradwork.GradworkError, match="must solve cleanly") as info:
        gradwork.variants("a = vary(2, ints=(1, 9))\nshow y = nope", n=2)
    assert info.value.errors[0].kind == "unknown name"
    with pytest.warns(gradwork.GradworkWarning, match="only 2 of 5 variants"):
        vs = gradwork.variants("a = vary(1, among=[1, 2, 3])\nshow y = a", n=5, max_tries=50)
    assert len(vs) == 2
    with pytest.raises(ValueError):
        gradwork.variants(seed / "task2.gw", n=0)
    with pytest.raises(ValueError):
        gradwork.variants(seed / "task2.gw", n=2, format="text")


def test_the_same_files_as_the_command(seed, cli, tmp_path, monkeypatch):
    key = seed / "task4.gw"
    monkeypatch.chdir(tmp_path)
    gradwork.variants(key, n=3, seed=7, out="ours")
    subprocess.run(
        [str(cli), "variants", str(key), "--count", "3", "--seed", "7", "--out", "theirs"],
        check=True,
        capture_output=True,
    )
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    names = sorted(p.name for p in theirs.iterdir())
    assert sorted(p.name for p in ours.iterdir()) == names
    for name in names:
        a = (ours / name).read_text().replace("ours/", "DIR/")
        b = (theirs / name).read_text().replace("theirs/", "DIR/")
        assert a == b, name
