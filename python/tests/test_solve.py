"""gradwork.solve: answers as exact values, the notebook's renderings, errors,
budgets, and the same output as `gradwork solve`."""

import math
import re
import subprocess
import threading
import time
from fractions import Fraction
from pathlib import Path

import pytest

import gradwork
from gradwork import _gradwork
from conftest import has_numpy

TASK2_L = Fraction(16)
TASK2_GRAD_W = [Fraction(166, 5), Fraction(166, 5), Fraction(148, 5)]


def test_task2_answers_are_exact_fractions(seed):
    sol = gradwork.solve(seed / "task2.gw", arrays="list")
    assert sol.ok and sol.errors == []
    assert sol.name == str(seed / "task2.gw")
    assert sol.title == "Siamese metric learning with a quadratic contrastive loss (task 2)"
    assert list(sol.answers) == ["f_p1", "f_p2", "L", "grad(L, w)", "grad(L, b)"]
    assert sol.answers["L"] == TASK2_L and type(sol.answers["L"]) is Fraction
    assert sol.answers["grad(L, w)"] == TASK2_GRAD_W
    assert all(type(x) is Fraction for x in sol.answers["grad(L, w)"])
    assert sol.answers["grad(L, b)"] == 0
    assert sol.answers["f_p1"] == [1, 1, 1, 1] and sol.answers["f_p2"] == [3, 3, 3, 3]
    assert sol["L"] == 16
    details = {a.id: a for a in sol.answer_details}
    assert details["L"].line == 17 and details["L"].text == "16"
    assert details["grad(L, w)"].text == "[33.2, 33.2, 29.6]"
    assert details["L"].part == "(b) Forward pass and the loss of the positive pair"


def test_a_path_a_str_path_and_the_source_give_the_same_answers(seed):
    path = seed / "task2.gw"
    by_path = gradwork.solve(path)
    by_str = gradwork.solve(str(path))
    by_source = gradwork.solve(path.read_text(), name="task2.gw")
    assert by_path.answers.keys() == by_str.answers.keys() == by_source.answers.keys()
    for k in by_path.answers:
        assert repr(by_path.answers[k]) == repr(by_source.answers[k]) == repr(by_str.answers[k])
    assert by_source.name == "task2.gw"
    assert gradwork.solve("show x = 1/3").name == "<string>"


def test_approximate_values_carry_guaranteed_bounds(seed):
    sol = gradwork.solve(seed / "task1.gw", arrays="list")
    assert sol.ok
    assert sol.answers["s"] == [Fraction(-3, 2)]
    (p,) = sol.answers["p"]
    assert isinstance(p, gradwork.Approx)
    exact = 1 / (1 + math.exp(1.5))
    assert p.lo <= exact <= p.hi and exact in p
    assert p.hi - p.lo < 1e-12
    assert abs(float(p) - exact) < 1e-12 and p.value == float(p)
    assert p.text == "≈ 0.1824" and str(p) == "≈ 0.1824"
    assert "Approx('≈ 0.1824', lo=" in repr(p)
    assert sol.answers["h"] == [[-1], [-2], [-1]]
    assert sol.answers["params(W_hh, W_hx, b_h, W, b)"] == 6
    # A verification is a bool.
    verdicts = [v for k, v in sol.answers.items() if k.startswith("all(")]
    assert verdicts and all(v is True for v in verdicts)


def test_digits_set_how_approximate_values_are_shown(seed):
    sol = gradwork.solve(seed / "task1.gw", digits=8, detail="brief")
    assert sol.answers["p"][0].text == "≈ 0.18242552"
    assert "p ≈ [0.18242552]   ◀ answer" in sol.text


@pytest.mark.skipif(not has_numpy(), reason="numpy is not installed")
def test_tensors_are_numpy_arrays_of_objects_when_numpy_is_there(seed):
    import numpy as np

    sol = gradwork.solve(seed / "task3.gw")  # arrays="auto"
    q = sol.answers["Q"]
    assert isinstance(q, np.ndarray) and q.dtype == object and q.shape == (3, 2)
    assert q[2, 1] == 1 and type(q[2, 1]) is Fraction
    x_att = sol.answers["X_att"]
    assert x_att.shape == (3, 2) and all(isinstance(x, gradwork.Approx) for x in x_att.flat)
    assert sol.answers["params(W_Q, W_K, W_V)"] == 24  # a number stays a Fraction
    listed = gradwork.solve(seed / "task3.gw", arrays="list")
    assert listed.answers["Q"] == q.tolist()


def test_without_numpy_tensors_are_nested_lists(seed):
    sol = gradwork.solve(seed / "task3.gw", arrays="list")
    assert sol.answers["V"] == [[2, 3], [-1, 1], [0, 0]]
    empty = gradwork.solve("show z = np.zeros((2, 0))", arrays="list")
    assert empty.answers["z"] == [[], []]
    with pytest.raises(ValueError):
        gradwork.solve("show 1", arrays="tuples")


def test_other_values_come_back_as_python_values():
    sol = gradwork.solve(
        'show b = True\nshow s = "text"\nshow t = (1, 1/2)\nshow l = [1, [2, 3]]\nshow i = np.inf',
        arrays="list",
    )
    assert sol.ok, sol.diagnostics
    a = sol.answers
    assert a["b"] is True
    assert a["s"] == "text"
    assert a["t"] == (1, Fraction(1, 2))
    assert a["l"] == [1, [2, 3]]
    assert a["i"] == math.inf


def test_the_notebook_html_is_the_pages_body_with_its_style_scoped(seed):
    sol = gradwork.solve(seed / "task2.gw")
    page, frag = sol.html, sol._repr_html_()
    assert page.startswith("<!DOCTYPE html>") and "</html>" in page
    assert frag.startswith('<div class="gradwork"') and frag.rstrip().endswith("</div>")
    for tag in ("<!DOCTYPE", "<html", "<head>", "<body", "<main", "<meta"):
        assert tag not in frag
    # The worked solution: MathML, the answer L = 16, the gradient.
    assert frag.count("<math") > 20
    assert '<tr class="result"><td class="lhs"></td><td class="rhs"><math xmlns="http://www.w3.org/1998/Math/MathML"><mo>=</mo><mn>16</mn></math>' in frag
    assert '<th>L</th><td class="answer"><math xmlns="http://www.w3.org/1998/Math/MathML"><mn>16</mn></math>' in frag
    assert "<mn>33.2</mn>" in frag and "<mn>29.6</mn>" in frag
    # Everything the page shows is in the fragment.
    body = page[page.index("<main>") + len("<main>") : page.rindex("</main>")]
    assert body.strip() in frag
    # Every rule applies inside the output only.
    style = re.search(r"<style>(.*?)</style>", frag, re.S).group(1)
    for sel in _selectors(style):
        assert sel.startswith(".gradwork") or sel.startswith("body[data-jp-theme-light") or sel.startswith(
            "body.vscode-"
        ), sel


def _selectors(css):
    """The selectors of a style sheet (inside @media blocks too)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    out = []
    depth = 0
    start = 0
    for i, c in enumerate(css):
        if c == "{":
            prelude = css[start:i].strip()
            if not prelude.startswith("@"):
                out.extend(s.strip() for s in prelude.split(","))
            depth += 1
            start = i + 1
        elif c == "}":
            depth -= 1
            start = i + 1
    return [s for s in out if s]


def test_scoping_a_style_sheet():
    page = (
        "<!DOCTYPE html><html><head><style>\n:root { --x: 1; }\nhtml, body { margin: 0 }\n"
        "main { padding: 1rem }\nh2, .a > p:hover { color: red }\n* { box-sizing: border-box }\n"
        "@media print { main { padding: 0 } a[href] { color: inherit } }\n"
        "@font-face { font-family: x; src: url(x.woff) }\n.c::after { content: \"{not a block}\"; }\n"
        "</style></head><body><main>\n<p>hi</p>\n</main></body></html>"
    )
    frag = _gradwork.notebook_html(page, "")
    style = frag[frag.index("<style>") : frag.index("</style>")]
    assert ".gradwork { --x: 1; }" in style
    assert ".gradwork, .gradwork { margin: 0 }" in style
    assert ".gradwork { padding: 1rem }" in style
    assert ".gradwork h2, .gradwork .a > p:hover { color: red }" in style
    assert ".gradwork * { box-sizing: border-box }" in style
    assert "@media print {\n.gradwork { padding: 0 }\n.gradwork a[href] { color: inherit }\n}" in style
    assert "@font-face { font-family: x; src: url(x.woff) }" in style
    assert '.gradwork .c::after { content: "{not a block}"; }' in style
    assert frag.endswith("<p>hi</p>\n</div>\n")
    # A page of another shape is shown whole rather than cut wrong.
    assert _gradwork.notebook_html("<p>no page</p>", "") == "<p>no page</p>"


def test_markdown_and_latex_renderings(seed):
    sol = gradwork.solve(seed / "task2.gw")
    md = sol._repr_markdown_()
    assert md == sol.markdown
    assert "$L = " in md or "L &= " in md or "$$" in md
    assert "16" in md
    tex = sol._repr_latex_()
    assert "\\documentclass" not in tex and "\\begin{document}" not in tex
    assert "\\begin{equation*}" in tex and "33.2" in tex
    # Figures are inlined in Markdown (no files beside a notebook).
    sol4 = gradwork.solve(seed / "task4.gw")
    assert "data:image/svg+xml" in sol4.markdown
    assert "<svg" in sol4._repr_html_()


def test_text_json_and_repr(seed):
    sol = gradwork.solve(seed / "task2.gw")
    assert sol.text.startswith(f"━━ {seed / 'task2.gw'} — Siamese")
    assert "= 16   ◀ answer" in sol.text
    assert str(sol) == sol.text
    j = sol.json
    assert j["ok"] is True and j["answers"][2]["id"] == "L" and j["answers"][2]["exact"] == "16"
    assert repr(sol) == f"<gradwork.Solution {str(seed / 'task2.gw')!r}: 5 answer(s), ok>"


def test_errors_have_kind_message_line_column_and_hint():
    sol = gradwork.solve("w = [1, 2]\nshow y = foo(w)\n")
    assert not sol.ok and not sol.only_checks_failed
    (e,) = sol.errors
    assert (e.kind, e.line, e.column, e.end_line, e.end_column) == ("unknown name", 2, 10, 2, 13)
    assert e.message == "`foo` is not defined"
    assert e.hint and "did you mean" in e.hint
    assert "<string>:2:10" in e.rendered and str(e) == e.rendered
    assert e.rendered in sol.diagnostics
    assert sol.diagnostics in str(sol)
    # The notebook shows the diagnostics, escaped, after the working.
    frag = sol._repr_html_()
    assert '<pre class="diagnostics">' in frag and "unknown name" in frag
    assert "<string>" not in frag.split('<pre class="diagnostics">')[1]


def test_syntax_errors_and_failed_checks():
    syn = gradwork.solve("show x = 1 +")
    assert [(e.kind, e.line, e.column) for e in syn.errors] == [("syntax error", 1, 13)]
    chk = gradwork.solve("x = 1\ncheck x == 2")
    assert not chk.ok and chk.only_checks_failed
    assert chk.errors[0].kind == "check failed"


def test_check_true_raises_with_the_diagnostics():
    with pytest.raises(gradwork.GradworkError) as info:
        gradwork.solve("show y = foo(1)", check=True)
    err = info.value
    assert "unknown name" in str(err) and "<string>:1:10" in str(err)
    assert err.errors[0].kind == "unknown name"
    assert err.solution is not None and not err.solution.ok
    ok = gradwork.solve("show 1", check=True)
    assert ok.raise_for_errors() is ok


def test_files_that_cannot_be_read(tmp_path):
    with pytest.raises(FileNotFoundError):
        gradwork.solve(tmp_path / "missing.gw")
    with pytest.raises(FileNotFoundError):
        gradwork.solve(str(tmp_path / "missing.gw"))
    bad = tmp_path / "latin1.gw"
    bad.write_bytes(b"x = 1\ny = '\xe9'\n")
    with pytest.raises(gradwork.GradworkError) as info:
        gradwork.solve(bad)
    assert f"{bad}:2:6: not UTF-8 text (byte 11)" in str(info.value)
    with pytest.raises(TypeError):
        gradwork.solve(b"show 1")


def test_bad_settings_are_value_errors():
    for kwargs in ({"detail": "some"}, {"digits": 0}, {"digits": 18}, {"timeout": -1}, {"max_memory": 0}):
        with pytest.raises(ValueError):
            gradwork.solve("show 1", **kwargs)


def test_the_run_budget_holds(tmp_path):
    # Work: an endless loop ends at the default budget, well within a second.
    t = time.perf_counter()
    sol = gradwork.solve("while True:\n    x = 1")
    assert time.perf_counter() - t < 5
    assert sol.errors[0].kind == "limit reached" and "units of work" in sol.errors[0].message
    # Wall time.
    t = time.perf_counter()
    sol = gradwork.solve("i = 0\nwhile True:\n    i = i + 1", timeout=0.2, max_work=10**15, max_steps=10**15)
    assert time.perf_counter() - t < 3
    assert "ran longer than 200ms" in sol.errors[0].message
    # Steps.
    sol = gradwork.solve("for i in range(100):\n    x = i", max_steps=10)
    assert sol.errors[0].kind == "limit reached"
    # Memory: the package counts the heap as the command does.
    src = "x = np.zeros((300, 300))\nshow y = x.sum()"
    assert gradwork.solve(src).ok
    sol = gradwork.solve(src, max_memory=1)
    assert sol.errors[0].kind == "limit reached" and "MiB" in sol.errors[0].message
    assert gradwork.DEFAULT_LIMITS == {
        "timeout": 10.0,
        "max_work": 1 << 20,
        "max_memory": 512,
        "max_steps": 1_000_000,
    }


def test_memory_held_by_earlier_results_is_not_the_next_runs():
    # Results kept alive (as a notebook keeps them) do not use up the
    # budget of later runs: the limit is on what a run adds.
    kept = [gradwork.solve("x = np.ones((200, 200))\nshow y = x * 2", max_memory=64) for _ in range(3)]
    assert all(s.ok for s in kept)
    assert gradwork.solve("show z = np.ones((100, 100)).sum()", max_memory=2).ok


def test_a_panic_comes_back_as_an_exception():
    with pytest.raises(gradwork.GradworkError, match="internal error: gradwork stopped on a bug"):
        gradwork._api._call(_gradwork._panic_for_tests)
    assert gradwork.solve("show 1 + 1").answers["1 + 1"] == 2


def test_threads_solve_side_by_side(seed):
    results = {}

    def run(i):
        results[i] = gradwork.solve(seed / "task2.gw").answers["L"]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {i: 16 for i in range(6)}


def test_save_and_render(seed, tmp_path):
    sol = gradwork.solve(seed / "task4.gw")
    html = sol.save(tmp_path / "key.html")
    assert html.read_text().startswith("<!DOCTYPE html>")
    md = sol.save(tmp_path / "key.md")
    text = md.read_text()
    assert "](key-fig1.svg)" in text and (tmp_path / "key-fig1.svg").read_text().startswith("<svg")
    tex = sol.save(tmp_path / "key.tex")
    assert tex.read_text().startswith("\\documentclass")
    assert sol.save(tmp_path / "key.txt").read_text() == sol.text
    assert sol.save(tmp_path / "out.json").read_text().startswith("[")
    question = sol.render("html", sheet="question")
    assert "Answer:" in question and "question sheet" in question
    assert "\\documentclass" not in sol.render("latex", fragment=True)
    with pytest.raises(ValueError):
        sol.save(tmp_path / "key.docx")
    with pytest.raises(ValueError):
        sol.render("text", sheet="question")


def test_the_same_output_as_the_command(seed, cli, tmp_path):
    for task in ("task1", "task2", "task5"):
        path = seed / f"{task}.gw"
        sol = gradwork.solve(path)
        run = subprocess.run(
            [str(cli), "solve", str(path), "--color", "never"], capture_output=True, text=True
        )
        assert run.returncode == 0
        assert run.stdout == sol.text
        page = tmp_path / f"{task}.html"
        subprocess.run([str(cli), "solve", str(path), "--format", "html", "-o", str(page)], check=True)
        assert page.read_text() == sol.html


def test_the_installed_package_is_the_one_tested():
    # tools/python-test runs the tests on the installed wheel, from outside
    # the checkout (python/gradwork/ has no compiled module in a checkout).
    import os

    if os.environ.get("GRADWORK_TEST_INSTALLED") != "1":
        pytest.skip("not run by tools/python-test")
    assert "site-packages" in Path(gradwork.__file__).parts
    assert Path(_gradwork.__file__).name.endswith(".abi3.so")
